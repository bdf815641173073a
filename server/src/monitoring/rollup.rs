//! Roll-ups: every run adds itself to its hour's row (runs, successes, a latency histogram with fixed buckets, so
//! percentiles survive aggregation); the roll-up job folds finished days into day rows and deletes what is past
//! its retention (raw runs 7 days, hours 90 days, days 2 years by default).

pub use crate::config::Retention;
use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, DurationRound, Utc};
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use crate::scheduler::Job;

/// Upper bounds (ms) of the latency buckets; a last bucket holds everything slower.
pub const BOUNDS_MS: [i32; 13] = [25, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10_000];
pub const BUCKETS: usize = BOUNDS_MS.len() + 1;

pub fn bucket_of(latency_ms: i32) -> usize {
    BOUNDS_MS.iter().position(|b| latency_ms <= *b).unwrap_or(BOUNDS_MS.len())
}

/// The latency at or under which a share `p` of the runs fell: the upper bound of the bucket that reaches `p`
/// (`None` without runs; the slowest bucket answers with its lower bound, 10 s).
pub fn percentile(histogram: &[i64], p: f64) -> Option<i32> {
    let total: i64 = histogram.iter().sum();
    if total == 0 {
        return None;
    }
    let wanted = (p * total as f64).ceil().max(1.0) as i64;
    let mut seen = 0;
    for (i, n) in histogram.iter().enumerate() {
        seen += n;
        if seen >= wanted {
            return Some(*BOUNDS_MS.get(i).unwrap_or(&BOUNDS_MS[BOUNDS_MS.len() - 1]));
        }
    }
    Some(BOUNDS_MS[BOUNDS_MS.len() - 1])
}

/// Sums histograms element by element.
pub fn merge(into: &mut [i64], add: &[i32]) {
    for (a, b) in into.iter_mut().zip(add) {
        *a += i64::from(*b);
    }
}

/// Adds one run to its hour's row.
pub async fn add_run(
    conn: &mut PgConnection,
    check: Uuid,
    at: DateTime<Utc>,
    ok: bool,
    latency_ms: i32,
) -> Result<(), sqlx::Error> {
    let hour = at.duration_trunc(chrono::Duration::hours(1)).unwrap_or(at);
    let bucket = bucket_of(latency_ms);
    let mut fresh = vec![0i32; BUCKETS];
    fresh[bucket] = 1;
    sqlx::query(
        "INSERT INTO monitoring_rollups (check_id, period, bucket, runs, ok, histogram) VALUES ($1, 'hour', $2, 1, $3, $4)
         ON CONFLICT (check_id, period, bucket) DO UPDATE
             SET runs = monitoring_rollups.runs + 1, ok = monitoring_rollups.ok + $3,
                 histogram[$5] = monitoring_rollups.histogram[$5] + 1",
    )
    .bind(check)
    .bind(hour)
    .bind(i32::from(ok))
    .bind(&fresh)
    .bind(bucket as i32 + 1)
    .execute(conn)
    .await?;
    Ok(())
}

/// What one roll-up pass did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RolledUp {
    pub days_written: u64,
    pub runs_deleted: u64,
    pub hours_deleted: u64,
    pub days_deleted: u64,
}

/// Folds the hours of finished days (up to 3 days back) into day rows and applies retention.
pub async fn roll_up(pool: &PgPool, retention: Retention, now: DateTime<Utc>) -> Result<RolledUp, sqlx::Error> {
    let today = now.duration_trunc(chrono::Duration::days(1)).unwrap_or(now);
    let rows = sqlx::query(
        "SELECT check_id, bucket, runs, ok, histogram FROM monitoring_rollups
         WHERE period = 'hour' AND bucket >= $1 AND bucket < $2",
    )
    .bind(today - chrono::Duration::days(3))
    .bind(today)
    .fetch_all(pool)
    .await?;
    // (check, day) → (runs, ok, histogram)
    type Day = (i64, i64, Vec<i64>);
    let mut days: BTreeMap<(Uuid, DateTime<Utc>), Day> = BTreeMap::new();
    for row in rows {
        let at: DateTime<Utc> = row.get("bucket");
        let day = at.duration_trunc(chrono::Duration::days(1)).unwrap_or(at);
        let entry = days.entry((row.get("check_id"), day)).or_insert_with(|| (0, 0, vec![0; BUCKETS]));
        entry.0 += i64::from(row.get::<i32, _>("runs"));
        entry.1 += i64::from(row.get::<i32, _>("ok"));
        merge(&mut entry.2, &row.get::<Vec<i32>, _>("histogram"));
    }
    let mut done = RolledUp::default();
    let mut tx = pool.begin().await?;
    let int = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
    for ((check, day), (runs, ok, histogram)) in days {
        let histogram: Vec<i32> = histogram.into_iter().map(int).collect();
        done.days_written += sqlx::query(
            "INSERT INTO monitoring_rollups (check_id, period, bucket, runs, ok, histogram) VALUES ($1, 'day', $2, $3, $4, $5)
             ON CONFLICT (check_id, period, bucket) DO UPDATE SET runs = $3, ok = $4, histogram = $5",
        )
        .bind(check)
        .bind(day)
        .bind(int(runs))
        .bind(int(ok))
        .bind(&histogram)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    done.runs_deleted = sqlx::query("DELETE FROM monitoring_runs WHERE at < $1")
        .bind(now - retention.raw)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    done.hours_deleted = sqlx::query("DELETE FROM monitoring_rollups WHERE period = 'hour' AND bucket < $1")
        .bind(now - retention.hourly)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    done.days_deleted = sqlx::query("DELETE FROM monitoring_rollups WHERE period = 'day' AND bucket < $1")
        .bind(now - retention.daily)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(done)
}

pub const KIND: &str = crate::scheduler::kinds::MONITORING_ROLLUP;
pub const INTERVAL: Duration = Duration::from_secs(3600);

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
        let done = roll_up(&self.pool, self.retention, now).await.map_err(|e| e.to_string())?;
        // The scheduler's own run records (every job, every interval) are kept two days.
        let pruned = crate::scheduler::prune_runs(&self.pool, now - chrono::Duration::days(2))
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!(?done, scheduler_runs_pruned = pruned, "monitoring roll-up");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_bucket_bounds() {
        let mut h = vec![0i64; BUCKETS];
        h[bucket_of(40)] += 90; // ≤ 50 ms
        h[bucket_of(180)] += 9; // ≤ 200 ms
        h[bucket_of(20_000)] += 1; // slower than 10 s
        assert_eq!(percentile(&h, 0.5), Some(50));
        assert_eq!(percentile(&h, 0.95), Some(200));
        assert_eq!(percentile(&h, 0.999), Some(10_000));
        assert_eq!(percentile(&[0; BUCKETS], 0.5), None);
        assert_eq!((bucket_of(0), bucket_of(25), bucket_of(26), bucket_of(10_001)), (0, 0, 1, 13));
    }
}
