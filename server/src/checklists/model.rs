//! The typed domain of the readiness checklists: the catalog's item, what the rules decide of one (`Finding`), and
//! the facts they decide it from (`Facts`: the tenant's latest snapshot and what other areas of the console know).

use chrono::{DateTime, Utc};
use serde_json::Value;

pub use app::checklists::{Evidence, Severity, Verdict};
use app::tenants::Environment;

/// One item of the readiness checklist (../shared/reference/readiness-checklist.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Item {
    /// Stable id ("email-provider"): stored with every verdict and sign-off.
    pub id: &'static str,
    pub title: &'static str,
    /// Why it matters, one sentence.
    pub why: &'static str,
    /// The area of the guide it belongs to: one of `AREAS`.
    pub area: &'static str,
    pub severity: Severity,
    /// No API decides it: an ops lead signs it off (its rule gives `Verdict::Manual` with evidence, or
    /// `NotApplicable` when what triggers it is absent).
    pub manual: bool,
    /// What to do when it does not pass (where in the Dashboard, what to change).
    pub todo: &'static str,
}

/// The areas of the guide, in the order pages group items by.
pub const AREAS: [&str; 7] =
    ["Environments", "Email", "Login and sessions", "Applications and APIs", "Extensibility", "Security", "Operations"];

/// What a rule decided of one item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub item: &'static str,
    pub verdict: Verdict,
    /// The verdict in one line, in words ("No support email or URL is set").
    pub summary: String,
    pub evidence: Vec<Evidence>,
}

/// What the console's logs area knows of a tenant (for the log-scanning and notification items).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogFacts {
    /// The newest event Tenantry holds for the tenant (none: it keeps none of its logs).
    pub newest_event: Option<DateTime<Utc>>,
    /// Rate-limit events (`api_limit`, `api_limit_warning`) in the last 7 days, and the client most of them came from.
    pub limit_events_7d: i64,
    pub top_limit_client: Option<String>,
    /// Deprecation notices (`depnote`) in the last 30 days.
    pub depnotes_30d: i64,
}

/// What the monitoring area knows of a tenant's synthetic logins.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyntheticFacts {
    /// Enabled synthetic-login checks of the tenant, and their interval in seconds (the shortest).
    pub checks: u32,
    pub shortest_interval_s: Option<i64>,
    /// When one last succeeded.
    pub last_success: Option<DateTime<Utc>>,
}

/// Everything the rules read of one tenant.
#[derive(Clone, Debug)]
pub struct Facts<'a> {
    /// The latest snapshot's data (as `tenants::jobs` stores it); `None` when the tenant was never read.
    pub snapshot: Option<&'a Value>,
    pub environment: Environment,
    pub logs: LogFacts,
    pub synthetic: SyntheticFacts,
    pub now: DateTime<Utc>,
}
