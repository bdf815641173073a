//! The system area's SQL: the server's version, the applied migrations and this installation.

use app::system::{AppliedMigration, Installation};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// PostgreSQL's version (`server_version`).
pub async fn server_version(conn: &mut PgConnection) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT current_setting('server_version') AS "v!""#).fetch_one(conn).await
}

/// Every migration the database records, oldest first. `_sqlx_migrations` belongs to sqlx's migrator, not to our
/// schema, so it is read with a runtime query.
pub async fn migrations(conn: &mut PgConnection) -> Result<Vec<AppliedMigration>, sqlx::Error> {
    let rows = sqlx::query_as::<_, (i64, String, DateTime<Utc>, bool)>(
        "SELECT version, description, installed_on, success FROM _sqlx_migrations ORDER BY version",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(version, description, installed_on, success)| AppliedMigration {
            version,
            description,
            installed_on,
            success,
        })
        .collect())
}

/// This installation: its id and when it was installed.
pub async fn installation(conn: &mut PgConnection) -> Result<Installation, sqlx::Error> {
    let row = sqlx::query!(r#"SELECT instance_id, installed_at AS "installed_at: DateTime<Utc>" FROM system_instance"#)
        .fetch_one(conn)
        .await?;
    Ok(Installation { instance_id: row.instance_id.to_string(), installed_at: row.installed_at })
}
