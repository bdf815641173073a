//! The durable scheduler: every recurring job is a row in `scheduler_jobs`. Workers lease due rows with
//! `FOR UPDATE SKIP LOCKED`, run the job's pure step `run_once(key, now)`, and write the next run time: the
//! interval plus jitter after a success, exponential backoff (capped at the interval) after a failure. A worker
//! that dies loses its lease when it expires, and another worker picks the job up.

pub mod kinds;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use tokio::sync::{Semaphore, watch};

/// A job's work for one key (a tenant id, a domain…), given the time to act as "now".
#[async_trait::async_trait]
pub trait Job: Send + Sync + 'static {
    /// The job kind, as stored in `scheduler_jobs.kind`.
    fn kind(&self) -> &'static str;
    /// Does the work once. An `Err` is a failure to retry with backoff; its text is shown to people.
    async fn run_once(&self, key: &str, now: DateTime<Utc>) -> Result<(), String>;
}

/// A job row a worker holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leased {
    pub id: i64,
    pub kind: String,
    pub key: String,
    pub interval_secs: i32,
    pub due_at: DateTime<Utc>,
    /// When this run was planned to start (`next_run_at` when leased).
    pub planned_at: DateTime<Utc>,
    pub attempts: i32,
}

/// How often a server's worker loop looks for due jobs.
pub const TICK: Duration = Duration::from_millis(250);
/// The longest a lease lasts (a job's lease is also at most one of its intervals, so a check whose worker died is
/// taken over within one interval); a job running longer may be taken over, so jobs must finish well within it.
pub const LEASE: Duration = Duration::from_secs(120);
/// The longest wait after failures (also capped by the job's interval).
pub const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);

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

/// After the tenant registry changed (or a snapshot brought news): every job that follows it is made sure of and
/// runs soon, in the caller's transaction.
pub async fn registry_changed(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    for kind in kinds::REGISTRY_FOLLOWERS {
        ensure(conn, kind, "all", kinds::SYNC_INTERVAL, now).await?;
        run_soon(conn, kind, "all", now).await?;
    }
    Ok(())
}

/// Pauses (removes) or resumes (ensures, due at `now`) the job that polls something people can pause; returns
/// the word the audit log records.
pub async fn set_enabled(
    conn: &mut PgConnection,
    kind: &str,
    key: &str,
    enabled: bool,
    interval: Duration,
    now: DateTime<Utc>,
) -> Result<&'static str, sqlx::Error> {
    if enabled {
        ensure(conn, kind, key, interval, now).await?;
        Ok("resumed")
    } else {
        remove(conn, kind, key).await?;
        Ok("paused")
    }
}

/// Removes a job (its tenant was removed).
pub async fn remove(conn: &mut PgConnection, kind: &str, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM scheduler_jobs WHERE kind = $1 AND key = $2", kind, key).execute(conn).await?;
    Ok(())
}

/// Leases up to `limit` due jobs for `worker`. Rows another worker is leasing are skipped, not waited for.
pub async fn lease(pool: &PgPool, worker: &str, now: DateTime<Utc>, limit: i64) -> Result<Vec<Leased>, sqlx::Error> {
    let until = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
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
    .fetch_all(pool)
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

/// When a job runs next, as (place in the schedule, time it runs). After a success: the next interval step
/// (never in the past), run up to 10 % of an interval later (jitter, so jobs on one schedule spread out; it is not
/// carried into the schedule, so it never accumulates). After a failure: the same step, retried 30 s later,
/// doubling per attempt, capped by the interval and `MAX_BACKOFF`.
pub fn next_run(job: &Leased, ok: bool, now: DateTime<Utc>, jitter_fraction: f64) -> (DateTime<Utc>, DateTime<Utc>) {
    let interval = chrono::Duration::seconds(i64::from(job.interval_secs));
    if ok {
        let fraction = jitter_fraction.clamp(0.0, 1.0);
        let jitter = chrono::Duration::milliseconds((interval.num_milliseconds() as f64 * 0.1 * fraction) as i64);
        let mut step = job.due_at + interval;
        if step <= now {
            step = now + interval;
        }
        (step, step + jitter)
    } else {
        let attempt = u32::try_from(job.attempts.max(0)).unwrap_or(0).min(16);
        let backoff = chrono::Duration::seconds(30 * 2i64.pow(attempt));
        let cap = interval.min(chrono::Duration::from_std(MAX_BACKOFF).unwrap_or(interval));
        (job.due_at, now + backoff.min(cap))
    }
}

/// Records a finished run and frees the job; the next run is computed from `now`, the time the step acted at.
/// Only the worker holding the lease may complete it.
pub async fn complete(
    pool: &PgPool,
    worker: &str,
    job: &Leased,
    now: DateTime<Utc>,
    (started, finished): (DateTime<Utc>, DateTime<Utc>),
    result: &Result<(), String>,
) -> Result<(), sqlx::Error> {
    let jitter = f64::from(
        argon2::password_hash::rand_core::RngCore::next_u32(&mut argon2::password_hash::rand_core::OsRng) % 1000,
    ) / 1000.0;
    let (step, next) = next_run(job, result.is_ok(), now, jitter);
    let error = result.as_ref().err().map(|e| e.chars().take(2000).collect::<String>());
    let mut tx = pool.begin().await?;
    // A "Run now" that arrived during this run moved next_run_at past the planned start: it is kept (due at once),
    // not overwritten by the next interval step.
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
        result.is_ok(),
        error,
        finished as _,
        step as _,
        job.planned_at as _
    )
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 1 {
        sqlx::query!(
            "INSERT INTO scheduler_runs (job_id, due_at, planned_at, started_at, finished_at, worker, ok, error)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            job.id,
            job.due_at as _,
            job.planned_at as _,
            started as _,
            finished as _,
            worker,
            result.is_ok(),
            error
        )
        .execute(&mut *tx)
        .await?;
    } else {
        tracing::warn!(job.id = job.id, job.kind = %job.kind, "lease lost before the run finished; result dropped");
    }
    tx.commit().await
}

/// Deletes run records older than `before` (the runs table is a recent history, not an archive).
pub async fn prune_runs(pool: &PgPool, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!("DELETE FROM scheduler_runs WHERE started_at < $1", before as _).execute(pool).await?;
    Ok(done.rows_affected())
}

/// The jobs a worker can run, by kind.
#[derive(Clone, Default)]
pub struct Registry {
    jobs: HashMap<&'static str, Arc<dyn Job>>,
}

impl Registry {
    pub fn with(mut self, job: Arc<dyn Job>) -> Self {
        self.jobs.insert(job.kind(), job);
        self
    }
}

/// Leases and runs one batch: the step the worker loop repeats (tests call it with a fixed `now`).
pub async fn run_due(
    pool: &PgPool,
    registry: &Registry,
    worker: &str,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<usize, sqlx::Error> {
    let leased = lease(pool, worker, now, limit).await?;
    let count = leased.len();
    let mut running = Vec::new();
    for job in leased {
        let handler = registry.jobs.get(job.kind.as_str()).cloned();
        let (pool, worker) = (pool.clone(), worker.to_string());
        running.push(tokio::spawn(async move {
            let started = Utc::now();
            let result = match handler {
                Some(handler) => handler.run_once(&job.key, now).await,
                None => Err(format!("no handler for job kind {}", job.kind)),
            };
            let times = (started, Utc::now());
            if let Err(error) = complete(&pool, &worker, &job, now, times, &result).await {
                tracing::warn!(%error, job.id = job.id, "cannot record the run");
            }
        }));
    }
    for task in running {
        let _ = task.await;
    }
    Ok(count)
}

/// The worker loop: every `tick`, runs what is due (at most `concurrency` at once) until `stopped` turns true.
pub async fn run(
    pool: PgPool,
    registry: Registry,
    worker: String,
    concurrency: usize,
    tick: Duration,
    mut stopped: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = interval.tick() => {
                let free = slots.available_permits() as i64;
                if free == 0 { continue; }
                let permit = match slots.clone().acquire_many_owned(free as u32).await { Ok(p) => p, Err(_) => break };
                let (pool, registry, worker) = (pool.clone(), registry.clone(), worker.clone());
                tokio::spawn(async move {
                    if let Err(error) = run_due(&pool, &registry, &worker, Utc::now(), free).await {
                        tracing::warn!(%error, "scheduler: cannot lease jobs");
                    }
                    drop(permit);
                });
            }
            _ = stopped.changed() => break,
        }
    }
}
