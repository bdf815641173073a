//! All of the monitoring area's SQL. Every function takes a connection (a transaction derefs to one), so callers
//! compose them atomically; static SQL is checked at compile time, the list's filters use a `QueryBuilder`.
//!
//! - this file: checks themselves (adding, changing, pausing, removing), maintenance windows, the login budget and
//!   the tenants a check can belong to;
//! - `runs`: what the `monitoring.check` and `monitoring.rollup` jobs write (runs, streaks, alerts, events, roll-ups);
//! - `views`: what the pages and the board tile read.

pub mod runs;
pub mod views;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::model::{CheckId, CheckSpec, TenantId};

/// A check's settings as stored (never its secrets).
pub struct CheckSettings {
    pub tenant_id: TenantId,
    pub kind: String,
    pub name: String,
    pub interval_secs: i32,
    pub enabled: bool,
    pub grant_type: Option<String>,
    pub realm: Option<String>,
    pub username: Option<String>,
    pub client_id: Option<String>,
    pub audience: Option<String>,
    pub scope: Option<String>,
    pub target: Option<String>,
    pub expect_status: Option<i32>,
    pub starttls: bool,
    pub fail_threshold: i32,
    pub success_threshold: i32,
    pub reminder_minutes: i32,
}

/// One check's settings, if it exists.
pub async fn settings(conn: &mut PgConnection, id: CheckId) -> Result<Option<CheckSettings>, sqlx::Error> {
    sqlx::query_as!(
        CheckSettings,
        r#"SELECT tenant_id AS "tenant_id: TenantId", kind, name, interval_secs, enabled, grant_type, realm, username,
                  client_id, audience, scope, target, expect_status, starttls, fail_threshold, success_threshold,
                  reminder_minutes
           FROM monitoring_checks WHERE id = $1"#,
        id.0
    )
    .fetch_optional(conn)
    .await
}

/// A tenant a check can belong to.
pub struct TenantChoice {
    pub id: TenantId,
    pub name: String,
    pub domain: String,
}

/// Every registered tenant, by name.
pub async fn tenants(conn: &mut PgConnection) -> Result<Vec<TenantChoice>, sqlx::Error> {
    sqlx::query_as!(TenantChoice, r#"SELECT id AS "id: TenantId", name, domain FROM tenants ORDER BY name"#)
        .fetch_all(conn)
        .await
}

/// Synthetic logins per minute a tenant's enabled checks make, leaving out `except`.
pub async fn logins_per_minute(
    conn: &mut PgConnection,
    tenant: TenantId,
    except: Option<CheckId>,
) -> Result<f64, sqlx::Error> {
    let n = sqlx::query_scalar!(
        "SELECT sum(60.0 / interval_secs)::float8 FROM monitoring_checks
         WHERE tenant_id = $1 AND kind = 'login' AND enabled AND ($2::uuid IS NULL OR id <> $2)",
        tenant.0,
        except.map(|e| e.0) as _
    )
    .fetch_one(conn)
    .await?;
    Ok(n.unwrap_or(0.0))
}

/// A check query with the check's settings bound as `$1` … `$18` in the order of `insert_check`'s column list,
/// then any further arguments: the insert and the update bind the same values the same way.
macro_rules! check_query {
    ($sql:tt, $p:expr $(, $more:expr)*) => {
        sqlx::query_scalar!(
            $sql,
            $p.tenant.0,
            $p.kind.as_str(),
            $p.name,
            $p.interval,
            $p.grant_type,
            $p.realm,
            $p.username,
            $p.password,
            $p.client_id,
            $p.client_secret,
            $p.audience,
            $p.scope,
            $p.fail_threshold,
            $p.success_threshold,
            $p.reminder_minutes,
            $p.target,
            $p.expect_status,
            $p.starttls
            $(, $more)*
        )
    };
}

/// Adds a check.
pub async fn insert_check(conn: &mut PgConnection, p: &CheckSpec) -> Result<CheckId, sqlx::Error> {
    check_query!(
        r#"INSERT INTO monitoring_checks (tenant_id, kind, name, interval_secs, grant_type, realm, username, password,
               client_id, client_secret, audience, scope, fail_threshold, success_threshold, reminder_minutes, target,
               expect_status, starttls)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
           RETURNING id AS "id: CheckId""#,
        p
    )
    .fetch_one(conn)
    .await
}

/// Changes a check (absent secrets keep the stored ones); `Some(enabled)` when it exists.
pub async fn update_check(conn: &mut PgConnection, id: CheckId, p: &CheckSpec) -> Result<Option<bool>, sqlx::Error> {
    check_query!(
        "UPDATE monitoring_checks SET tenant_id = $1, kind = $2, name = $3, interval_secs = $4, grant_type = $5,
             realm = $6, username = $7,
             password = CASE WHEN tenant_id = $1 THEN COALESCE($8, password) ELSE $8 END, client_id = $9,
             client_secret = CASE WHEN tenant_id = $1 AND client_id IS NOT DISTINCT FROM $9
                                  THEN COALESCE($10, client_secret) ELSE $10 END, audience = $11, scope = $12, fail_threshold = $13,
             success_threshold = $14, reminder_minutes = $15, target = $16, expect_status = $17, starttls = $18
         WHERE id = $19 RETURNING enabled",
        p,
        id.0
    )
    .fetch_optional(conn)
    .await
}

/// Whether a login check lacks a stored password or client secret.
pub async fn secrets_missing(conn: &mut PgConnection, id: CheckId) -> Result<bool, sqlx::Error> {
    let missing = sqlx::query_scalar!(
        "SELECT kind = 'login' AND (password IS NULL OR client_secret IS NULL) FROM monitoring_checks WHERE id = $1",
        id.0
    )
    .fetch_one(conn)
    .await?;
    Ok(missing.unwrap_or(false))
}

/// Pauses or resumes a check.
pub async fn set_enabled(conn: &mut PgConnection, id: CheckId, enabled: bool) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE monitoring_checks SET enabled = $2 WHERE id = $1", id.0, enabled).execute(conn).await?;
    Ok(())
}

/// Removes a check with its history; its name when it existed.
pub async fn delete_check(conn: &mut PgConnection, id: CheckId) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("DELETE FROM monitoring_checks WHERE id = $1 RETURNING name", id.0).fetch_optional(conn).await
}

/// Adds a maintenance window over one check, or (`check` `None`) over every check of `tenant`.
pub async fn insert_maintenance(
    conn: &mut PgConnection,
    tenant: Option<TenantId>,
    check: Option<CheckId>,
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO monitoring_maintenance (tenant_id, check_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, $4, $5)",
        tenant.map(|t| t.0) as _,
        check.map(|c| c.0) as _,
        starts as _,
        ends as _,
        reason
    )
    .execute(conn)
    .await?;
    Ok(())
}
