//! Auth0 logs as pages see them: the search across tenants (filters, keyset pages), one event, the quarantine of
//! items that could not be read, and every tenant's progress. DTOs, the `LogsPort`, the server functions.

mod api;
mod event;
mod health;
mod quarantine;
mod receiver;
mod search;
mod user;

pub use api::*;
pub use event::LogEventPage;
pub use health::{HealthFinding, HealthRow, StreamHealth, StreamRow, lag_text};
pub use quarantine::QuarantinePage;
pub use receiver::{LoadReceiver, ReceiverInfo, TenantReceiver, load_receiver};
pub use search::{LogsPage, logs_nav};
pub use user::UserLookupPage;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::error::AppError;
use crate::ids::TenantId;

/// A search as the form sends it: every field optional, parsed by the server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LogsQuery {
    pub tenant: Option<String>,
    /// An event code (`fp`), or `category:NAME` (`category:login`).
    pub kind: Option<String>,
    /// A user id or user name.
    pub user: Option<String>,
    /// A client id or client name.
    pub client: Option<String>,
    /// An IP address or a network (`203.0.113.0/24`).
    pub ip: Option<String>,
    pub connection: Option<String>,
    /// Words in the description, or a log id.
    pub q: Option<String>,
    /// UTC: `YYYY-MM-DD` or `YYYY-MM-DD HH:MM`.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Where the page continues (the `next` of the page before).
    pub after: Option<String>,
}

impl LogsQuery {
    /// The query as (name, value) pairs for links, without `after`.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let v = |o: &Option<String>| o.clone().unwrap_or_default();
        vec![
            ("tenant", v(&self.tenant)),
            ("kind", v(&self.kind)),
            ("user", v(&self.user)),
            ("client", v(&self.client)),
            ("ip", v(&self.ip)),
            ("connection", v(&self.connection)),
            ("q", v(&self.q)),
            ("from", v(&self.from)),
            ("to", v(&self.to)),
        ]
    }
}

/// One event as the search lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventRow {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub log_id: String,
    pub date: DateTime<Utc>,
    pub type_code: String,
    /// The code's name in words, or "unknown".
    pub type_name: String,
    pub category: String,
    /// `success`, `failure`, `warning`, `info` or `unknown`.
    pub outcome: String,
    /// A rate limit or a block: Auth0 refused or throttled the request.
    pub limit: bool,
    pub description: Option<String>,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub client_id: Option<String>,
    pub client_name: Option<String>,
    pub ip: Option<String>,
    pub connection: Option<String>,
}

/// What the logs area has of one tenant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgressRow {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub events_stored: i64,
    pub rejected: i64,
    pub newest_at: Option<DateTime<Utc>>,
    pub last_pull_at: Option<DateTime<Utc>>,
    pub last_pull_error: Option<String>,
    pub last_delivery_at: Option<DateTime<Utc>>,
    pub has_token: bool,
    pub retention_days: i32,
    /// How far the newest stored event is behind now, in minutes (`None`: nothing stored).
    pub lag_minutes: Option<i64>,
    /// What the tenant's events take, as the hourly retention run last measured: (events kept, bytes, when).
    pub storage: Option<(i64, i64, DateTime<Utc>)>,
}

/// A page of search results with what the form offers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogsResults {
    pub rows: Vec<EventRow>,
    /// The `after` of the next page, when there is one.
    pub next: Option<String>,
    pub tenants: Vec<(TenantId, String)>,
    /// (value, text) of the event-type filter: categories first, then codes.
    pub kinds: Vec<(String, String)>,
    pub progress: Vec<ProgressRow>,
    /// How each tenant's logs get out of Auth0, with the findings.
    pub health: Vec<HealthRow>,
    pub took_ms: u64,
}

/// One stored event with everything Auth0 sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventDetail {
    pub row: EventRow,
    pub type_description: String,
    pub strategy: Option<String>,
    pub hostname: Option<String>,
    pub user_agent: Option<String>,
    /// `pull`, `stream` or `import`.
    pub source: String,
    pub received_at: DateTime<Utc>,
    /// The event as Auth0 sent it, indented.
    pub payload: String,
}

/// An item that could not be read as an event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuarantineRow {
    pub tenant_name: String,
    pub received_at: DateTime<Utc>,
    pub source: String,
    pub reason: String,
    pub item: String,
}

/// What the logs pages need from the engine.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait LogsPort: Send + Sync + 'static {
    async fn search(&self, query: LogsQuery) -> Result<LogsResults, AppError>;
    async fn event(&self, tenant: TenantId, log_id: String) -> Result<EventDetail, AppError>;
    async fn quarantine(&self) -> Result<Vec<QuarantineRow>, AppError>;
    /// The last 50 events of a user (id or name) across tenants, failures first.
    async fn user_events(&self, user: String) -> Result<Vec<EventRow>, AppError>;
    /// The tenant's log-stream receiver: its address (under the console's public URL, else `origin`) and token.
    async fn receiver(&self, tenant: TenantId, origin: String) -> Result<ReceiverInfo, AppError>;
    /// Sets how many days the tenant's events are kept (`days` empty: the server's default), audit-logged.
    async fn set_retention(&self, by: &crate::accounts::Acting, tenant: TenantId, days: &str) -> Result<(), AppError>;
}
