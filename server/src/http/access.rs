//! Who may reach what. One table of rules — every page, server function and HTTP route with the lowest role
//! allowed — checked by middleware around the whole router. The router refuses to start if a route it serves has
//! no rule, so a forgotten route fails closed.

use std::sync::Arc;

use app::accounts::{CurrentUser, Role};
use app::areas::Area;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::accounts::service::SetupToken;

/// Who may use a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Signed-in users with this role or a higher one.
    AtLeast(Role),
}

/// How a refusal is answered: pages redirect to sign-in or show the "not allowed" page; APIs answer 401/403.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Page,
    Api,
}

/// One access rule. `path` uses the router's syntax (`/assets/{file}`).
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub path: &'static str,
    pub access: Access,
    pub kind: Kind,
}

const fn public(path: &'static str, kind: Kind) -> Rule {
    Rule { path, access: Access::Public, kind }
}

const fn at_least(role: Role, path: &'static str, kind: Kind) -> Rule {
    Rule { path, access: Access::AtLeast(role), kind }
}

/// Routes that are not pages of an area.
const OTHER_RULES: &[Rule] = &[
    public("/login", Kind::Page),
    public("/login/sso", Kind::Page),
    public("/login/sso/callback", Kind::Page),
    at_least(Role::Helpdesk, "/settings/tokens", Kind::Page),
    at_least(Role::Helpdesk, "/settings/tokens/new", Kind::Api),
    at_least(Role::Helpdesk, "/api/accounts/tokens", Kind::Api),
    at_least(Role::Helpdesk, "/api/accounts/token-revoke", Kind::Api),
    public("/api/v1/openapi.json", Kind::Api),
    public("/api/v1/docs", Kind::Page),
    at_least(Role::Developer, "/api/v1/tenants", Kind::Api),
    at_least(Role::Developer, "/api/v1/tenants/{id}", Kind::Api),
    at_least(Role::Developer, "/api/v1/tenants/{id}/refresh", Kind::Api),
    at_least(Role::Developer, "/api/v1/findings", Kind::Api),
    at_least(Role::Helpdesk, "/api/v1/notifications", Kind::Api),
    at_least(Role::Helpdesk, "/api/v1/notifications/{id}", Kind::Api),
    at_least(Role::OpsLead, "/api/v1/notifications/{id}/acknowledge", Kind::Api),
    at_least(Role::Helpdesk, "/api/v1/status/board", Kind::Api),
    at_least(Role::Helpdesk, "/api/v1/incidents", Kind::Api),
    at_least(Role::Helpdesk, "/api/v1/incidents/{id}", Kind::Api),
    at_least(Role::Helpdesk, "/api/v1/domains", Kind::Api),
    at_least(Role::Helpdesk, "/api/v1/domains/{id}", Kind::Api),
    at_least(Role::Developer, "/api/v1/domains/{id}/check", Kind::Api),
    at_least(Role::Helpdesk, "/api/v1/checks", Kind::Api),
    at_least(Role::Helpdesk, "/api/v1/checks/{id}", Kind::Api),
    at_least(Role::OpsLead, "/api/v1/checks/{id}/run", Kind::Api),
    at_least(Role::Developer, "/api/v1/logs", Kind::Api),
    at_least(Role::Developer, "/api/v1/logs/{tenant}/{log_id}", Kind::Api),
    public("/logout", Kind::Api),
    public("/setup", Kind::Page),
    public("/healthz", Kind::Api),
    public("/metrics", Kind::Api),
    public("/assets/{file}", Kind::Api),
    at_least(Role::Helpdesk, "/denied", Kind::Page),
    at_least(Role::Admin, "/settings/users", Kind::Page),
    at_least(Role::OpsLead, "/settings/audit", Kind::Page),
    at_least(Role::Helpdesk, "/api/system/info", Kind::Api),
    at_least(Role::Admin, "/api/accounts/users", Kind::Api),
    at_least(Role::Admin, "/api/accounts/create", Kind::Api),
    at_least(Role::Admin, "/api/accounts/role", Kind::Api),
    at_least(Role::Admin, "/api/accounts/disabled", Kind::Api),
    at_least(Role::Admin, "/api/accounts/password", Kind::Api),
    at_least(Role::OpsLead, "/api/accounts/audit", Kind::Api),
    at_least(Role::Developer, "/tenants/new", Kind::Page),
    at_least(Role::Developer, "/tenants/check-name", Kind::Page),
    at_least(Role::Developer, "/tenants/drift", Kind::Page),
    at_least(Role::Developer, "/api/tenants/drift", Kind::Api),
    at_least(Role::Developer, "/tenants/{id}", Kind::Page),
    at_least(Role::Admin, "/tenants/{id}/edit", Kind::Page),
    at_least(Role::Developer, "/api/tenants/inventory", Kind::Api),
    at_least(Role::Developer, "/api/tenants/detail", Kind::Api),
    at_least(Role::Admin, "/api/tenants/fields", Kind::Api),
    at_least(Role::Developer, "/api/tenants/add", Kind::Api),
    at_least(Role::Admin, "/api/tenants/update", Kind::Api),
    at_least(Role::Admin, "/api/tenants/remove", Kind::Api),
    at_least(Role::Developer, "/api/tenants/refresh", Kind::Api),
    at_least(Role::Developer, "/api/tenants/check-name", Kind::Api),
    at_least(Role::Helpdesk, "/status/board.html", Kind::Api),
    at_least(Role::Helpdesk, "/status/sources", Kind::Page),
    at_least(Role::Helpdesk, "/status/incidents", Kind::Page),
    at_least(Role::Helpdesk, "/status/incidents/{id}", Kind::Page),
    at_least(Role::Helpdesk, "/api/status/board", Kind::Api),
    at_least(Role::Helpdesk, "/api/status/sources", Kind::Api),
    at_least(Role::Helpdesk, "/api/status/incidents", Kind::Api),
    at_least(Role::Helpdesk, "/api/status/incident", Kind::Api),
    at_least(Role::OpsLead, "/api/status/add", Kind::Api),
    at_least(Role::OpsLead, "/api/status/add-catalog", Kind::Api),
    at_least(Role::OpsLead, "/api/status/enable", Kind::Api),
    at_least(Role::OpsLead, "/api/status/remove", Kind::Api),
    at_least(Role::OpsLead, "/api/status/poll", Kind::Api),
    at_least(Role::Helpdesk, "/notifications/{id}", Kind::Page),
    at_least(Role::Helpdesk, "/api/notifications/list", Kind::Api),
    at_least(Role::Helpdesk, "/api/notifications/detail", Kind::Api),
    at_least(Role::OpsLead, "/api/notifications/acknowledge", Kind::Api),
    at_least(Role::Helpdesk, "/notifications/feeds", Kind::Page),
    at_least(Role::Helpdesk, "/api/notifications/feeds", Kind::Api),
    at_least(Role::OpsLead, "/api/notifications/feed-add", Kind::Api),
    at_least(Role::OpsLead, "/api/notifications/feed-add-catalog", Kind::Api),
    at_least(Role::OpsLead, "/api/notifications/feed-enable", Kind::Api),
    at_least(Role::OpsLead, "/api/notifications/feed-remove", Kind::Api),
    at_least(Role::OpsLead, "/api/notifications/feed-read", Kind::Api),
    at_least(Role::Admin, "/notifications/channels", Kind::Page),
    at_least(Role::Admin, "/notifications/channels/new", Kind::Page),
    at_least(Role::Admin, "/notifications/channels/{id}", Kind::Page),
    at_least(Role::Admin, "/notifications/channels/{id}/edit", Kind::Page),
    at_least(Role::Admin, "/api/notifications/channels", Kind::Api),
    at_least(Role::Admin, "/api/notifications/channel", Kind::Api),
    at_least(Role::Admin, "/api/notifications/channel-form", Kind::Api),
    at_least(Role::Admin, "/api/notifications/channel-add", Kind::Api),
    at_least(Role::Admin, "/api/notifications/channel-update", Kind::Api),
    at_least(Role::Admin, "/api/notifications/channel-enable", Kind::Api),
    at_least(Role::Admin, "/api/notifications/channel-remove", Kind::Api),
    at_least(Role::Admin, "/api/notifications/channel-test", Kind::Api),
    at_least(Role::Helpdesk, "/api/infra/overview", Kind::Api),
    at_least(Role::OpsLead, "/api/infra/read-now", Kind::Api),
    at_least(Role::Helpdesk, "/api/infra/tenant-email", Kind::Api),
    at_least(Role::OpsLead, "/api/infra/selectors", Kind::Api),
    at_least(Role::Helpdesk, "/infra/allow-list", Kind::Page),
    at_least(Role::Helpdesk, "/checklists/{tenant}", Kind::Page),
    at_least(Role::Helpdesk, "/checklists/{tenant}/report", Kind::Page),
    at_least(Role::Helpdesk, "/checklists/{tenant}/export.csv", Kind::Page),
    at_least(Role::Helpdesk, "/checklists/export.csv", Kind::Page),
    at_least(Role::Helpdesk, "/api/checklists/overview", Kind::Api),
    at_least(Role::Helpdesk, "/api/checklists/tenant", Kind::Api),
    at_least(Role::OpsLead, "/api/checklists/sign-off", Kind::Api),
    at_least(Role::Helpdesk, "/domains/check", Kind::Page),
    at_least(Role::Helpdesk, "/domains/{id}", Kind::Page),
    at_least(Role::Helpdesk, "/api/domains/list", Kind::Api),
    at_least(Role::Helpdesk, "/api/domains/detail", Kind::Api),
    at_least(Role::Developer, "/api/domains/check-now", Kind::Api),
    at_least(Role::Helpdesk, "/api/domains/check-host", Kind::Api),
    public("/hooks/logs/{tenant}", Kind::Api),
    at_least(Role::Developer, "/logs/quarantine", Kind::Page),
    at_least(Role::Helpdesk, "/logs/user", Kind::Page),
    at_least(Role::Helpdesk, "/api/logs/user", Kind::Api),
    at_least(Role::Developer, "/logs/export.csv", Kind::Page),
    at_least(Role::Developer, "/logs/export.jsonl", Kind::Page),
    at_least(Role::Helpdesk, "/logs/peak", Kind::Page),
    at_least(Role::Helpdesk, "/logs/peak/export.csv", Kind::Page),
    at_least(Role::Helpdesk, "/api/peak/report", Kind::Api),
    at_least(Role::Developer, "/api/peak/card", Kind::Api),
    at_least(Role::Developer, "/logs/{tenant}/{log_id}", Kind::Page),
    at_least(Role::Developer, "/api/logs/search", Kind::Api),
    at_least(Role::Developer, "/api/logs/event", Kind::Api),
    at_least(Role::Developer, "/api/logs/quarantine", Kind::Api),
    at_least(Role::Developer, "/api/logs/receiver", Kind::Api),
    at_least(Role::Admin, "/api/logs/retention", Kind::Api),
    at_least(Role::Admin, "/logs/stream-token/{tenant}", Kind::Api),
    at_least(Role::OpsLead, "/monitoring/new", Kind::Page),
    at_least(Role::Helpdesk, "/monitoring/{id}", Kind::Page),
    at_least(Role::OpsLead, "/monitoring/{id}/edit", Kind::Page),
    at_least(Role::Helpdesk, "/api/monitoring/list", Kind::Api),
    at_least(Role::Helpdesk, "/api/monitoring/detail", Kind::Api),
    at_least(Role::OpsLead, "/api/monitoring/form", Kind::Api),
    at_least(Role::OpsLead, "/api/monitoring/add", Kind::Api),
    at_least(Role::OpsLead, "/api/monitoring/update", Kind::Api),
    at_least(Role::OpsLead, "/api/monitoring/enable", Kind::Api),
    at_least(Role::OpsLead, "/api/monitoring/remove", Kind::Api),
    at_least(Role::OpsLead, "/api/monitoring/run", Kind::Api),
    at_least(Role::OpsLead, "/api/monitoring/maintenance", Kind::Api),
];

/// Every rule: each area's page at the area's lowest role, then the rest.
pub fn rules() -> Vec<Rule> {
    Area::ALL
        .into_iter()
        .map(|area| Rule { path: area.path(), access: Access::AtLeast(area.min_role()), kind: Kind::Page })
        .chain(OTHER_RULES.iter().copied())
        .collect()
}

/// The rules, indexed for matching request paths.
pub struct Policy {
    rules: Vec<Rule>,
    index: matchit::Router<usize>,
}

impl Policy {
    pub fn new(rules: Vec<Rule>) -> Policy {
        let mut index = matchit::Router::new();
        for (i, rule) in rules.iter().enumerate() {
            index.insert(rule.path, i).expect("access rules have distinct, valid paths");
        }
        Policy { rules, index }
    }

    /// The rule for a request path, if any route has one.
    pub fn rule_for(&self, path: &str) -> Option<&Rule> {
        self.index.at(path).ok().map(|m| &self.rules[*m.value])
    }

    /// The routes served without a rule of their own (must be none).
    pub fn uncovered<'a>(&self, routes: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        routes.into_iter().filter(|r| !self.rules.iter().any(|rule| rule.path == *r)).collect()
    }
}

/// What the access middleware needs.
#[derive(Clone)]
pub struct AccessState {
    pub policy: Arc<Policy>,
    pub setup: SetupToken,
    pub pool: sqlx::PgPool,
}

/// Lets a request through, or answers it: sign in first (302 for pages, 401 otherwise) or not allowed (403).
pub async fn authorize(State(state): State<AccessState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let user = req.extensions().get::<CurrentUser>().cloned();
    let is_get = matches!(*req.method(), Method::GET | Method::HEAD);
    let rule = state.policy.rule_for(&path).copied();
    let (access, kind) = match rule {
        Some(rule) => (rule.access, rule.kind),
        // No route has this path: only signed-in users learn that (404); others are asked to sign in.
        None => (Access::AtLeast(Role::Helpdesk), Kind::Page),
    };
    if path == "/setup" && is_get && !state.setup.still_needed(&state.pool).await {
        return Redirect::to("/login").into_response();
    }
    let needed = match access {
        Access::Public => return next.run(req).await,
        Access::AtLeast(role) => role,
    };
    if super::v1::is_api(&path) {
        use super::v1::problem::Problem;
        return match user {
            None => Problem::unauthenticated().into_response(),
            Some(user) if user.role >= needed => next.run(req).await,
            Some(user) => Problem::forbidden(&format!(
                "this needs the {needed} role or higher; the token acts with the {} role",
                user.role
            ))
            .into_response(),
        };
    }
    match user {
        None if kind == Kind::Page && is_get => {
            if state.setup.still_needed(&state.pool).await {
                return Redirect::to("/setup").into_response();
            }
            let wanted = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let query = serde_urlencoded::to_string([("next", wanted)]).unwrap_or_default();
            Redirect::to(&format!("/login?{query}")).into_response()
        }
        None => (StatusCode::UNAUTHORIZED, "sign in first: this needs a signed-in console user").into_response(),
        Some(user) if user.role >= needed => next.run(req).await,
        Some(_) if kind == Kind::Page && is_get => {
            // Render the "not allowed" page inside the console, with status 403.
            let query = serde_urlencoded::to_string([("needed", needed.as_str())]).unwrap_or_default();
            match format!("/denied?{query}").parse::<Uri>() {
                Ok(uri) => *req.uri_mut() = uri,
                Err(_) => return StatusCode::FORBIDDEN.into_response(),
            }
            let mut response = next.run(req).await;
            *response.status_mut() = StatusCode::FORBIDDEN;
            response
        }
        Some(_) => (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("not allowed: this needs the {needed} role or higher"),
        )
            .into_response(),
    }
}

/// Where machines post (an Auth0 log stream): no console session, no CSRF check and no console body limit;
/// each such route checks its own token before reading the body and applies its own limit.
pub const MACHINE_PREFIX: &str = "/hooks/";

/// Whether `path` is a machine route (`MACHINE_PREFIX`).
pub fn is_machine_route(path: &str) -> bool {
    path.starts_with(MACHINE_PREFIX)
}

/// Refuses state-changing requests that do not come from the console's own pages (CSRF). Browsers say where a
/// request comes from in `Sec-Fetch-Site` (modern) or `Origin`; a request that says neither is refused too.
pub async fn same_origin_only(State(public_url): State<Option<Arc<str>>>, req: Request, next: Next) -> Response {
    // The JSON API counts bearer tokens only, never cookies: a cross-site request carries no credential there.
    let path = req.uri().path();
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || is_machine_route(path)
        || super::v1::is_api(path)
    {
        return next.run(req).await;
    }
    let headers = req.headers();
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let allowed = match (text("sec-fetch-site"), text("origin")) {
        (Some(site), _) => site == "same-origin",
        (None, Some(origin)) => match &public_url {
            Some(public) => origin == **public,
            None => text("host").is_some_and(|host| {
                origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) == Some(host.as_str())
            }),
        },
        (None, None) => false,
    };
    if allowed {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), "cross-site request refused");
        (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "cross-site request refused: changes must be sent from the Tenantry console's own pages",
        )
            .into_response()
    }
}

/// The security headers every response carries.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name: &'static str, value: &'static str| {
        headers.entry(name).or_insert(axum::http::HeaderValue::from_static(value));
    };
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(csp) = axum::http::HeaderValue::from_str(&app::security::content_security_policy(None))
    {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "referrer-policy", "same-origin");
    set(headers, "x-frame-options", "DENY");
    response
}
