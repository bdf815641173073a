//! The database: the pool, the migrations, and the one place database errors become `AppError`s.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;

use crate::config::{DatabaseSettings, DatabaseUrl};
use crate::text::one_line;

/// Every migration in `migrations/`, compiled into the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// How long a health or status probe waits for the database before calling it down.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

/// Connects and checks one connection, so a wrong `DATABASE_URL` fails at start.
pub async fn connect(settings: &DatabaseSettings, url: &DatabaseUrl) -> anyhow::Result<PgPool> {
    pool_options(settings)
        .connect_with(url.connect_options())
        .await
        .map_err(|e| anyhow::anyhow!("DATABASE_URL: cannot connect to {url}: {}", one_line(&e)))
}

/// The pool settings shared by `connect` and tests.
pub fn pool_options(settings: &DatabaseSettings) -> PgPoolOptions {
    PgPoolOptions::new().max_connections(settings.max_connections).acquire_timeout(settings.acquire_timeout)
}

/// Applies every pending migration; returns how many were applied now.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<usize> {
    let before = applied_versions(pool).await.unwrap_or_default().len();
    MIGRATOR.run(pool).await.map_err(|e| anyhow::anyhow!("migrations failed: {}", one_line(&e)))?;
    let after = applied_versions(pool).await?.len();
    Ok(after.saturating_sub(before))
}

async fn applied_versions(pool: &PgPool) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version").fetch_all(pool).await
}

/// `SELECT 1` within `PROBE_TIMEOUT`: `Ok` when the database answers, else what went wrong in one line.
pub async fn ping(pool: &PgPool) -> Result<(), String> {
    match tokio::time::timeout(PROBE_TIMEOUT, sqlx::query("SELECT 1").execute(pool)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => {
            tracing::warn!(error = %error, "database ping failed");
            Err(one_line(&error))
        }
        Err(_) => Err(format!("no answer within {} s", PROBE_TIMEOUT.as_secs())),
    }
}

/// The one mapping of database errors to what pages show (policy in `app::error`): a missing row is "not found",
/// a pool that gives no connection in time (or a database that does not answer) is "busy, try again" (503), and
/// anything else is logged once with the area and a reference that the page names (500).
pub fn app_error(area: &str, cause: sqlx::Error) -> app::error::AppError {
    use app::error::AppError;
    match cause {
        sqlx::Error::RowNotFound => AppError::NotFound(format!("the {area} record")),
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            tracing::error!(error = %cause, "{area}: database unavailable");
            AppError::Unavailable("the database is not answering; try again in a minute".into())
        }
        other => {
            let reference = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
            tracing::error!(error = %other, reference = %reference, "{area}: database error");
            AppError::Internal(reference)
        }
    }
}

/// A `YYYY-MM-DD` filter from a query string; `label` names the field in the message.
pub fn day_filter(label: &str, raw: &Option<String>) -> Result<Option<chrono::NaiveDate>, app::error::AppError> {
    raw.as_deref()
        .map(|d| {
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                app::error::AppError::Invalid(format!("{label}: {d:?} is not a date; write it as YYYY-MM-DD"))
            })
        })
        .transpose()
}
