//! The `system` area: the engine behind the About / System page.

use std::time::Instant;

use app::error::AppError;
use app::system::{AppliedMigration, DatabaseStatus, Installation, SystemInfo, SystemPort};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

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
        let t0 = Instant::now();
        let server_version: String =
            sqlx::query_scalar!(r#"SELECT current_setting('server_version') AS "v!""#).fetch_one(&self.pool).await?;
        let latency_ms = t0.elapsed().as_millis() as u64;
        // `_sqlx_migrations` belongs to sqlx's migrator, not to our schema, so it is read with a runtime query.
        let migrations = sqlx::query_as::<_, (i64, String, DateTime<Utc>, bool)>(
            "SELECT version, description, installed_on, success FROM _sqlx_migrations ORDER BY version",
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|(version, description, installed_on, success)| AppliedMigration {
            version,
            description,
            installed_on,
            success,
        })
        .collect();
        let installation =
            sqlx::query!(r#"SELECT instance_id, installed_at AS "installed_at: DateTime<Utc>" FROM system_instance"#)
                .fetch_one(&self.pool)
                .await?;
        Ok((
            DatabaseStatus::Up { server_version, latency_ms },
            migrations,
            Installation { instance_id: installation.instance_id.to_string(), installed_at: installation.installed_at },
        ))
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
