//! The simulator's HTTP side: one handler that picks the tenant by Host, applies faults and rate limits, and
//! answers like Auth0 — plus a small control API under `/__simulator/` for browser tests and the demo.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::bucket::{Bucket, Taken};
use super::{Faults, HANG, Issued, SimTenant, Simulator, UserState, fixtures};

pub fn router(sim: Simulator) -> Router {
    Router::new().fallback(handle).with_state(sim)
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body.to_string()).into_response()
}

/// Auth0's Management API error body.
fn management_error(status: StatusCode, message: &str, code: Option<&str>) -> Response {
    let mut body = json!({
        "statusCode": status.as_u16(),
        "error": status.canonical_reason().unwrap_or(""),
        "message": message,
    });
    if let Some(code) = code {
        body["errorCode"] = Value::String(code.to_string());
    }
    json_response(status, body)
}

/// Auth0's Authentication API error body.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(status, json!({ "error": error, "error_description": description }))
}

fn rate_headers(response: &mut Response, taken: Taken) {
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-ratelimit-limit", taken.limit.to_string()),
        ("x-ratelimit-remaining", taken.remaining.to_string()),
        ("x-ratelimit-reset", taken.reset.to_string()),
    ] {
        if let Ok(value) = value.parse() {
            headers.insert(name, value);
        }
    }
}

async fn handle(State(sim): State<Simulator>, req: Request) -> Response {
    sim.requests.fetch_add(1, Ordering::Relaxed);
    let path = req.uri().path().to_string();
    if let Some(rest) = path.strip_prefix("/__simulator/") {
        return control(&sim, req.method().clone(), rest, req).await;
    }
    if let Some(slug) = path.strip_prefix("/__feeds/") {
        let etag = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).map(str::to_string);
        let answer = match sim.feed(slug) {
            Some((content_type, body)) => ([(header::CONTENT_TYPE, content_type)], body).into_response(),
            None => (StatusCode::NOT_FOUND, "no such feed").into_response(),
        };
        return with_etag(answer, etag).await;
    }
    if let Some(rest) = path.strip_prefix("/__status/") {
        let etag = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).map(str::to_string);
        let query = req.uri().query().unwrap_or("").to_string();
        return with_etag(status_page(&sim, rest, &query), etag).await;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| h.split(':').next().unwrap_or(h).to_lowercase())
        .unwrap_or_default();
    let Some(tenant) = sim.tenant(&host) else {
        return management_error(StatusCode::NOT_FOUND, &format!("Unknown tenant {host}"), None);
    };
    let faults = tenant.faults.clone();
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    if faults.hang {
        tokio::time::sleep(HANG).await;
    }
    let method = req.method().clone();
    let query: HashMap<String, String> =
        req.uri().query().map(|q| serde_urlencoded::from_str(q).unwrap_or_default()).unwrap_or_default();
    let headers = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), 1 << 20).await.unwrap_or_default();

    if path == "/testall" || path == "/test" {
        return monitoring(&path, &faults);
    }
    let management = path.starts_with("/api/v2/");
    if !management && path != "/oauth/token" {
        return management_error(StatusCode::NOT_FOUND, "Not Found", None);
    }
    let taken = {
        let mut state = sim.state();
        let limit = if management { tenant.management_limit } else { tenant.authentication_limit };
        state.buckets.entry((host.clone(), management)).or_insert_with(|| Bucket::new(limit)).take()
    };
    let mut response = if faults.storm_429 {
        too_many(management)
    } else if !taken.allowed {
        sim.over_limit.fetch_add(1, Ordering::Relaxed);
        too_many(management)
    } else if faults.server_error {
        management_error(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable", None)
    } else if management {
        management_api(&sim, &tenant, &method, &path, &query, &headers)
    } else {
        token(&sim, &tenant, &headers, &body)
    };
    if faults.malformed_json && response.status().is_success() {
        response =
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], "{\"truncated\": [1, 2,").into_response();
    }
    rate_headers(&mut response, taken);
    response
}

fn too_many(management: bool) -> Response {
    if management {
        management_error(StatusCode::TOO_MANY_REQUESTS, "Global limit has been reached", Some("too_many_requests"))
    } else {
        oauth_error(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", "Global limit has been reached")
    }
}

fn monitoring(path: &str, faults: &Faults) -> Response {
    // A flapping /testall: down four minutes, up four minutes.
    let flapping = faults.testall_flaps && (chrono::Utc::now().timestamp() / 240) % 2 == 1;
    if faults.testall_down || faults.server_error || flapping {
        return (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response();
    }
    if path == "/testall" {
        (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], "OK").into_response()
    } else {
        json_response(StatusCode::OK, json!({ "clock": chrono::Utc::now().timestamp_millis() }))
    }
}

/// Form or JSON body fields.
fn fields(headers: &HeaderMap, body: &Bytes) -> HashMap<String, String> {
    let json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
    if json {
        serde_json::from_slice::<HashMap<String, Value>>(body)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
            .collect()
    } else {
        serde_urlencoded::from_bytes(body).unwrap_or_default()
    }
}

fn token(sim: &Simulator, tenant: &SimTenant, headers: &HeaderMap, body: &Bytes) -> Response {
    let f = fields(headers, body);
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    if get("client_id") != tenant.client_id || get("client_secret") != tenant.client_secret {
        return oauth_error(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized");
    }
    let grant = get("grant_type");
    match grant {
        "client_credentials" => {
            let audience = format!("https://{}/api/v2/", tenant.domain);
            if get("audience") != audience {
                let said = get("audience");
                return oauth_error(
                    StatusCode::FORBIDDEN,
                    "access_denied",
                    &format!("Service not enabled within domain: {said}"),
                );
            }
            let token = issue(sim, tenant, tenant.scopes.clone());
            json_response(
                StatusCode::OK,
                json!({ "access_token": token, "expires_in": 86400, "scope": tenant.scopes.join(" "), "token_type": "Bearer" }),
            )
        }
        "password" | "http://auth0.com/oauth/grant-type/password-realm" => {
            if !tenant.password_grant {
                return json_response(
                    StatusCode::FORBIDDEN,
                    json!({
                        "error": "unauthorized_client",
                        "error_description": format!("Grant type '{grant}' not allowed for the client."),
                        "error_uri": "https://auth0.com/docs/clients/client-grant-types"
                    }),
                );
            }
            if grant == "password" && tenant.default_directory.is_none() {
                return oauth_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "Authorization server not configured with default connection.",
                );
            }
            let user = tenant.users.iter().find(|u| u.username == get("username"));
            match user {
                Some(u) if u.state == UserState::Blocked => oauth_error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_attempts",
                    "Your account has been blocked after multiple consecutive login attempts. We've sent you an \
                     email with instructions on how to unblock it.",
                ),
                Some(u) if u.password != get("password") => {
                    oauth_error(StatusCode::FORBIDDEN, "invalid_grant", "Wrong email or password.")
                }
                Some(u) if u.state == UserState::MfaRequired => json_response(
                    StatusCode::FORBIDDEN,
                    json!({ "error": "mfa_required", "error_description": "Multifactor authentication required", "mfa_token": "Fe26.2**sim" }),
                ),
                Some(_) => {
                    let token = issue(sim, tenant, Vec::new());
                    json_response(
                        StatusCode::OK,
                        json!({ "access_token": token, "id_token": "sim.id.token", "scope": "openid", "expires_in": 86400, "token_type": "Bearer" }),
                    )
                }
                None => oauth_error(StatusCode::FORBIDDEN, "invalid_grant", "Wrong email or password."),
            }
        }
        other => {
            oauth_error(StatusCode::FORBIDDEN, "unsupported_grant_type", &format!("Unsupported grant type: {other}"))
        }
    }
}

fn issue(sim: &Simulator, tenant: &SimTenant, scopes: Vec<String>) -> String {
    let token = format!("sim.{}", uuid::Uuid::new_v4().simple());
    let issued = Issued { domain: tenant.domain.clone(), scopes, expires: Instant::now() + Duration::from_secs(86400) };
    sim.state().tokens.insert(token.clone(), issued);
    token
}

fn management_api(
    sim: &Simulator,
    tenant: &SimTenant,
    method: &Method,
    path: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Response {
    let scope = match path {
        "/api/v2/tenants/settings" => "read:tenant_settings",
        "/api/v2/custom-domains" => "read:custom_domains",
        "/api/v2/emails/provider" => "read:email_provider",
        "/api/v2/log-streams" => "read:log_streams",
        "/api/v2/logs" => "read:logs",
        "/api/v2/stats/daily" | "/api/v2/stats/active-users" => "read:stats",
        _ => return management_error(StatusCode::NOT_FOUND, "Not Found", None),
    };
    if method != Method::GET {
        return management_error(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed", None);
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let granted = {
        let state = sim.state();
        match state.tokens.get(bearer) {
            Some(t) if t.domain == tenant.domain && t.expires > Instant::now() => Some(t.scopes.clone()),
            _ => None,
        }
    };
    let Some(granted) = granted else {
        return management_error(StatusCode::UNAUTHORIZED, "Invalid token", None);
    };
    if !granted.iter().any(|s| s == scope) {
        return management_error(
            StatusCode::FORBIDDEN,
            &format!("Insufficient scope, expected any of: {scope}"),
            Some("insufficient_scope"),
        );
    }
    match path {
        "/api/v2/tenants/settings" => json_response(StatusCode::OK, tenant.settings.clone()),
        "/api/v2/custom-domains" => json_response(StatusCode::OK, Value::Array(tenant.custom_domains.clone())),
        "/api/v2/emails/provider" => match &tenant.email_provider {
            Some(provider) => json_response(StatusCode::OK, provider.clone()),
            None => {
                let body: Value = serde_json::from_str(fixtures::EMAIL_PROVIDER_404).unwrap_or_default();
                json_response(StatusCode::NOT_FOUND, body)
            }
        },
        "/api/v2/log-streams" => json_response(StatusCode::OK, Value::Array(tenant.log_streams.clone())),
        "/api/v2/stats/daily" => json_response(StatusCode::OK, tenant.daily_stats.clone()),
        "/api/v2/stats/active-users" => json_response(StatusCode::OK, json!(tenant.active_users)),
        _ => logs(tenant, query),
    }
}

/// `/api/v2/logs`: checkpoint paging (`from`, `take` ≤ 100, by log_id, with a `Link: rel="next"`), or search
/// (`q=type:X`, `page`, `per_page` ≤ 100, newest first).
fn logs(tenant: &SimTenant, query: &HashMap<String, String>) -> Response {
    let id = |e: &Value| e["log_id"].as_str().unwrap_or("").to_string();
    if let Some(from) = query.get("from") {
        let take = query.get("take").and_then(|t| t.parse::<usize>().ok()).unwrap_or(50).clamp(1, 100);
        let mut events: Vec<&Value> = tenant.logs.iter().filter(|e| id(e).as_str() > from.as_str()).collect();
        events.sort_by_key(|e| id(e));
        events.truncate(take);
        let last = events.last().map(|e| id(e)).unwrap_or_else(|| from.clone());
        let mut response = json_response(StatusCode::OK, Value::Array(events.into_iter().cloned().collect()));
        let link = format!("<https://{}/api/v2/logs?from={last}&take={take}>; rel=\"next\"", tenant.domain);
        if let Ok(value) = link.parse() {
            response.headers_mut().insert(header::LINK, value);
        }
        return response;
    }
    let per_page = query.get("per_page").and_then(|t| t.parse::<usize>().ok()).unwrap_or(50).clamp(1, 100);
    let page = query.get("page").and_then(|t| t.parse::<usize>().ok()).unwrap_or(0);
    let kind = query.get("q").and_then(|q| q.strip_prefix("type:")).map(str::to_string);
    let mut events: Vec<&Value> =
        tenant.logs.iter().filter(|e| kind.as_deref().is_none_or(|k| e["type"].as_str() == Some(k))).collect();
    events.sort_by_key(|e| std::cmp::Reverse(id(e)));
    let page: Vec<Value> = events.into_iter().skip(page * per_page).take(per_page).cloned().collect();
    json_response(StatusCode::OK, Value::Array(page))
}

/// `/__simulator/…`: change a tenant from outside the process (browser tests, the demo).
///   POST tenants/{domain}/settings   JSON merged into the settings
///   POST tenants/{domain}/faults     JSON `Faults`
///   POST tenants/{domain}/users      JSON `{"username", "password"}`: a test user
///   POST tenants/{domain}/users/{username}/state   JSON `"active" | "blocked" | "mfa_required"`
///   POST tenants                     JSON `{"domain", "client_id", "client_secret"}`: a new tenant
///   GET  stats                       `{"requests": n, "over_limit": n}`
///   POST status/{slug}               JSON `{"name", "components": [[id, name, status]]}`: a status page
///   POST status/{slug}/components/{id}   JSON `"major_outage"` (any Statuspage component status)
///   POST status/{slug}/incidents/{id}/advance   publishes the incident's next phase
async fn control(sim: &Simulator, method: Method, rest: &str, req: Request) -> Response {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/atom+xml")
        .to_string();
    let body = axum::body::to_bytes(req.into_body(), 1 << 20).await.unwrap_or_default();
    let parts: Vec<&str> = rest.split('/').collect();
    let bad = |msg: &str| (StatusCode::BAD_REQUEST, msg.to_string()).into_response();
    match (method, parts.as_slice()) {
        (Method::GET, ["stats"]) => {
            json_response(StatusCode::OK, json!({ "requests": sim.requests(), "over_limit": sim.over_limit() }))
        }
        (Method::POST, ["feeds", slug]) => match std::str::from_utf8(&body) {
            Ok(text) => {
                sim.set_feed(slug, &content_type, text);
                StatusCode::NO_CONTENT.into_response()
            }
            Err(_) => bad("the feed body must be UTF-8"),
        },
        (Method::POST, ["status", slug]) => {
            #[derive(serde::Deserialize)]
            struct Page {
                name: String,
                #[serde(default)]
                components: Vec<(String, String, String)>,
            }
            match serde_json::from_slice::<Page>(&body) {
                Ok(p) => {
                    let page = super::SimStatusPage { name: p.name, components: p.components, incidents: Vec::new() };
                    sim.set_status_page(slug, page);
                    StatusCode::NO_CONTENT.into_response()
                }
                Err(e) => bad(&format!("expected {{\"name\", \"components\": [[id, name, status]]}}: {e}")),
            }
        }
        (Method::POST, ["status", slug, "components", id]) => match serde_json::from_slice::<String>(&body) {
            Ok(status) => {
                let mut found = false;
                sim.update_status_page(slug, |p| {
                    for c in p.components.iter_mut().filter(|c| c.0 == *id) {
                        c.2 = status.clone();
                        found = true;
                    }
                });
                if found { StatusCode::NO_CONTENT.into_response() } else { bad("no such status page or component") }
            }
            Err(e) => bad(&format!("expected a JSON string such as \"major_outage\": {e}")),
        },
        (Method::POST, ["status", slug, "incidents", id, "advance"]) => {
            match sim.advance_incident(slug, id, chrono::Utc::now()) {
                Some(phase) => json_response(StatusCode::OK, json!({ "phase": phase })),
                None => bad("no such status page, or the incident is past its postmortem"),
            }
        }
        (Method::POST, ["tenants"]) => match serde_json::from_slice::<HashMap<String, String>>(&body) {
            Ok(t) => match (t.get("domain"), t.get("client_id"), t.get("client_secret")) {
                (Some(domain), Some(id), Some(secret)) => {
                    sim.add_tenant(SimTenant::new(&domain.to_lowercase(), id, secret));
                    StatusCode::CREATED.into_response()
                }
                _ => bad("expected {\"domain\", \"client_id\", \"client_secret\"}"),
            },
            Err(e) => bad(&format!("expected a JSON object: {e}")),
        },
        (Method::POST, ["tenants", domain, "settings"]) => match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(patch)) => {
                let found = sim.update(domain, |t| {
                    for (k, v) in patch {
                        t.settings[k] = v;
                    }
                });
                if found { StatusCode::NO_CONTENT.into_response() } else { bad("no such tenant") }
            }
            _ => bad("expected a JSON object of settings"),
        },
        (Method::POST, ["tenants", domain, "faults"]) => match serde_json::from_slice::<Faults>(&body) {
            Ok(faults) => {
                if sim.update(domain, |t| t.faults = faults) {
                    StatusCode::NO_CONTENT.into_response()
                } else {
                    bad("no such tenant")
                }
            }
            Err(e) => bad(&format!("expected faults as JSON: {e}")),
        },
        (Method::POST, ["tenants", domain, "users"]) => {
            match serde_json::from_slice::<HashMap<String, String>>(&body) {
                Ok(u) => match (u.get("username"), u.get("password")) {
                    (Some(username), Some(password)) => {
                        let user = super::TestUser {
                            username: username.clone(),
                            password: password.clone(),
                            state: UserState::Active,
                        };
                        if sim.update(domain, |t| t.users.push(user)) {
                            StatusCode::CREATED.into_response()
                        } else {
                            bad("no such tenant")
                        }
                    }
                    _ => bad("expected {\"username\", \"password\"}"),
                },
                Err(e) => bad(&format!("expected a JSON object: {e}")),
            }
        }
        (Method::POST, ["tenants", domain, "users", username, "state"]) => {
            match serde_json::from_slice::<UserState>(&body) {
                Ok(state) => {
                    let mut found_user = false;
                    let found = sim.update(domain, |t| {
                        for u in t.users.iter_mut().filter(|u| u.username == *username) {
                            u.state = state;
                            found_user = true;
                        }
                    });
                    if found && found_user {
                        StatusCode::NO_CONTENT.into_response()
                    } else {
                        bad("no such tenant or user")
                    }
                }
                Err(e) => bad(&format!("expected \"active\", \"blocked\" or \"mfa_required\": {e}")),
            }
        }
        _ => (StatusCode::NOT_FOUND, "unknown simulator control path").into_response(),
    }
}

/// Gives a 200 answer an ETag (a hash of its body) and answers 304 when the client already has it, as status
/// pages behind CDNs do.
async fn with_etag(response: Response, if_none_match: Option<String>) -> Response {
    if response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 16 << 20).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    let etag = format!("\"{:016x}\"", hasher.finish());
    if if_none_match.as_deref() == Some(etag.as_str()) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    if let Ok(value) = etag.parse() {
        parts.headers.insert(header::ETAG, value);
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// The Auth0 region a tenant domain implies: `{name}.{region}.auth0.com`, else `us`.
fn region_of(domain: &str) -> &str {
    let parts: Vec<&str> = domain.split('.').collect();
    match parts.as_slice() {
        [_, region, "auth0", "com"] => region,
        _ => "us",
    }
}

/// `/__status/{slug}/api/v2/summary.json` (Statuspage v2: unresolved incidents only, as the real one),
/// `/__status/{slug}/api/v2/incidents.json` (every incident), `/__status/{slug}/history.atom` (every incident,
/// updates newest first, like Auth0's status feed), and `/__status/auth0/feed?domain={tenant}`: the Atom feed of
/// the page `auth0-{region}` for the tenant's region (an empty feed when the simulator plays no such page).
fn status_page(sim: &Simulator, rest: &str, query: &str) -> Response {
    let Some((slug, file)) = rest.split_once('/') else {
        return (StatusCode::NOT_FOUND, "no such status page").into_response();
    };
    let (slug, file) = if (slug, file) == ("auth0", "feed") {
        let domain = query.split('&').find_map(|kv| kv.strip_prefix("domain=")).unwrap_or("");
        let region = region_of(domain);
        let slug = format!("auth0-{region}");
        if sim.status_page(&slug).is_none() {
            sim.set_status_page(
                &slug,
                super::SimStatusPage { name: format!("Auth0 {}", region.to_uppercase()), ..Default::default() },
            );
        }
        (slug, "history.atom")
    } else {
        (slug.to_string(), file)
    };
    let slug = slug.as_str();
    let Some(page) = sim.status_page(slug) else {
        return (StatusCode::NOT_FOUND, "no such status page").into_response();
    };
    let worst = page
        .components
        .iter()
        .map(|(_, _, s)| match s.as_str() {
            "major_outage" => 3,
            "partial_outage" => 2,
            "degraded_performance" => 1,
            _ => 0,
        })
        .max()
        .unwrap_or(0);
    let latest_phase = |i: &super::SimIncident| i.updates.last().map(|u| u.0.clone()).unwrap_or_default();
    match file {
        "api/v2/summary.json" | "api/v2/incidents.json" => {
            let everything = file == "api/v2/incidents.json";
            let incidents: Vec<Value> = page
                .incidents
                .iter()
                .rev()
                .filter(|i| everything || !matches!(latest_phase(i).as_str(), "resolved" | "postmortem"))
                .map(|i| {
                    json!({
                        "id": i.id, "name": i.name, "status": latest_phase(i), "impact": i.impact,
                        "created_at": i.updates.first().map(|u| u.2.to_rfc3339()),
                        "updated_at": i.updates.last().map(|u| u.2.to_rfc3339()),
                        "shortlink": format!("https://stspg.io/{}", i.id),
                        "incident_updates": i.updates.iter().enumerate().rev().map(|(n, u)| json!({
                            "id": format!("{}-{n}", i.id), "status": u.0, "body": u.1, "created_at": u.2.to_rfc3339(),
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let indicator = ["none", "minor", "major", "critical"][worst];
            if everything {
                let page_info =
                    json!({"id": slug, "name": page.name, "url": format!("http://{}/__status/{slug}", sim.addr)});
                return json_response(StatusCode::OK, json!({ "page": page_info, "incidents": incidents }));
            }
            json_response(
                StatusCode::OK,
                json!({
                    "page": {"id": slug, "name": page.name, "url": format!("http://{}/__status/{slug}", sim.addr)},
                    "status": {"indicator": indicator, "description": indicator},
                    "components": page.components.iter().map(|(id, name, status)| json!({"id": id, "name": name, "status": status, "group": false})).collect::<Vec<_>>(),
                    "incidents": incidents,
                    "scheduled_maintenances": [],
                }),
            )
        }
        "history.atom" => {
            let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
            let entries: String = page
                .incidents
                .iter()
                .rev()
                .map(|i| {
                    let content: String = i
                        .updates
                        .iter()
                        .rev()
                        .map(|(phase, text, at)| {
                            let mut label = phase.clone();
                            if let Some(first) = label.get_mut(0..1) {
                                first.make_ascii_uppercase();
                            }
                            format!("<p><small>{}</small><br><strong>{label}</strong> - {text}</p>", at.format("%b %d, %H:%M UTC"))
                        })
                        .collect();
                    let updated = i.updates.last().map(|u| u.2.to_rfc3339()).unwrap_or_default();
                    let published = i.updates.first().map(|u| u.2.to_rfc3339()).unwrap_or_default();
                    format!(
                        "<entry><id>tag:{slug},2005:Incident/{id}</id><published>{published}</published><updated>{updated}</updated>\
                         <link rel=\"alternate\" type=\"text/html\" href=\"http://{addr}/__status/{slug}/incidents/{id}\"/>\
                         <title>{title}</title><content type=\"html\">{content}</content></entry>",
                        id = i.id,
                        addr = sim.addr,
                        title = escape(&i.name),
                        content = escape(&content),
                    )
                })
                .collect();
            let body = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">\
                 <id>tag:{slug},2005:/history</id><title>{} - Incident History</title>\
                 <updated>{}</updated>{entries}</feed>",
                page.name,
                page.incidents
                    .iter()
                    .filter_map(|i| i.updates.last())
                    .map(|u| u.2)
                    .max()
                    .unwrap_or_default()
                    .to_rfc3339()
            );
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], body).into_response()
        }
        _ => (StatusCode::NOT_FOUND, "no such status file").into_response(),
    }
}
