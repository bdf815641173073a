//! Monitoring benchmark (prints figures, asserts nothing): 1,000 tenants on a separate `tenantry simulator`
//! process, each with a `/testall` check and a synthetic login every 60 s, run by the server's own worker loop
//! (`scheduler::run`, the default concurrency of 32) for BENCH_MINUTES (default 5) minutes. Reports the CPU of
//! this process (% of one core), its peak RSS, run lateness (start − planned start) p50/p99, runs per minute, and
//! the simulator's over-limit counter.
//!
//!   scripts/db start && DATABASE_URL=$(scripts/db url) cargo bench -p server --bench monitoring
//!
//! Uses its own database `tenantry_bench_monitoring` (recreated each run).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use server::monitoring::jobs::check::{CheckJob, KIND};
use server::monitoring::probe::Probe;
use server::scheduler::{self, Registry};
use server::secrets::SecretBox;

const TENANTS: usize = 1000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    server::init_crypto();
    runtime.block_on(run());
}

async fn run() {
    let minutes: u64 = std::env::var("BENCH_MINUTES").ok().and_then(|m| m.parse().ok()).unwrap_or(5);
    let (mut simulator, base, http) = common::start_simulator(env!("CARGO_BIN_EXE_tenantry")).await;
    for i in 0..TENANTS {
        let domain = format!("mon-{i:04}.us.auth0.com");
        let tenant = serde_json::json!({"domain": domain, "client_id": "cid", "client_secret": "secret"});
        http.post(format!("{base}/__simulator/tenants")).json(&tenant).send().await.expect("tenant");
        let user = serde_json::json!({"username": "probe@bench.test", "password": "probe-pass"});
        http.post(format!("{base}/__simulator/tenants/{domain}/users")).json(&user).send().await.expect("user");
    }

    // sqlx's default pool size, 10, is also the server's.
    let pool = common::fresh_database("tenantry_bench_monitoring").await;
    let secrets = SecretBox::new([7; 32]);
    sqlx::query(
        "INSERT INTO tenants (name, domain, region, environment, user_domain, client_id, client_secret, api_base_url)
         SELECT 'mon-' || lpad(n::text, 4, '0'), 'mon-' || lpad(n::text, 4, '0') || '.us.auth0.com', 'us',
                'production', 'users', 'cid', $2, $1
         FROM generate_series(0, $3 - 1) n",
    )
    .bind(&base)
    .bind(secrets.encrypt("secret"))
    .bind(TENANTS as i32)
    .execute(&pool)
    .await
    .expect("tenants");
    sqlx::query(
        "INSERT INTO monitoring_checks (tenant_id, kind, name, interval_secs, grant_type, username, password, client_id,
             client_secret)
         SELECT id, k, k, 60, CASE WHEN k = 'login' THEN 'password' END, 'probe@bench.test', $1, 'cid', $2
         FROM tenants, unnest(ARRAY['testall', 'login']) k",
    )
    .bind(secrets.encrypt("probe-pass"))
    .bind(secrets.encrypt("secret"))
    .execute(&pool)
    .await
    .expect("checks");
    // First runs spread over the first minute, as checks added over time would be.
    let start = Utc::now() + chrono::Duration::seconds(2);
    sqlx::query(
        "INSERT INTO scheduler_jobs (kind, key, interval_secs, scheduled_for, next_run_at)
         SELECT $1, id::text, 60, $2 + (row_number() OVER (ORDER BY id) % 60) * interval '1 second',
                $2 + (row_number() OVER (ORDER BY id) % 60) * interval '1 second'
         FROM monitoring_checks",
    )
    .bind(KIND)
    .bind(start)
    .execute(&pool)
    .await
    .expect("jobs");

    // The default of the `scheduler.concurrency` setting.
    let concurrency = 32;
    let job = CheckJob {
        pool: pool.clone(),
        probe: Probe::new(server::outbound::Policy::ANY_ADDRESS).expect("probe"),
        reach: server::monitoring::reach::Reach::any_address().expect("reach"),
        secrets,
    };
    let registry = Registry::default().with(Arc::new(job));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let (cpu0, _) = common::usage();
    let started = Instant::now();
    let worker =
        tokio::spawn(scheduler::run(pool.clone(), registry, "bench".into(), concurrency, scheduler::TICK, stopped));
    tokio::time::sleep(Duration::from_secs(60 * minutes)).await;
    let _ = stop.send(true);
    let _ = worker.await;
    let wall = started.elapsed().as_secs_f64();
    let (cpu1, rss) = common::usage();

    let (runs, p50, p99, max): (i64, f64, f64, f64) = sqlx::query_as(
        "SELECT count(*),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - planned_at)),
                percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - planned_at)),
                max(extract(epoch FROM started_at - planned_at))::float8
         FROM scheduler_runs",
    )
    .fetch_one(&pool)
    .await
    .expect("lateness");
    let outcomes: Vec<(String, i64)> =
        sqlx::query_as("SELECT outcome, count(*) FROM monitoring_runs GROUP BY outcome ORDER BY 2 DESC")
            .fetch_all(&pool)
            .await
            .expect("outcomes");
    let stats: serde_json::Value =
        http.get(format!("{base}/__simulator/stats")).send().await.expect("stats").json().await.expect("json");
    println!(
        "monitoring {TENANTS} tenants × (testall + synthetic login) every 60 s for {wall:.0} s, concurrency {concurrency}, \
         simulator in another process:"
    );
    println!(
        "  {runs} runs = {:.0} per minute (expected {}); outcomes {outcomes:?}",
        runs as f64 / (wall / 60.0),
        2 * TENANTS
    );
    println!("  CPU {:.1} s = {:.0} % of one core; peak RSS {rss:.0} MiB", cpu1 - cpu0, (cpu1 - cpu0) / wall * 100.0);
    println!(
        "  lateness (start − planned start): p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        p50 * 1000.0,
        p99 * 1000.0,
        max * 1000.0
    );
    println!("  simulator over-limit count {}", stats["over_limit"]);
    let _ = simulator.kill();
    let _ = simulator.wait();
}
