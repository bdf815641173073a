//! The demo's SQL: what it reads to stay idempotent across starts, and the seed rows it points at this run's
//! simulator (whose port changes at every start).

use sqlx::PgConnection;
use uuid::Uuid;

/// Users whose email is outside `demo_domain`: a database with any is not the demo's.
pub async fn real_users(conn: &mut PgConnection, demo_domain: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM accounts_users WHERE email NOT LIKE '%@' || $1"#, demo_domain)
        .fetch_one(conn)
        .await
}

/// The tenant registered with `domain`, if any.
pub async fn tenant_by_domain(conn: &mut PgConnection, domain: &str) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT id FROM tenants WHERE domain = $1", domain).fetch_optional(conn).await
}

/// The tenant named `name`, if any.
pub async fn tenant_by_name(conn: &mut PgConnection, name: &str) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT id FROM tenants WHERE name = $1", name).fetch_optional(conn).await
}

/// Every region the registered tenants run in.
pub async fn tenant_regions(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT DISTINCT region AS "region!" FROM tenants WHERE region IS NOT NULL ORDER BY 1"#)
        .fetch_all(conn)
        .await
}

/// A catalog status source at `url`: added, or moved to `url` with its conditional-request state forgotten.
pub async fn upsert_catalog_source(
    conn: &mut PgConnection,
    (name, kind, category): (&str, &str, &str),
    url: &str,
    key: &str,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO status_sources (name, kind, category, url, catalog_key) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (catalog_key) DO UPDATE SET url = EXCLUDED.url, etag = NULL, last_modified = NULL,
             history_etag = NULL
         RETURNING id",
        name,
        kind,
        category,
        url,
        key
    )
    .fetch_one(conn)
    .await
}

/// Whether the tenant has a monitoring check named `name`.
pub async fn check_exists(conn: &mut PgConnection, tenant: Uuid, name: &str) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar!("SELECT id FROM monitoring_checks WHERE tenant_id = $1 AND name = $2", tenant, name)
        .fetch_optional(conn)
        .await?
        .is_some())
}

/// The tenant's check named `name`, its endpoint moved to `target` (the demo's servers get new ports at every
/// start), if it exists.
pub async fn move_check(
    conn: &mut PgConnection,
    tenant: Uuid,
    name: &str,
    target: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "UPDATE monitoring_checks SET target = $3 WHERE tenant_id = $1 AND name = $2 RETURNING id",
        tenant,
        name,
        target
    )
    .fetch_optional(conn)
    .await
}

/// The advisory feed named `name` moved to `url` (keeping its row and id), or added there.
pub async fn upsert_feed(
    conn: &mut PgConnection,
    (name, kind, classify): (&str, &str, &str),
    url: &str,
    keywords: &[String],
) -> Result<Uuid, sqlx::Error> {
    let moved = sqlx::query_scalar!(
        "UPDATE notifications_feeds SET url = $2, etag = NULL, last_modified = NULL WHERE name = $1 RETURNING id",
        name,
        url
    )
    .fetch_optional(&mut *conn)
    .await?;
    match moved {
        Some(id) => Ok(id),
        None => {
            sqlx::query_scalar!(
                "INSERT INTO notifications_feeds (name, kind, classify, url, keywords, interval_secs)
                 VALUES ($1, $2, $3, $4, $5, 1800) RETURNING id",
                name,
                kind,
                classify,
                url,
                keywords
            )
            .fetch_one(conn)
            .await
        }
    }
}

/// The delivery channel named `name`, locked for the caller's transaction, if any.
pub async fn channel_by_name(conn: &mut PgConnection, name: &str) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT id FROM notifications_channels WHERE name = $1 FOR UPDATE", name)
        .fetch_optional(conn)
        .await
}
