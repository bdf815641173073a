//! The `monitoring.rollup` job: every run already added itself to its hour's row (runs, successes, a latency
//! histogram with fixed buckets, so percentiles survive aggregation); this hourly job folds finished days into day
//! rows and deletes what is past its retention (raw runs 7 days, hours 90 days, days 2 years by default), and prunes
//! the scheduler's own run records.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, DurationRound, Utc};
use sqlx::PgPool;

pub use crate::config::Retention;
use crate::monitoring::model::{CheckId, Tally};
use crate::monitoring::repo::runs::{self, RollupRow};
use crate::scheduler::Job;

pub const KIND: &str = crate::scheduler::kinds::MONITORING_ROLLUP;
pub const INTERVAL: Duration = Duration::from_secs(3600);

/// What one roll-up pass did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RolledUp {
    pub days_written: u64,
    pub runs_deleted: u64,
    pub hours_deleted: u64,
    pub days_deleted: u64,
}

/// Why a roll-up pass failed.
#[derive(Debug, thiserror::Error)]
pub enum RollupError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Hour rows added up per check and day.
pub fn days_of(hours: &[RollupRow]) -> BTreeMap<(CheckId, DateTime<Utc>), Tally> {
    let mut days: BTreeMap<(CheckId, DateTime<Utc>), Tally> = BTreeMap::new();
    for row in hours {
        let day = row.bucket.duration_trunc(chrono::Duration::days(1)).unwrap_or(row.bucket);
        days.entry((row.check_id, day)).or_default().add(&Tally::of_row(row.runs, row.ok, &row.histogram));
    }
    days
}

/// Folds the hours of finished days (up to 3 days back) into day rows and applies retention, in one transaction.
pub async fn roll_up(pool: &PgPool, retention: Retention, now: DateTime<Utc>) -> Result<RolledUp, RollupError> {
    let today = now.duration_trunc(chrono::Duration::days(1)).unwrap_or(now);
    let mut tx = pool.begin().await?;
    let hours = runs::hours_between(&mut tx, today - chrono::Duration::days(3), today).await?;
    let mut done = RolledUp::default();
    let int = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
    for ((check, day), tally) in days_of(&hours) {
        let histogram: Vec<i32> = tally.histogram.into_iter().map(int).collect();
        done.days_written += runs::upsert_day(&mut tx, check, day, int(tally.runs), int(tally.ok), &histogram).await?;
    }
    done.runs_deleted = runs::delete_runs_before(&mut tx, now - retention.raw).await?;
    done.hours_deleted = runs::delete_rollups_before(&mut tx, "hour", now - retention.hourly).await?;
    done.days_deleted = runs::delete_rollups_before(&mut tx, "day", now - retention.daily).await?;
    tx.commit().await?;
    Ok(done)
}

/// The roll-up as a scheduler job (`monitoring.rollup` / `all`, hourly).
pub struct RollupJob {
    pub pool: PgPool,
    pub retention: Retention,
}

#[async_trait::async_trait]
impl Job for RollupJob {
    fn kind(&self) -> &'static str {
        KIND
    }

    async fn run_once(&self, _key: &str, now: DateTime<Utc>) -> Result<(), String> {
        let run = async {
            let done = roll_up(&self.pool, self.retention, now).await?;
            // The scheduler's own run records (every job, every interval) are kept two days.
            let pruned = crate::scheduler::prune_runs(&self.pool, now - chrono::Duration::days(2)).await?;
            tracing::info!(?done, scheduler_runs_pruned = pruned, "monitoring roll-up");
            Ok::<(), RollupError>(())
        };
        run.await.map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitoring::model::bucket_of;
    use chrono::TimeZone;
    use uuid::Uuid;

    #[test]
    fn hours_add_up_into_their_check_and_day() {
        let day = Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).single().expect("date");
        let (a, b) = (CheckId(Uuid::from_u128(1)), CheckId(Uuid::from_u128(2)));
        let mut histogram = [0; crate::monitoring::model::BUCKETS];
        histogram[bucket_of(40)] = 2;
        let row = |check, hours, runs, ok| RollupRow {
            check_id: check,
            bucket: day + chrono::Duration::hours(hours),
            runs,
            ok,
            histogram: histogram.iter().map(|n| n * runs / 2).collect(),
        };
        let days = days_of(&[row(a, 1, 2, 2), row(a, 2, 2, 1), row(a, 30, 2, 2), row(b, 1, 4, 4)]);
        assert_eq!(days.len(), 3);
        let first = &days[&(a, day)];
        assert_eq!((first.runs, first.ok, first.histogram[bucket_of(40)]), (4, 3, 4));
        assert_eq!(days[&(a, day + chrono::Duration::days(1))].runs, 2);
        assert_eq!(days[&(b, day)].histogram.iter().sum::<i64>(), 4);
    }
}
