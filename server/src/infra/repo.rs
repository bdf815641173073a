//! All of the infrastructure area's SQL: the IP list's source and versions, and what the area reads of the tenant
//! registry and its latest snapshots (regions in use, email providers).

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;

/// The IP list's source as last read.
#[derive(Clone, Debug)]
pub struct SourceRow {
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_good_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

/// One stored version of the list.
#[derive(Clone, Debug)]
pub struct VersionRow {
    pub id: i64,
    pub fetched_at: DateTime<Utc>,
    pub last_updated_at: Option<DateTime<Utc>>,
    pub sha256: String,
    pub body: String,
    pub ranges: i32,
    pub summary: String,
}

/// Sets the source's URL (a changed URL forgets the old validators).
pub async fn ensure_source(conn: &mut PgConnection, url: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO infra_ip_source (id, url) VALUES (1, $1)
         ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url,
             etag = CASE WHEN infra_ip_source.url = EXCLUDED.url THEN infra_ip_source.etag END,
             last_modified = CASE WHEN infra_ip_source.url = EXCLUDED.url THEN infra_ip_source.last_modified END",
        url
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn source(conn: &mut PgConnection) -> Result<Option<SourceRow>, sqlx::Error> {
    sqlx::query_as!(
        SourceRow,
        r#"SELECT url, etag, last_modified, last_attempt_at AS "last_attempt_at: DateTime<Utc>",
                  last_good_at AS "last_good_at: DateTime<Utc>", error
             FROM infra_ip_source WHERE id = 1"#
    )
    .fetch_optional(conn)
    .await
}

/// A good read (a new version or 304): new validators, no error.
pub async fn read_ok(
    conn: &mut PgConnection,
    etag: Option<&str>,
    last_modified: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE infra_ip_source SET etag = $1, last_modified = $2, last_attempt_at = $3, last_good_at = $3,
                error = NULL
          WHERE id = 1",
        etag,
        last_modified,
        now as _
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A failed read: the reason; the validators and versions stay.
pub async fn read_failed(conn: &mut PgConnection, error: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE infra_ip_source SET last_attempt_at = $1, error = $2 WHERE id = 1", now as _, error)
        .execute(conn)
        .await?;
    Ok(())
}

/// The version `id`, or the latest one when `id` is `None`.
pub async fn version(conn: &mut PgConnection, id: Option<i64>) -> Result<Option<VersionRow>, sqlx::Error> {
    sqlx::query_as!(
        VersionRow,
        r#"SELECT id, fetched_at AS "fetched_at: DateTime<Utc>", last_updated_at AS "last_updated_at: DateTime<Utc>", sha256,
                body, ranges, summary
           FROM infra_ip_versions WHERE $1::bigint IS NULL OR id = $1
          ORDER BY fetched_at DESC, id DESC LIMIT 1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// The newest `limit` versions, without their bodies (a body is read one version at a time).
pub async fn versions(conn: &mut PgConnection, limit: i64) -> Result<Vec<VersionRow>, sqlx::Error> {
    sqlx::query_as!(
        VersionRow,
        r#"SELECT id, fetched_at AS "fetched_at: DateTime<Utc>", last_updated_at AS "last_updated_at: DateTime<Utc>", sha256,
                '' AS "body!", ranges, summary
           FROM infra_ip_versions ORDER BY fetched_at DESC, id DESC LIMIT $1"#,
        limit
    )
    .fetch_all(conn)
    .await
}

pub struct NewVersion<'a> {
    pub fetched_at: DateTime<Utc>,
    pub last_updated_at: Option<DateTime<Utc>>,
    pub sha256: &'a str,
    pub body: &'a str,
    pub ranges: i32,
    pub summary: &'a str,
}

pub async fn insert_version(conn: &mut PgConnection, v: &NewVersion<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO infra_ip_versions (fetched_at, last_updated_at, sha256, body, ranges, summary)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        v.fetched_at as _,
        v.last_updated_at as _,
        v.sha256,
        v.body,
        v.ranges,
        v.summary
    )
    .fetch_one(conn)
    .await
}

/// A registered tenant as this area sees it, with what its latest snapshot says of its email provider
/// (`provider` is `None` without a snapshot, `Some(Null)` when Auth0 answered "not configured").
#[derive(Clone, Debug, Default)]
pub struct TenantRow {
    pub id: uuid::Uuid,
    pub name: String,
    pub environment: String,
    pub region: Option<String>,
    pub snapshot_at: Option<DateTime<Utc>>,
    pub snapshot_id: Option<i64>,
    pub provider: Option<Value>,
    /// The log streams of the latest snapshot (sinks reduced to where they send).
    pub log_streams: Option<Value>,
    /// The connections and Actions of the latest snapshot (as `tenants::keep` keeps them; `Null` without the
    /// scope), and the scopes the snapshot lacked.
    pub connections: Option<Value>,
    pub actions: Option<Value>,
    pub missing_scopes: Option<Value>,
}

pub async fn tenants(conn: &mut PgConnection) -> Result<Vec<TenantRow>, sqlx::Error> {
    sqlx::query_as!(
        TenantRow,
        r#"SELECT t.id, t.name, t.environment, t.region, s.taken_at AS "snapshot_at?: DateTime<Utc>", s.id AS "snapshot_id?",
                s.data->'email_provider' AS "provider?", s.data->'log_streams' AS "log_streams?",
                s.data->'connections' AS "connections?", s.data->'actions' AS "actions?",
                s.data->'missing_scopes' AS "missing_scopes?"
           FROM tenants t
           LEFT JOIN LATERAL (SELECT id, taken_at, data FROM tenants_snapshots
                               WHERE tenant_id = t.id ORDER BY taken_at DESC, id DESC LIMIT 1) s ON true
          ORDER BY t.name"#
    )
    .fetch_all(conn)
    .await
}

/// A tenant's mail-record state.
#[derive(Clone, Debug)]
pub struct MailRow {
    pub tenant_id: uuid::Uuid,
    pub selectors: Vec<String>,
    pub domain: Option<String>,
    pub provider_verdict: Option<String>,
    pub checked_at: Option<DateTime<Utc>>,
    pub snapshot_id: Option<i64>,
    pub checks: Value,
}

pub async fn mail_rows(conn: &mut PgConnection) -> Result<Vec<MailRow>, sqlx::Error> {
    sqlx::query_as!(
        MailRow,
        r#"SELECT tenant_id, selectors, domain, provider_verdict, checked_at AS "checked_at: DateTime<Utc>", snapshot_id,
                  checks
             FROM infra_mail"#
    )
    .fetch_all(conn)
    .await
}

/// What one check found, kept for the page and compared by the next check.
pub struct MailState<'a> {
    pub tenant_id: uuid::Uuid,
    pub domain: Option<&'a str>,
    pub provider: Option<&'a str>,
    pub provider_verdict: &'a str,
    pub snapshot_id: Option<i64>,
    pub checks: &'a Value,
    pub at: DateTime<Utc>,
}

/// Stores a check (keeping the tenant's selectors).
pub async fn save_mail(conn: &mut PgConnection, s: &MailState<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO infra_mail (tenant_id, domain, provider, provider_verdict, checks, checked_at, snapshot_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (tenant_id) DO UPDATE SET domain = EXCLUDED.domain, provider = EXCLUDED.provider,
             provider_verdict = EXCLUDED.provider_verdict, checks = EXCLUDED.checks, checked_at = EXCLUDED.checked_at,
             snapshot_id = EXCLUDED.snapshot_id",
        s.tenant_id,
        s.domain,
        s.provider,
        s.provider_verdict,
        s.checks,
        s.at as _,
        s.snapshot_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets the DKIM selectors checked for a tenant; `false` when the tenant does not exist.
pub async fn set_selectors(
    conn: &mut PgConnection,
    tenant: uuid::Uuid,
    selectors: &[String],
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "INSERT INTO infra_mail (tenant_id, selectors) SELECT id, $2 FROM tenants WHERE id = $1
         ON CONFLICT (tenant_id) DO UPDATE SET selectors = EXCLUDED.selectors, checked_at = NULL",
        tenant,
        selectors
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}
