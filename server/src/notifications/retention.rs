//! Retention (`notifications.prune`, hourly): notifications not updated for the retention period (default two
//! years) go with their timelines, deliveries and outbox rows; finished outbox rows go a week after they finished
//! (the delivery log keeps what happened); "Send test" attempts go after 30 days.

use chrono::{DateTime, TimeDelta, Utc};
use sqlx::PgPool;

use crate::scheduler::Job;

pub const KIND: &str = crate::scheduler::kinds::NOTIFICATIONS_PRUNE;
pub const INTERVAL: std::time::Duration = std::time::Duration::from_secs(3600);
/// How long a finished outbox row is kept.
pub const OUTBOX_DAYS: i64 = 7;
/// How long "Send test" attempts are kept.
pub const TEST_DAYS: i64 = 30;

/// What one prune removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub notifications: u64,
    pub outbox: u64,
    pub tests: u64,
}

/// Prunes at `now`, keeping notifications updated within `keep`.
pub async fn prune(pool: &PgPool, keep: TimeDelta, now: DateTime<Utc>) -> Result<Pruned, sqlx::Error> {
    let notifications = sqlx::query("DELETE FROM notifications WHERE updated_at < $1")
        .bind(now - keep)
        .execute(pool)
        .await?
        .rows_affected();
    let outbox = sqlx::query("DELETE FROM notifications_outbox WHERE state <> 'pending' AND finished_at < $1")
        .bind(now - TimeDelta::days(OUTBOX_DAYS))
        .execute(pool)
        .await?
        .rows_affected();
    let tests = sqlx::query("DELETE FROM notifications_deliveries WHERE test AND at < $1")
        .bind(now - TimeDelta::days(TEST_DAYS))
        .execute(pool)
        .await?
        .rows_affected();
    Ok(Pruned { notifications, outbox, tests })
}

/// The prune as a scheduler job (`notifications.prune` / `all`).
pub struct PruneJob {
    pub pool: PgPool,
    pub keep: TimeDelta,
}

#[async_trait::async_trait]
impl Job for PruneJob {
    fn kind(&self) -> &'static str {
        KIND
    }

    async fn run_once(&self, _key: &str, now: DateTime<Utc>) -> Result<(), String> {
        let pruned = prune(&self.pool, self.keep, now).await.map_err(|e| e.to_string())?;
        if pruned != Pruned::default() {
            tracing::info!(?pruned, "notifications pruned");
        }
        Ok(())
    }
}
