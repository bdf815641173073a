//! The HTTP server: pages (Leptos), server functions, sign-in, operational endpoints, static assets, and the
//! middleware around all of them.
//!
//! Layers, outermost first: request id → request log → security headers → edge (host allow-list, canonical
//! path, client address) → body limit → metrics → same-origin check (CSRF) → session → signed-in user → access policy → routes. The access policy wraps the router (it may re-route a
//! request to the "not allowed" page), so it sees every request, including unknown paths.
//!
//! The JSON API (`v1`, `/api/v1/…`) takes bearer tokens only: `auth::load_user` reads the token instead of the
//! session there, and the same-origin check lets it through (no cookie counts, so nothing can be forged).
//!
//! Machine routes (`access::MACHINE_PREFIX`, `/hooks/…`: the Auth0 log-stream receiver in `hooks`) skip the console
//! body limit and the same-origin check: they are posted by Auth0, not by a browser, and check their own token
//! before reading the body, under a limit of their own.

pub mod access;
mod assets;
pub mod auth;
pub mod edge;
mod fragments;
mod hooks;
mod logs_export;
mod logs_token;
mod ops;
pub mod serve;
pub mod sso;
mod tokens;
pub mod v1;

use std::sync::Arc;
use std::time::Instant;

use app::{App, shell};
use axum::Router;
use axum::extract::{FromRef, Request, State};
use axum::http::{HeaderName, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use metrics_exporter_prometheus::PrometheusHandle;
use sqlx::PgPool;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;
use tracing::Level;

use self::access::{AccessState, Policy};
use crate::accounts::service::SetupToken;

/// What every handler can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub prometheus: PrometheusHandle,
    pub started: Instant,
    pub setup: SetupToken,
    pub status: Arc<crate::status::port::PgStatus>,
    /// The log-stream receiver's limits.
    pub logs: crate::logs::LogsOptions,
    /// Where people reach the console (single sign-on's redirects name it).
    pub public_url: Option<String>,
    /// The identity provider of single sign-on, when configured.
    pub sso: Option<Arc<crate::accounts::sso::provider::Provider>>,
    /// Whether people may sign in with a password.
    pub local_passwords: bool,
    /// Every area's port: the JSON API calls the same ports as the pages.
    pub ports: crate::engine::Ports,
}

pub use crate::engine::RouterOptions;

/// Plain axum routes (not pages, not server functions). The router is built from this list and the access check
/// reads its paths from it, so a plain route cannot be served without being checked for a rule.
fn plain_routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![
        ("/healthz", get(ops::healthz)),
        ("/metrics", get(ops::metrics)),
        ("/assets/{file}", get(assets::serve)),
        ("/login", post(auth::sign_in)),
        ("/login/sso", get(sso::begin)),
        ("/login/sso/callback", get(sso::callback)),
        ("/logout", post(auth::sign_out)),
        ("/setup", post(auth::setup)),
        ("/status/board.html", get(fragments::board)),
        ("/infra/allow-list", get(crate::infra::port::download)),
        ("/hooks/logs/{tenant}", post(hooks::receive_logs)),
        ("/logs/export.csv", get(logs_export::csv)),
        ("/logs/export.jsonl", get(logs_export::json_lines)),
        ("/logs/peak/export.csv", get(crate::peak::export::download)),
        ("/logs/stream-token/{tenant}", post(logs_token::make)),
        ("/checklists/{tenant}/export.csv", get(crate::checklists::export::download)),
        ("/checklists/export.csv", get(crate::checklists::export::download_domain)),
        ("/settings/tokens/new", post(tokens::make)),
    ]
    .into_iter()
    .chain(v1::routes())
    .collect()
}

/// Every route the router serves: pages, server functions and plain routes.
pub fn served_routes() -> Vec<String> {
    let pages = generate_route_list(App).into_iter().map(|r| r.path().to_string());
    let server_fns = leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_string());
    pages.chain(server_fns).chain(plain_routes().into_iter().map(|(p, _)| p.to_string())).collect()
}

/// Builds the whole application around a pool.
pub fn router(pool: PgPool, options: RouterOptions) -> Router {
    let policy = Arc::new(Policy::new(access::rules()));
    let served = served_routes();
    let uncovered = policy.uncovered(served.iter().map(String::as_str));
    assert!(uncovered.is_empty(), "routes without an access rule (add them to http::access): {uncovered:?}");

    let leptos_options = LeptosOptions::builder().output_name("tenantry").site_root("public").build();
    let (ports, status) = crate::engine::ports(&pool, &options);
    let state = AppState {
        leptos_options: leptos_options.clone(),
        pool: pool.clone(),
        prometheus: crate::telemetry::prometheus(),
        started: options.started,
        setup: options.setup.clone(),
        status,
        logs: options.logs,
        public_url: options.public_url.clone(),
        sso: options.sso.clone().and_then(|sso| match crate::accounts::sso::provider::Provider::new(sso) {
            Ok(provider) => Some(Arc::new(provider)),
            Err(error) => {
                tracing::error!(%error, "single sign-on is off: its HTTP client cannot be built");
                None
            }
        }),
        local_passwords: options.local_passwords,
        ports: ports.clone(),
    };
    let demo = app::accounts::DemoAccounts(Arc::new(options.demo_accounts.clone()));
    let choices = app::accounts::SignInChoices {
        sso_label: state.sso.as_ref().map(|p| p.options().label.clone()),
        passwords: options.local_passwords,
    };
    let context = move || {
        ports.provide();
        provide_context(demo.clone());
        provide_context(choices.clone());
    };
    let render_shell = {
        let options = leptos_options.clone();
        move || shell(options.clone())
    };
    let not_found = leptos_axum::render_app_to_stream_with_context(context.clone(), render_shell.clone());

    let plain = plain_routes().into_iter().fold(Router::new(), |router, (path, route)| router.route(path, route));
    let routes = plain
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
        .with_state(state);

    let sessions = SessionManagerLayer::new(PostgresStore::new(pool.clone()))
        .with_name("tenantry_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(options.secure_cookies)
        .with_expiry(Expiry::OnInactivity(tower_sessions::cookie::time::Duration::seconds(
            options.session_idle.as_secs() as i64,
        )));
    let access_state = AccessState { policy: policy.clone(), setup: options.setup.clone(), pool: pool.clone() };
    let public_url: Option<Arc<str>> = options.public_url.as_deref().map(Arc::from);
    let edge = Arc::new(edge::Edge::new(
        options.public_url.as_deref(),
        &options.allowed_hosts,
        options.trusted_proxies.clone(),
    ));

    Router::new().fallback_service(routes).layer(
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
            .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
            .layer(middleware::from_fn(access::security_headers))
            .layer(middleware::from_fn_with_state(edge, edge::edge))
            .layer(middleware::from_fn(limit_body))
            .layer(middleware::from_fn_with_state(policy, track_metrics))
            .layer(middleware::from_fn_with_state(public_url, access::same_origin_only))
            .layer(sessions)
            .layer(middleware::from_fn_with_state(auth::SessionUse::new(pool, options.session_idle), auth::load_user))
            .layer(middleware::from_fn_with_state(access_state, access::authorize)),
    )
}

/// The largest request body the console reads (forms are a few KiB; a tenant import is a command, not a post).
pub const MAX_REQUEST_BODY: usize = 256 * 1024;

/// Refuses a declared body over `MAX_REQUEST_BODY` with 413, and cuts off an undeclared one at it.
/// Machine routes (`access::MACHINE_PREFIX`) apply limits of their own after checking their token.
async fn limit_body(req: Request, next: Next) -> Response {
    if access::is_machine_route(req.uri().path()) {
        return next.run(req).await;
    }
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_REQUEST_BODY as u64) {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is over the {} KiB limit", MAX_REQUEST_BODY / 1024),
        )
            .into_response();
    }
    next.run(req.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, MAX_REQUEST_BODY)))).await
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Counts every answer by method, route template (from the access policy's table) and status, and times it.
async fn track_metrics(State(policy): State<Arc<Policy>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = policy.rule_for(req.uri().path()).map(|r| r.path).unwrap_or("unmatched");
    // Known methods only: a series per invented method would let anyone grow the metrics without bound.
    let method: &'static str = match *req.method() {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    };
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method, "route" => route, "status" => status).increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    response
}
