//! Status pages the simulator plays: Statuspage v2 JSON, Atom history feeds and Auth0's per-tenant feed, with
//! ETags as CDNs give them.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Simulator;
use super::routes::json_response;

/// Gives a 200 answer an ETag (a hash of its body) and answers 304 when the client already has it, as status
/// pages behind CDNs do.
pub(super) async fn with_etag(response: Response, if_none_match: Option<String>) -> Response {
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
pub(super) fn status_page(sim: &Simulator, rest: &str, query: &str) -> Response {
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
