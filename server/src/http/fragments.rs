//! Server-rendered fragments that pages re-fetch with a few lines of JavaScript: the status board
//! (`/status/board.html`), so the board refreshes itself without hydration or wasm.

use app::status::{BoardView, StatusPort};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use leptos::prelude::*;
use serde::Deserialize;

use super::AppState;

#[derive(Deserialize)]
pub struct BoardQuery {
    tenant: Option<String>,
}

/// The board's inner HTML, the same `BoardView` the page renders.
pub async fn board(State(state): State<AppState>, Query(query): Query<BoardQuery>) -> Response {
    let tenant = query.tenant.map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty());
    match state.status.board(tenant).await {
        Ok(board) => {
            let html = Owner::new().with(|| view! { <BoardView board /> }.to_html());
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], html)
                .into_response()
        }
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
    }
}
