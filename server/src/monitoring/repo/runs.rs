//! What the jobs write: a check's target, its streak (locked for the run), the run itself, the hour's roll-up,
//! alerts and their events, and the roll-up job's day rows and retention.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::monitoring::model::{BUCKETS, CheckId, Outcome, TenantId, bucket_of};

/// What a run needs to know about its check and tenant (secrets still encrypted).
pub struct TargetRow {
    pub kind: String,
    pub grant_type: Option<String>,
    pub realm: Option<String>,
    pub username: Option<String>,
    pub password: Option<Vec<u8>>,
    pub client_id: Option<String>,
    pub client_secret: Option<Vec<u8>>,
    pub audience: Option<String>,
    pub scope: Option<String>,
    pub target: Option<String>,
    pub expect_status: Option<i32>,
    pub starttls: bool,
    pub tenant_id: TenantId,
    pub domain: String,
    pub api_base_url: Option<String>,
}

/// The check and its tenant, if the check exists.
pub async fn target(conn: &mut PgConnection, id: CheckId) -> Result<Option<TargetRow>, sqlx::Error> {
    sqlx::query_as!(
        TargetRow,
        r#"SELECT c.kind, c.grant_type, c.realm, c.username, c.password, c.client_id, c.client_secret, c.audience,
                  c.scope, c.target, c.expect_status, c.starttls, t.id AS "tenant_id: TenantId", t.domain,
                  t.api_base_url
           FROM monitoring_checks c JOIN tenants t ON t.id = c.tenant_id WHERE c.id = $1"#,
        id.0
    )
    .fetch_optional(conn)
    .await
}

/// A check's streak, rules and open alert as of a run, with what a notice about it names.
pub struct Locked {
    pub consecutive_failures: i32,
    pub consecutive_successes: i32,
    pub fail_threshold: i32,
    pub success_threshold: i32,
    pub reminder_minutes: i32,
    pub alert_id: Option<i64>,
    pub opened_at: Option<DateTime<Utc>>,
    pub last_reminded_at: Option<DateTime<Utc>>,
    /// Inside a maintenance window of the check or its tenant at the run's time.
    pub maintenance: bool,
    pub name: String,
    pub kind: String,
    pub tenant_name: String,
    pub region: Option<String>,
}

/// Reads and locks (`FOR UPDATE`) the check's row for a run at `now`.
pub async fn lock(conn: &mut PgConnection, id: CheckId, now: DateTime<Utc>) -> Result<Locked, sqlx::Error> {
    sqlx::query_as!(
        Locked,
        r#"SELECT c.consecutive_failures, c.consecutive_successes, c.fail_threshold, c.success_threshold,
                  c.reminder_minutes, a.id AS "alert_id?", a.opened_at AS "opened_at?: DateTime<Utc>",
                  a.last_reminded_at AS "last_reminded_at?: DateTime<Utc>",
                  EXISTS (SELECT 1 FROM monitoring_maintenance m
                          WHERE (m.check_id = c.id OR m.tenant_id = c.tenant_id) AND $2 >= m.starts_at
                                AND $2 < m.ends_at) AS "maintenance!",
                  c.name, c.kind, t.name AS tenant_name, t.region
           FROM monitoring_checks c JOIN tenants t ON t.id = c.tenant_id
                LEFT JOIN monitoring_alerts a ON a.check_id = c.id AND a.resolved_at IS NULL
           WHERE c.id = $1 FOR UPDATE OF c"#,
        id.0,
        now as _
    )
    .fetch_one(conn)
    .await
}

/// One run as stored.
pub struct NewRun<'a> {
    pub at: DateTime<Utc>,
    pub outcome: Outcome,
    pub latency_ms: i32,
    pub http_status: Option<i32>,
    pub detail: &'a str,
    pub maintenance: bool,
}

/// Stores a run and the check's streak after it.
pub async fn insert_run(
    conn: &mut PgConnection,
    id: CheckId,
    run: &NewRun<'_>,
    failures: i32,
    successes: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO monitoring_runs (check_id, at, outcome, latency_ms, http_status, detail, maintenance)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id.0,
        run.at as _,
        run.outcome.as_str(),
        run.latency_ms,
        run.http_status,
        run.detail,
        run.maintenance
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE monitoring_checks SET consecutive_failures = $2, consecutive_successes = $3, last_run_at = $4,
             last_outcome = $5 WHERE id = $1",
        id.0,
        failures,
        successes,
        run.at as _,
        run.outcome.as_str()
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds one run to its hour's roll-up row (`hour`: the run's time truncated to the hour).
pub async fn add_to_hour(
    conn: &mut PgConnection,
    id: CheckId,
    hour: DateTime<Utc>,
    ok: bool,
    latency_ms: i32,
) -> Result<(), sqlx::Error> {
    let bucket = bucket_of(latency_ms);
    let mut fresh = [0i32; BUCKETS];
    fresh[bucket] = 1;
    sqlx::query!(
        "INSERT INTO monitoring_rollups (check_id, period, bucket, runs, ok, histogram) VALUES ($1, 'hour', $2, 1, $3, $4)
         ON CONFLICT (check_id, period, bucket) DO UPDATE
             SET runs = monitoring_rollups.runs + 1, ok = monitoring_rollups.ok + $3,
                 histogram[$5] = monitoring_rollups.histogram[$5] + 1",
        id.0,
        hour as _,
        i32::from(ok),
        &fresh[..],
        bucket as i32 + 1
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Opens an alert; its id.
pub async fn open_alert(
    conn: &mut PgConnection,
    id: CheckId,
    at: DateTime<Utc>,
    reason: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO monitoring_alerts (check_id, opened_at, reason) VALUES ($1, $2, $3) RETURNING id",
        id.0,
        at as _,
        reason
    )
    .fetch_one(conn)
    .await
}

pub async fn resolve_alert(conn: &mut PgConnection, alert: i64, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE monitoring_alerts SET resolved_at = $2 WHERE id = $1", alert, at as _).execute(conn).await?;
    Ok(())
}

pub async fn remind_alert(
    conn: &mut PgConnection,
    alert: i64,
    at: DateTime<Utc>,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE monitoring_alerts SET last_reminded_at = $2, reason = $3 WHERE id = $1",
        alert,
        at as _,
        reason
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records an alert transition (`kind`: `alert_opened`, `alert_resolved`, `alert_reminder`); the event's id.
pub async fn insert_event(
    conn: &mut PgConnection,
    check: CheckId,
    alert: i64,
    at: DateTime<Utc>,
    kind: &str,
    detail: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO monitoring_events (check_id, alert_id, at, kind, detail) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        check.0,
        alert,
        at as _,
        kind,
        detail
    )
    .fetch_one(conn)
    .await
}

/// One roll-up row.
pub struct RollupRow {
    pub check_id: CheckId,
    pub bucket: DateTime<Utc>,
    pub runs: i32,
    pub ok: i32,
    pub histogram: Vec<i32>,
}

/// Every check's hour rows from `from` (inclusive) to `to` (exclusive).
pub async fn hours_between(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<RollupRow>, sqlx::Error> {
    sqlx::query_as!(
        RollupRow,
        r#"SELECT check_id AS "check_id: CheckId", bucket AS "bucket: DateTime<Utc>", runs, ok, histogram FROM monitoring_rollups
           WHERE period = 'hour' AND bucket >= $1 AND bucket < $2"#,
        from as _,
        to as _
    )
    .fetch_all(conn)
    .await
}

/// Writes (or rewrites) a day row; the rows written.
pub async fn upsert_day(
    conn: &mut PgConnection,
    check: CheckId,
    day: DateTime<Utc>,
    runs: i32,
    ok: i32,
    histogram: &[i32],
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "INSERT INTO monitoring_rollups (check_id, period, bucket, runs, ok, histogram) VALUES ($1, 'day', $2, $3, $4, $5)
         ON CONFLICT (check_id, period, bucket) DO UPDATE SET runs = $3, ok = $4, histogram = $5",
        check.0,
        day as _,
        runs,
        ok,
        histogram
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Deletes raw runs before `before`; how many.
pub async fn delete_runs_before(conn: &mut PgConnection, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!("DELETE FROM monitoring_runs WHERE at < $1", before as _).execute(conn).await?.rows_affected())
}

/// Deletes roll-up rows of `period` (`hour` or `day`) before `before`; how many.
pub async fn delete_rollups_before(
    conn: &mut PgConnection,
    period: &str,
    before: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!("DELETE FROM monitoring_rollups WHERE period = $1 AND bucket < $2", period, before as _)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
