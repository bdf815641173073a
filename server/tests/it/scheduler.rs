//! The durable scheduler with a fixed clock: intervals, jitter bounds, backoff, lease take-over, and two workers
//! on one database never running a job twice in one interval.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use server::scheduler::{self, Job, Leased, Registry};
use sqlx::PgPool;

fn at(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).single().expect("date") + chrono::Duration::seconds(secs)
}

/// Counts runs per key; fails for keys starting with "bad".
#[derive(Default)]
struct Counting {
    runs: Mutex<HashMap<String, u32>>,
}

#[async_trait::async_trait]
impl Job for Counting {
    fn kind(&self) -> &'static str {
        "counting"
    }
    async fn run_once(&self, key: &str, _now: DateTime<Utc>) -> Result<(), String> {
        *self.runs.lock().expect("lock").entry(key.to_string()).or_default() += 1;
        tokio::time::sleep(Duration::from_millis(2)).await;
        if key.starts_with("bad") { Err("the tenant answered 503".into()) } else { Ok(()) }
    }
}

fn leased(interval: i32, due: i64, attempts: i32) -> Leased {
    Leased {
        id: 1,
        kind: "k".into(),
        key: "x".into(),
        interval_secs: interval,
        due_at: at(due),
        planned_at: at(due),
        attempts,
    }
}

#[test]
fn the_next_run_keeps_the_interval_adds_bounded_jitter_and_backs_off_on_failure() {
    let job = leased(900, 0, 0);
    let after_success = |now, jitter| scheduler::next_run(&job, true, now, jitter);
    assert_eq!(after_success(at(3), 0.0), (at(900), at(900)), "one interval after it was due");
    assert_eq!(after_success(at(3), 1.0), (at(900), at(990)), "at most 10 % jitter, not carried");
    assert_eq!(after_success(at(2000), 0.0).0, at(2900), "never scheduled in the past");
    let retry_in =
        |attempts| (scheduler::next_run(&leased(900, 0, attempts), false, at(0), 0.0).1 - at(0)).num_seconds();
    let backoff: Vec<i64> = (0..7).map(retry_in).collect();
    assert_eq!(backoff, [30, 60, 120, 240, 480, 900, 900], "doubling, capped by the interval");
}

#[sqlx::test(migrations = "../migrations")]
async fn due_jobs_are_leased_once_and_an_expired_lease_is_taken_over(pool: PgPool) {
    let mut conn = pool.acquire().await.expect("conn");
    scheduler::ensure(&mut conn, "counting", "due", Duration::from_secs(60), at(0)).await.expect("job");
    scheduler::ensure(&mut conn, "counting", "later", Duration::from_secs(60), at(100)).await.expect("job");
    let first = scheduler::lease(&pool, "a", at(1), 10).await.expect("lease");
    assert_eq!(first.iter().map(|j| j.key.as_str()).collect::<Vec<_>>(), ["due"]);
    assert!(scheduler::lease(&pool, "b", at(2), 10).await.expect("lease").is_empty(), "held by a");
    assert!(scheduler::lease(&pool, "b", at(60), 10).await.expect("lease").is_empty(), "still held by a");
    // Worker a dies: a lease lasts at most one interval (60 s here, under the 120 s cap), then b takes the job.
    let taken = scheduler::lease(&pool, "b", at(62), 10).await.expect("lease");
    let keys: Vec<&str> = taken.iter().map(|j| j.key.as_str()).collect();
    assert_eq!(keys, ["due"], "taken over within one interval; the later job is not due yet");
    // a's late result is dropped: only the lease holder completes.
    scheduler::complete(&pool, "a", &first[0], at(5), (at(1), at(5)), &Ok(())).await.expect("complete");
    let runs: i64 = sqlx::query_scalar("SELECT count(*) FROM scheduler_runs").fetch_one(&pool).await.expect("count");
    assert_eq!(runs, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_failing_job_records_the_reason_and_backs_off(pool: PgPool) {
    let mut conn = pool.acquire().await.expect("conn");
    scheduler::ensure(&mut conn, "counting", "bad-tenant", Duration::from_secs(900), at(0)).await.expect("job");
    let registry = Registry::default().with(Arc::new(Counting::default()));
    scheduler::run_due(&pool, &registry, "w", at(0), 10).await.expect("run");
    let (attempts, error, next): (i32, Option<String>, DateTime<Utc>) =
        sqlx::query_as("SELECT attempts, last_error, next_run_at FROM scheduler_jobs")
            .fetch_one(&pool)
            .await
            .expect("row");
    assert_eq!((attempts, error.as_deref(), next), (1, Some("the tenant answered 503"), at(30)));
    scheduler::run_due(&pool, &registry, "w", at(30), 10).await.expect("run");
    let next: DateTime<Utc> =
        sqlx::query_scalar("SELECT next_run_at FROM scheduler_jobs").fetch_one(&pool).await.expect("row");
    assert_eq!(next, at(90));
}

#[sqlx::test(migrations = "../migrations")]
async fn two_workers_never_run_the_same_job_in_one_interval(pool: PgPool) {
    let mut conn = pool.acquire().await.expect("conn");
    for i in 0..50 {
        scheduler::ensure(&mut conn, "counting", &format!("tenant-{i}"), Duration::from_secs(60), at(0))
            .await
            .expect("job");
    }
    let job = Arc::new(Counting::default());
    let registry = Registry::default().with(job.clone());
    let intervals = 12;
    for n in 0..intervals {
        // Both workers wake at the same moments of each interval and race for the same rows. Each takes at most
        // half the jobs per wake-up (as a replica's free slots would), so neither can take every row alone
        // however the two calls happen to be scheduled.
        for offset in [0, 10, 30] {
            let now = at(n * 60 + offset + 7);
            let (a, b) = tokio::join!(
                scheduler::run_due(&pool, &registry, "worker-a", now, 25),
                scheduler::run_due(&pool, &registry, "worker-b", now, 25)
            );
            a.expect("a");
            b.expect("b");
        }
    }
    let runs = job.runs.lock().expect("lock").clone();
    assert_eq!(runs.len(), 50);
    assert!(runs.values().all(|n| *n == intervals as u32), "each job once per interval: {runs:?}");
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM scheduler_runs").fetch_one(&pool).await.expect("count");
    assert_eq!(total, 50 * intervals, "at least 500 runs checked");
    let twice: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT job_id, due_at FROM scheduler_runs GROUP BY job_id, due_at HAVING count(*) > 1) d",
    )
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(twice, 0);
    let workers: Vec<String> = sqlx::query_scalar("SELECT DISTINCT worker FROM scheduler_runs ORDER BY worker")
        .fetch_all(&pool)
        .await
        .expect("w");
    assert_eq!(workers, ["worker-a", "worker-b"], "both workers did share the work");
}

#[sqlx::test(migrations = "../migrations")]
async fn run_now_during_a_run_is_kept_for_right_after_it(pool: PgPool) {
    let mut conn = pool.acquire().await.expect("conn");
    scheduler::ensure(&mut conn, "counting", "a", Duration::from_secs(900), at(0)).await.expect("ensure");
    let leased = scheduler::lease(&pool, "w", at(0), 10).await.expect("lease");
    assert_eq!(leased.len(), 1);
    // "Run now" while the job runs.
    assert!(scheduler::run_soon(&mut conn, "counting", "a", at(5)).await.expect("run soon"));
    scheduler::complete(&pool, "w", &leased[0], at(10), (at(1), at(10)), &Ok(())).await.expect("complete");
    let due = scheduler::lease(&pool, "w", at(11), 10).await.expect("lease again");
    assert_eq!(due.len(), 1, "the asked-for run is due at once, not one interval later");
    assert_eq!(due[0].planned_at, at(5));
    // Without a request during the run, the next run is an interval later.
    scheduler::complete(&pool, "w", &due[0], at(12), (at(11), at(12)), &Ok(())).await.expect("complete");
    assert!(scheduler::lease(&pool, "w", at(13), 10).await.expect("lease").is_empty());
}

/// Never finishes on its own (a target that accepts and never answers).
struct Hanging;

#[async_trait::async_trait]
impl Job for Hanging {
    fn kind(&self) -> &'static str {
        "hanging"
    }
    async fn run_once(&self, _key: &str, _now: DateTime<Utc>) -> Result<(), String> {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Ok(())
    }
    fn time_limit(&self) -> Duration {
        Duration::from_secs(1)
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_hanging_job_is_cut_at_its_limit_and_holds_one_slot_while_others_keep_their_schedule(pool: PgPool) {
    let counting = Arc::new(Counting::default());
    let registry = Registry::default().with(counting.clone()).with(Arc::new(Hanging));
    let start = Utc::now();
    let mut conn = pool.acquire().await.expect("connection");
    scheduler::ensure(&mut conn, "hanging", "stuck", Duration::from_secs(60), start).await.expect("job");
    scheduler::ensure(&mut conn, "counting", "quick", Duration::from_secs(1), start).await.expect("job");
    drop(conn);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker =
        tokio::spawn(scheduler::run(pool.clone(), registry, "w1".into(), 2, Duration::from_millis(50), stopped));
    tokio::time::sleep(Duration::from_secs(5)).await;
    stop.send(true).expect("stop");
    worker.await.expect("worker stops");

    let quick = counting.runs.lock().expect("lock").get("quick").copied().unwrap_or(0);
    assert!(quick >= 3, "the 1-second job ran {quick} times in 5 s beside a hanging one");
    let error: Option<String> =
        sqlx::query_scalar("SELECT last_error FROM scheduler_jobs WHERE kind = 'hanging' AND key = 'stuck'")
            .fetch_one(&pool)
            .await
            .expect("job row");
    let error = error.expect("the hanging run was cut off and recorded as a failure");
    assert!(error.contains("cut off after 1 s"), "{error}");
}
