//! What the monitoring pages and the board tile read. The list's filters (tenant, state, one check) are dynamic, so
//! its rows come from a `QueryBuilder` into `FromRow` structs; everything else is checked at compile time.

use app::monitoring::{AlertRow, CheckState};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::monitoring::model::{CheckId, TenantId};

/// A check's state from its row: paused, in alert, never run, last run ok or failing (`CheckState::as_str`).
const STATE_SQL: &str = "CASE WHEN NOT c.enabled THEN 'paused'
         WHEN EXISTS (SELECT 1 FROM monitoring_alerts a WHERE a.check_id = c.id AND a.resolved_at IS NULL) THEN 'alert'
         WHEN c.last_outcome IS NULL THEN 'unknown'
         WHEN c.last_outcome = 'ok' THEN 'ok' ELSE 'failing' END";

/// Worst first.
const ORDER_SQL: &str =
    "CASE state WHEN 'alert' THEN 0 WHEN 'failing' THEN 1 WHEN 'unknown' THEN 2 WHEN 'ok' THEN 3 ELSE 4 END";

/// A check as the list and its page show it.
#[derive(sqlx::FromRow)]
pub struct CheckLine {
    pub id: CheckId,
    pub name: String,
    pub kind: String,
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub domain: String,
    pub target: Option<String>,
    pub interval_secs: i32,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_outcome: Option<String>,
    pub enabled: bool,
    /// `CheckState::as_str`.
    pub state: String,
    /// Share of successful runs in the 24 hours before `now`, in percent.
    pub uptime: Option<f64>,
}

/// Which checks a list shows.
#[derive(Clone, Copy, Debug, Default)]
pub struct Filter {
    pub tenant: Option<TenantId>,
    pub check: Option<CheckId>,
    /// `Some(true)`: reachability checks only; `Some(false)`: the Auth0 checks only.
    pub reach: Option<bool>,
}

/// `WITH rows AS (…)`: every check passing `filter`, with its state and 24-hour uptime at `now`.
fn rows_cte(now: DateTime<Utc>, filter: Filter) -> QueryBuilder<'static, Postgres> {
    let mut q = QueryBuilder::new(
        "WITH rows AS (SELECT c.id, c.name, c.kind, c.tenant_id, t.name AS tenant_name, t.domain, c.target, c.interval_secs,
             c.last_run_at, c.last_outcome, c.enabled, ",
    );
    q.push(STATE_SQL);
    q.push(
        " AS state, (SELECT 100.0 * sum(r.ok)::float8 / NULLIF(sum(r.runs), 0) FROM monitoring_rollups r
             WHERE r.check_id = c.id AND r.period = 'hour' AND r.bucket > ",
    );
    q.push_bind(now);
    q.push(
        " - interval '24 hours') AS uptime FROM monitoring_checks c JOIN tenants t ON t.id = c.tenant_id WHERE true",
    );
    if let Some(tenant) = filter.tenant {
        q.push(" AND c.tenant_id = ").push_bind(tenant.0);
    }
    if let Some(check) = filter.check {
        q.push(" AND c.id = ").push_bind(check.0);
    }
    if let Some(reach) = filter.reach {
        q.push(if reach { " AND c.kind = ANY(" } else { " AND NOT c.kind = ANY(" });
        q.push_bind(app::monitoring::REACH_KINDS.map(String::from).to_vec()).push(")");
    }
    q.push(") ");
    q
}

/// How many checks passing `filter` are in each state.
pub async fn state_counts(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    filter: Filter,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let mut q = rows_cte(now, filter);
    q.push("SELECT state, count(*) FROM rows GROUP BY state");
    q.build_query_as().fetch_all(conn).await
}

/// One page of checks passing `filter` (and in `state`), worst first, then by tenant and name.
pub async fn lines(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    filter: Filter,
    state: Option<CheckState>,
    limit: i64,
    offset: i64,
) -> Result<Vec<CheckLine>, sqlx::Error> {
    let mut q = rows_cte(now, filter);
    q.push("SELECT * FROM rows");
    if let Some(state) = state {
        q.push(" WHERE state = ").push_bind(state.as_str());
    }
    q.push(" ORDER BY ").push(ORDER_SQL).push(", tenant_name, name LIMIT ").push_bind(limit);
    q.push(" OFFSET ").push_bind(offset);
    q.build_query_as().fetch_all(conn).await
}

/// One check as the list shows it, if it exists.
pub async fn line(conn: &mut PgConnection, now: DateTime<Utc>, id: CheckId) -> Result<Option<CheckLine>, sqlx::Error> {
    let filter = Filter { check: Some(id), ..Filter::default() };
    Ok(lines(conn, now, filter, None, 1, 0).await?.pop())
}

/// One of the latest runs, for a sparkline.
pub struct RecentRun {
    pub check_id: CheckId,
    pub latency_ms: i32,
    pub outcome: String,
}

/// The latest `per_check` runs of each of `ids` in the 7 days before `now`, by check and oldest first.
pub async fn recent(
    conn: &mut PgConnection,
    ids: &[CheckId],
    now: DateTime<Utc>,
    per_check: i64,
) -> Result<Vec<RecentRun>, sqlx::Error> {
    let ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
    sqlx::query_as!(
        RecentRun,
        r#"SELECT check_id AS "check_id!: CheckId", latency_ms AS "latency_ms!", outcome AS "outcome!" FROM (
               SELECT check_id, at, latency_ms, outcome,
                      row_number() OVER (PARTITION BY check_id ORDER BY at DESC) AS n
               FROM monitoring_runs WHERE check_id = ANY($1) AND at > $2::timestamptz - interval '7 days') r
           WHERE n <= $3 ORDER BY check_id, at"#,
        &ids[..],
        now as _,
        per_check
    )
    .fetch_all(conn)
    .await
}

/// One hour of one check's roll-up.
pub struct HourRow {
    pub bucket: DateTime<Utc>,
    pub runs: i32,
    pub ok: i32,
    pub histogram: Vec<i32>,
}

/// A check's hour rows after `since`, oldest first.
pub async fn hours(conn: &mut PgConnection, id: CheckId, since: DateTime<Utc>) -> Result<Vec<HourRow>, sqlx::Error> {
    sqlx::query_as!(
        HourRow,
        r#"SELECT bucket AS "bucket: DateTime<Utc>", runs, ok, histogram FROM monitoring_rollups
           WHERE check_id = $1 AND period = 'hour' AND bucket > $2 ORDER BY bucket"#,
        id.0,
        since as _
    )
    .fetch_all(conn)
    .await
}

/// A failed run.
pub struct RunLine {
    pub at: DateTime<Utc>,
    pub outcome: String,
    pub latency_ms: i32,
    pub http_status: Option<i32>,
    pub detail: String,
    pub maintenance: bool,
}

/// A check's latest 10 failed runs, newest first.
pub async fn failures(conn: &mut PgConnection, id: CheckId) -> Result<Vec<RunLine>, sqlx::Error> {
    sqlx::query_as!(
        RunLine,
        r#"SELECT at AS "at: DateTime<Utc>", outcome, latency_ms, http_status, detail, maintenance FROM monitoring_runs
           WHERE check_id = $1 AND outcome <> 'ok' ORDER BY at DESC LIMIT 10"#,
        id.0
    )
    .fetch_all(conn)
    .await
}

/// A check's latest 20 alerts, newest first.
pub async fn alerts(conn: &mut PgConnection, id: CheckId) -> Result<Vec<AlertRow>, sqlx::Error> {
    sqlx::query_as!(
        AlertRow,
        r#"SELECT opened_at AS "opened_at: DateTime<Utc>", resolved_at AS "resolved_at: DateTime<Utc>", reason
           FROM monitoring_alerts WHERE check_id = $1 ORDER BY opened_at DESC LIMIT 20"#,
        id.0
    )
    .fetch_all(conn)
    .await
}

/// A maintenance window over a check (or its whole tenant).
pub struct WindowLine {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: String,
    pub whole_tenant: bool,
}

/// The latest 20 windows over a check or its tenant that ended less than 30 days before `now`.
pub async fn windows(conn: &mut PgConnection, id: CheckId, now: DateTime<Utc>) -> Result<Vec<WindowLine>, sqlx::Error> {
    sqlx::query_as!(
        WindowLine,
        r#"SELECT m.starts_at AS "starts_at: DateTime<Utc>", m.ends_at AS "ends_at: DateTime<Utc>", m.reason, m.check_id IS NULL AS "whole_tenant!" FROM monitoring_maintenance m
           JOIN monitoring_checks c ON c.id = $1 AND (m.check_id = c.id OR m.tenant_id = c.tenant_id)
           WHERE m.ends_at > $2::timestamptz - interval '30 days' ORDER BY m.starts_at DESC LIMIT 20"#,
        id.0,
        now as _
    )
    .fetch_all(conn)
    .await
}

/// One enabled check as the board sees it, with its state: `alert`, `ok`, `failing` or `unknown` (never run).
pub struct BoardCheck {
    pub id: CheckId,
    pub name: String,
    pub kind: String,
    pub tenant: String,
    pub domain: String,
    pub last_outcome: Option<String>,
    pub state: String,
}

/// Every enabled check with its tenant and state, by tenant and name.
pub async fn board_checks(conn: &mut PgConnection) -> Result<Vec<BoardCheck>, sqlx::Error> {
    sqlx::query_as!(
        BoardCheck,
        r#"SELECT c.id AS "id: CheckId", c.name, c.kind, t.name AS tenant, t.domain, c.last_outcome,
                  CASE WHEN EXISTS (SELECT 1 FROM monitoring_alerts a WHERE a.check_id = c.id AND a.resolved_at IS NULL)
                         THEN 'alert'
                       WHEN c.last_outcome IS NULL THEN 'unknown'
                       WHEN c.last_outcome = 'ok' THEN 'ok' ELSE 'failing' END AS "state!"
           FROM monitoring_checks c JOIN tenants t ON t.id = c.tenant_id
           WHERE c.enabled ORDER BY t.name, c.name"#
    )
    .fetch_all(conn)
    .await
}

/// A tenant's enabled synthetic-login checks: how many, the shortest interval, when one last succeeded.
pub struct SyntheticLogins {
    pub checks: i64,
    pub shortest_interval_s: Option<i32>,
    pub last_success: Option<DateTime<Utc>>,
}

/// What the readiness checklist reads of a tenant's synthetic logins.
pub async fn synthetic_logins(conn: &mut PgConnection, tenant: TenantId) -> Result<SyntheticLogins, sqlx::Error> {
    sqlx::query_as!(
        SyntheticLogins,
        r#"SELECT count(*) AS "checks!", min(interval_secs) AS shortest_interval_s,
                  max(last_run_at) FILTER (WHERE last_outcome = 'ok') AS "last_success: DateTime<Utc>"
             FROM monitoring_checks WHERE tenant_id = $1 AND kind = 'login' AND enabled"#,
        tenant.0
    )
    .fetch_one(conn)
    .await
}

/// A check's state for `/metrics`.
pub struct CheckMetric {
    pub id: CheckId,
    pub kind: String,
    pub enabled: bool,
    pub last_outcome: Option<String>,
}

/// Every check's state, for `/metrics`.
pub async fn check_metrics(conn: &mut PgConnection) -> Result<Vec<CheckMetric>, sqlx::Error> {
    sqlx::query_as!(
        CheckMetric,
        r#"SELECT id AS "id: CheckId", kind, enabled, last_outcome FROM monitoring_checks ORDER BY id"#
    )
    .fetch_all(conn)
    .await
}
