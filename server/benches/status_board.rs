//! Status board benchmark (prints figures, asserts nothing): the board for helpdesk over a seeded database —
//! every Auth0 region Tenantry knows (6; tenant domains name no more), 50 sources (40 tenants' Auth0 feeds and 10
//! providers with 10 components each) and 500 stored incidents with 3 updates each — under `wrk` with 64
//! connections, next to a bare axum handler serving the same bytes in the same process and run.
//!
//!   scripts/db start && DATABASE_URL=$(scripts/db url) cargo bench -p server --bench status_board
//!
//! Needs `wrk` on the PATH. Uses its own database `tenantry_bench_status` (recreated each run).

mod common;

use std::process::Command;
use std::time::Duration;

use app::accounts::Role;
use chrono::Utc;
use sqlx::PgPool;

const TENANTS: i32 = 40;
const PROVIDERS: i32 = 10;
const INCIDENTS: i32 = 500;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    server::init_crypto();
    runtime.block_on(run());
}

async fn seed(pool: &PgPool) {
    sqlx::query(
        "INSERT INTO tenants (name, domain, region, environment, user_domain, client_id, client_secret)
         SELECT 'co' || n, 'co' || n || '.' || r || '.auth0.com', r, 'production', 'users', 'cid', '\\x00'
         FROM generate_series(1, $1) n, LATERAL (SELECT (ARRAY['us','eu','au','jp','ca','uk'])[n % 6 + 1] AS r) x",
    )
    .bind(TENANTS)
    .execute(pool)
    .await
    .expect("tenants");
    server::status::jobs::sync(pool, "http://127.0.0.1:9/feed", Duration::from_secs(120), Utc::now())
        .await
        .expect("feeds");
    sqlx::query(
        "INSERT INTO status_sources (name, kind, category, url)
         SELECT 'Provider ' || n, 'statuspage', (ARRAY['social','email','sms'])[n % 3 + 1],
                'http://127.0.0.1:9/p' || n || '/api/v2/summary.json'
         FROM generate_series(1, $1) n",
    )
    .bind(PROVIDERS)
    .execute(pool)
    .await
    .expect("providers");
    sqlx::query(
        "UPDATE status_sources SET last_good_at = now(), last_attempt_at = now(),
             state = CASE WHEN name = 'Provider 3' THEN 'partial_outage' ELSE 'operational' END",
    )
    .execute(pool)
    .await
    .expect("states");
    sqlx::query(
        "INSERT INTO status_components (source_id, component_id, name, state, updated_at)
         SELECT s.id, 'c' || n, 'Component ' || n, CASE WHEN n = 1 THEN 'degraded_performance' ELSE 'operational' END, now()
         FROM status_sources s, generate_series(1, 10) n WHERE s.tenant_id IS NULL",
    )
    .execute(pool)
    .await
    .expect("components");
    // 500 incidents spread over the sources, the newest 20 open, each with three updates.
    sqlx::query(
        "WITH src AS (SELECT id, row_number() OVER (ORDER BY name) AS k FROM status_sources),
              i AS (
                INSERT INTO status_incidents (source_id, external_id, title, impact, phase, started_at, updated_at, link, first_seen_at)
                SELECT src.id, 'inc-' || n, 'Incident number ' || n, (ARRAY['minor','major','critical'])[n % 3 + 1],
                       CASE WHEN n > $1 - 20 THEN 'identified' ELSE 'resolved' END,
                       now() - (($1 - n) || ' hours')::interval, now() - (($1 - n) || ' hours')::interval + interval '40 minutes',
                       'http://127.0.0.1:9/incidents/' || n, now()
                FROM generate_series(1, $1) n JOIN src ON src.k = n % 50 + 1
                RETURNING id, phase)
         INSERT INTO status_updates (incident_id, external_id, at, phase, text, seen_at)
         SELECT i.id, 'u' || u, now(), (ARRAY['investigating','identified', i.phase])[u], 'Update ' || u || ' of the incident.', now()
         FROM i, generate_series(1, 3) u",
    )
    .bind(INCIDENTS)
    .execute(pool)
    .await
    .expect("incidents");
}

/// (requests/s, p99 ms) from wrk's output.
fn wrk(url: &str, cookie: &str) -> (f64, f64) {
    let out = Command::new("wrk")
        .args(["-t2", "-c64", "-d10s", "--latency", "-H", &format!("Cookie: {cookie}"), url])
        .output()
        .expect("wrk runs (is it installed?)");
    let text = String::from_utf8_lossy(&out.stdout);
    let rps = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0);
    let p99 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .map(|v| {
            let v = v.trim();
            let (n, unit) = v.split_at(v.find(|c: char| c.is_alphabetic()).unwrap_or(v.len()));
            let n: f64 = n.parse().unwrap_or(0.0);
            match unit {
                "us" => n / 1000.0,
                "s" => n * 1000.0,
                _ => n,
            }
        })
        .unwrap_or(0.0);
    if text.contains("Non-2xx") {
        eprintln!("wrk saw non-2xx answers:\n{text}");
    }
    (rps, p99)
}

async fn run() {
    let pool = common::fresh_database("tenantry_bench_status").await;
    seed(&pool).await;
    let (addr, client, cookie) = common::serve_signed_in(&pool, Role::Helpdesk).await;
    let board = client.get(format!("http://{addr}/")).header("cookie", &cookie).send().await.expect("board");
    assert_eq!(board.status(), 200);
    let bytes = board.bytes().await.expect("body");

    // The bare handler: the same bytes, no database, no session, no rendering.
    let bare_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let bare_addr = bare_listener.local_addr().expect("addr");
    let body = bytes.clone();
    let bare = axum::Router::new().route(
        "/",
        axum::routing::get(move || {
            let body = body.clone();
            async move { ([("content-type", "text/html; charset=utf-8")], body) }
        }),
    );
    tokio::spawn(async move { axum::serve(bare_listener, bare).await.expect("serve") });

    let sources: i64 = sqlx::query_scalar("SELECT count(*) FROM status_sources").fetch_one(&pool).await.expect("n");
    let incidents: i64 = sqlx::query_scalar("SELECT count(*) FROM status_incidents").fetch_one(&pool).await.expect("n");
    println!("status board: 6 regions, {sources} sources, {incidents} incidents; page {} bytes", bytes.len());
    let (board_rps, board_p99) = wrk(&format!("http://{addr}/"), &cookie);
    let (fragment_rps, fragment_p99) = wrk(&format!("http://{addr}/status/board.html"), &cookie);
    let (bare_rps, bare_p99) = wrk(&format!("http://{bare_addr}/"), &cookie);
    println!("  board page  (wrk -c64 10 s): {board_rps:>9.1} req/s, p99 {board_p99:>7.2} ms");
    println!("  fragment    (wrk -c64 10 s): {fragment_rps:>9.1} req/s, p99 {fragment_p99:>7.2} ms");
    println!("  bare axum   (wrk -c64 10 s): {bare_rps:>9.1} req/s, p99 {bare_p99:>7.2} ms  (same bytes)");
    println!("  ratio board / bare: {:.3} of the bare handler's throughput", board_rps / bare_rps.max(1.0));
}
