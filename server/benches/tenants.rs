//! Tenant benchmarks (print figures, assert nothing):
//!   1. the inventory page over 1,000 tenants: server render time and requests per second;
//!   2. snapshot polling of 1,000 tenants on a separate `tenantry simulator` process: wall time, CPU and peak RSS of
//!      the polling process.
//!
//!   scripts/db start && DATABASE_URL=$(scripts/db url) cargo bench -p server --bench tenants
//!
//! Uses its own databases `tenantry_bench_inventory` and `tenantry_bench_polling` (recreated each run).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::accounts::Role;
use chrono::Utc;
use server::accounts::audit::Actor;
use server::auth0::Auth0Client;
use server::scheduler::{self, Registry};
use server::secrets::SecretBox;
use server::tenants::jobs::SnapshotJob;
use server::tenants::service::{self as tenants, TenantInput};

const TENANTS: usize = 1000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    server::init_crypto();
    runtime.block_on(async {
        inventory().await;
        polling().await;
    });
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

async fn inventory() {
    let pool = common::fresh_database("tenantry_bench_inventory").await;
    // 1,000 tenants in 100 user domains, each with a snapshot and a successful poll.
    sqlx::query(
        "WITH t AS (
             INSERT INTO tenants (name, domain, region, environment, user_domain, association, client_id, client_secret)
             SELECT 'co' || n || '-' || (ARRAY['dev','qa','prod','sandbox1'])[n % 4 + 1],
                    'co' || n || '.us.auth0.com', 'us',
                    (ARRAY['development','qa','production','sandbox'])[n % 4 + 1],
                    'users-' || (n % 100), 'associated', 'cid', '\\x00'
             FROM generate_series(1, $1) n RETURNING id)
         INSERT INTO tenants_snapshots (tenant_id, taken_at, hash, data)
         SELECT id, now(), md5(id::text), jsonb_build_object(
             'settings', jsonb_build_object('friendly_name', 'x', 'support_email', 'a@b.c'),
             'custom_domains', jsonb_build_array(jsonb_build_object('domain', 'login.example.com', 'status', 'ready')),
             'email_provider', jsonb_build_object('name', 'sendgrid'),
             'log_streams', '[]'::jsonb)
         FROM t",
    )
    .bind(TENANTS as i32)
    .execute(&pool)
    .await
    .expect("seed tenants");
    sqlx::query(
        "INSERT INTO tenants_polls (tenant_id, last_attempt_at, last_success_at) SELECT id, now(), now() FROM tenants",
    )
    .execute(&pool)
    .await
    .expect("seed polls");
    let (addr, client, cookie) = common::serve_signed_in(&pool, Role::Developer).await;
    let get = move |path: String| {
        let (client, cookie) = (client.clone(), cookie.clone());
        async move {
            let t0 = Instant::now();
            let r = client.get(format!("http://{addr}{path}")).header("cookie", cookie).send().await.expect("page");
            assert_eq!(r.status(), 200);
            let bytes = r.bytes().await.expect("body").len();
            (t0.elapsed(), bytes)
        }
    };
    let (_, bytes) = get("/tenants".into()).await;
    let mut one = Vec::new();
    for _ in 0..40 {
        one.push(get("/tenants".into()).await.0);
    }
    one.sort();
    let mut filtered = Vec::new();
    for _ in 0..40 {
        filtered.push(get("/tenants?environment=production&q=co1".into()).await.0);
    }
    filtered.sort();
    println!(
        "inventory, {TENANTS} tenants ({bytes} bytes, 25 user domains = 250 tenants per page): one request at a time \
         p50 {:.1} ms, p95 {:.1} ms; filtered p50 {:.1} ms",
        percentile(&one, 0.5),
        percentile(&one, 0.95),
        percentile(&filtered, 0.5)
    );
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let get = get.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0u32;
            while started.elapsed() < Duration::from_secs(10) {
                get("/tenants".into()).await;
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("task");
    }
    println!(
        "inventory, 8 concurrent clients for 10 s: {total} pages = {:.1} pages/s",
        f64::from(total) / started.elapsed().as_secs_f64()
    );
}

async fn polling() {
    let (mut simulator, base, http) = common::start_simulator(env!("CARGO_BIN_EXE_tenantry")).await;
    let pool = common::fresh_database("tenantry_bench_polling").await;
    let secrets = SecretBox::new([6; 32]);
    for i in 0..TENANTS {
        let domain = format!("poll-{i:04}.us.auth0.com");
        http.post(format!("{base}/__simulator/tenants"))
            .json(&serde_json::json!({"domain": domain, "client_id": "cid", "client_secret": "secret"}))
            .send()
            .await
            .expect("simulator tenant");
        let input = TenantInput {
            domain,
            environment: "production".into(),
            user_domain: "customers".into(),
            client_id: "cid".into(),
            client_secret: "secret".into(),
            api_base_url: base.clone(),
            ..TenantInput::default()
        };
        tenants::add(&pool, &secrets, &Actor::CommandLine, &input, "", Utc::now(), Duration::from_secs(900))
            .await
            .expect("tenant");
    }
    let client =
        Arc::new(Auth0Client::new(Duration::from_secs(15), server::outbound::Policy::ANY_ADDRESS).expect("client"));
    let registry = Registry::default().with(Arc::new(SnapshotJob { pool: pool.clone(), client, secrets }));
    let (cpu0, _) = common::usage();
    let started = Instant::now();
    let mut polled = 0;
    loop {
        let n = scheduler::run_due(&pool, &registry, "bench", Utc::now(), 16).await.expect("run");
        if n == 0 {
            break;
        }
        polled += n;
    }
    let wall = started.elapsed().as_secs_f64();
    let (cpu1, rss) = common::usage();
    let ok: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants_polls WHERE failure_class IS NULL")
        .fetch_one(&pool)
        .await
        .expect("count");
    let stats: serde_json::Value =
        http.get(format!("{base}/__simulator/stats")).send().await.expect("stats").json().await.expect("json");
    println!(
        "polling {polled} tenants (16 at a time, 6 requests each, simulator in another process): {wall:.1} s wall, \
         {:.1} CPU s = {:.0} % of one core, peak RSS {rss:.0} MiB; {ok} snapshots ok; simulator over-limit count {}",
        cpu1 - cpu0,
        (cpu1 - cpu0) / wall * 100.0,
        stats["over_limit"]
    );
    let _ = simulator.kill();
    let _ = simulator.wait();
}
