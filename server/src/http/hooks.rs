//! Machine routes: `POST /hooks/logs/{tenant id}` receives an Auth0 log stream (custom webhook). The token in
//! `Authorization` is checked before a byte of the body is read (401 otherwise); the body is limited
//! (`logs.max_body_bytes`, 413 over it); the answer is 2xx only once the batch is committed (a retried delivery
//! stores nothing twice); 503 when the database is not answering, so Auth0 retries.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::AppState;
use crate::logs::model::{Source, TenantId};
use crate::logs::{parse, repo, service};

fn answer(status: StatusCode, text: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

fn unavailable(error: &sqlx::Error) -> Response {
    tracing::warn!(error = %error, "logs receiver: database unavailable");
    answer(StatusCode::SERVICE_UNAVAILABLE, "the database is not answering; retry later".into())
}

/// `POST /hooks/logs/{tenant}`.
pub async fn receive_logs(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let refused =
        || answer(StatusCode::UNAUTHORIZED, "the Authorization token is not this tenant's receiver token".into());
    let Ok(tenant) = tenant.parse::<TenantId>() else { return refused() };
    let Some(presented) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else { return refused() };
    let stored = match state.pool.acquire().await {
        Ok(mut conn) => repo::token_hash(&mut conn, tenant).await,
        Err(e) => Err(e),
    };
    match stored {
        Ok(Some(hash)) if service::token_matches(presented, &hash) => {}
        Ok(_) => return refused(),
        Err(e) => return unavailable(&e),
    }
    let limit = state.logs.max_body_bytes;
    let too_large = || {
        answer(StatusCode::PAYLOAD_TOO_LARGE, format!("the body is over the {limit}-byte limit; send smaller batches"))
    };
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large();
    }
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else { return too_large() };
    let (events, rejected) = match parse::body(&bytes, state.logs.limits) {
        Ok(read) => read,
        Err(why) => return answer(StatusCode::PAYLOAD_TOO_LARGE, why),
    };
    match service::store(&state.pool, tenant, Source::Stream, &events, &rejected, None, Utc::now()).await {
        Ok(counts) => answer(
            StatusCode::OK,
            format!("{} stored, {} duplicates, {} rejected", counts.stored, counts.duplicates, counts.rejected),
        ),
        Err(e @ (sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_))) => unavailable(&e),
        Err(e) => {
            tracing::error!(error = %e, tenant.id = %tenant, "logs receiver: batch not stored");
            answer(StatusCode::SERVICE_UNAVAILABLE, "the batch was not stored; retry later".into())
        }
    }
}
