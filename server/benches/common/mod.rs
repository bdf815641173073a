//! What the benchmarks share: a fresh database per benchmark and this process's CPU time and peak memory.

#![allow(dead_code)]

use sqlx::{Connection, Executor, PgConnection, PgPool};

/// Drops and creates database `name` on the server of DATABASE_URL and applies the migrations.
pub async fn fresh_database(name: &str) -> PgPool {
    server::init_crypto();
    let base = std::env::var("DATABASE_URL").expect("set DATABASE_URL (scripts/db url)");
    let prefix = base.split('?').next().unwrap_or(&base).rsplit_once('/').map(|(p, _)| p.to_string()).expect("url");
    // The server's own `postgres` database: DATABASE_URL's may not exist yet (scripts/db url names `tenantry`).
    let mut admin = PgConnection::connect(&format!("{prefix}/postgres")).await.expect("connect");
    admin.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await.expect("drop");
    admin.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create");
    let pool = PgPool::connect(&format!("{prefix}/{name}")).await.expect("pool");
    server::db::migrate(&pool).await.expect("migrate");
    pool
}

/// Starts `tenantry simulator` (the binary at `tenantry`) on a free port as a process of its own and waits until it
/// answers: (the process, its base URL, a client).
pub async fn start_simulator(tenantry: &str) -> (std::process::Child, String, reqwest::Client) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let simulator = std::process::Command::new(tenantry)
        .args(["simulator", "--port", &port.to_string()])
        .env("TENANTRY_LOG", "warn")
        .spawn()
        .expect("simulator starts");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..100 {
        if http.get(format!("{base}/__simulator/stats")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    (simulator, base, http)
}

/// (user + system CPU seconds, peak RSS in MiB) of this process.
pub fn usage() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .unwrap_or(0.0);
    ((ticks(11) + ticks(12)) / 100.0, hwm / 1024.0)
}

/// The whole router on 127.0.0.1:0 over `pool`, and a signed-in client for a new user of `role`:
/// (address, client, session cookie).
pub async fn serve_signed_in(
    pool: &PgPool,
    role: app::accounts::Role,
) -> (std::net::SocketAddr, reqwest::Client, String) {
    use server::accounts::audit::Actor;
    use server::accounts::service::{self, NewUser};
    let (email, password) = ("bench@bench.test", "bench correct horse");
    let new = NewUser { email, display_name: "Bench", role, password };
    service::create_user(pool, &Actor::CommandLine, new, "").await.expect("user");
    let addr = serve(pool).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let signed = client
        .post(format!("http://{addr}/login"))
        .header("origin", format!("http://{addr}"))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .expect("sign in");
    let cookie = signed.headers()["set-cookie"].to_str().expect("ascii").split(';').next().expect("cookie").to_string();
    (addr, client, cookie)
}

/// The whole router on 127.0.0.1:0 over `pool`; its address.
pub async fn serve(pool: &PgPool) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = server::http::router(pool.clone(), server::http::RouterOptions::default());
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
            .await
            .expect("serve");
    });
    addr
}
