//! Operational endpoints: `/healthz` for load balancers and container health checks, `/metrics` for Prometheus.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde_json::json;

use super::AppState;

/// 200 when the database answers `SELECT 1` within a second, 503 otherwise.
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match crate::db::ping(&state.pool).await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok", "database": "up" }))),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "database": "down", "reason": reason })),
        ),
    }
}

/// Prometheus text exposition of everything recorded, with the pool gauges read now and the series of what the
/// console watches (`watched`).
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let pool = &state.pool;
    metrics::gauge!("db_pool_connections").set(f64::from(pool.size()));
    metrics::gauge!("db_pool_idle_connections").set(pool.num_idle() as f64);
    metrics::gauge!("db_pool_max_connections").set(f64::from(pool.options().get_max_connections()));
    metrics::gauge!("process_uptime_seconds").set(state.started.elapsed().as_secs_f64());
    state.prometheus.run_upkeep();
    let mut body = state.prometheus.render();
    let now = chrono::Utc::now();
    match crate::watched::read(pool, now).await {
        Ok(watched) => body.push_str(&crate::watched::render(&watched, now)),
        // The process's own series still answer; the scrape says the watched ones could not be read.
        Err(e) => {
            tracing::warn!(error = %e, "metrics: cannot read what the console watches");
            body.push_str("# the watched series could not be read from the database\n");
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body)
}
