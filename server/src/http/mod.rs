//! The HTTP server: pages (Leptos), server functions, sign-in, operational endpoints, static assets, and the
//! middleware around all of them.
//!
//! Layers, outermost first: request id → request log → security headers → metrics → same-origin check (CSRF) →
//! session → signed-in user → access policy → routes. The access policy wraps the router (it may re-route a
//! request to the "not allowed" page), so it sees every request, including unknown paths.

pub mod access;
mod assets;
pub mod auth;
mod fragments;
mod ops;
pub mod ports;

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::{App, shell};
use axum::Router;
use axum::extract::{FromRef, Request, State};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
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
use crate::accounts::port::PgAccounts;
use crate::accounts::service::SetupToken;
use crate::system::PgSystem;

/// What every handler can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub prometheus: PrometheusHandle,
    pub started: Instant,
    pub setup: SetupToken,
    pub status: Arc<crate::status::port::PgStatus>,
}

/// How the router is set up; `serve` fills it from `Settings`, tests use the defaults.
#[derive(Clone)]
pub struct RouterOptions {
    pub started_at: DateTime<Utc>,
    pub started: Instant,
    /// `Secure` session cookies (the console is served over https).
    pub secure_cookies: bool,
    pub session_idle: Duration,
    /// The console's public origin (`https://ops.example.com`), checked against `Origin` on changes.
    pub public_url: Option<String>,
    pub setup: SetupToken,
    /// Demo mode only: the accounts the sign-in page offers.
    pub demo_accounts: Vec<app::accounts::DemoAccount>,
    /// Encrypts tenant secrets entered in forms.
    pub secrets: crate::secrets::SecretBox,
    /// How often a new tenant is polled.
    pub poll_interval: Duration,
    /// Tenants with paid features the contract allows.
    pub paid_limit: usize,
    /// Snapshot fields the drift view greys as expected differences.
    pub drift_expected: Vec<String>,
    pub status: crate::status::StatusOptions,
    pub monitoring: crate::monitoring::MonitoringOptions,
    pub domains: crate::domains::DomainsOptions,
    pub notifications: crate::notifications::NotificationsOptions,
}

/// Options for tests and tools that start a router on their own: being their start, this installs the TLS crypto
/// provider (as `main` does for the binary) before the notification sender builds its clients.
impl Default for RouterOptions {
    fn default() -> Self {
        crate::init_crypto();
        RouterOptions {
            started_at: Utc::now(),
            started: Instant::now(),
            secure_cookies: false,
            session_idle: Duration::from_secs(8 * 3600),
            public_url: None,
            setup: SetupToken::default(),
            demo_accounts: Vec::new(),
            secrets: crate::secrets::SecretBox::new(rand_key()),
            poll_interval: crate::tenants::jobs::DEFAULT_INTERVAL,
            paid_limit: 3,
            drift_expected: vec!["settings.friendly_name".into(), "settings.support_email".into()],
            status: crate::status::StatusOptions::default(),
            monitoring: crate::monitoring::MonitoringOptions::default(),
            domains: crate::domains::DomainsOptions::system().expect("the system's DNS settings are readable"),
            notifications: crate::notifications::NotificationsOptions::default(),
        }
    }
}

/// A random key for tests and defaults (real servers load theirs from the settings).
fn rand_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    argon2::password_hash::rand_core::RngCore::fill_bytes(&mut argon2::password_hash::rand_core::OsRng, &mut key);
    key
}

/// Plain axum routes (not pages, not server functions), for the access-coverage check.
pub const PLAIN_ROUTES: &[&str] =
    &["/healthz", "/metrics", "/assets/{file}", "/login", "/logout", "/setup", "/status/board.html"];

/// Every route the router serves: pages, server functions and plain routes.
pub fn served_routes() -> Vec<String> {
    let pages = generate_route_list(App).into_iter().map(|r| r.path().to_string());
    let server_fns = leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_string());
    pages.chain(server_fns).chain(PLAIN_ROUTES.iter().map(|p| p.to_string())).collect()
}

/// Builds the whole application around a pool.
pub fn router(pool: PgPool, options: RouterOptions) -> Router {
    let policy = Arc::new(Policy::new(access::rules()));
    let served = served_routes();
    let uncovered = policy.uncovered(served.iter().map(String::as_str));
    assert!(uncovered.is_empty(), "routes without an access rule (add them to http::access): {uncovered:?}");

    let leptos_options = LeptosOptions::builder().output_name("tenantry").site_root("public").build();
    let tiles: Vec<Arc<dyn app::status::BoardTile>> = vec![
        Arc::new(crate::monitoring::tile::MonitoringTile { pool: pool.clone() }),
        Arc::new(crate::domains::tile::DomainsTile { pool: pool.clone() }),
        Arc::new(crate::notifications::tile::ChannelsTile { pool: pool.clone() }),
    ];
    let status = Arc::new(crate::status::port::PgStatus {
        pool: pool.clone(),
        tiles,
        allow_private: options.status.allow_private,
        refresh_secs: options.status.board_refresh_secs,
    });
    let ports = ports::Ports {
        accounts: Arc::new(PgAccounts::new(pool.clone())),
        tenants: Arc::new(crate::tenants::port::PgTenants {
            pool: pool.clone(),
            secrets: options.secrets.clone(),
            interval: options.poll_interval,
            paid_limit: options.paid_limit,
            drift_expected: options.drift_expected.clone(),
        }),
        status: status.clone(),
        domains: Arc::new(crate::domains::port::PgDomains {
            pool: pool.clone(),
            checker: options.domains.checker.clone(),
        }),
        notifications: Arc::new(crate::notifications::port::PgNotifications {
            pool: pool.clone(),
            outbox: crate::notifications::outbox::Outbox {
                pool: pool.clone(),
                sender: options.notifications.sender.clone(),
                secrets: options.secrets.clone(),
                public_url: options.public_url.clone(),
                worker: "console".into(),
            },
            allow_private: options.notifications.allow_private,
        }),
        monitoring: Arc::new(crate::monitoring::port::PgMonitoring {
            pool: pool.clone(),
            secrets: options.secrets.clone(),
            login_budget: options.monitoring.login_budget,
        }),
        system: Arc::new(PgSystem::new(pool.clone(), options.started_at, options.started)),
    };
    let state = AppState {
        leptos_options: leptos_options.clone(),
        pool: pool.clone(),
        prometheus: crate::telemetry::prometheus(),
        started: options.started,
        setup: options.setup.clone(),
        status,
    };
    let demo = app::accounts::DemoAccounts(Arc::new(options.demo_accounts.clone()));
    let context = move || {
        ports.provide();
        provide_context(demo.clone());
    };
    let render_shell = {
        let options = leptos_options.clone();
        move || shell(options.clone())
    };
    let not_found = leptos_axum::render_app_to_stream_with_context(context.clone(), render_shell.clone());

    let routes = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .route("/assets/{file}", get(assets::serve))
        .route("/login", post(auth::sign_in))
        .route("/logout", post(auth::sign_out))
        .route("/setup", post(auth::setup))
        .route("/status/board.html", get(fragments::board))
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
            .layer(middleware::from_fn_with_state(policy, track_metrics))
            .layer(middleware::from_fn_with_state(public_url, access::same_origin_only))
            .layer(sessions)
            .layer(middleware::from_fn_with_state(pool, auth::load_user))
            .layer(middleware::from_fn_with_state(access_state, access::authorize)),
    )
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Counts every answer by method, route template (from the access policy's table) and status, and times it.
async fn track_metrics(State(policy): State<Arc<Policy>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = policy.rule_for(req.uri().path()).map(|r| r.path).unwrap_or("unmatched");
    let method = req.method().as_str().to_owned();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route, "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    response
}
