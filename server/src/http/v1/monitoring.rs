//! `/api/v1/checks…`: monitoring checks (Auth0's `/testall` and `/test`, synthetic logins, reachability of the
//! company's own endpoints), their figures and their failed runs, through the monitoring port.

use app::ids::CheckId;
use app::monitoring::{CheckDetail, CheckRow, MonitoringQuery, RunRow};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::extract::ApiQuery;
use super::problem::Problem;
use super::{Caller, cursor_from, every_port_page, limit, page_after};
use crate::http::AppState;

/// A monitoring check and its last run.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Check {
    pub id: Uuid,
    pub name: String,
    /// `testall`, `test`, `synthetic_login`, `reach_tcp`, `reach_https`, `reach_smtp`, …
    pub kind: String,
    pub tenant_id: Uuid,
    pub tenant_name: String,
    /// A reachability check's endpoint.
    pub target: Option<String>,
    /// `passing`, `failing`, `alerting`, `paused`, `never_run`, …
    pub state: String,
    pub interval_secs: i32,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_outcome: Option<String>,
    /// Share of successful runs in the last 24 hours, in percent.
    pub uptime_24h: Option<f64>,
}

impl From<&CheckRow> for Check {
    fn from(r: &CheckRow) -> Check {
        Check {
            id: r.id.0,
            name: r.name.clone(),
            kind: r.kind.clone(),
            tenant_id: r.tenant_id.0,
            tenant_name: r.tenant_name.clone(),
            target: r.target.clone(),
            state: r.state.as_str().to_string(),
            interval_secs: r.interval_secs,
            last_run_at: r.last_run_at,
            last_outcome: r.last_outcome.map(|o| o.as_str().to_string()),
            uptime_24h: r.uptime_24h,
        }
    }
}

/// One run.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Run {
    pub at: DateTime<Utc>,
    /// `ok`, `wrong_credentials`, `blocked`, `timeout`, `server_error`, …
    pub outcome: String,
    pub latency_ms: i32,
    pub http_status: Option<i32>,
    pub detail: String,
    /// Inside a maintenance window: recorded, not alerted.
    pub maintenance: bool,
}

impl From<&RunRow> for Run {
    fn from(r: &RunRow) -> Run {
        Run {
            at: r.at,
            outcome: r.outcome.as_str().to_string(),
            latency_ms: r.latency_ms,
            http_status: r.http_status,
            detail: r.detail.clone(),
            maintenance: r.maintenance,
        }
    }
}

/// Uptime and latency over one range.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RangeFigures {
    /// `24 h`, `7 d`, `30 d`, `90 d`.
    pub range: String,
    pub runs: i64,
    pub uptime: Option<f64>,
    pub p50_ms: Option<i32>,
    pub p95_ms: Option<i32>,
    pub p99_ms: Option<i32>,
}

/// A check with its figures, its latest failed runs and what to do about the last failure.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CheckWithRuns {
    pub check: Check,
    pub enabled: bool,
    pub advice: Option<String>,
    pub figures: Vec<RangeFigures>,
    /// The latest failed runs, newest first.
    pub failed_runs: Vec<Run>,
}

impl From<&CheckDetail> for CheckWithRuns {
    fn from(d: &CheckDetail) -> CheckWithRuns {
        CheckWithRuns {
            check: Check::from(&d.row),
            enabled: d.enabled,
            advice: d.advice.clone(),
            figures: d
                .figures
                .iter()
                .map(|f| RangeFigures {
                    range: f.label.clone(),
                    runs: f.runs,
                    uptime: f.uptime,
                    p50_ms: f.p50,
                    p95_ms: f.p95,
                    p99_ms: f.p99,
                })
                .collect(),
            failed_runs: d.failures.iter().map(Run::from).collect(),
        }
    }
}

/// One page of checks, by tenant and name.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CheckPage {
    pub items: Vec<Check>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Paging of the checks.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckListQuery {
    /// 1–200; 50 when absent.
    pub limit: Option<usize>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// The monitoring checks.
#[utoipa::path(get, path = "/api/v1/checks", tag = "monitoring", params(CheckListQuery),
    description = "Every monitoring and reachability check with its last run, by tenant and name. Needs the helpdesk \
                   role.",
    responses(
        (status = 200, body = CheckPage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    _: Caller,
    ApiQuery(q): ApiQuery<CheckListQuery>,
) -> Result<Json<CheckPage>, Problem> {
    let limit = limit(q.limit)?;
    let after: Option<(String, String, Uuid)> = cursor_from(q.cursor.as_deref())?;
    let rows = every_port_page(|page| {
        let port = state.ports.monitoring.clone();
        async move { port.list(MonitoringQuery { page, ..MonitoringQuery::default() }).await.map(|l| (l.rows, l.pages)) }
    })
    .await?;
    let key = |r: &CheckRow| (r.tenant_name.clone(), r.name.clone(), r.id.0);
    let (page, next_cursor) = page_after(rows, key, after, limit);
    Ok(Json(CheckPage { items: page.iter().map(Check::from).collect(), next_cursor }))
}

fn check_id(raw: &str) -> Result<CheckId, Problem> {
    raw.parse::<Uuid>().map(CheckId).map_err(|_| Problem::not_found(&format!("no check has the id {raw:?}")))
}

/// One check with its figures and failed runs.
#[utoipa::path(get, path = "/api/v1/checks/{id}", tag = "monitoring",
    params(("id" = Uuid, Path, description = "The check's id")),
    description = "One check: uptime and latency over 24 hours to 90 days, its latest failed runs and what to do \
                   about the last failure. Needs the helpdesk role.",
    responses(
        (status = 200, body = CheckWithRuns),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = [])))]
pub async fn read(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Json<CheckWithRuns>, Problem> {
    let detail = state.ports.monitoring.detail(check_id(&id)?, "24h").await?;
    Ok(Json(CheckWithRuns::from(&detail)))
}

/// Runs a check now.
#[utoipa::path(post, path = "/api/v1/checks/{id}/run", tag = "monitoring",
    params(("id" = Uuid, Path, description = "The check's id")),
    description = "Runs the check now; the answer comes before the run does. Needs the ops_lead role.",
    responses(
        (status = 202, description = "The run is scheduled"),
        (status = 400, description = "The check is paused", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = [])))]
pub async fn run(State(state): State<AppState>, _: Caller, Path(id): Path<String>) -> Result<StatusCode, Problem> {
    state.ports.monitoring.run_now(check_id(&id)?).await?;
    Ok(StatusCode::ACCEPTED)
}
