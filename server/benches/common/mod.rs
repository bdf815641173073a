//! What the benchmarks share: a fresh database per benchmark and this process's CPU time and peak memory.

#![allow(dead_code)]

use sqlx::{Connection, Executor, PgConnection, PgPool};

/// Drops and creates database `name` on the server of DATABASE_URL and applies the migrations.
pub async fn fresh_database(name: &str) -> PgPool {
    let base = std::env::var("DATABASE_URL").expect("set DATABASE_URL (scripts/db url)");
    let mut admin = PgConnection::connect(&base).await.expect("connect");
    admin.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await.expect("drop");
    admin.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create");
    let prefix = base.split('?').next().unwrap_or(&base).rsplit_once('/').map(|(p, _)| p.to_string()).expect("url");
    let pool = PgPool::connect(&format!("{prefix}/{name}")).await.expect("pool");
    server::db::migrate(&pool).await.expect("migrate");
    pool
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
