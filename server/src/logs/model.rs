//! The logs area's values: where an event came from, one event as stored, and Auth0's catalog of event codes
//! (`event_types.csv`, copied from Auth0's "Log Type Codes"), compiled into the binary.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use serde_json::Value;

pub use app::ids::TenantId;

/// How an event reached Tenantry (stored with it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Read from `GET /api/v2/logs` by the pull job.
    Pull,
    /// Posted by a log stream (custom webhook) to the receiver.
    Stream,
    /// Read from a file by `tenantry logs import`.
    Import,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Pull => "pull",
            Source::Stream => "stream",
            Source::Import => "import",
        }
    }
}

/// One Auth0 log event: the columns searches filter on and the whole event as Auth0 sent it.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub log_id: String,
    pub date: DateTime<Utc>,
    pub type_code: String,
    pub description: Option<String>,
    pub client_id: Option<String>,
    pub client_name: Option<String>,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    /// `None` when Auth0 sent no address or something that is not one (recordings say `[REDACTED]`).
    pub ip: Option<IpAddr>,
    pub connection: Option<String>,
    pub strategy: Option<String>,
    pub hostname: Option<String>,
    pub user_agent: Option<String>,
    pub payload: Value,
}

/// An item that could not be read as an event: kept verbatim (cut at the item limit) with a one-line reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    pub item: String,
    pub reason: String,
}

/// One event code of Auth0's catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventType {
    pub code: String,
    pub name: String,
    pub description: String,
    /// `success`, `failure`, `warning` or `info`.
    pub outcome: String,
    /// Auth0's category: `login`, `rate_limit`, `management_api`…
    pub category: String,
    /// A rate limit or a block (`api_limit`, `limit_wc`, `limit_mu`, …): Auth0 refused or throttled something.
    pub limit: bool,
}

const CATALOG_CSV: &str = include_str!("event_types.csv");

/// Every event code Auth0 documents, by code.
pub fn catalog() -> &'static HashMap<String, EventType> {
    static CATALOG: OnceLock<HashMap<String, EventType>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        CATALOG_CSV
            .lines()
            .skip(1)
            .filter_map(|line| {
                let f = csv_fields(line);
                (f.len() >= 6).then(|| {
                    let t = EventType {
                        code: f[0].clone(),
                        name: f[1].clone(),
                        description: f[2].clone(),
                        outcome: f[3].clone(),
                        category: f[4].clone(),
                        limit: f[5] == "yes",
                    };
                    (t.code.clone(), t)
                })
            })
            .collect()
    })
}

/// The code's name and category in words, or "unknown" for a code the catalog does not have (kept, never dropped).
pub fn describe(code: &str) -> (String, String) {
    match catalog().get(code) {
        Some(t) => (t.name.clone(), t.category.replace('_', " ")),
        None => ("unknown".into(), "unknown".into()),
    }
}

/// The codes of a category (`login`), for filters.
pub fn codes_of(category: &str) -> Vec<String> {
    let mut codes: Vec<String> =
        catalog().values().filter(|t| t.category == category).map(|t| t.code.clone()).collect();
    codes.sort();
    codes
}

/// Every category, sorted.
pub fn categories() -> Vec<String> {
    let mut all: Vec<String> = catalog().values().map(|t| t.category.clone()).collect();
    all.sort();
    all.dedup();
    all
}

/// The fields of one CSV line (double quotes around a field that holds commas; `""` inside is a quote).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_reads_every_line_with_quoted_commas() {
        let lines = CATALOG_CSV.lines().count() - 1;
        assert_eq!(catalog().len(), lines, "one code per line");
        let fi = &catalog()["fi"];
        assert_eq!((fi.outcome.as_str(), fi.category.as_str()), ("failure", "organization"));
        assert!(fi.description.contains("different email address than provided"), "{}", fi.description);
        assert_eq!(describe("api_limit").1, "rate limit");
        assert!(catalog()["api_limit"].limit && catalog()["limit_wc"].limit && !catalog()["fp"].limit);
        assert_eq!(describe("no_such_code"), ("unknown".to_string(), "unknown".to_string()));
        assert!(codes_of("login").contains(&"fp".to_string()));
    }
}
