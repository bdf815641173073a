//! The domains area's scheduler jobs: `domains.sync` / `all` copies every tenant's custom domains from its latest
//! snapshot (scheduling a check of each) and prunes old single checks; `domains.check` / domain id checks one
//! domain and records the result. Each `run_once` is one step at a given `now`; the scheduler runs the loop.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::check::Checker;
use super::model::DomainId;
use super::service;
use crate::scheduler::{self, Job};

pub const SYNC_KIND: &str = crate::scheduler::kinds::DOMAINS_SYNC;
pub const CHECK_KIND: &str = crate::scheduler::kinds::DOMAINS_CHECK;
pub const SYNC_INTERVAL: Duration = crate::scheduler::kinds::SYNC_INTERVAL;

/// How long each single check is kept (one row per domain per interval: 144 a day at 10 minutes). The latest state
/// is on the domain and every change is an event, both kept.
pub const CHECKS_KEPT: chrono::TimeDelta = chrono::TimeDelta::days(30);

/// `domains.sync` / `all`.
pub struct SyncJob {
    pub pool: PgPool,
    /// How often each domain is checked.
    pub interval: Duration,
}

#[async_trait::async_trait]
impl Job for SyncJob {
    fn kind(&self) -> &'static str {
        SYNC_KIND
    }

    async fn run_once(&self, _key: &str, now: DateTime<Utc>) -> Result<(), String> {
        let step = async {
            service::sync(&self.pool, self.interval, now).await?;
            service::prune_checks(&self.pool, now - CHECKS_KEPT).await
        };
        step.await.map(|_| ()).map_err(|e| e.to_string())
    }
}

/// `domains.check` / domain id.
pub struct CheckJob {
    pub pool: PgPool,
    pub checker: Arc<Checker>,
}

#[async_trait::async_trait]
impl Job for CheckJob {
    fn kind(&self) -> &'static str {
        CHECK_KIND
    }

    async fn run_once(&self, key: &str, now: DateTime<Utc>) -> Result<(), String> {
        let id = key.parse::<DomainId>().map_err(|_| format!("{key:?} is not a domain id"))?;
        service::check(&self.pool, &self.checker, id, now).await.map_err(|e| e.to_string())
    }
}

/// Makes sure the sync job exists (called at start).
pub async fn ensure_sync(pool: &PgPool, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    scheduler::ensure(&mut conn, SYNC_KIND, "all", SYNC_INTERVAL, now).await
}
