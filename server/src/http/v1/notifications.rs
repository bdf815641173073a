//! `/api/v1/notifications…`: the notification history through the notifications port, paged by keyset (most
//! recently updated first), and acknowledgements as the console makes them.

use app::ids::NotificationId;
use app::notifications::NoticeQuery;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};

use super::extract::{ApiJson, ApiQuery};
use super::problem::Problem;
use super::types::{Acknowledge, Notification, NotificationDetail, NotificationListQuery, NotificationPage};
use super::{Caller, cursor_from, cursor_of, limit};
use crate::http::AppState;

fn notification_id(raw: &str) -> Result<NotificationId, Problem> {
    raw.parse::<i64>()
        .map(NotificationId)
        .map_err(|_| Problem::not_found(&format!("no notification has the id {raw:?}")))
}

/// The history, most recently updated first, a page at a time.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(NotificationListQuery),
    description = "The notification history (incidents, advisories, change notices, alerts, domain changes, \
                   findings), most recently updated first. Needs the helpdesk role.",
    responses(
        (status = 200, body = NotificationPage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    _: Caller,
    ApiQuery(q): ApiQuery<NotificationListQuery>,
) -> Result<Json<NotificationPage>, Problem> {
    let limit = limit(q.limit)?;
    let after: Option<(DateTime<Utc>, i64)> = cursor_from(q.cursor.as_deref())?;
    let query = NoticeQuery {
        state: q.state,
        severity: q.severity,
        tenant: q.tenant,
        after,
        limit: Some(limit as u32 + 1),
        ..NoticeQuery::default()
    };
    let mut rows = state.ports.notifications.list(query).await?.rows;
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = more.then(|| rows.last().map(|r| cursor_of(&(r.updated_at, r.id.0)))).flatten();
    Ok(Json(NotificationPage { items: rows.iter().map(Notification::from).collect(), next_cursor }))
}

/// One notification with its timeline.
#[utoipa::path(get, path = "/api/v1/notifications/{id}", tag = "notifications",
    params(("id" = i64, Path, description = "The notification's id")),
    description = "One notification with its text and timeline. Needs the helpdesk role.",
    responses(
        (status = 200, body = NotificationDetail),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = [])))]
pub async fn read(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Json<NotificationDetail>, Problem> {
    let detail = state.ports.notifications.detail(notification_id(&id)?).await?;
    Ok(Json(NotificationDetail::from(&detail)))
}

/// Acknowledges a notification, with an optional comment, as the console's button does.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/acknowledge", tag = "notifications",
    params(("id" = i64, Path, description = "The notification's id")), request_body = Acknowledge,
    description = "Acknowledges the notification (its timeline and the audit log name the token's user). Needs the \
                   ops_lead role.",
    responses(
        (status = 204, description = "Acknowledged"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = [])))]
pub async fn acknowledge(
    State(state): State<AppState>,
    Caller(by): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Acknowledge>,
) -> Result<StatusCode, Problem> {
    state.ports.notifications.acknowledge(&by, notification_id(&id)?, &body.comment).await?;
    Ok(StatusCode::NO_CONTENT)
}
