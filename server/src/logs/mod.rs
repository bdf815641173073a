//! The `logs` area: Auth0 tenant logs kept longer than Auth0 keeps them (1 to 30 days by plan), searchable across
//! tenants. Events arrive three ways — pulled from `GET /api/v2/logs` with checkpoint paging (`jobs`), posted by
//! a log stream to the receiver (`POST /hooks/logs/{tenant id}`, `http::hooks`), or imported from files
//! (`tenantry logs import`, `file`) — and all go through `service::store`: one transaction per batch, a second
//! delivery of an event ignored, bad items quarantined with their reason.
//!
//! Files: `model` (sources, events, Auth0's event-code catalog `event_types.csv`) · `parse` (every input shape,
//! streaming and bounded) · `repo` (all of the area's SQL; `repo::search` the pages' reads) · `service` (storing
//! a batch, the receiver's token) · `jobs` (`logs.pull` per tenant, `logs.retention`) · `health` (stream health, `logs.health`, its findings recorded as
//! notifications) · `file` (import) · `export` (CSV and JSON Lines, streamed) · `cli` (`tenantry logs …`) ·
//! `port` (the pages' `LogsPort`) · `rollup` (per-minute counts kept at ingest; SQL in `repo::minutes`) ·
//! `limits` (`api_limit`, `api_limit_warning`, `depnote` as notices, per tenant, code and hour).

pub mod cli;
pub mod export;
pub mod file;
pub mod health;
pub mod jobs;
pub mod limits;
pub mod model;
pub mod parse;
pub mod port;
pub mod repo;
pub mod rollup;
pub mod service;

/// The logs settings the server runs with.
#[derive(Clone, Copy, Debug)]
pub struct LogsOptions {
    /// The largest body the receiver reads.
    pub max_body_bytes: usize,
    /// Items and item sizes the receiver and the import accept.
    pub limits: parse::Limits,
    /// How long events are kept unless a tenant says otherwise.
    pub retention_days: i32,
}

impl Default for LogsOptions {
    fn default() -> Self {
        LogsOptions { max_body_bytes: 10 * 1024 * 1024, limits: parse::Limits::default(), retention_days: 400 }
    }
}
