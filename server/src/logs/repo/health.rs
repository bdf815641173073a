//! The stream-health step's reads and writes: each tenant with the log streams of its latest snapshot (the
//! allowed cross-area read of `tenants` and `tenants_snapshots`), what the logs area has of it, whether its pull
//! is scheduled, and the findings last recorded.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;

use crate::logs::model::TenantId;

/// One tenant as the stream-health rules see it.
#[derive(Clone, Debug)]
pub struct Observed {
    pub tenant_id: TenantId,
    pub name: String,
    pub environment: String,
    pub region: Option<String>,
    pub paid_features: bool,
    /// `data->'log_streams'` of the latest snapshot; `None` without a snapshot.
    pub streams: Option<Value>,
    pub has_snapshot: bool,
    pub newest_at: Option<DateTime<Utc>>,
    pub last_pull_at: Option<DateTime<Utc>>,
    pub last_pull_error: Option<String>,
    pub last_delivery_at: Option<DateTime<Utc>>,
    pub stream_deliveries: Option<i64>,
    pub stream_events: Option<i64>,
    pub pull_scheduled: bool,
    /// The findings last recorded (`logs_health.findings`).
    pub recorded: Option<Value>,
}

/// Every registered tenant, by name.
pub async fn observed(conn: &mut PgConnection) -> Result<Vec<Observed>, sqlx::Error> {
    sqlx::query_as!(
        Observed,
        r#"SELECT t.id AS "tenant_id: TenantId", t.name, t.environment, t.region, t.paid_features,
                  s.data -> 'log_streams' AS "streams?: Value", (s.id IS NOT NULL) AS "has_snapshot!",
                  p.newest_at AS "newest_at?: DateTime<Utc>", p.last_pull_at AS "last_pull_at?: DateTime<Utc>",
                  p.last_pull_error AS "last_pull_error?", p.last_delivery_at AS "last_delivery_at?: DateTime<Utc>",
                  p.stream_deliveries AS "stream_deliveries?", p.stream_events AS "stream_events?",
                  EXISTS (SELECT 1 FROM scheduler_jobs j WHERE j.kind = 'logs.pull' AND j.key = t.id::text)
                      AS "pull_scheduled!",
                  h.findings AS "recorded?: Value"
           FROM tenants t
           LEFT JOIN LATERAL (SELECT id, data FROM tenants_snapshots
                               WHERE tenant_id = t.id ORDER BY taken_at DESC, id DESC LIMIT 1) s ON true
           LEFT JOIN logs_progress p ON p.tenant_id = t.id
           LEFT JOIN logs_health h ON h.tenant_id = t.id
           ORDER BY t.name"#
    )
    .fetch_all(conn)
    .await
}

/// Records the tenant's findings as they now stand.
pub async fn save(
    conn: &mut PgConnection,
    tenant: TenantId,
    findings: &Value,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO logs_health (tenant_id, findings, checked_at) VALUES ($1, $2, $3)
           ON CONFLICT (tenant_id) DO UPDATE SET findings = $2, checked_at = $3"#,
        tenant.0,
        findings,
        now as _,
    )
    .execute(conn)
    .await?;
    Ok(())
}
