//! Logs ingest benchmark (prints figures, asserts nothing). The same events — the simulator's flow, in Auth0's
//! shape — stored into `logs_events` three ways in one run, each into an emptied table:
//! 1. a raw `COPY` of the extracted rows (the machine's own limit: no parsing, no conflict check),
//! 2. the receiver: `POST /hooks/logs/{tenant}` through the real router on 127.0.0.1, JSON Lines batches of 100 from
//!    8 concurrent senders (as Auth0's log streams deliver),
//! 3. import: `logs::file::import` on a JSON Lines file.
//!
//! 2 and 3 keep the per-minute roll-ups (and the rate-limit notices) in the same transactions, as every ingest does.
//!
//!   scripts/db start && DATABASE_URL=$(scripts/db url) cargo bench -p server --bench logs [-- EVENTS]
//!
//! Uses its own database `tenantry_bench_logs` (recreated each run). EVENTS defaults to 200,000.

use std::io::Write;
use std::time::{Duration, Instant};

use app::ids::TenantId;
use chrono::{TimeDelta, Utc};
use server::logs::model::Event;
use server::logs::{file, parse, service};
use sqlx::PgPool;

mod common;

const SENDERS: usize = 8;
const BATCH: usize = 100;

fn main() {
    let events: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(200_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(run(events));
}

async fn empty(pool: &PgPool) {
    sqlx::query("TRUNCATE logs_events, logs_quarantine, logs_progress, logs_minutes, logs_minute_codes")
        .execute(pool)
        .await
        .expect("truncate");
}

async fn stored(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM logs_events").fetch_one(pool).await.expect("count")
}

fn rate(n: usize, took: Duration) -> f64 {
    n as f64 / took.as_secs_f64()
}

/// One CSV field for COPY (quoted, quotes doubled; empty unquoted = NULL).
fn field(out: &mut String, value: Option<&str>) {
    if let Some(v) = value {
        out.push('"');
        out.push_str(&v.replace('"', "\"\""));
        out.push('"');
    }
}

async fn copy(pool: &PgPool, tenant: TenantId, events: &[Event]) -> Duration {
    let mut rows = String::with_capacity(events.len() * 1200);
    let received = Utc::now().to_rfc3339();
    for e in events {
        rows.push_str(&format!("{},", tenant.0));
        for v in [Some(e.log_id.as_str()), Some(e.date.to_rfc3339().as_str()), Some(e.type_code.as_str())] {
            field(&mut rows, v);
            rows.push(',');
        }
        let ip = e.ip.map(|ip| ip.to_string());
        for v in [
            e.description.as_deref(),
            e.client_id.as_deref(),
            e.client_name.as_deref(),
            e.user_id.as_deref(),
            e.user_name.as_deref(),
            ip.as_deref(),
            e.connection.as_deref(),
            e.strategy.as_deref(),
            e.hostname.as_deref(),
            e.user_agent.as_deref(),
            Some(e.payload.to_string().as_str()),
            Some("import"),
            Some(received.as_str()),
        ] {
            field(&mut rows, v);
            rows.push(',');
        }
        rows.pop();
        rows.push('\n');
    }
    let started = Instant::now();
    let mut conn = pool.acquire().await.expect("conn");
    let mut copy = conn
        .copy_in_raw(
            "COPY logs_events (tenant_id, log_id, date, type_code, description, client_id, client_name, user_id, \
             user_name, ip, connection, strategy, hostname, user_agent, payload, source, received_at) FROM STDIN \
             WITH (FORMAT csv)",
        )
        .await
        .expect("copy");
    copy.send(rows.as_bytes()).await.expect("send");
    copy.finish().await.expect("finish");
    started.elapsed()
}

async fn receiver(pool: &PgPool, tenant: TenantId, lines: &[String]) -> Duration {
    let token = service::new_token(pool, tenant, &server::accounts::audit::Actor::CommandLine, "", Utc::now())
        .await
        .expect("token");
    let addr = common::serve(pool).await;
    let url = format!("http://{addr}/hooks/logs/{tenant}");
    let batches: Vec<String> = lines.chunks(BATCH).map(|c| c.join("\n")).collect();
    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut senders = Vec::new();
    for s in 0..SENDERS {
        let mine: Vec<String> = batches.iter().skip(s).step_by(SENDERS).cloned().collect();
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        senders.push(tokio::spawn(async move {
            for body in mine {
                let answer = http
                    .post(&url)
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/x-ndjson")
                    .body(body)
                    .send()
                    .await
                    .expect("sent");
                assert!(answer.status().is_success(), "the receiver answered {}", answer.status());
            }
        }));
    }
    for s in senders {
        s.await.expect("sender");
    }
    started.elapsed()
}

async fn import(pool: &PgPool, tenant: TenantId, lines: &[String]) -> Duration {
    let path = std::env::temp_dir().join(format!("tenantry-bench-logs-{}.jsonl", std::process::id()));
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("file"));
    for l in lines {
        writeln!(f, "{l}").expect("write");
    }
    f.flush().expect("flush");
    drop(f);
    let started = Instant::now();
    let mut total = file::Imported::default();
    file::import(pool, tenant, &path, parse::Limits::default(), Utc::now(), &mut total).await.expect("import");
    let took = started.elapsed();
    let _ = std::fs::remove_file(&path);
    took
}

async fn run(count: usize) {
    let pool = common::fresh_database("tenantry_bench_logs").await;
    let tenant: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO tenants (name, domain, region, environment, user_domain, client_id, client_secret)
         VALUES ('bench-prod', 'bench-prod.us.auth0.com', 'us', 'production', 'customers', 'cid', '\\x00')
         RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .expect("tenant");
    let tenant = TenantId(tenant);
    // A day and a half of events ending now, so they fall in this month's partitions.
    let start = Utc::now() - TimeDelta::seconds(20 * count as i64);
    let raw = server::simulator::logs::flow("bench-prod.us.auth0.com", start, count);
    let lines: Vec<String> = raw.iter().map(|v| v.to_string()).collect();
    let events: Vec<Event> = lines.iter().filter_map(|l| parse::event(l.as_bytes()).ok()).collect();
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    println!(
        "{count} events ({:.1} MB as JSON Lines); {SENDERS} senders × batches of {BATCH} for the receiver",
        bytes as f64 / 1e6
    );
    for day in 0..=((20 * count as i64) / 86_400 + 1) {
        server::logs::repo::ensure_partition(&mut pool.acquire().await.expect("conn"), start + TimeDelta::days(day))
            .await
            .expect("partition");
    }

    empty(&pool).await;
    let took = copy(&pool, tenant, &events).await;
    let copy_rate = rate(count, took);
    println!(
        "COPY (the limit)   {:>9.0} events/s  ({:.1} s, {} stored)",
        copy_rate,
        took.as_secs_f64(),
        stored(&pool).await
    );

    empty(&pool).await;
    let took = receiver(&pool, tenant, &lines).await;
    let r = rate(count, took);
    println!(
        "receiver           {:>9.0} events/s  ({:.1} s, {} stored)  {:.2} of COPY",
        r,
        took.as_secs_f64(),
        stored(&pool).await,
        r / copy_rate
    );

    empty(&pool).await;
    let (cpu0, _) = common::usage();
    let took = import(&pool, tenant, &lines).await;
    let (cpu1, rss) = common::usage();
    let r = rate(count, took);
    println!(
        "import             {:>9.0} events/s  ({:.1} s, {} stored)  {:.2} of COPY; this process: {:.1} s CPU, peak RSS {:.0} MiB",
        r,
        took.as_secs_f64(),
        stored(&pool).await,
        r / copy_rate,
        cpu1 - cpu0,
        rss
    );
    println!("targets: at least half of COPY and at least 20,000 events/s");
}
