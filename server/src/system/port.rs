//! The System page's port: version and uptime from the process, the database's state from `repo`.

use std::time::Instant;

use app::error::AppError;
use app::system::{AppliedMigration, DatabaseStatus, Installation, SystemInfo, SystemPort};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::repo;
use crate::db::{MIGRATOR, PROBE_TIMEOUT};

/// Reads system information from the process and PostgreSQL.
pub struct PgSystem {
    pool: PgPool,
    started_at: DateTime<Utc>,
    started: Instant,
}

impl PgSystem {
    pub fn new(pool: PgPool, started_at: DateTime<Utc>, started: Instant) -> Self {
        PgSystem { pool, started_at, started }
    }

    async fn read_database(&self) -> Result<(DatabaseStatus, Vec<AppliedMigration>, Installation), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        let t0 = Instant::now();
        let server_version = repo::server_version(&mut conn).await?;
        let latency_ms = t0.elapsed().as_millis() as u64;
        let migrations = repo::migrations(&mut conn).await?;
        let installation = repo::installation(&mut conn).await?;
        Ok((DatabaseStatus::Up { server_version, latency_ms }, migrations, installation))
    }
}

#[async_trait::async_trait]
impl SystemPort for PgSystem {
    async fn system_info(&self) -> Result<SystemInfo, AppError> {
        let read = tokio::time::timeout(PROBE_TIMEOUT * 2, self.read_database()).await;
        let (database, migrations, installation) = match read {
            Ok(Ok((status, migrations, installation))) => (status, Some(migrations), Some(installation)),
            Ok(Err(error)) => {
                tracing::warn!(error = %error, "system page: database read failed");
                (DatabaseStatus::Down { reason: down_reason(&error) }, None, None)
            }
            Err(_) => (
                DatabaseStatus::Down {
                    reason: format!(
                        "no answer within {} s — check that PostgreSQL is running and DATABASE_URL is right",
                        (PROBE_TIMEOUT * 2).as_secs()
                    ),
                },
                None,
                None,
            ),
        };
        let pending_migrations = match &migrations {
            Some(applied) => MIGRATOR
                .iter()
                .filter(|m| !applied.iter().any(|a| a.version == m.version && a.success))
                .map(|m| format!("{} {}", m.version, m.description))
                .collect(),
            None => Vec::new(),
        };
        Ok(SystemInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            started_at: self.started_at,
            uptime_secs: self.started.elapsed().as_secs(),
            database,
            migrations,
            pending_migrations,
            installation,
        })
    }
}

fn down_reason(error: &sqlx::Error) -> String {
    let cause = match error {
        sqlx::Error::PoolTimedOut => "no connection could be made in time".to_string(),
        other => crate::text::one_line(other),
    };
    format!("{cause} — check that PostgreSQL is running and DATABASE_URL is right")
}
