//! Sign-in benchmark: throughput and latency of `POST /login` through the whole server (CSRF check, sessions,
//! throttling lookup, Argon2id verification, audit write, session write), against the private PostgreSQL.
//!
//!   DATABASE_URL=$(scripts/db url) cargo bench -p server --bench sign_in
//!
//! Prints figures; asserts nothing. Uses its own database `tenantry_bench_sign_in` (recreated each run).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use app::accounts::Role;
use server::accounts::audit::Actor;
use server::accounts::password::{LANES, MEMORY_KIB, PASSES};
use server::accounts::service::{self, NewUser};
use server::http::RouterOptions;
use sqlx::{Connection, Executor, PgConnection};

const PASSWORD: &str = "bench correct horse battery";
const CONCURRENCY: usize = 8;
const DURATION: Duration = Duration::from_secs(10);

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let base = std::env::var("DATABASE_URL").expect("set DATABASE_URL (scripts/db url)");
    let mut admin = PgConnection::connect(&base).await.expect("connect");
    admin.execute("DROP DATABASE IF EXISTS tenantry_bench_sign_in WITH (FORCE)").await.expect("drop");
    admin.execute("CREATE DATABASE tenantry_bench_sign_in").await.expect("create");
    let prefix = base.split('?').next().unwrap_or(&base).rsplit_once('/').map(|(p, _)| p.to_string()).expect("url");
    let pool = sqlx::PgPool::connect(&format!("{prefix}/tenantry_bench_sign_in")).await.expect("pool");
    server::db::migrate(&pool).await.expect("migrate");
    server::init_crypto();
    for i in 0..CONCURRENCY {
        let email = format!("user{i}@bench.test");
        let new = NewUser { email: &email, display_name: "Bench", role: Role::Helpdesk, password: PASSWORD };
        service::create_user(&pool, &Actor::CommandLine, new, "").await.expect("user");
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = server::http::router(pool.clone(), RouterOptions::default());
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.expect("serve");
    });

    println!(
        "sign-in benchmark: Argon2id m={MEMORY_KIB} KiB, t={PASSES}, p={LANES}; {CONCURRENCY} clients for {DURATION:?}"
    );

    // Failure timing first (few requests: more would trip the per-address throttle, which is the point of it).
    let probe = client();
    let mut unknown = Vec::new();
    let mut wrong = Vec::new();
    for i in 0..8 {
        unknown.push(sign_in(&probe, addr, &format!("nobody{i}@bench.test"), "not the password").await.0);
        wrong.push(sign_in(&probe, addr, &format!("user{i}@bench.test"), "not the password").await.0);
    }
    println!(
        "failed sign-in, mean of 8: unknown account {:.1} ms, wrong password {:.1} ms",
        mean_ms(&unknown),
        mean_ms(&wrong)
    );

    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..CONCURRENCY {
        tasks.push(tokio::spawn(async move {
            let client = client();
            let email = format!("user{i}@bench.test");
            let mut latencies = Vec::new();
            while started.elapsed() < DURATION {
                let (took, status) = sign_in(&client, addr, &email, PASSWORD).await;
                assert_eq!(status, 303, "sign-in succeeded");
                latencies.push(took);
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("client task"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)].as_secs_f64() * 1000.0;
    println!(
        "successful sign-ins: {} in {elapsed:.1} s = {:.1} per second; latency p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms",
        all.len(),
        all.len() as f64 / elapsed,
        pct(0.50),
        pct(0.95),
        pct(0.99)
    );
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

async fn sign_in(client: &reqwest::Client, addr: SocketAddr, email: &str, password: &str) -> (Duration, u16) {
    let t0 = Instant::now();
    let response = client
        .post(format!("http://{addr}/login"))
        .header("origin", format!("http://{addr}"))
        .form(&[("email", email), ("password", password), ("next", "/")])
        .send()
        .await
        .expect("answer");
    (t0.elapsed(), response.status().as_u16())
}

fn mean_ms(samples: &[Duration]) -> f64 {
    samples.iter().map(Duration::as_secs_f64).sum::<f64>() / samples.len() as f64 * 1000.0
}
