//! Peak-load report benchmark (prints figures, asserts nothing): 5 million events of 10 tenants over 30 days —
//! sign-ins, failures, logouts, token exchanges, Management API writes, and a burst of 200 `api_limit` a day per
//! tenant — generated in PostgreSQL, counted into the per-minute roll-ups, then the report and its two SVG charts
//! (what `/logs/peak` draws) for every range, for one tenant and across tenants: p50, p95 and max of 20 runs each;
//! then the log search (`/logs`) over the same events with each of its filters.
//!
//!   scripts/db start && DATABASE_URL=$(scripts/db url) cargo bench -p server --bench peak [-- EVENTS]
//!
//! Uses its own database `tenantry_bench_peak` (recreated each run). EVENTS defaults to 5,000,000. Ingest with
//! roll-ups against a raw `COPY` of the same rows is `--bench logs` (side by side in one run).

use std::time::{Duration, Instant};

use app::peak::{PeakQuery, Range};
use chrono::{TimeDelta, Utc};
use sqlx::PgPool;

mod common;

const TENANTS: usize = 10;
const DAYS: i64 = 30;
const RUNS: usize = 20;
/// `api_limit` events of each tenant's daily burst (within one minute).
const BURST: i64 = 200;

fn main() {
    let events: i64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(5_000_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(run(events));
}

/// Fills the tenant's events: `count` spread over the 30 days before `end` plus a burst a day.
async fn fill(pool: &PgPool, tenant: uuid::Uuid, t: usize, count: i64, end: chrono::DateTime<Utc>) {
    let start = end - TimeDelta::days(DAYS);
    let span = (DAYS * 86_400) as f64;
    sqlx::query(
        r#"INSERT INTO logs_events (tenant_id, log_id, date, type_code, description, client_id, client_name, user_id,
                                    user_name, ip, connection, strategy, user_agent, payload, source, received_at)
           SELECT $1, lpad($2::text || lpad(g::text, 12, '0'), 56, '9'), d, k,
                  CASE WHEN k IN ('f', 'fp', 'fu') THEN 'Wrong email or password.' END,
                  CASE WHEN k IN ('seccft', 'sapi') THEN 'backoffice' ELSE 'storefront' END,
                  CASE WHEN k IN ('seccft', 'sapi') THEN 'Backoffice Sync' ELSE 'Storefront' END,
                  'auth0|' || (g % 5000), 'customer' || (g % 5000) || '@example.com',
                  ('203.0.113.' || (g % 200 + 1))::inet,
                  CASE WHEN k IN ('s', 'f', 'fp', 'fu', 'slo', 'ss')
                       THEN (ARRAY['Username-Password-Authentication', 'google-oauth2', 'enterprise-saml'])[g % 3 + 1] END,
                  CASE WHEN k IN ('s', 'f', 'fp', 'fu', 'slo', 'ss') THEN 'auth0' END,
                  'Chrome 120.0.0 / Mac OS X 10.15.7', '{}'::jsonb, 'import', now()
           FROM (SELECT g, $3::timestamptz + make_interval(secs => g * $4::float8 / $5) AS d,
                        CASE WHEN r < 40 THEN 's' WHEN r < 45 THEN 'fp' WHEN r < 48 THEN 'fu' WHEN r < 50 THEN 'f'
                             WHEN r < 62 THEN 'slo' WHEN r < 80 THEN 'seccft' WHEN r < 88 THEN 'ss' ELSE 'sapi' END AS k
                 FROM (SELECT g, (g * 7919 + $2) % 100 AS r FROM generate_series(0, $5 - 1) AS g) x) y"#,
    )
    .bind(tenant)
    .bind(t as i64)
    .bind(start)
    .bind(span)
    .bind(count)
    .execute(pool)
    .await
    .expect("events");
    sqlx::query(
        r#"INSERT INTO logs_events (tenant_id, log_id, date, type_code, description, client_id, client_name, ip, payload,
                                    source, received_at)
           SELECT $1, lpad('8' || $2::text || lpad((day * 1000 + n)::text, 9, '0'), 56, '9'),
                  $3::timestamptz + make_interval(days => day::int, hours => 13, secs => n * 0.25::float8), 'api_limit',
                  'Global per second default group limit has been reached', 'storefront', 'Storefront',
                  ('198.51.100.' || (n % 50 + 1))::inet,
                  '{"details": {"limit": {"bucket": "per_ip_per_client_id", "global": true, "size": 300},
                                "request": {"method": "post", "path": "/oauth/token"}}}'::jsonb,
                  'import', now()
           FROM generate_series(0, $4 - 1) AS day, generate_series(0, $5 - 1) AS n"#,
    )
    .bind(tenant)
    .bind(t as i64)
    .bind(start)
    .bind(DAYS)
    .bind(BURST)
    .execute(pool)
    .await
    .expect("bursts");
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// The parts of the slowest report (30 days, every tenant), each timed once.
async fn parts(pool: &PgPool) {
    use server::logs::repo::minutes;
    let mut conn = pool.acquire().await.expect("conn");
    let (to, from) = (Utc::now(), Utc::now() - TimeDelta::days(DAYS));
    let started = Instant::now();
    let series = minutes::series(&mut conn, None, from, to).await.expect("series");
    let a = started.elapsed();
    let codes = minutes::codes(&mut conn, None, from, to).await.expect("codes");
    let b = started.elapsed();
    let limits = minutes::limit_events(&mut conn, None, from, to, 50).await.expect("limits");
    let c = started.elapsed();
    println!(
        "30 days, every tenant, by part: series {:.1} ms ({} minutes), codes {:.1} ms ({}), limit groups {:.1} ms ({})",
        a.as_secs_f64() * 1e3,
        series.len(),
        (b - a).as_secs_f64() * 1e3,
        codes.len(),
        (c - b).as_secs_f64() * 1e3,
        limits.len()
    );
}

async fn run(events: i64) {
    // BENCH_REUSE=1: measure the database a previous run filled (no new events).
    if std::env::var("BENCH_REUSE").is_ok_and(|v| v == "1") {
        let base = std::env::var("DATABASE_URL").expect("set DATABASE_URL (scripts/db url)");
        let prefix = base.split('?').next().unwrap_or(&base).rsplit_once('/').map(|(p, _)| p.to_string()).expect("url");
        let pool = PgPool::connect(&format!("{prefix}/tenantry_bench_peak")).await.expect("an earlier run's database");
        let tenants: Vec<uuid::Uuid> =
            sqlx::query_scalar("SELECT id FROM tenants ORDER BY name").fetch_all(&pool).await.expect("tenants");
        parts(&pool).await;
        measure(&pool, &tenants).await;
        return search(&pool, &tenants).await;
    }
    let pool = common::fresh_database("tenantry_bench_peak").await;
    let end = Utc::now();
    for day in 0..=DAYS + 1 {
        server::logs::repo::ensure_partition(&mut pool.acquire().await.expect("conn"), end - TimeDelta::days(day))
            .await
            .expect("partition");
    }
    let mut tenants = Vec::new();
    let per_tenant = (events / TENANTS as i64 - DAYS * BURST).max(0);
    let started = Instant::now();
    for t in 0..TENANTS {
        let id: uuid::Uuid = sqlx::query_scalar(
            "INSERT INTO tenants (name, domain, region, environment, user_domain, client_id, client_secret)
             VALUES ($1, $1 || '.us.auth0.com', 'us', 'production', 'customers', 'cid', '\\x00') RETURNING id",
        )
        .bind(format!("bench-{t}"))
        .fetch_one(&pool)
        .await
        .expect("tenant");
        fill(&pool, id, t, per_tenant, end).await;
        tenants.push(id);
    }
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM logs_events").fetch_one(&pool).await.expect("count");
    println!(
        "{stored} events of {TENANTS} tenants over {DAYS} days generated in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let minutes = server::logs::repo::minutes::rebuild_if_missing(&mut pool.acquire().await.expect("conn"))
        .await
        .expect("roll-ups");
    println!("{minutes} tenant-minutes of roll-ups counted in {:.0} s", started.elapsed().as_secs_f64());
    sqlx::query("VACUUM ANALYZE").execute(&pool).await.expect("analyze");
    parts(&pool).await;
    measure(&pool, &tenants).await;
    search(&pool, &tenants).await;
}

/// The log search (`/logs`, issue 16) over the same events: the first page (50) of each filter, and a second page.
async fn search(pool: &PgPool, tenants: &[uuid::Uuid]) {
    use app::logs::{LogsPort, LogsQuery};
    let logs = server::logs::port::PgLogs { pool: pool.clone(), retention_days: 400, public_url: None };
    let day = (Utc::now() - TimeDelta::days(7)).format("%Y-%m-%d").to_string();
    let tenant = Some(tenants[3].to_string());
    let q = |f: fn(&mut LogsQuery)| {
        let mut q = LogsQuery::default();
        f(&mut q);
        q
    };
    let cases: Vec<(&str, LogsQuery)> = vec![
        ("newest, every tenant", q(|_| ())),
        ("one tenant", LogsQuery { tenant: tenant.clone(), ..q(|_| ()) }),
        (
            "one tenant, category login",
            LogsQuery { tenant: tenant.clone(), kind: Some("category:login".into()), ..q(|_| ()) },
        ),
        ("event type api_limit", q(|q| q.kind = Some("api_limit".into()))),
        ("a user (by name)", q(|q| q.user = Some("customer4242@example.com".into()))),
        (
            "a user (by id), one tenant",
            LogsQuery { tenant: tenant.clone(), user: Some("auth0|17".into()), ..q(|_| ()) },
        ),
        ("a client", q(|q| q.client = Some("Backoffice Sync".into()))),
        ("an IP", q(|q| q.ip = Some("203.0.113.77".into()))),
        ("a network /24", q(|q| q.ip = Some("198.51.100.0/24".into()))),
        ("a connection", q(|q| q.connection = Some("enterprise-saml".into()))),
        ("text in the description", q(|q| q.q = Some("wrong email".into()))),
        ("a log id", q(|q| q.q = Some(format!("{}{}", "9".repeat(43), "3000000012345")))),
        ("a day a week ago", LogsQuery { from: Some(day.clone()), to: Some(day.clone()), ..q(|_| ()) }),
        (
            "failed logins of a user, a day",
            LogsQuery {
                kind: Some("fp".into()),
                user: Some("customer1@example.com".into()),
                from: Some(day.clone()),
                to: Some(day.clone()),
                ..q(|_| ())
            },
        ),
    ];
    println!(
        "{:<34} {:>9} {:>9} {:>9}  rows  (log search, first page of 50; {RUNS} runs)",
        "filter", "p50 ms", "p95 ms", "max ms"
    );
    for (name, query) in cases {
        let mut took = Vec::with_capacity(RUNS);
        let mut rows = 0;
        let mut next = None;
        for _ in 0..RUNS {
            let started = Instant::now();
            let results = logs.search(query.clone()).await.expect("search");
            took.push(started.elapsed());
            rows = results.rows.len();
            next = results.next;
        }
        took.sort();
        println!(
            "{name:<34} {:>9.1} {:>9.1} {:>9.1}  {rows}",
            percentile(&took, 0.5),
            percentile(&took, 0.95),
            percentile(&took, 1.0)
        );
        if name == "newest, every tenant" {
            let second = LogsQuery { after: next, ..query.clone() };
            let mut took = Vec::with_capacity(RUNS);
            for _ in 0..RUNS {
                let started = Instant::now();
                std::hint::black_box(logs.search(second.clone()).await.expect("search"));
                took.push(started.elapsed());
            }
            took.sort();
            println!(
                "{:<34} {:>9.1} {:>9.1} {:>9.1}  50",
                "  the next page",
                percentile(&took, 0.5),
                percentile(&took, 0.95),
                percentile(&took, 1.0)
            );
        }
    }
}

async fn measure(pool: &PgPool, tenants: &[uuid::Uuid]) {
    println!(
        "{:<28} {:>9} {:>9} {:>9}  bars  (report + both SVG charts; {RUNS} runs)",
        "range", "p50 ms", "p95 ms", "max ms"
    );
    for range in [Range::Hour, Range::Day, Range::Week, Range::Month] {
        for tenant in [Some(tenants[0]), None] {
            let query = PeakQuery {
                tenant: tenant.map(|t| t.to_string()),
                range: Some(range.as_str().into()),
                from: None,
                to: None,
            };
            let mut took = Vec::with_capacity(RUNS);
            let mut bars = 0;
            for _ in 0..RUNS {
                let mut conn = pool.acquire().await.expect("conn");
                let started = Instant::now();
                let report = server::peak::port::report(&mut conn, &query, Utc::now()).await.expect("report");
                let svg = app::peak::chart::events_svg(&report).len() + app::peak::chart::login_svg(&report).len();
                took.push(started.elapsed());
                bars = report.bars.len();
                std::hint::black_box(svg);
            }
            took.sort();
            let who = if tenant.is_some() { "one tenant" } else { "every tenant" };
            println!(
                "{:<28} {:>9.1} {:>9.1} {:>9.1}  {bars}",
                format!("{}, {who}", range.label()),
                percentile(&took, 0.5),
                percentile(&took, 0.95),
                percentile(&took, 1.0)
            );
        }
    }
}
