//! The scheduler's SQL: jobs (ensured, run soon, removed, leased, finished) and the runs they record.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::Leased;

/// Creates or updates a recurring job; a new one is due at `first_run`.
pub async fn ensure(
    conn: &mut PgConnection,
    kind: &str,
    key: &str,
    interval: Duration,
    first_run: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let interval = i32::try_from(interval.as_secs().max(1)).unwrap_or(i32::MAX);
    sqlx::query!(
        "INSERT INTO scheduler_jobs (kind, key, interval_secs, scheduled_for, next_run_at) VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (kind, key) DO UPDATE SET interval_secs = EXCLUDED.interval_secs",
        kind,
        key,
        interval,
        first_run as _
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Makes a job due now (a "Refresh now" button).
pub async fn run_soon(conn: &mut PgConnection, kind: &str, key: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE scheduler_jobs SET next_run_at = $3, scheduled_for = $3 WHERE kind = $1 AND key = $2",
        kind,
        key,
        now as _
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Removes a job (its tenant was removed).
pub async fn remove(conn: &mut PgConnection, kind: &str, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM scheduler_jobs WHERE kind = $1 AND key = $2", kind, key).execute(conn).await?;
    Ok(())
}

/// Leases up to `limit` due jobs for `worker`. Rows another worker is leasing are skipped, not waited for.
pub async fn lease(
    conn: &mut PgConnection,
    worker: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Leased>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"UPDATE scheduler_jobs
           SET lease_until = LEAST($2, $1 + make_interval(secs => interval_secs)), leased_by = $3
           WHERE id IN (
               SELECT id FROM scheduler_jobs
               WHERE next_run_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
               ORDER BY next_run_at
               FOR UPDATE SKIP LOCKED
               LIMIT $4)
           RETURNING id, kind, key, interval_secs, scheduled_for AS "due_at: DateTime<Utc>",
                     next_run_at AS "planned_at: DateTime<Utc>", attempts"#,
        now as _,
        until as _,
        worker,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Leased {
            id: r.id,
            kind: r.kind,
            key: r.key,
            interval_secs: r.interval_secs,
            due_at: r.due_at,
            planned_at: r.planned_at,
            attempts: r.attempts,
        })
        .collect())
}

/// Frees a finished job and sets its next run, `(step, next)` as `next_run` computed them; `false` when `worker`
/// no longer held the lease (the result is then dropped). A "Run now" that arrived during this run moved
/// next_run_at past the planned start: it is kept (due at once), not overwritten by the next interval step.
pub async fn finish(
    conn: &mut PgConnection,
    job: &Leased,
    worker: &str,
    (step, next): (DateTime<Utc>, DateTime<Utc>),
    ok: bool,
    error: Option<&str>,
    finished: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query!(
        "UPDATE scheduler_jobs SET
         next_run_at = CASE WHEN next_run_at > $8 THEN LEAST(next_run_at, $3) ELSE $3 END,
         scheduled_for = CASE WHEN next_run_at > $8 THEN LEAST(next_run_at, $7) ELSE $7 END,
         lease_until = NULL, leased_by = NULL,
         runs = runs + 1,
         attempts = CASE WHEN $4 THEN 0 ELSE attempts + 1 END,
         last_error = $5, last_run_at = $6,
         last_success_at = CASE WHEN $4 THEN $6 ELSE last_success_at END
     WHERE id = $1 AND leased_by = $2",
        job.id,
        worker,
        next as _,
        ok,
        error,
        finished as _,
        step as _,
        job.planned_at as _
    )
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Records one run with its due, planned, start and finish times.
pub async fn record_run(
    conn: &mut PgConnection,
    job: &Leased,
    worker: &str,
    (started, finished): (DateTime<Utc>, DateTime<Utc>),
    ok: bool,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO scheduler_runs (job_id, due_at, planned_at, started_at, finished_at, worker, ok, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        job.id,
        job.due_at as _,
        job.planned_at as _,
        started as _,
        finished as _,
        worker,
        ok,
        error
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes run records older than `before` (the runs table is a recent history, not an archive).
pub async fn prune_runs(conn: &mut PgConnection, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!("DELETE FROM scheduler_runs WHERE started_at < $1", before as _).execute(conn).await?;
    Ok(done.rows_affected())
}

/// Jobs due and not leased at `now`, and the earliest planned start among them, for `/metrics`.
pub async fn lateness(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
) -> Result<(i64, Option<DateTime<Utc>>), sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT count(*) AS "due!", min(next_run_at) AS "earliest: DateTime<Utc>"
             FROM scheduler_jobs WHERE next_run_at <= $1 AND (lease_until IS NULL OR lease_until < $1)"#,
        now as _
    )
    .fetch_one(conn)
    .await?;
    Ok((row.due, row.earliest))
}
