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
use super::control::control;
use super::directory;
use super::status_pages::{status_page, with_etag};
use super::{Faults, HANG, Issued, SimTenant, Simulator, UserState, fixtures};

pub fn router(sim: Simulator) -> Router {
    Router::new().fallback(handle).with_state(sim)
}

pub(super) fn json_response(status: StatusCode, body: Value) -> Response {
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
    let feed = if path == "/ip-ranges.json" { Some(super::IP_RANGES) } else { path.strip_prefix("/__feeds/") };
    if let Some(slug) = feed {
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
        if super::idp::serves(&path) {
            // The identity provider answers on any Host that is no tenant: the simulator's own address.
            let host_port = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("").to_string();
            let method = req.method().clone();
            let query: HashMap<String, String> =
                req.uri().query().map(|q| serde_urlencoded::from_str(q).unwrap_or_default()).unwrap_or_default();
            let headers = req.headers().clone();
            let body = axum::body::to_bytes(req.into_body(), 64 << 10).await.unwrap_or_default();
            return super::idp::handle(&sim, &host_port, &method, &path, &query, &headers, &body);
        }
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
    if faults.absurd_reset {
        rate_headers(&mut response, Taken { remaining: 0, reset: 4_102_444_800, ..taken });
    } else {
        rate_headers(&mut response, taken);
    }
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
        "/api/v2/connections" => "read:connections",
        "/api/v2/actions/actions" => "read:actions",
        "/api/v2/clients" => "read:clients",
        "/api/v2/resource-servers" => "read:resource_servers",
        "/api/v2/rules" => "read:rules",
        "/api/v2/hooks" => "read:hooks",
        "/api/v2/guardian/factors" => "read:guardian_factors",
        p if p.starts_with("/api/v2/attack-protection/") && tenant.attack_protection.get(&p[26..]).is_some() => {
            "read:attack_protection"
        }
        "/api/v2/prompts" => "read:prompts",
        "/api/v2/keys/signing" => "read:signing_keys",
        "/api/v2/guardian/factors/phone/selected-provider" => "read:guardian_factors",
        p if p.starts_with("/api/v2/email-templates/") => "read:email_templates",
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
            Some(provider) => json_response(StatusCode::OK, directory::select_fields(provider.clone(), query)),
            None => {
                let body: Value = serde_json::from_str(fixtures::EMAIL_PROVIDER_404).unwrap_or_default();
                json_response(StatusCode::NOT_FOUND, body)
            }
        },
        "/api/v2/log-streams" => json_response(StatusCode::OK, Value::Array(tenant.log_streams.clone())),
        "/api/v2/connections" => {
            let options = granted.iter().any(|s| s == "read:connections_options");
            json_response(StatusCode::OK, directory::connections(tenant, query, options))
        }
        "/api/v2/actions/actions" => json_response(StatusCode::OK, directory::actions(tenant, query)),
        "/api/v2/clients" => json_response(StatusCode::OK, directory::paged(&tenant.clients, query)),
        "/api/v2/resource-servers" => json_response(StatusCode::OK, directory::paged(&tenant.resource_servers, query)),
        "/api/v2/rules" | "/api/v2/hooks" if tenant.faults.legacy_gone => management_error(
            StatusCode::NOT_FOUND,
            "Rules and Hooks have reached their end of life",
            Some("feature_unavailable"),
        ),
        "/api/v2/rules" => json_response(StatusCode::OK, Value::Array(tenant.rules.clone())),
        "/api/v2/hooks" => json_response(StatusCode::OK, Value::Array(tenant.hooks.clone())),
        "/api/v2/guardian/factors" => json_response(StatusCode::OK, Value::Array(tenant.guardian_factors.clone())),
        "/api/v2/prompts" => json_response(StatusCode::OK, tenant.prompts.clone()),
        "/api/v2/keys/signing" => json_response(StatusCode::OK, Value::Array(tenant.signing_keys.clone())),
        "/api/v2/guardian/factors/phone/selected-provider" => {
            json_response(StatusCode::OK, json!({"provider": tenant.sms_provider}))
        }
        p if p.starts_with("/api/v2/email-templates/") => {
            match tenant.email_templates.iter().find(|t| t["template"].as_str() == Some(&p[24..])) {
                Some(template) => json_response(StatusCode::OK, template.clone()),
                None => management_error(StatusCode::NOT_FOUND, "The template does not exist.", None),
            }
        }
        p if p.starts_with("/api/v2/attack-protection/") => {
            json_response(StatusCode::OK, tenant.attack_protection[&p[26..]].clone())
        }
        "/api/v2/stats/daily" => json_response(StatusCode::OK, tenant.daily_stats.clone()),
        "/api/v2/stats/active-users" => json_response(StatusCode::OK, json!(tenant.active_users)),
        _ => logs(tenant, query),
    }
}

/// `/api/v2/logs`: checkpoint paging (`from`, `take` ≤ 100, by log_id, with a `Link: rel="next"`), or search
/// (`q=type:X`, `page`, `per_page` ≤ 100, `sort=date:1|-1`; newest first by default).
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
    let date = |e: &Value| e["date"].as_str().unwrap_or("").to_string();
    match query.get("sort").map(String::as_str) {
        Some("date:1") => events.sort_by_key(|e| date(e)),
        Some("date:-1") => events.sort_by_key(|e| std::cmp::Reverse(date(e))),
        _ => events.sort_by_key(|e| std::cmp::Reverse(id(e))),
    }
    let page: Vec<Value> = events.into_iter().skip(page * per_page).take(per_page).cloned().collect();
    json_response(StatusCode::OK, Value::Array(page))
}
