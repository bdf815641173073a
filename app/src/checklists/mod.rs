//! Readiness checklists as pages see them: every item of Auth0's operations-readiness checklist per tenant, its
//! verdict read from the tenant's latest snapshot (with the evidence: endpoint, field, value, when read), the ops
//! lead's sign-off of the items no API can decide (who, when, comment, next review; lapsing when the review date
//! passes or the evidence changes), the history of both, and the overview across tenants. DTOs, the
//! `ChecklistsPort`, the server functions.

mod api;
mod overview;
mod report;
mod tenant;

pub use api::*;
pub use overview::ChecklistsPage;
pub use report::ChecklistReportPage;
pub use tenant::TenantChecklistPage;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::error::AppError;
use crate::ids::TenantId;
use crate::stored::stored_as_text;
use crate::tenants::Environment;

/// What the data says about an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Verdict {
    Pass,
    Fail,
    Warn,
    NotApplicable,
    /// The snapshot could not read what the item needs (a missing scope, a part Auth0 does not serve, no snapshot).
    Unknown,
    /// No API decides it: an ops lead signs it off (the evidence, if any, is shown beside it).
    Manual,
}

impl Verdict {
    pub const ALL: [Verdict; 6] =
        [Verdict::Fail, Verdict::Warn, Verdict::Unknown, Verdict::Manual, Verdict::Pass, Verdict::NotApplicable];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Warn => "warn",
            Verdict::NotApplicable => "not_applicable",
            Verdict::Unknown => "unknown",
            Verdict::Manual => "manual",
        }
    }

    pub fn parse(raw: &str) -> Result<Verdict, String> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == raw).ok_or_else(|| format!("{raw:?} is not a verdict"))
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Warn => "warning",
            Verdict::NotApplicable => "not applicable",
            Verdict::Unknown => "unknown",
            Verdict::Manual => "sign-off",
        }
    }
}

stored_as_text!(Verdict, Verdict::parse);

/// How much an item matters, as Auth0's production checks rank it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    Required,
    Recommended,
    BestPractice,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Required, Severity::Recommended, Severity::BestPractice];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Required => "required",
            Severity::Recommended => "recommended",
            Severity::BestPractice => "best_practice",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Required => "required",
            Severity::Recommended => "recommended",
            Severity::BestPractice => "best practice",
        }
    }
}

/// One fact an item's verdict rests on.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Evidence {
    /// Where it was read: "GET /api/v2/tenants/settings", or "Tenantry: kept logs".
    pub endpoint: String,
    /// The field or object: "support_email", "clients[Web].callbacks".
    pub field: String,
    /// Its value as read (never a secret: snapshots keep none).
    pub value: String,
}

/// An ops lead's sign-off of an item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignOff {
    pub by: String,
    pub at: DateTime<Utc>,
    pub comment: String,
    /// Review again by this day (the sign-off lapses the day after).
    pub review_by: NaiveDate,
    /// When and why it lapsed (the review date passed, or the evidence changed).
    pub lapsed: Option<(DateTime<Utc>, String)>,
}

impl SignOff {
    pub fn holds(&self) -> bool {
        self.lapsed.is_none()
    }
}

/// Where an item stands once its sign-off is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Standing {
    Pass,
    Fail,
    Warn,
    NotApplicable,
    Unknown,
    /// A manual item without a sign-off that holds.
    NeedsSignOff,
    SignedOff,
}

impl Standing {
    pub fn of(verdict: Verdict, sign_off: Option<&SignOff>) -> Standing {
        match verdict {
            Verdict::Pass => Standing::Pass,
            Verdict::Fail => Standing::Fail,
            Verdict::Warn => Standing::Warn,
            Verdict::NotApplicable => Standing::NotApplicable,
            Verdict::Unknown => Standing::Unknown,
            Verdict::Manual if sign_off.is_some_and(SignOff::holds) => Standing::SignedOff,
            Verdict::Manual => Standing::NeedsSignOff,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Standing::Pass => "pass",
            Standing::Fail => "fail",
            Standing::Warn => "warning",
            Standing::NotApplicable => "not applicable",
            Standing::Unknown => "unknown",
            Standing::NeedsSignOff => "needs sign-off",
            Standing::SignedOff => "signed off",
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            Standing::Pass | Standing::SignedOff => "badge ok",
            Standing::Fail => "badge bad",
            Standing::Warn | Standing::NeedsSignOff => "badge warn",
            Standing::NotApplicable | Standing::Unknown => "badge unknown",
        }
    }

    /// Order on the page: what needs doing first.
    pub fn rank(self) -> u8 {
        match self {
            Standing::Fail => 0,
            Standing::Warn => 1,
            Standing::NeedsSignOff => 2,
            Standing::Unknown => 3,
            Standing::Pass => 4,
            Standing::SignedOff => 5,
            Standing::NotApplicable => 6,
        }
    }
}

/// One item of a tenant's checklist.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemRow {
    pub id: String,
    pub title: String,
    pub why: String,
    /// The area of the guide it belongs to ("Email", "Applications", …).
    pub area: String,
    pub severity: Severity,
    /// Signed off by an ops lead (the data cannot decide it).
    pub manual: bool,
    pub verdict: Verdict,
    pub standing: Standing,
    /// The verdict in one line.
    pub summary: String,
    pub evidence: Vec<Evidence>,
    /// When the snapshot the verdict rests on was read; since when the verdict holds.
    pub read_at: Option<DateTime<Utc>>,
    pub since: Option<DateTime<Utc>>,
    /// What to do when it is not passing.
    pub todo: String,
    pub sign_off: Option<SignOff>,
}

/// Items grouped by their area of the guide, keeping their order.
pub fn by_area(items: Vec<ItemRow>) -> Vec<(String, Vec<ItemRow>)> {
    let mut areas: Vec<(String, Vec<ItemRow>)> = Vec::new();
    for item in items {
        match areas.last_mut() {
            Some((area, items)) if *area == item.area => items.push(item),
            _ => areas.push((item.area.clone(), vec![item])),
        }
    }
    areas
}

/// How many items stand where.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub pass: u32,
    pub fail: u32,
    pub warn: u32,
    pub unknown: u32,
    pub not_applicable: u32,
    pub needs_sign_off: u32,
    pub signed_off: u32,
    /// Required items failing.
    pub required_failing: u32,
}

impl Counts {
    pub fn add(&mut self, standing: Standing, severity: Severity) {
        match standing {
            Standing::Pass => self.pass += 1,
            Standing::Fail => self.fail += 1,
            Standing::Warn => self.warn += 1,
            Standing::Unknown => self.unknown += 1,
            Standing::NotApplicable => self.not_applicable += 1,
            Standing::NeedsSignOff => self.needs_sign_off += 1,
            Standing::SignedOff => self.signed_off += 1,
        }
        if standing == Standing::Fail && severity == Severity::Required {
            self.required_failing += 1;
        }
    }

    /// Items settled (passing or signed off) of those that apply.
    pub fn settled(&self) -> (u32, u32) {
        let applies = self.pass + self.fail + self.warn + self.unknown + self.needs_sign_off + self.signed_off;
        (self.pass + self.signed_off, applies)
    }
}

/// One entry of an item's history: a verdict change, a sign-off or a lapse.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub tenant: TenantId,
    pub tenant_name: String,
    pub item: String,
    pub title: String,
    /// "verdict", "signed_off" or "lapsed".
    pub kind: String,
    pub verdict: Option<Verdict>,
    pub summary: String,
    pub actor: Option<String>,
}

/// A tenant's checklist.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TenantChecklist {
    pub tenant: TenantId,
    pub name: String,
    pub environment: Environment,
    pub user_domain: String,
    /// When the items were last evaluated, and the snapshot they read (none yet: never read).
    pub evaluated_at: Option<DateTime<Utc>>,
    pub snapshot_at: Option<DateTime<Utc>>,
    pub counts: Counts,
    /// Grouped by area of the guide, required failures first within each.
    pub items: Vec<ItemRow>,
    /// Newest first, one page (after `history_before` when paging back).
    pub history: Vec<HistoryRow>,
    pub history_before: Option<i64>,
    pub history_more: bool,
}

/// One tenant on the overview.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverviewRow {
    pub tenant: TenantId,
    pub name: String,
    pub environment: Environment,
    pub user_domain: String,
    pub evaluated_at: Option<DateTime<Utc>>,
    pub counts: Counts,
}

/// One item across a user domain's tenants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatrixRow {
    pub id: String,
    pub title: String,
    pub area: String,
    pub severity: Severity,
    /// Per tenant of the matrix, in its order: where the item stands and why.
    pub cells: Vec<(Standing, String)>,
}

/// A user domain's tenants side by side (development first), item by item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainMatrix {
    pub user_domain: String,
    pub tenants: Vec<(TenantId, String, Environment)>,
    pub rows: Vec<MatrixRow>,
}

/// The overview across tenants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub rows: Vec<OverviewRow>,
    /// What changed in the last seven days, newest first (at most 50).
    pub this_week: Vec<HistoryRow>,
    /// Every user domain, for the filter.
    pub user_domains: Vec<String>,
    /// The chosen user domain's matrix.
    pub matrix: Option<DomainMatrix>,
}

/// What the checklist pages need from the engine.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait ChecklistsPort: Send + Sync + 'static {
    /// Every tenant's readiness, optionally of one environment and one user domain (then with its matrix).
    async fn overview(
        &self,
        environment: Option<Environment>,
        user_domain: Option<String>,
    ) -> Result<Overview, AppError>;
    /// One tenant's checklist with a page of its history: the newest, or those older than entry `before`.
    async fn tenant(&self, tenant: TenantId, before: Option<i64>) -> Result<TenantChecklist, AppError>;
    /// Signs off a manual item: a comment and the day to review it again (YYYY-MM-DD, today to two years ahead).
    async fn sign_off(
        &self,
        by: &crate::accounts::Acting,
        tenant: TenantId,
        item: &str,
        comment: &str,
        review_by: &str,
    ) -> Result<(), AppError>;
}
