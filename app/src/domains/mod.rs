//! Custom domains as pages see them: every tenant's custom domains with their DNS and TLS verdicts, a domain's
//! page with its timeline, the ad-hoc checker, and the findings. DTOs, the `DomainsPort`, the server functions.

mod pages;

pub use pages::{DomainCheckPage, DomainPage, DomainsPage};

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::accounts::Role;
use crate::error::AppError;

/// How bad a DNS or TLS outcome is, for the badge: `ok`, `warn`, `bad`, `unknown`.
pub fn tone(outcome: Option<&str>) -> &'static str {
    match outcome {
        Some("ok") => "ok",
        Some("expiring") | Some("flattened") => "warn",
        Some("lookup_error") | Some("no_answer") | None => "unknown",
        Some(_) => "bad",
    }
}

/// An outcome in words.
pub fn label(outcome: Option<&str>) -> String {
    match outcome {
        None => "not checked yet".into(),
        Some("lookup_error") => "lookup failed (unknown)".into(),
        Some(o) => o.replace('_', " "),
    }
}

/// One custom domain as the list shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainRow {
    pub id: String,
    pub host: String,
    pub tenant_id: String,
    pub tenant_name: String,
    pub environment: String,
    pub primary: bool,
    /// Auth0's status: `pending_verification`, `ready`, `failed`.
    pub status: String,
    /// `auth0_managed_certs` or `self_managed_certs`.
    pub kind: String,
    pub dns_outcome: Option<String>,
    pub tls_outcome: Option<String>,
    pub days_left: Option<i32>,
    pub checked_at: Option<DateTime<Utc>>,
    /// The DNS or TLS sentence that says what to do (DNS first), when something is wrong.
    pub advice: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DomainsQuery {
    pub q: Option<String>,
    /// `problems`: DNS or TLS not ok.
    pub show: Option<String>,
    pub page: u32,
}

/// Something about the tenants' custom domains the operations guide asks to fix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainFinding {
    pub title: String,
    pub reasoning: String,
    /// (link, text)
    pub items: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainList {
    pub rows: Vec<DomainRow>,
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    pub findings: Vec<DomainFinding>,
}

/// A change of a check's outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainEvent {
    pub at: DateTime<Utc>,
    pub kind: String,
    pub before: Option<String>,
    pub after: String,
    pub detail: String,
}

/// A DNS and TLS report, for the domain page and the ad-hoc checker.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub host: String,
    pub expected: Option<String>,
    pub dns_outcome: Option<String>,
    pub chain: Vec<String>,
    pub addresses: Vec<String>,
    pub dns_advice: Option<String>,
    pub tls_outcome: Option<String>,
    pub days_left: Option<i32>,
    pub not_after: Option<DateTime<Utc>>,
    pub issuer: Option<String>,
    pub names: Vec<String>,
    pub tls_advice: Option<String>,
    pub checked_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainDetail {
    pub row: DomainRow,
    pub report: Report,
    /// For self-managed certificates: (TXT name, value Auth0 expects).
    pub txt: Option<(String, String)>,
    pub cert_status: Option<String>,
    pub renews_before: Option<DateTime<Utc>>,
    pub events: Vec<DomainEvent>,
}

/// What the domain pages need from the engine.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait DomainsPort: Send + Sync + 'static {
    async fn list(&self, query: DomainsQuery) -> Result<DomainList, AppError>;
    async fn detail(&self, id: &str) -> Result<DomainDetail, AppError>;
    async fn check_now(&self, id: &str) -> Result<(), AppError>;
    /// The ad-hoc checker: `host` as typed, `expected` optional.
    async fn check_host(&self, host: &str, expected: &str) -> Result<Report, AppError>;
}

#[cfg(feature = "ssr")]
fn port() -> std::sync::Arc<dyn DomainsPort> {
    expect_context::<std::sync::Arc<dyn DomainsPort>>()
}

#[cfg(feature = "ssr")]
use crate::accounts::acting_as;

#[server(endpoint = "domains/list")]
pub async fn load_domains(query: DomainsQuery) -> Result<DomainList, AppError> {
    acting_as(Role::Helpdesk)?;
    port().list(query).await
}

#[server(endpoint = "domains/detail")]
pub async fn load_domain(id: String) -> Result<DomainDetail, AppError> {
    acting_as(Role::Helpdesk)?;
    port().detail(&id).await
}

/// Checks a domain now (developer: "checks on demand").
#[server(endpoint = "domains/check-now")]
pub async fn check_domain_now(id: String) -> Result<(), AppError> {
    acting_as(Role::Developer)?;
    port().check_now(&id).await?;
    leptos_axum::redirect(&format!("/domains/{id}"));
    Ok(())
}

/// The ad-hoc checker (helpdesk).
#[server(endpoint = "domains/check-host")]
pub async fn check_host(host: String, expected: String) -> Result<Report, AppError> {
    acting_as(Role::Helpdesk)?;
    port().check_host(&host, &expected).await
}
