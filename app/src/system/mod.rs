//! About / System: what this Tenantry server is and whether its database is healthy.
//!
//! This module is the pattern every area copies: DTOs the page shows, a port trait (under `ssr`) the server
//! implements, a thin `#[server]` function that calls the port, and a page that reads it with `SsrMode::Async`.

mod page;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub use page::SystemPage;

/// What the About / System page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SystemInfo {
    /// The server's version (Cargo package version).
    pub version: String,
    /// When this server process started.
    pub started_at: DateTime<Utc>,
    /// Seconds since start, measured when the page was read.
    pub uptime_secs: u64,
    pub database: DatabaseStatus,
    /// The migrations the database has recorded, oldest first; `None` when the database could not be read.
    pub migrations: Option<Vec<AppliedMigration>>,
    /// Migrations this build knows that the database has not applied.
    pub pending_migrations: Vec<String>,
    /// This installation, from the database; `None` when the database could not be read.
    pub installation: Option<Installation>,
}

/// Whether the database answered, and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum DatabaseStatus {
    Up { server_version: String, latency_ms: u64 },
    Down { reason: String },
}

/// One row of the database's migration record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppliedMigration {
    pub version: i64,
    pub description: String,
    pub installed_on: DateTime<Utc>,
    pub success: bool,
}

/// The installation record written by the first migration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Installation {
    pub instance_id: String,
    pub installed_at: DateTime<Utc>,
}

/// What the System page needs from the engine.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait SystemPort: Send + Sync + 'static {
    /// Reads version, uptime, database health and migrations. A down database is part of the answer, not an
    /// error: the page must still render during an outage.
    async fn system_info(&self) -> Result<SystemInfo, AppError>;
}

/// Reads the System page's data through the `SystemPort`.
#[server(endpoint = "system/info")]
pub async fn load_system_info() -> Result<SystemInfo, AppError> {
    expect_context::<std::sync::Arc<dyn SystemPort>>().system_info().await
}
