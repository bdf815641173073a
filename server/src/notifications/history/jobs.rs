//! The history's scheduler jobs. `notifications.collect` (every 30 s): compares the watched console state (tenant
//! polls and findings) with `notifications_watch` and records what changed, under an advisory lock so one replica
//! collects at a time; its first passes after the upgrade also catch up the other areas' uncollected events
//! (`catch_up`). `notifications.prune` (hourly): retention.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use sqlx::PgPool;

use super::model::FindingsSource;
use super::{catch_up, repo, watch};
use crate::scheduler::Job;

pub const COLLECT_KIND: &str = crate::scheduler::kinds::NOTIFICATIONS_COLLECT;
pub const COLLECT_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);
pub const PRUNE_KIND: &str = crate::scheduler::kinds::NOTIFICATIONS_PRUNE;
pub const PRUNE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(3600);
/// How long a finished outbox row is kept.
pub const OUTBOX_DAYS: i64 = 7;
/// How long "Send test" attempts are kept.
pub const TEST_DAYS: i64 = 30;

/// Why a collector pass failed.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("custom-domain findings: {0}")]
    Findings(sqlx::Error),
}

/// One pass at `now`: the catch-up (until done) and the watched console state; returns how many updates were
/// added. `paid_limit` is the tenants setting the tenant findings are computed with.
pub async fn collect(
    pool: &PgPool,
    findings: &dyn FindingsSource,
    now: DateTime<Utc>,
    paid_limit: usize,
) -> Result<usize, CollectError> {
    let mut tx = pool.begin().await?;
    // One collector at a time (replicas): the others skip this pass.
    if !repo::try_collector_lock(&mut tx).await? {
        return Ok(0);
    }
    let mut added = catch_up::run(&mut tx, now).await?;
    // One read of the registry serves both the polls and the findings.
    let cells = crate::tenants::port::cells(pool).await?;
    let domains = findings.findings().await.map_err(CollectError::Findings)?;
    added += watch::run(&mut tx, &cells, &domains, now, paid_limit).await?;
    tx.commit().await?;
    Ok(added)
}

/// `notifications.collect` / `all`. `findings`: the custom-domain findings (the server passes the domains area's).
pub struct CollectJob {
    pub pool: PgPool,
    pub paid_limit: usize,
    pub findings: Arc<dyn FindingsSource>,
}

#[async_trait::async_trait]
impl Job for CollectJob {
    fn kind(&self) -> &'static str {
        COLLECT_KIND
    }

    async fn run_once(&self, _key: &str, now: DateTime<Utc>) -> Result<(), String> {
        collect(&self.pool, self.findings.as_ref(), now, self.paid_limit).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

/// What one prune removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub notifications: u64,
    pub outbox: u64,
    pub tests: u64,
}

/// Prunes at `now`, keeping notifications updated within `keep`: notifications not updated for that long go with
/// their timelines, deliveries and outbox rows; finished outbox rows go a week after they finished (the delivery
/// log keeps what happened); "Send test" attempts go after 30 days.
pub async fn prune(pool: &PgPool, keep: TimeDelta, now: DateTime<Utc>) -> Result<Pruned, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    Ok(Pruned {
        notifications: repo::prune_notifications(&mut conn, now - keep).await?,
        outbox: repo::prune_outbox(&mut conn, now - TimeDelta::days(OUTBOX_DAYS)).await?,
        tests: repo::prune_tests(&mut conn, now - TimeDelta::days(TEST_DAYS)).await?,
    })
}

/// The prune as a scheduler job (`notifications.prune` / `all`).
pub struct PruneJob {
    pub pool: PgPool,
    pub keep: TimeDelta,
}

#[async_trait::async_trait]
impl Job for PruneJob {
    fn kind(&self) -> &'static str {
        PRUNE_KIND
    }

    async fn run_once(&self, _key: &str, now: DateTime<Utc>) -> Result<(), String> {
        let pruned = prune(&self.pool, self.keep, now).await.map_err(|e| e.to_string())?;
        if pruned != Pruned::default() {
            tracing::info!(?pruned, "notifications pruned");
        }
        Ok(())
    }
}
