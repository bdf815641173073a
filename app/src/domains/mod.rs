//! Custom domains as pages see them: every tenant's custom domains with their DNS and TLS verdicts, a domain's
//! page with its timeline, the ad-hoc checker, and the findings. DTOs, the `DomainsPort`, the server functions.

mod api;
mod outcome;
mod pages;

pub use api::*;
pub use outcome::{Change, DnsOutcome, Outcome, Part, TlsOutcome, Verdict, label};
pub use pages::{DomainCheckPage, DomainPage, DomainsPage};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::error::AppError;
use crate::ids::{DomainId, TenantId};

/// One custom domain as the list shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainRow {
    pub id: DomainId,
    pub host: String,
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub environment: String,
    pub primary: bool,
    /// Auth0's status: `pending_verification`, `ready`, `failed`.
    pub status: String,
    /// `auth0_managed_certs` or `self_managed_certs`.
    pub kind: String,
    pub dns_outcome: Option<DnsOutcome>,
    pub tls_outcome: Option<TlsOutcome>,
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
    pub change: Change,
    pub detail: String,
}

/// A DNS and TLS report, for the domain page and the ad-hoc checker.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub host: String,
    pub expected: Option<String>,
    pub dns_outcome: Option<DnsOutcome>,
    pub chain: Vec<String>,
    pub addresses: Vec<String>,
    pub dns_advice: Option<String>,
    pub tls_outcome: Option<TlsOutcome>,
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
    async fn detail(&self, id: DomainId) -> Result<DomainDetail, AppError>;
    async fn check_now(&self, id: DomainId) -> Result<(), AppError>;
    /// The ad-hoc checker: `host` as typed, `expected` optional.
    async fn check_host(&self, host: &str, expected: &str) -> Result<Report, AppError>;
}
