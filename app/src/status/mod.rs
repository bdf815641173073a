//! Status as pages see it: the board (Auth0 regions, providers, our own checks, the troubleshooting checklist),
//! the incident history, and the sources Tenantry polls. DTOs, the `StatusPort`, the server functions.

mod api;
mod board;
mod pages;

pub use api::*;
pub use board::{BoardPage, BoardView};
pub use pages::{IncidentPage, IncidentsPage, SourcesPage};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::ids::{IncidentId, SourceId, TenantId};
use crate::stored::stored_as_text;

/// A source's (or tile's or component's) state, as people read it and as the server stores it (`as_str`). A source
/// not read well for three intervals is `Unknown`.
///
/// Two orders: `Ord` (declaration order, `Unknown` last) is how a reading combines its parts — the worst part wins
/// and a part that says nothing Tenantry knows wins over all; `severity` is the board's "worst first".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Health {
    Operational,
    Maintenance,
    Degraded,
    PartialOutage,
    MajorOutage,
    Unknown,
}

impl Health {
    pub const ALL: [Health; 6] = [
        Health::MajorOutage,
        Health::PartialOutage,
        Health::Unknown,
        Health::Degraded,
        Health::Maintenance,
        Health::Operational,
    ];

    pub fn parse(raw: &str) -> Health {
        Health::ALL.into_iter().find(|h| h.as_str() == raw).unwrap_or(Health::Unknown)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Health::Operational => "operational",
            Health::Maintenance => "maintenance",
            Health::Degraded => "degraded",
            Health::PartialOutage => "partial_outage",
            Health::MajorOutage => "major_outage",
            Health::Unknown => "unknown",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Health::Operational => "Operational",
            Health::Maintenance => "Maintenance",
            Health::Degraded => "Degraded",
            Health::PartialOutage => "Partial outage",
            Health::MajorOutage => "Major outage",
            Health::Unknown => "Unknown",
        }
    }

    /// How bad, for "worst first": outages, then unknown (never green), then degraded, maintenance, operational.
    pub fn severity(self) -> u8 {
        match self {
            Health::MajorOutage => 5,
            Health::PartialOutage => 4,
            Health::Unknown => 3,
            Health::Degraded => 2,
            Health::Maintenance => 1,
            Health::Operational => 0,
        }
    }

    pub fn worst(self, other: Health) -> Health {
        if other.severity() > self.severity() { other } else { self }
    }

    /// The CSS tone: `bad`, `warn`, `unknown`, `info`, `ok`.
    pub fn tone(self) -> &'static str {
        match self {
            Health::MajorOutage | Health::PartialOutage => "bad",
            Health::Degraded => "warn",
            Health::Unknown => "unknown",
            Health::Maintenance => "info",
            Health::Operational => "ok",
        }
    }

    /// A symbol beside the word, so the state never rests on colour alone.
    pub fn symbol(self) -> &'static str {
        match self {
            Health::MajorOutage => "✖",
            Health::PartialOutage => "▲",
            Health::Degraded => "◆",
            Health::Unknown => "?",
            Health::Maintenance => "⚙",
            Health::Operational => "✔",
        }
    }
}

/// What a status source is about; stored as its `as_str`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Category {
    Auth0,
    Social,
    Email,
    Sms,
    Other,
}

impl Category {
    pub const ALL: [Category; 5] = [Category::Auth0, Category::Social, Category::Email, Category::Sms, Category::Other];

    pub fn parse(raw: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Auth0 => "auth0",
            Category::Social => "social",
            Category::Email => "email",
            Category::Sms => "sms",
            Category::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Auth0 => "Auth0",
            Category::Social => "Social sign-in",
            Category::Email => "Email",
            Category::Sms => "SMS",
            Category::Other => "Other",
        }
    }
}

// A category binds and reads as its text; a word Tenantry does not know reads as `Other`.
stored_as_text!(Category, |raw| Ok(Category::parse(raw).unwrap_or(Category::Other)));

/// One source as a tile or a list shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceBrief {
    pub id: SourceId,
    pub name: String,
    pub health: Health,
    /// The last poll's problem, while it lasts.
    pub error: Option<String>,
    pub last_good_at: Option<DateTime<Utc>>,
    /// The last poll failed: the health shown is from the last good read (until it is unknown).
    pub stale: bool,
}

/// An incident as the board and the history list show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct IncidentBrief {
    pub id: IncidentId,
    pub source: String,
    pub category: Category,
    pub title: String,
    pub impact: Option<String>,
    pub phase: String,
    pub started_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// The latest update's text.
    pub latest: Option<String>,
    pub updates: i64,
    pub postmortem: bool,
}

/// One tile of the board: an Auth0 region (with its tenants) or a provider.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tile {
    /// The HTML id, for links from the checklist: `region-us`, `source-{id}`.
    pub anchor: String,
    pub title: String,
    pub category: Category,
    pub health: Health,
    /// For a region: the tenants in it.
    pub tenants: Vec<String>,
    /// Components not operational: (name, health).
    pub components: Vec<(String, Health)>,
    pub sources: Vec<SourceBrief>,
    /// The oldest good read among the tile's sources; `None`: never read.
    pub last_updated: Option<DateTime<Utc>>,
    /// Open incidents, newest first.
    pub incidents: Vec<IncidentBrief>,
}

/// A tile of our own checks (monitoring, custom domains).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnCheck {
    pub anchor: String,
    pub title: String,
    /// `None`: not built yet (the summary says which issue builds it).
    pub health: Option<Health>,
    pub summary: String,
    /// Checks not passing: (text, health, link).
    pub items: Vec<(String, Health, String)>,
    pub link: String,
}

/// One step of the troubleshooting checklist.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub number: u8,
    pub title: String,
    /// `None`: Tenantry does not check this yet (the answer says which issue builds it).
    pub health: Option<Health>,
    pub answer: String,
    pub link: String,
    pub link_text: String,
}

/// The status board and the checklist beside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Board {
    /// Auth0 regions we use, worst first.
    pub regions: Vec<Tile>,
    /// Enabled providers, worst first.
    pub providers: Vec<Tile>,
    /// Our own checks: monitoring, custom domains.
    pub own_checks: Vec<OwnCheck>,
    pub checklist: Vec<Step>,
    /// Registered tenants for the checklist's "affected tenant" picker: (domain, label).
    pub tenants: Vec<(String, String)>,
    pub chosen_tenant: Option<String>,
    /// Catalog entries not added yet.
    pub offered: usize,
    pub generated_at: DateTime<Utc>,
    /// How often the page refreshes the board when JavaScript is on.
    pub refresh_secs: u32,
}

/// A source as Status → Sources lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceRow {
    pub id: SourceId,
    pub name: String,
    pub kind: String,
    pub kind_label: String,
    pub category: Category,
    pub url: String,
    pub enabled: bool,
    pub health: Health,
    pub error: Option<String>,
    pub last_good_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub interval_secs: i32,
    /// What the last good read recognised the body as, where the format covers several.
    pub read_as: Option<String>,
    /// The tenant whose Auth0 feed this is: (id, domain).
    pub tenant: Option<(TenantId, String)>,
    pub open_incidents: i64,
}

/// A provider in the catalog shipped with Tenantry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogEntry {
    pub key: String,
    pub name: String,
    pub category: Category,
    pub kind_label: String,
    pub url: String,
    /// The provider's human status page.
    pub page: String,
    pub note: String,
    pub added: bool,
    /// `false`: the provider publishes nothing Tenantry reads (the note says what to do).
    pub readable: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourcesQuery {
    pub category: Option<Category>,
    pub page: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceList {
    pub rows: Vec<SourceRow>,
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    pub catalog: Vec<CatalogEntry>,
    /// The formats a source may have: (kind, label).
    pub kinds: Vec<(String, String)>,
}

/// Filters of the incident history, from the query string.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IncidentQuery {
    pub source: Option<String>,
    pub category: Option<Category>,
    /// `none`, `minor`, `major`, `critical` or the source's word.
    pub impact: Option<String>,
    /// `open`, `resolved` (resolved or postmortem) or `postmortem`.
    pub state: Option<String>,
    /// `YYYY-MM-DD`, UTC, inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: u32,
    /// Keyset paging (the JSON API): only incidents recorded before this one, the most recently recorded first.
    #[serde(default)]
    pub before_id: Option<i64>,
    /// Rows wanted when paging by keyset.
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentList {
    pub rows: Vec<IncidentBrief>,
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    /// Every source, for the filter: (id, name).
    pub sources: Vec<(SourceId, String)>,
    /// Impacts seen, for the filter.
    pub impacts: Vec<String>,
}

/// One published update of an incident.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdateRow {
    pub at: Option<DateTime<Utc>>,
    pub seen_at: DateTime<Utc>,
    pub phase: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentDetail {
    pub brief: IncidentBrief,
    pub source_id: SourceId,
    pub first_seen_at: DateTime<Utc>,
    pub link: Option<String>,
    /// Where the RCA / postmortem is published, once it is.
    pub postmortem_link: Option<String>,
    /// Oldest first.
    pub updates: Vec<UpdateRow>,
}

/// A source added by hand.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceForm {
    pub name: String,
    pub kind: String,
    pub category: String,
    pub url: String,
    /// Minutes between polls, blank for the default.
    pub interval_minutes: String,
}

/// What the status pages need from the engine.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait StatusPort: Send + Sync + 'static {
    /// `tenant`: the domain the checklist is about, if one is chosen.
    async fn board(&self, tenant: Option<String>) -> Result<Board, AppError>;
    async fn sources(&self, query: SourcesQuery) -> Result<SourceList, AppError>;
    async fn add_source(&self, by: &crate::accounts::Acting, form: SourceForm) -> Result<(), AppError>;
    async fn add_from_catalog(&self, by: &crate::accounts::Acting, key: &str) -> Result<(), AppError>;
    async fn set_enabled(&self, by: &crate::accounts::Acting, id: SourceId, enabled: bool) -> Result<(), AppError>;
    async fn remove_source(&self, by: &crate::accounts::Acting, id: SourceId) -> Result<(), AppError>;
    async fn poll_now(&self, id: SourceId) -> Result<(), AppError>;
    async fn incidents(&self, query: IncidentQuery) -> Result<IncidentList, AppError>;
    async fn incident(&self, id: IncidentId) -> Result<IncidentDetail, AppError>;
}

/// Where an area's tile answers in the troubleshooting checklist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepSlot {
    pub number: u8,
    pub title: &'static str,
    /// The words of the step's link to the area.
    pub link_text: &'static str,
}

/// What an area puts on the status board: one tile of its own checks, for every tenant or only for the one the
/// troubleshooting checklist is about. The status area asks every area through this trait (the server hands it
/// the list at start) and reads no other area's tables.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait BoardTile: Send + Sync + 'static {
    /// The checklist step this tile answers (`None`: the tile is on the board only).
    fn step(&self) -> Option<StepSlot>;
    /// The area's tile from one read: for every tenant, and for the tenant domain the checklist is about when one
    /// is chosen; `None` when the area has nothing to show.
    async fn tile(&self, chosen: Option<&str>, now: DateTime<Utc>) -> Result<Option<AreaTile>, AppError>;
}

/// One area's tile: for the board (every tenant) and, when a tenant is chosen, for that tenant's checklist step.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, PartialEq)]
pub struct AreaTile {
    pub all: OwnCheck,
    pub chosen: Option<OwnCheck>,
}

#[cfg(feature = "ssr")]
impl AreaTile {
    /// The tile `draw(tenant)` makes for every tenant (`None`) and, when one is chosen, for that tenant.
    pub fn drawn(chosen: Option<&str>, draw: impl Fn(Option<&str>) -> OwnCheck) -> AreaTile {
        AreaTile { all: draw(None), chosen: chosen.map(|t| draw(Some(t))) }
    }
}
