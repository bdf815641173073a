//! The simulator's control API under `/__simulator/`: tests, browser tests and the demo change tenants, faults,
//! users and status pages from outside the process.

use std::collections::HashMap;

use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::routes::json_response;
use super::{Faults, SimTenant, Simulator, UserState};

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
pub(super) async fn control(sim: &Simulator, method: Method, rest: &str, req: Request) -> Response {
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
