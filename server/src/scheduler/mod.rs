//! The durable scheduler: every recurring job is a row in `scheduler_jobs`. Workers lease due rows with
//! `FOR UPDATE SKIP LOCKED`, run the job's pure step `run_once(key, now)`, and write the next run time: the
//! interval plus jitter after a success, exponential backoff (capped at the interval) after a failure. A worker
//! that dies loses its lease when it expires, and another worker picks the job up.

pub mod kinds;
mod repo;

pub use repo::lateness;

pub use repo::{ensure, remove, run_soon};

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
    /// The longest one run may take; a run still going then is cut off and counts as a failure. Never more than
    /// nine tenths of the job's lease, so a cut-off run never overlaps the next worker's.
    fn time_limit(&self) -> Duration {
        DEFAULT_TIME_LIMIT
    }
}

/// A run's time limit unless its job says otherwise.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(60);

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

/// Leases up to `limit` due jobs for `worker`. Rows another worker is leasing are skipped, not waited for.
pub async fn lease(pool: &PgPool, worker: &str, now: DateTime<Utc>, limit: i64) -> Result<Vec<Leased>, sqlx::Error> {
    let until = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
    repo::lease(&mut *pool.acquire().await?, worker, now, until, limit).await
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
    let updated = repo::finish(&mut tx, job, worker, (step, next), result.is_ok(), error.as_deref(), finished).await?;
    if updated {
        repo::record_run(&mut tx, job, worker, (started, finished), result.is_ok(), error.as_deref()).await?;
    } else {
        tracing::warn!(job.id = job.id, job.kind = %job.kind, "lease lost before the run finished; result dropped");
    }
    tx.commit().await
}

/// Deletes run records older than `before` (the runs table is a recent history, not an archive).
pub async fn prune_runs(pool: &PgPool, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    repo::prune_runs(&mut *pool.acquire().await?, before).await
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

/// The time limit of one run of `job`: the handler's, at most nine tenths of the lease it holds.
fn limit_for(handler: &dyn Job, job: &Leased) -> Duration {
    let lease = LEASE.min(Duration::from_secs(u64::try_from(job.interval_secs.max(1)).unwrap_or(1)));
    handler.time_limit().min(lease.mul_f64(0.9))
}

/// Runs one leased job within its time limit and records the run.
async fn run_one(pool: PgPool, registry: Registry, worker: String, job: Leased, now: DateTime<Utc>) {
    let started = Utc::now();
    let result = match registry.jobs.get(job.kind.as_str()).cloned() {
        Some(handler) => {
            let limit = limit_for(handler.as_ref(), &job);
            match tokio::time::timeout(limit, handler.run_once(&job.key, now)).await {
                Ok(result) => result,
                Err(_) => {
                    metrics::counter!("scheduler_runs_cut_off_total", "kind" => handler.kind()).increment(1);
                    Err(format!(
                        "cut off after {} s, its time limit; it will be tried again (is the target answering?)",
                        limit.as_secs()
                    ))
                }
            }
        }
        None => Err(format!("no handler for job kind {}", job.kind)),
    };
    let times = (started, Utc::now());
    if let Err(error) = complete(&pool, &worker, &job, now, times, &result).await {
        tracing::warn!(%error, job.id = job.id, "cannot record the run");
    }
}

/// Leases and runs one batch, waiting for all of it: a step tests call with a fixed `now`. (The worker loop does
/// not wait for a batch: each job holds one slot.)
pub async fn run_due(
    pool: &PgPool,
    registry: &Registry,
    worker: &str,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<usize, sqlx::Error> {
    let leased = lease(pool, worker, now, limit).await?;
    let count = leased.len();
    let running: Vec<_> = leased
        .into_iter()
        .map(|job| tokio::spawn(run_one(pool.clone(), registry.clone(), worker.to_string(), job, now)))
        .collect();
    for task in running {
        let _ = task.await;
    }
    Ok(count)
}

/// The worker loop: every `tick`, leases as many due jobs as there are free slots and starts each in its own slot
/// (at most `concurrency` at once); a slow job holds only its own slot, and is cut at its time limit. Stops when
/// `stopped` turns true.
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
                let free = slots.available_permits();
                if free == 0 { continue; }
                let now = Utc::now();
                let leased = match lease(&pool, &worker, now, free as i64).await {
                    Ok(leased) => leased,
                    Err(error) => {
                        tracing::warn!(%error, "scheduler: cannot lease jobs");
                        continue;
                    }
                };
                for job in leased {
                    let Ok(slot) = slots.clone().try_acquire_owned() else { break };
                    let (pool, registry, worker) = (pool.clone(), registry.clone(), worker.clone());
                    tokio::spawn(async move {
                        run_one(pool, registry, worker, job, now).await;
                        drop(slot);
                    });
                }
            }
            _ = stopped.changed() => break,
        }
    }
}
