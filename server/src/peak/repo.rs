//! All of the peak area's SQL: the tenants a report can name, and the spike watch's state (one row per tenant
//! whose sign-in failures are spiking).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

pub use app::ids::TenantId;

/// A registered tenant as reports name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantRow {
    pub id: TenantId,
    pub name: String,
    pub domain: String,
}

/// Every registered tenant, by name.
pub async fn tenants(conn: &mut PgConnection) -> Result<Vec<TenantRow>, sqlx::Error> {
    sqlx::query_as!(TenantRow, r#"SELECT id AS "id: TenantId", name, domain FROM tenants ORDER BY name"#)
        .fetch_all(conn)
        .await
}

/// Whether any event is stored at all.
pub async fn anything_stored(conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM logs_minutes) AS "any!""#).fetch_one(conn).await
}

/// A tenant whose sign-in failures are spiking.
#[derive(Clone, Debug, PartialEq)]
pub struct Spike {
    pub tenant_id: TenantId,
    pub since: DateTime<Utc>,
    /// The notice's origin (one notice per spike).
    pub origin: String,
}

/// Every spike going on.
pub async fn spikes(conn: &mut PgConnection) -> Result<Vec<Spike>, sqlx::Error> {
    sqlx::query_as!(
        Spike,
        r#"SELECT tenant_id AS "tenant_id: TenantId", since AS "since: DateTime<Utc>", origin FROM peak_spikes"#
    )
    .fetch_all(conn)
    .await
}

/// Records that the tenant's failures started spiking (nothing when it is already recorded).
pub async fn start_spike(conn: &mut PgConnection, s: &Spike) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "INSERT INTO peak_spikes (tenant_id, since, origin) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        s.tenant_id.0,
        s.since as _,
        s.origin,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets the tenant's spike (it ended, or the tenant is gone).
pub async fn end_spike(conn: &mut PgConnection, tenant: TenantId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!("DELETE FROM peak_spikes WHERE tenant_id = $1", tenant.0).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}
