//! `/api/v1/logs…`: the kept Auth0 log events, searched as the Logs page searches them (the same filters, keyset
//! pages, newest first), and one event with everything Auth0 sent.

use app::ids::TenantId;
use app::logs::{EventDetail, EventRow, LogsQuery};
use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::Caller;
use super::extract::ApiQuery;
use super::problem::Problem;
use crate::http::AppState;

/// One Auth0 log event as kept.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LogEvent {
    pub tenant_id: Uuid,
    pub tenant_name: String,
    pub log_id: String,
    pub date: DateTime<Utc>,
    /// Auth0's event code (`fp`, `s`, `api_limit`, …).
    pub type_code: String,
    /// The code in words, or "unknown".
    pub type_name: String,
    pub category: String,
    /// `success`, `failure`, `warning`, `info` or `unknown`.
    pub outcome: String,
    /// A rate limit or a block.
    pub limit: bool,
    pub description: Option<String>,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub client_id: Option<String>,
    pub client_name: Option<String>,
    pub ip: Option<String>,
    pub connection: Option<String>,
}

impl From<&EventRow> for LogEvent {
    fn from(r: &EventRow) -> LogEvent {
        LogEvent {
            tenant_id: r.tenant_id.0,
            tenant_name: r.tenant_name.clone(),
            log_id: r.log_id.clone(),
            date: r.date,
            type_code: r.type_code.clone(),
            type_name: r.type_name.clone(),
            category: r.category.clone(),
            outcome: r.outcome.clone(),
            limit: r.limit,
            description: r.description.clone(),
            user_id: r.user_id.clone(),
            user_name: r.user_name.clone(),
            client_id: r.client_id.clone(),
            client_name: r.client_name.clone(),
            ip: r.ip.clone(),
            connection: r.connection.clone(),
        }
    }
}

/// One page of events, newest first.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LogEventPage {
    pub items: Vec<LogEvent>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The search's filters, as the Logs page has them.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogSearchQuery {
    /// A tenant's name.
    pub tenant: Option<String>,
    /// An event code (`fp`) or `category:NAME` (`category:login`).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// A user id or user name.
    pub user: Option<String>,
    /// A client id or client name.
    pub client: Option<String>,
    /// An IP address or a network (`203.0.113.0/24`).
    pub ip: Option<String>,
    pub connection: Option<String>,
    /// Words in the description, or a log id.
    pub q: Option<String>,
    /// UTC: `YYYY-MM-DD` or `YYYY-MM-DD HH:MM`.
    pub from: Option<String>,
    pub to: Option<String>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Searches the kept log events.
#[utoipa::path(get, path = "/api/v1/logs", tag = "logs", params(LogSearchQuery),
    description = "Searches every tenant's kept Auth0 log events with the Logs page's filters, newest first, a page \
                   of 100 at a time. Needs the developer role.",
    responses(
        (status = 200, body = LogEventPage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = [])))]
pub async fn search(
    State(state): State<AppState>,
    _: Caller,
    ApiQuery(q): ApiQuery<LogSearchQuery>,
) -> Result<Json<LogEventPage>, Problem> {
    if q.cursor.as_deref().is_some_and(|c| c.len() > 1024) {
        return Err(Problem::invalid("the cursor is not one this API gave; start again without it"));
    }
    let query = LogsQuery {
        tenant: q.tenant,
        kind: q.kind,
        user: q.user,
        client: q.client,
        ip: q.ip,
        connection: q.connection,
        q: q.q,
        from: q.from,
        to: q.to,
        after: q.cursor.filter(|c| !c.is_empty()),
    };
    let results = state.ports.logs.search(query).await?;
    Ok(Json(LogEventPage { items: results.rows.iter().map(LogEvent::from).collect(), next_cursor: results.next }))
}

/// One event with everything Auth0 sent.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LogEventDetail {
    pub event: LogEvent,
    pub type_description: String,
    pub strategy: Option<String>,
    pub hostname: Option<String>,
    pub user_agent: Option<String>,
    /// How it arrived: `pull`, `stream` or `import`.
    pub source: String,
    pub received_at: DateTime<Utc>,
    /// The event as Auth0 sent it.
    #[schema(value_type = Object)]
    pub payload: Value,
}

impl From<&EventDetail> for LogEventDetail {
    fn from(d: &EventDetail) -> LogEventDetail {
        LogEventDetail {
            event: LogEvent::from(&d.row),
            type_description: d.type_description.clone(),
            strategy: d.strategy.clone(),
            hostname: d.hostname.clone(),
            user_agent: d.user_agent.clone(),
            source: d.source.clone(),
            received_at: d.received_at,
            payload: serde_json::from_str(&d.payload).unwrap_or(Value::String(d.payload.clone())),
        }
    }
}

/// One kept event.
#[utoipa::path(get, path = "/api/v1/logs/{tenant}/{log_id}", tag = "logs",
    params(("tenant" = Uuid, Path, description = "The tenant's id"), ("log_id" = String, Path, description = "Auth0's log id")),
    description = "One kept event with the payload Auth0 sent. Needs the developer role.",
    responses(
        (status = 200, body = LogEventDetail),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = [])))]
pub async fn event(
    State(state): State<AppState>,
    _: Caller,
    Path((tenant, log_id)): Path<(String, String)>,
) -> Result<Json<LogEventDetail>, Problem> {
    let tenant = tenant
        .parse::<Uuid>()
        .map(TenantId)
        .map_err(|_| Problem::not_found(&format!("no tenant has the id {tenant:?}")))?;
    if log_id.len() > 200 {
        return Err(Problem::not_found("no event has this log id"));
    }
    let detail = state.ports.logs.event(tenant, log_id).await?;
    Ok(Json(LogEventDetail::from(&detail)))
}
