//! Infrastructure as pages see it: Auth0's outbound IP ranges (the allow-list for the regions the registered tenants
//! run in, every version and what changed, exports for firewalls and clouds) and each tenant's email provider with
//! its verdict. DTOs, the `InfraPort`, the server functions.

mod api;
mod firewall;
mod pages;
mod reach;

pub use api::*;
pub use pages::{InfraPage, MailChecks, TenantEmail};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::error::AppError;
use crate::ids::TenantId;

/// The IP list's source as last read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceState {
    pub url: String,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_good_at: Option<DateTime<Utc>>,
    /// Why the last read failed; the last good version is still shown.
    pub error: Option<String>,
}

/// One range of the allow-list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RangeRow {
    pub region: String,
    pub cidr: String,
}

/// One stored version of the list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionBrief {
    pub id: i64,
    pub fetched_at: DateTime<Utc>,
    pub ranges: i32,
    /// What changed against the version before ("" for the first).
    pub summary: String,
}

/// How a tenant's email set-up stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EmailVerdict {
    /// A required fix (production on Auth0's built-in provider, or its own provider turned off).
    Required,
    Warning,
    Ok,
    /// Not known yet (no snapshot, or the snapshot could not read the provider).
    Unknown,
}

impl EmailVerdict {
    pub fn label(self) -> &'static str {
        match self {
            EmailVerdict::Required => "required",
            EmailVerdict::Warning => "warning",
            EmailVerdict::Ok => "ok",
            EmailVerdict::Unknown => "unknown",
        }
    }

    /// The badge class the board uses for the same meaning.
    pub fn class(self) -> &'static str {
        match self {
            EmailVerdict::Required => "badge bad",
            EmailVerdict::Warning => "badge warn",
            EmailVerdict::Ok => "badge ok",
            EmailVerdict::Unknown => "badge unknown",
        }
    }
}

/// One mail record of the sender domain (SPF, DKIM or DMARC) as read in live DNS.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MailCheck {
    /// `SPF`, `DKIM` or `DMARC`.
    pub record: String,
    pub verdict: EmailVerdict,
    /// What DNS holds ("none", the record, the policy).
    pub found: String,
    /// Why, and what to do.
    pub advice: String,
}

/// One tenant's email provider, from its latest snapshot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmailRow {
    pub tenant_id: TenantId,
    pub tenant: String,
    pub environment: String,
    /// The provider in words ("Amazon SES", "Auth0's built-in provider").
    pub provider: String,
    pub enabled: Option<bool>,
    pub sender: Option<String>,
    pub verdict: EmailVerdict,
    /// Why, and what to do.
    pub advice: String,
    /// The sender's domain whose mail records are checked.
    pub domain: Option<String>,
    /// SPF, DKIM and DMARC as last read (empty before the first check, or on the built-in provider).
    pub checks: Vec<MailCheck>,
    pub checked_at: Option<DateTime<Utc>>,
    /// DKIM selectors set for the tenant (empty: the provider's usual ones).
    pub selectors: Vec<String>,
}

/// One thing Auth0 calls in a company's network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FirewallEntry {
    /// "SMTP email provider", "Log stream \"SIEM\" (http)".
    pub what: String,
    /// The host or `scheme://host[:port]` Auth0 connects to.
    pub target: String,
    /// The TCP port(s) to open.
    pub ports: String,
    pub note: String,
}

/// A tenant's firewall guide.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FirewallRow {
    pub tenant_id: TenantId,
    pub tenant: String,
    pub region: Option<String>,
    /// How many ranges the latest IP list gives for the region (`None` before the list was read or when it names
    /// no such region).
    pub ranges: Option<usize>,
    /// Whether the tenant has been read yet (without a snapshot nothing is known of what Auth0 calls).
    pub read: bool,
    pub entries: Vec<FirewallEntry>,
}

/// Everything `/infra` shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InfraOverview {
    /// `None` before the list was first read.
    pub source: Option<SourceState>,
    pub last_updated_at: Option<DateTime<Utc>>,
    /// The regions the registered tenants run in (lower case).
    pub regions: Vec<String>,
    /// Regions in use that the list does not name.
    pub unlisted_regions: Vec<String>,
    /// The allow-list for `regions`.
    pub ranges: Vec<RangeRow>,
    /// Newest first.
    pub versions: Vec<VersionBrief>,
    /// (from, to, what changed in words) when two versions were compared.
    pub diff: Option<(i64, i64, Vec<String>)>,
    pub email: Vec<EmailRow>,
    pub firewall: Vec<FirewallRow>,
}

/// The export formats, as (URL name, label).
pub const EXPORTS: [(&str, &str); 7] = [
    ("plain", "Plain list"),
    ("csv", "CSV"),
    ("nftables", "nftables set"),
    ("iptables", "iptables rules"),
    ("aws", "AWS security group"),
    ("azure", "Azure NSG rule"),
    ("gcp", "GCP firewall rule"),
];

/// What the infrastructure page needs from the engine.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait InfraPort: Send + Sync + 'static {
    async fn overview(&self, compare: Option<(i64, i64)>) -> Result<InfraOverview, AppError>;
    /// Reads the IP list now: `true` when it brought a new version.
    async fn read_now(&self) -> Result<bool, AppError>;
    /// One tenant's email row (the tenant page), `None` for an unknown tenant.
    async fn tenant_email(&self, tenant: TenantId) -> Result<Option<EmailRow>, AppError>;
    /// Sets the DKIM selectors checked for a tenant ("s1, s2"; empty: the provider's usual ones) and checks again.
    async fn set_selectors(
        &self,
        by: &crate::accounts::Acting,
        tenant: TenantId,
        selectors: &str,
    ) -> Result<(), AppError>;
}
