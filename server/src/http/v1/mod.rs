//! The JSON API, `/api/v1/`: for scripts and dashboards, with bearer tokens only (a session cookie means nothing
//! here, so there is nothing for another site to forge and no CSRF check). The same access table as the pages says
//! who may call what; handlers call the same ports as the pages, so the rules, the validation and the audit log
//! are the same. Errors are RFC 9457 problem details (`problem`); lists page with an opaque cursor. The OpenAPI 3.1
//! document is generated from these types (`openapi`: `/api/v1/openapi.json`, and a readable reference at
//! `/api/v1/docs`). Files: `problem`, `extract` (query and body rejections as problems), `types` (tenants and notifications), one file per further area (`status`, `domains`, `monitoring`, `logs`: handlers and their types), (what the API sends and takes), `tenants`, `notifications`,
//! `openapi`.

mod domains;
mod extract;
mod logs;
mod monitoring;
mod notifications;
pub mod openapi;
pub mod problem;
mod status;
mod tenants;
pub mod types;

use app::accounts::{Acting, ClientAddress, CurrentUser};
use axum::http::request::Parts;
use axum::routing::{MethodRouter, get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::AppState;
use problem::Problem;

/// Where the JSON API lives.
pub const PREFIX: &str = "/api/v1/";

/// Whether a path is the JSON API's.
pub fn is_api(path: &str) -> bool {
    path.starts_with(PREFIX)
}

/// Every route of the JSON API (the access table has a rule for each, and the OpenAPI document lists each).
pub fn routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/api/v1/openapi.json", get(openapi::document)),
        ("/api/v1/docs", get(openapi::reference)),
        ("/api/v1/tenants", get(tenants::list).post(tenants::add)),
        ("/api/v1/tenants/{id}", get(tenants::read)),
        ("/api/v1/tenants/{id}/refresh", post(tenants::refresh)),
        ("/api/v1/findings", get(tenants::findings)),
        ("/api/v1/notifications", get(notifications::list)),
        ("/api/v1/notifications/{id}", get(notifications::read)),
        ("/api/v1/notifications/{id}/acknowledge", post(notifications::acknowledge)),
        ("/api/v1/status/board", get(status::board)),
        ("/api/v1/incidents", get(status::incidents)),
        ("/api/v1/incidents/{id}", get(status::incident)),
        ("/api/v1/domains", get(domains::list)),
        ("/api/v1/domains/{id}", get(domains::read)),
        ("/api/v1/domains/{id}/check", post(domains::check)),
        ("/api/v1/checks", get(monitoring::list)),
        ("/api/v1/checks/{id}", get(monitoring::read)),
        ("/api/v1/checks/{id}/run", post(monitoring::run)),
        ("/api/v1/logs", get(logs::search)),
        ("/api/v1/logs/{tenant}/{log_id}", get(logs::event)),
    ]
}

/// Who is calling: the token's user (the access table already let them in) and their address.
pub struct Caller(pub Acting);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let user = parts.extensions.get::<CurrentUser>().cloned().ok_or_else(Problem::unauthenticated)?;
        let client_ip = parts.extensions.get::<ClientAddress>().map(|a| a.0.clone()).unwrap_or_default();
        Ok(Caller(Acting { user, client_ip }))
    }
}

/// The most items one page of a list holds, and the default.
pub const MAX_LIMIT: usize = 200;
pub const DEFAULT_LIMIT: usize = 50;

/// `?limit=` checked: 1 to `MAX_LIMIT`.
pub fn limit(raw: Option<usize>) -> Result<usize, Problem> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(Problem::invalid(&format!("limit {n} is out of range; use 1 to {MAX_LIMIT}"))),
    }
}

/// A cursor is the sort key of the last item of a page, opaque to callers (base64url of JSON).
pub fn cursor_of<T: serde::Serialize>(key: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// Reads a cursor this API made; anything else is a clear 400.
pub fn cursor_from<T: serde::de::DeserializeOwned>(raw: Option<&str>) -> Result<Option<T>, Problem> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else { return Ok(None) };
    let bad = || Problem::invalid("the cursor is not one this API gave; start again without it");
    if raw.len() > 1024 {
        return Err(bad());
    }
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
    serde_json::from_slice(&bytes).map(Some).map_err(|_| bad())
}

/// The most rows a list reads from a port that pages for people (far above a real estate's domains or checks).
pub const MAX_PORT_ROWS: usize = 5_000;

/// Every row of a port that pages for people: `read(page)` gives a page's rows and the number of pages.
pub async fn every_port_page<T, Fut>(read: impl Fn(u32) -> Fut) -> Result<Vec<T>, Problem>
where
    Fut: std::future::Future<Output = Result<(Vec<T>, u32), app::error::AppError>>,
{
    let mut rows = Vec::new();
    let mut page = 1;
    loop {
        let (mut more, pages) = read(page).await?;
        rows.append(&mut more);
        if page >= pages || rows.len() >= MAX_PORT_ROWS {
            return Ok(rows);
        }
        page += 1;
    }
}

/// Takes one page after `after` from items sorted by `key`: the page and the next page's cursor.
pub fn page_after<T, K: Ord + Clone + serde::Serialize>(
    items: Vec<T>,
    key: impl Fn(&T) -> K,
    after: Option<K>,
    limit: usize,
) -> (Vec<T>, Option<String>) {
    let mut rest: Vec<T> = items.into_iter().filter(|i| after.as_ref().is_none_or(|a| key(i) > *a)).collect();
    rest.sort_by_key(|i| key(i));
    let more = rest.len() > limit;
    rest.truncate(limit);
    let next = more.then(|| rest.last().map(|last| cursor_of(&key(last)))).flatten();
    (rest, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_each_other_without_gaps_or_overlap() {
        let items: Vec<u32> = (0..25).rev().collect();
        let mut seen = Vec::new();
        let mut after: Option<u32> = None;
        loop {
            let (page, next) = page_after(items.clone(), |i| *i, after, 10);
            seen.extend(page);
            match next {
                Some(cursor) => after = cursor_from(Some(&cursor)).expect("our cursor"),
                None => break,
            }
        }
        assert_eq!(seen, (0..25).collect::<Vec<_>>());
    }

    #[test]
    fn a_foreign_cursor_or_limit_is_a_clear_error() {
        assert!(cursor_from::<u32>(Some("not-base64!")).is_err());
        assert!(cursor_from::<u32>(Some(&URL_SAFE_NO_PAD.encode("\"text\""))).is_err());
        assert!(cursor_from::<u32>(Some(&"A".repeat(2000))).is_err());
        assert_eq!(cursor_from::<u32>(None).expect("none"), None);
        assert!(limit(Some(0)).is_err() && limit(Some(201)).is_err());
        assert_eq!(limit(None).expect("default"), DEFAULT_LIMIT);
    }
}
