//! The engine behind the notification pages (`app::notifications::NotificationsPort`).

use app::accounts::Acting;
use app::error::AppError;
use app::notifications::{NoticeDetail, NoticeList, NoticeQuery, NoticeRow, NoticeUpdate, NotificationsPort};
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use crate::accounts::audit::{self, Action, Actor};

pub const PER_PAGE: i64 = 50;

pub struct PgNotifications {
    pub pool: PgPool,
}

fn db(cause: sqlx::Error) -> AppError {
    crate::db::unavailable("notifications", cause)
}

/// Warning and critical notifications nobody has acknowledged (the navigation's count).
pub async fn open_count(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM notifications WHERE acknowledged_at IS NULL AND severity <> 'info'")
        .fetch_one(pool)
        .await
}

const COLUMNS: &str =
    "n.id, n.source, n.kind, n.severity, n.title, n.tenants, n.regions, n.first_seen_at, n.updated_at,
    n.acknowledged_at, n.acknowledged_by,
    (SELECT count(*) FROM notifications_updates u WHERE u.notification_id = n.id AND u.kind = 'update') AS updates";

fn row_of(r: &PgRow) -> NoticeRow {
    let acknowledged =
        match (r.get::<Option<DateTime<Utc>>, _>("acknowledged_at"), r.get::<Option<String>, _>("acknowledged_by")) {
            (Some(at), by) => Some((at, by.unwrap_or_default())),
            _ => None,
        };
    NoticeRow {
        id: r.get("id"),
        source: r.get("source"),
        kind: r.get("kind"),
        severity: r.get("severity"),
        title: r.get("title"),
        tenants: r.get("tenants"),
        regions: r.get("regions"),
        first_seen_at: r.get("first_seen_at"),
        updated_at: r.get("updated_at"),
        updates: r.get("updates"),
        acknowledged,
    }
}

#[async_trait::async_trait]
impl NotificationsPort for PgNotifications {
    async fn list(&self, q: NoticeQuery) -> Result<NoticeList, AppError> {
        let date = crate::db::day_filter;
        let (from, to) = (date("From", &q.from)?, date("To", &q.to)?);
        if let Some(state) = q.state.as_deref()
            && !matches!(state, "open" | "acknowledged")
        {
            return Err(AppError::Invalid(format!("State: {state:?} is not open or acknowledged")));
        }
        // $1 q, $2 source, $3 severity, $4 state, $5 tenant, $6 from, $7 to
        let filter = "($1::text IS NULL OR n.search @@ websearch_to_tsquery('english', $1))
             AND ($2::text IS NULL OR n.source = $2)
             AND ($3::text IS NULL OR n.severity = $3)
             AND ($4::text IS NULL OR ($4 = 'open') = (n.acknowledged_at IS NULL))
             AND ($5::text IS NULL OR $5 = ANY(n.tenants))
             AND ($6::date IS NULL OR n.updated_at >= $6::date)
             AND ($7::date IS NULL OR n.updated_at < $7::date + 1)";
        let count_sql = format!("SELECT count(*) AS n FROM notifications n WHERE {filter}");
        let total: i64 = sqlx::query(&count_sql)
            .bind(&q.q)
            .bind(&q.source)
            .bind(&q.severity)
            .bind(&q.state)
            .bind(&q.tenant)
            .bind(from)
            .bind(to)
            .fetch_one(&self.pool)
            .await
            .map_err(db)?
            .get("n");
        let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1) as u32;
        let page = q.page.clamp(1, pages);
        let list_sql = format!(
            "SELECT {COLUMNS} FROM notifications n WHERE {filter} ORDER BY n.updated_at DESC, n.id DESC
             LIMIT {PER_PAGE} OFFSET {}",
            PER_PAGE * (page as i64 - 1)
        );
        let rows = sqlx::query(&list_sql)
            .bind(&q.q)
            .bind(&q.source)
            .bind(&q.severity)
            .bind(&q.state)
            .bind(&q.tenant)
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        // The registered tenants (notifications name tenants by name); cheaper than unnesting every notification.
        let tenants: Vec<String> = sqlx::query_scalar("SELECT name FROM tenants ORDER BY name LIMIT 1000")
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        Ok(NoticeList { rows: rows.iter().map(row_of).collect(), total, page, pages, tenants })
    }

    async fn detail(&self, id: i64) -> Result<NoticeDetail, AppError> {
        let r = sqlx::query(&format!("SELECT {COLUMNS}, n.body, n.link FROM notifications n WHERE n.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?
            .ok_or_else(|| AppError::NotFound("the notification".into()))?;
        let timeline = sqlx::query(
            "SELECT at, kind, severity, text, by_user FROM notifications_updates WHERE notification_id = $1 ORDER BY at, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .iter()
        .map(|u| NoticeUpdate {
            at: u.get("at"),
            kind: u.get("kind"),
            severity: u.get("severity"),
            text: u.get("text"),
            by: u.get("by_user"),
        })
        .collect();
        Ok(NoticeDetail { row: row_of(&r), body: r.get("body"), link: r.get("link"), timeline })
    }

    async fn acknowledge(&self, by: &Acting, id: i64, comment: &str) -> Result<(), AppError> {
        let comment = comment.trim();
        if comment.chars().count() > 500 {
            return Err(AppError::Invalid("Comment: at most 500 characters".into()));
        }
        let now = Utc::now();
        let who = by.user.email.clone();
        let mut tx = self.pool.begin().await.map_err(db)?;
        let title: Option<String> = sqlx::query_scalar(
            "UPDATE notifications SET acknowledged_at = $2, acknowledged_by = $3
             WHERE id = $1 AND acknowledged_at IS NULL RETURNING title",
        )
        .bind(id)
        .bind(now)
        .bind(&who)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let Some(title) = title else {
            let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM notifications WHERE id = $1)")
                .bind(id)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
            return Err(if exists {
                AppError::Invalid("this notification is acknowledged already".into())
            } else {
                AppError::NotFound("the notification".into())
            });
        };
        let text = if comment.is_empty() { "Acknowledged.".to_string() } else { format!("Acknowledged: {comment}") };
        sqlx::query(
            "INSERT INTO notifications_updates (notification_id, origin, at, kind, severity, text, by_user)
             SELECT $1, 'ack:' || $1 || ':' || $2, $2, 'acknowledged', severity, $3, $4 FROM notifications WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .bind(&text)
        .bind(&who)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        audit::record(
            &mut tx,
            &Actor::from_current(&by.user),
            Action::NotificationAcknowledged,
            &title,
            &by.client_ip,
            comment,
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }
}
