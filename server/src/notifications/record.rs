//! Recording a notice: the one way any area adds an update to the notification history. An area calls `apply`
//! in the same transaction that writes its own event, so a notice is never lost between areas; `apply` is
//! idempotent by the update's origin, so recording the same event twice adds it once.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Row};

pub fn rank(severity: &str) -> u8 {
    match severity {
        "critical" => 2,
        "warning" => 1,
        _ => 0,
    }
}

/// One update for one notification.
pub struct Incoming {
    pub origin: String,
    pub source: &'static str,
    pub kind: String,
    pub severity: &'static str,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub tenants: Vec<String>,
    pub regions: Vec<String>,
    pub at: DateTime<Utc>,
    pub update_origin: String,
    pub text: String,
}

/// What `apply` did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// The update was new (and was queued for the channels it matches).
    pub added: bool,
    /// The notification was new.
    pub created: bool,
}

/// Adds an update to its notification (creating it), once per `update_origin`, and queues it for delivery to every
/// channel whose filters match the notification as it now stands. `now` is when the update is due to go out.
pub async fn apply(conn: &mut PgConnection, n: &Incoming, now: DateTime<Utc>) -> Result<Applied, sqlx::Error> {
    let row = sqlx::query(
        "INSERT INTO notifications (origin, source, kind, severity, title, body, link, tenants, regions, first_seen_at,
                                    updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
         ON CONFLICT (origin) DO UPDATE SET
             title = EXCLUDED.title,
             body = CASE WHEN EXCLUDED.body = '' THEN notifications.body ELSE EXCLUDED.body END,
             link = COALESCE(EXCLUDED.link, notifications.link),
             tenants = ARRAY(SELECT DISTINCT unnest(notifications.tenants || EXCLUDED.tenants) ORDER BY 1),
             regions = ARRAY(SELECT DISTINCT unnest(notifications.regions || EXCLUDED.regions) ORDER BY 1),
             updated_at = GREATEST(notifications.updated_at, EXCLUDED.updated_at)
         RETURNING id, severity, acknowledged_at IS NOT NULL AS acknowledged, (xmax = 0) AS created",
    )
    .bind(&n.origin)
    .bind(n.source)
    .bind(&n.kind)
    .bind(n.severity)
    .bind(&n.title)
    .bind(&n.body)
    .bind(&n.link)
    .bind(&n.tenants)
    .bind(&n.regions)
    .bind(n.at)
    .fetch_one(&mut *conn)
    .await?;
    let (id, severity, acknowledged, created): (i64, String, bool, bool) =
        (row.get("id"), row.get("severity"), row.get("acknowledged"), row.get("created"));
    let update: Option<i64> = sqlx::query_scalar(
        "INSERT INTO notifications_updates (notification_id, origin, at, kind, severity, text)
         VALUES ($1, $2, $3, 'update', $4, $5) ON CONFLICT (origin) DO NOTHING RETURNING id",
    )
    .bind(id)
    .bind(&n.update_origin)
    .bind(n.at)
    .bind(n.severity)
    .bind(&n.text)
    .fetch_optional(&mut *conn)
    .await?;
    let added = update.is_some();
    if added && rank(n.severity) > rank(&severity) {
        sqlx::query(
            "UPDATE notifications SET severity = $2, acknowledged_at = NULL, acknowledged_by = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(n.severity)
        .execute(&mut *conn)
        .await?;
        if acknowledged {
            sqlx::query(
                "INSERT INTO notifications_updates (notification_id, origin, at, kind, severity, text)
                 VALUES ($1, $2, $3, 'reopened', $4, $5)",
            )
            .bind(id)
            .bind(format!("reopened:{}", n.update_origin))
            .bind(n.at)
            .bind(n.severity)
            .bind(format!("Opened again: the severity rose from {severity} to {}.", n.severity))
            .execute(&mut *conn)
            .await?;
        }
    }
    if let Some(update) = update {
        super::outbox::enqueue(conn, id, update, n.at, now).await?;
    }
    Ok(Applied { added, created })
}
