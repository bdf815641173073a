//! Queries on the tenants tables.

use app::tenants::{Association, ChangeRow, Environment, Region};
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use super::diff::Change;

/// A registered tenant (the secret stays encrypted).
#[derive(Clone, Debug, PartialEq)]
pub struct Tenant {
    pub id: Uuid,
    pub name: String,
    pub domain: String,
    pub region: Option<Region>,
    pub environment: Environment,
    pub user_domain: String,
    pub association: Association,
    pub account_name: String,
    pub paid_features: bool,
    pub client_id: String,
    pub client_secret: Vec<u8>,
    pub api_base_url: Option<String>,
    pub notes: String,
}

/// A tenant as typed in a form or an import, already parsed.
#[derive(Clone, Debug)]
pub struct NewTenant {
    pub name: String,
    pub domain: String,
    pub region: Option<Region>,
    pub environment: Environment,
    pub user_domain: String,
    pub association: Association,
    pub account_name: String,
    pub paid_features: bool,
    pub client_id: String,
    pub client_secret: Vec<u8>,
    pub api_base_url: Option<String>,
    pub notes: String,
}

pub async fn insert(conn: &mut PgConnection, t: &NewTenant) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO tenants (name, domain, region, environment, user_domain, association, account_name, paid_features,
                              client_id, client_secret, api_base_url, notes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        t.name,
        t.domain,
        t.region.map(Region::as_str),
        t.environment.as_str(),
        t.user_domain,
        t.association.as_str(),
        t.account_name,
        t.paid_features,
        t.client_id,
        t.client_secret,
        t.api_base_url,
        t.notes
    )
    .fetch_one(conn)
    .await
}

/// The registered tenants, then `$rest` of the query (a filter, an order) and its arguments.
macro_rules! tenants {
    ($rest:tt $(, $args:expr)*) => {
        sqlx::query_as!(
            Tenant,
            r#"SELECT id, name, domain, region AS "region: Region", environment AS "environment: Environment",
                      user_domain, association AS "association: Association", account_name, paid_features,
                      client_id, client_secret, api_base_url, notes
               FROM tenants "# + $rest
            $(, $args)*
        )
    };
}

pub async fn get(conn: &mut PgConnection, id: Uuid) -> Result<Option<Tenant>, sqlx::Error> {
    tenants!("WHERE id = $1", id).fetch_optional(conn).await
}

/// The latest snapshot's data, if any.
pub async fn latest_snapshot(conn: &mut PgConnection, tenant: Uuid) -> Result<Option<(i64, Value)>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT id, data FROM tenants_snapshots WHERE tenant_id = $1 ORDER BY taken_at DESC, id DESC LIMIT 1",
        tenant
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.id, r.data)))
}

/// Stores a snapshot unless it equals the latest one (compared by the hash of its canonical jsonb text).
/// Returns the new snapshot's id, or `None` when nothing changed.
pub async fn store_snapshot_if_changed(
    conn: &mut PgConnection,
    tenant: Uuid,
    at: DateTime<Utc>,
    data: &Value,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "WITH latest AS (
             SELECT hash FROM tenants_snapshots WHERE tenant_id = $1 ORDER BY taken_at DESC, id DESC LIMIT 1)
         INSERT INTO tenants_snapshots (tenant_id, taken_at, hash, data)
         SELECT $1, $2, md5($3::jsonb::text), $3::jsonb
         WHERE NOT EXISTS (SELECT 1 FROM latest WHERE latest.hash = md5($3::jsonb::text))
         RETURNING id",
        tenant,
        at as _,
        data
    )
    .fetch_optional(conn)
    .await
}

pub async fn insert_changes(
    conn: &mut PgConnection,
    tenant: Uuid,
    snapshot: i64,
    at: DateTime<Utc>,
    changes: &[Change],
) -> Result<(), sqlx::Error> {
    for c in changes {
        sqlx::query!(
            "INSERT INTO tenants_changes (tenant_id, snapshot_id, at, field, before, after) VALUES ($1, $2, $3, $4, $5, $6)",
            tenant,
            snapshot,
            at as _,
            c.field,
            c.before,
            c.after
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Records a poll: success (clears the failure) or failure (keeps the last success time).
pub async fn record_poll(
    conn: &mut PgConnection,
    tenant: Uuid,
    at: DateTime<Utc>,
    outcome: Result<Option<i64>, (&str, &str)>,
) -> Result<(), sqlx::Error> {
    match outcome {
        Ok(active_users) => {
            sqlx::query!(
                "INSERT INTO tenants_polls (tenant_id, last_attempt_at, last_success_at, active_users)
                 VALUES ($1, $2, $2, $3)
                 ON CONFLICT (tenant_id) DO UPDATE SET last_attempt_at = $2, last_success_at = $2,
                     failure_class = NULL, failure = NULL, active_users = $3",
                tenant,
                at as _,
                active_users
            )
            .execute(conn)
            .await?;
        }
        Err((class, message)) => {
            sqlx::query!(
                "INSERT INTO tenants_polls (tenant_id, last_attempt_at, failure_class, failure) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (tenant_id) DO UPDATE SET last_attempt_at = $2, failure_class = $3, failure = $4",
                tenant,
                at as _,
                class,
                message
            )
            .execute(conn)
            .await?;
        }
    }
    Ok(())
}

/// Updates every field; the secret only when `new_secret`. Returns whether the tenant exists.
pub async fn update(conn: &mut PgConnection, id: Uuid, t: &NewTenant, new_secret: bool) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE tenants SET name = $2, domain = $3, region = $4, environment = $5, user_domain = $6, association = $7,
             account_name = $8, paid_features = $9, client_id = $10,
             client_secret = CASE WHEN $11 THEN $12 ELSE client_secret END,
             api_base_url = $13, notes = $14, updated_at = now()
         WHERE id = $1",
        id,
        t.name,
        t.domain,
        t.region.map(Region::as_str),
        t.environment.as_str(),
        t.user_domain,
        t.association.as_str(),
        t.account_name,
        t.paid_features,
        t.client_id,
        new_secret,
        t.client_secret,
        t.api_base_url,
        t.notes
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes a tenant; returns its name if it existed.
pub async fn delete(conn: &mut PgConnection, id: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("DELETE FROM tenants WHERE id = $1 RETURNING name", id).fetch_optional(conn).await
}

/// Every tenant, by name.
pub async fn list(conn: &mut PgConnection) -> Result<Vec<Tenant>, sqlx::Error> {
    tenants!("ORDER BY name").fetch_all(conn).await
}

/// One row of the inventory query.
pub struct CellRow {
    pub id: Uuid,
    pub name: String,
    pub domain: String,
    pub region: Option<String>,
    pub environment: String,
    pub user_domain: String,
    pub association: String,
    pub account_name: String,
    pub paid_features: bool,
    pub last_success_at: Option<DateTime<Utc>>,
    pub failure_class: Option<String>,
    pub failure: Option<String>,
    pub snapshot: Option<Value>,
}

/// Every tenant with its poll state and the parts of its latest snapshot the inventory shows, by user domain and
/// name. `snapshot` holds only nulls when there is no snapshot.
pub async fn cell_rows(conn: &mut PgConnection) -> Result<Vec<CellRow>, sqlx::Error> {
    sqlx::query_as!(
        CellRow,
        r#"SELECT t.id, t.name, t.domain, t.region, t.environment, t.user_domain, t.association, t.account_name,
                  t.paid_features, p.last_success_at AS "last_success_at: DateTime<Utc>", p.failure_class, p.failure,
                  jsonb_build_object('custom_domains', s.data->'custom_domains',
                                     'email_provider', s.data->'email_provider',
                                     'log_streams', s.data->'log_streams') AS snapshot
           FROM tenants t
           LEFT JOIN tenants_polls p ON p.tenant_id = t.id
           LEFT JOIN LATERAL (SELECT data FROM tenants_snapshots WHERE tenant_id = t.id
                              ORDER BY taken_at DESC, id DESC LIMIT 1) s ON true
           ORDER BY t.user_domain, t.name"#
    )
    .fetch_all(conn)
    .await
}

/// What the tenant page shows beside its inventory cell.
pub struct DetailRow {
    pub client_id: String,
    pub api_base_url: Option<String>,
    pub notes: String,
    pub active_users: Option<i64>,
    pub snapshot_at: Option<DateTime<Utc>>,
    /// The latest snapshot's data.
    pub data: Option<Value>,
    pub next_poll_at: Option<DateTime<Utc>>,
}

/// The tenant page's registry and snapshot facts.
pub async fn detail(conn: &mut PgConnection, id: Uuid) -> Result<DetailRow, sqlx::Error> {
    sqlx::query_as!(
    DetailRow,
        r#"SELECT t.client_id, t.api_base_url, t.notes, p.active_users,
                  (SELECT taken_at FROM tenants_snapshots WHERE tenant_id = t.id ORDER BY taken_at DESC, id DESC LIMIT 1)
                      AS "snapshot_at: DateTime<Utc>",
                  (SELECT data FROM tenants_snapshots WHERE tenant_id = t.id ORDER BY taken_at DESC, id DESC LIMIT 1)
                      AS data,
                  (SELECT next_run_at FROM scheduler_jobs WHERE kind = 'tenants.snapshot' AND key = t.id::text)
                      AS "next_poll_at: DateTime<Utc>"
           FROM tenants t LEFT JOIN tenants_polls p ON p.tenant_id = t.id WHERE t.id = $1"#,
        id
    )
.fetch_one(conn)
.await
}

/// The tenant's field-level history, newest first (200 at most).
pub async fn history(conn: &mut PgConnection, id: Uuid) -> Result<Vec<ChangeRow>, sqlx::Error> {
    sqlx::query_as!(
        ChangeRow,
        r#"SELECT at AS "at: DateTime<Utc>", field, before, after FROM tenants_changes
           WHERE tenant_id = $1 ORDER BY at DESC, id DESC LIMIT 200"#,
        id
    )
    .fetch_all(conn)
    .await
}

/// Every registered tenant name.
pub async fn names(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT name FROM tenants").fetch_all(conn).await
}

/// Every tenant with its latest snapshot, for the drift view, by user domain and name.
pub async fn drift_rows(conn: &mut PgConnection) -> Result<Vec<DriftSource>, sqlx::Error> {
    sqlx::query_as!(
        DriftSource,
        r#"SELECT t.id, t.name, t.environment, t.user_domain,
                  (SELECT data FROM tenants_snapshots WHERE tenant_id = t.id ORDER BY taken_at DESC, id DESC LIMIT 1)
                      AS data
           FROM tenants t ORDER BY t.user_domain, t.name"#
    )
    .fetch_all(conn)
    .await
}

/// A tenant and its latest snapshot, for the drift view.
pub struct DriftSource {
    pub id: Uuid,
    pub name: String,
    pub environment: String,
    pub user_domain: String,
    pub data: Option<Value>,
}

/// A tenant's last poll, for `/metrics`.
pub struct PollMetric {
    pub id: Uuid,
    pub failing: bool,
    pub last_success_at: Option<DateTime<Utc>>,
}

/// Every tenant's last poll, for `/metrics`.
pub async fn poll_metrics(conn: &mut PgConnection) -> Result<Vec<PollMetric>, sqlx::Error> {
    sqlx::query_as!(
        PollMetric,
        r#"SELECT t.id, (p.failure_class IS NOT NULL) AS "failing!", p.last_success_at AS "last_success_at?: DateTime<Utc>"
             FROM tenants t LEFT JOIN tenants_polls p ON p.tenant_id = t.id ORDER BY t.id"#
    )
    .fetch_all(conn)
    .await
}
