//! The HTTP server: pages (Leptos), server functions, operational endpoints, static assets, and the middleware
//! around all of them (request ids, request logs, metrics).

mod assets;
mod ops;

use std::sync::Arc;
use std::time::Instant;

use app::ports::Ports;
use app::{App, shell};
use axum::Router;
use axum::extract::{FromRef, MatchedPath, Request};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use metrics_exporter_prometheus::PrometheusHandle;
use sqlx::PgPool;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::system::PgSystem;

/// What every handler can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub prometheus: PrometheusHandle,
    pub started: Instant,
}

/// Builds the whole application router around a pool.
pub fn router(pool: PgPool, started_at: DateTime<Utc>, started: Instant) -> Router {
    let leptos_options = LeptosOptions::builder()
        .output_name("tenantry")
        .site_root("public")
        .build();
    let ports = Ports {
        system: Arc::new(PgSystem::new(pool.clone(), started_at, started)),
    };
    let state = AppState {
        leptos_options: leptos_options.clone(),
        pool,
        prometheus: crate::telemetry::prometheus(),
        started,
    };
    let context = move || provide_context(ports.clone());
    let render_shell = {
        let options = leptos_options.clone();
        move || shell(options.clone())
    };
    let not_found = leptos_axum::render_app_to_stream_with_context(context.clone(), render_shell.clone());

    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .route("/assets/{file}", get(assets::serve))
        .leptos_routes_with_context(&state, generate_route_list(App), context, render_shell)
        .fallback(move |req: Request| {
            let render = not_found.clone();
            async move {
                let mut response = render(req).await;
                if response.status() == StatusCode::OK {
                    *response.status_mut() = StatusCode::NOT_FOUND;
                }
                response
            }
        })
        .layer(middleware::from_fn(track_metrics))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|req: &Request| {
                            let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                            tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
                        })
                        .on_request(())
                        .on_response(DefaultOnResponse::new().level(Level::INFO).latency_unit(tower_http::LatencyUnit::Millis)),
                )
                .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone())),
        )
        .with_state(state)
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Counts every answer by method, route template and status, and times it.
async fn track_metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().as_str().to_owned();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    response.into_response()
}
