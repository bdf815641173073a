//! `GET /logs/export.csv` and `/logs/export.jsonl`: a search of the logs page (the same query string) as a
//! download, streamed from the database page by page.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use app::logs::LogsQuery;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;

use super::AppState;
use crate::logs::export::{self, Format};

/// A response body fed by a channel.
struct ChannelBody(mpsc::Receiver<Result<Bytes, io::Error>>);

impl http_body::Body for ChannelBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, io::Error>>> {
        self.0.poll_recv(cx).map(|chunk| chunk.map(|r| r.map(http_body::Frame::data)))
    }
}

async fn download(state: AppState, query: LogsQuery, format: Format) -> Response {
    let filter = match crate::logs::port::filter(&query) {
        Ok(filter) => filter,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    let (send, receive) = mpsc::channel(4);
    let pool = state.pool.clone();
    tokio::spawn(async move {
        if let Err(e) = export::export(&pool, filter, format, send.clone()).await {
            tracing::warn!(error = %e, "logs export cut short");
            let _ = send.send(Err(io::Error::other("the database stopped answering"))).await;
        }
    });
    let name = format!("attachment; filename=\"auth0-logs.{}\"", format.extension());
    (
        [(header::CONTENT_TYPE, format.content_type().to_string()), (header::CONTENT_DISPOSITION, name)],
        Body::new(ChannelBody(receive)),
    )
        .into_response()
}

pub async fn csv(State(state): State<AppState>, Query(query): Query<LogsQuery>) -> Response {
    download(state, query, Format::Csv).await
}

pub async fn json_lines(State(state): State<AppState>, Query(query): Query<LogsQuery>) -> Response {
    download(state, query, Format::JsonLines).await
}
