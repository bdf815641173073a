//! Custom-domain benchmark (prints figures, asserts nothing): 1,000 domains, each with a CNAME on a local
//! authoritative DNS server and a certificate on a local TLS server (SNI), checked (DNS + TLS) through the
//! scheduler's `run_due` with a bounded pool of 32 — wall time, checks per second, and the peak number of checks
//! in flight.
//!
//!   scripts/db start && DATABASE_URL=$(scripts/db url) cargo bench -p server --bench domains
//!
//! Uses its own database `tenantry_bench_domains` (recreated each run).

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use server::domains::check::Checker;
use server::domains::dns::DnsSettings;
use server::domains::jobs::{CHECK_KIND, CheckJob};
use server::domains::tls::TlsSettings;
use server::scheduler::{self, Job, Registry};
use server::simulator::dns_tls::{DnsLab, LabCa, LabRecord, TlsLab};

mod common;

const DOMAINS: usize = 1000;
const POOL: i64 = 32;

/// Counts checks in flight around the real job.
struct Counted {
    inner: CheckJob,
    now: AtomicUsize,
    peak: AtomicUsize,
}

#[async_trait::async_trait]
impl Job for Counted {
    fn kind(&self) -> &'static str {
        CHECK_KIND
    }

    async fn run_once(&self, key: &str, now: DateTime<Utc>) -> Result<(), String> {
        let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(n, Ordering::SeqCst);
        let result = self.inner.run_once(key, now).await;
        self.now.fetch_sub(1, Ordering::SeqCst);
        result
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    server::init_crypto();
    runtime.block_on(run());
}

async fn run() {
    let pool = common::fresh_database("tenantry_bench_domains").await;

    let started = Instant::now();
    let now = Utc::now();
    let hosts: Vec<String> = (0..DOMAINS).map(|i| format!("login{i:04}.bench.example")).collect();
    let edge = |i: usize| format!("bench-cd-{i:04}.edge.tenants.us.auth0.com");
    let mut records = Vec::new();
    for (i, host) in hosts.iter().enumerate() {
        records.push(LabRecord::Cname(host.clone(), edge(i)));
        records.push(LabRecord::A(edge(i), Ipv4Addr::LOCALHOST));
    }
    let dns = DnsLab::start(&["bench.example", "edge.tenants.us.auth0.com"], &records).await.expect("dns");
    let ca = LabCa::new("Bench CA").expect("ca");
    let certs = hosts
        .iter()
        .map(|h| {
            (
                h.clone(),
                ca.issue(&[h], now - chrono::Duration::days(1), now + chrono::Duration::days(60)).expect("cert"),
            )
        })
        .collect();
    let tls = TlsLab::start(certs).await.expect("tls");
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der.clone()).expect("root");
    let settings = TlsSettings { roots: Arc::new(roots), warn_days: vec![30, 14, 7], timeout: Duration::from_secs(5) };
    let checker = Checker::new(
        &DnsSettings { nameservers: Some(vec![dns.addr]), timeout: Duration::from_secs(2) },
        settings,
        tls.addr.port(),
    )
    .expect("checker");
    println!(
        "setup (zone of {} records, {DOMAINS} certificates): {:.1} s",
        records.len(),
        started.elapsed().as_secs_f64()
    );

    sqlx::query(
        "INSERT INTO tenants (name, domain, region, environment, user_domain, client_id, client_secret)
         VALUES ('bench', 'bench.us.auth0.com', 'us', 'production', 'users', 'cid', '\\x00')",
    )
    .execute(&pool)
    .await
    .expect("tenant");
    sqlx::query(
        "INSERT INTO domains (tenant_id, host, status, kind, expected_cname, status_since)
         SELECT t.id, 'login' || lpad(n::text, 4, '0') || '.bench.example', 'ready', 'auth0_managed_certs',
                'bench-cd-' || lpad(n::text, 4, '0') || '.edge.tenants.us.auth0.com', now()
         FROM tenants t, generate_series(0, $1 - 1) n",
    )
    .bind(DOMAINS as i32)
    .execute(&pool)
    .await
    .expect("domains");
    sqlx::query(
        "INSERT INTO scheduler_jobs (kind, key, interval_secs, scheduled_for, next_run_at)
         SELECT $1, id::text, 600, $2, $2 FROM domains",
    )
    .bind(CHECK_KIND)
    .bind(now)
    .execute(&pool)
    .await
    .expect("jobs");

    let job = Arc::new(Counted {
        inner: CheckJob { pool: pool.clone(), checker: Arc::new(checker) },
        now: AtomicUsize::new(0),
        peak: AtomicUsize::new(0),
    });
    let registry = Registry::default().with(job.clone());
    let t0 = Instant::now();
    let mut done = 0;
    loop {
        let n = scheduler::run_due(&pool, &registry, "bench", Utc::now(), POOL).await.expect("run");
        if n == 0 {
            break;
        }
        done += n;
    }
    let wall = t0.elapsed().as_secs_f64();
    let verdicts: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT dns_outcome, tls_outcome, count(*) FROM domains GROUP BY dns_outcome, tls_outcome ORDER BY 3 DESC",
    )
    .fetch_all(&pool)
    .await
    .expect("verdicts");
    println!(
        "checked {done} domains (DNS + TLS, pool of {POOL}): {wall:.1} s wall = {:.0} checks/s; peak in flight {}; \
         verdicts {verdicts:?}",
        done as f64 / wall,
        job.peak.load(Ordering::SeqCst)
    );
}
