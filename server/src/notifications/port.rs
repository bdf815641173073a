//! The engine behind the notification pages (`app::notifications::NotificationsPort`).

use app::accounts::Acting;
use app::error::AppError;
use app::notifications::channels::{ChannelDetail, ChannelForm, ChannelList};
use app::notifications::feeds::{FeedForm, FeedList};
use app::notifications::{NoticeDetail, NoticeList, NoticeQuery, NoticeRow, NoticeUpdate, NotificationsPort};
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use uuid::Uuid;

use super::feeds::{self, FeedError};
use super::outbox::Outbox;
use super::{channels, views};
use crate::accounts::audit::{self, Action, Actor};

pub const PER_PAGE: i64 = 50;

/// Notifications on PostgreSQL. `outbox` sends "Send test" (with the server's sender, secrets and public URL).
pub struct PgNotifications {
    pub pool: PgPool,
    pub outbox: Outbox,
    pub allow_private: bool,
}

impl From<FeedError> for AppError {
    fn from(error: FeedError) -> Self {
        match error {
            FeedError::NotFound => AppError::NotFound("the feed".into()),
            FeedError::Database(cause) => db(cause),
            other => AppError::Invalid(other.to_string()),
        }
    }
}

fn feed_id(id: &str) -> Result<Uuid, AppError> {
    id.parse().map_err(|_| AppError::NotFound("the feed".into()))
}

fn channel_id(id: &str) -> Result<Uuid, AppError> {
    id.parse().map_err(|_| AppError::NotFound("the delivery channel".into()))
}

fn actor(by: &Acting) -> Actor {
    Actor::from_current(&by.user)
}

fn db(cause: sqlx::Error) -> AppError {
    crate::db::app_error("notifications", cause)
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
        if let Some(region) = q.region.as_deref()
            && !app::tenants::Region::ALL.iter().any(|r| r.as_str() == region)
        {
            return Err(AppError::Invalid(format!("Region: {region:?} is not an Auth0 region")));
        }
        // $1 q, $2 source, $3 severity, $4 state, $5 tenant, $6 from, $7 to, $8 region
        let filter = "($1::text IS NULL OR n.search @@ websearch_to_tsquery('english', $1))
             AND ($2::text IS NULL OR n.source = $2)
             AND ($3::text IS NULL OR n.severity = $3)
             AND ($4::text IS NULL OR ($4 = 'open') = (n.acknowledged_at IS NULL))
             AND ($5::text IS NULL OR $5 = ANY(n.tenants))
             AND ($6::date IS NULL OR n.updated_at >= $6::date)
             AND ($7::date IS NULL OR n.updated_at < $7::date + 1)
             AND ($8::text IS NULL OR $8 = ANY(n.regions))";
        let count_sql = format!("SELECT count(*) AS n FROM notifications n WHERE {filter}");
        let total: i64 = sqlx::query(&count_sql)
            .bind(&q.q)
            .bind(&q.source)
            .bind(&q.severity)
            .bind(&q.state)
            .bind(&q.tenant)
            .bind(from)
            .bind(to)
            .bind(&q.region)
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
            .bind(&q.region)
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
        let deliveries = views::notification_deliveries(&self.pool, id).await.map_err(db)?;
        Ok(NoticeDetail { row: row_of(&r), body: r.get("body"), link: r.get("link"), timeline, deliveries })
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

    async fn feeds(&self) -> Result<FeedList, AppError> {
        views::feeds(&self.pool).await.map_err(db)
    }

    async fn add_feed(&self, by: &Acting, form: FeedForm) -> Result<(), AppError> {
        let feed = feeds::check(&form, self.allow_private).await?;
        feeds::add(&self.pool, &actor(by), feed, &by.client_ip, Utc::now()).await?;
        Ok(())
    }

    async fn add_catalog_feed(&self, by: &Acting, key: &str) -> Result<(), AppError> {
        let feed = feeds::from_catalog(key)?;
        feeds::add(&self.pool, &actor(by), feed, &by.client_ip, Utc::now()).await?;
        Ok(())
    }

    async fn set_feed_enabled(&self, by: &Acting, id: &str, enabled: bool) -> Result<(), AppError> {
        feeds::set_enabled(&self.pool, &actor(by), feed_id(id)?, enabled, &by.client_ip, Utc::now()).await?;
        Ok(())
    }

    async fn remove_feed(&self, by: &Acting, id: &str) -> Result<(), AppError> {
        feeds::remove(&self.pool, &actor(by), feed_id(id)?, &by.client_ip).await?;
        Ok(())
    }

    async fn read_feed(&self, id: &str) -> Result<(), AppError> {
        feeds::read_now(&self.pool, feed_id(id)?, Utc::now()).await?;
        Ok(())
    }

    async fn channels(&self) -> Result<ChannelList, AppError> {
        Ok(ChannelList { rows: views::channels(&self.pool, Utc::now()).await.map_err(db)? })
    }

    async fn channel(&self, id: &str, page: u32) -> Result<ChannelDetail, AppError> {
        let id = channel_id(id)?;
        let now = Utc::now();
        let r =
            sqlx::query(&format!("SELECT {} FROM notifications_channels c WHERE c.id = $2", views::CHANNEL_COLUMNS))
                .bind(now)
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?
                .ok_or_else(|| AppError::NotFound("the delivery channel".into()))?;
        let (deliveries, page, pages) = views::channel_deliveries(&self.pool, id, page).await.map_err(db)?;
        Ok(ChannelDetail { row: views::channel_row(&r, now), form: channels::form_of(&r), deliveries, page, pages })
    }

    async fn new_channel_form(&self, preset: Option<&str>) -> Result<ChannelForm, AppError> {
        let mut form = ChannelForm {
            kind: "webhook".into(),
            min_severity: "warning".into(),
            smtp_security: "starttls".into(),
            ..ChannelForm::default()
        };
        if preset == Some("auth0-status") {
            let regions: Vec<String> =
                sqlx::query_scalar("SELECT DISTINCT region FROM tenants WHERE region IS NOT NULL ORDER BY 1")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db)?;
            form.name = "Auth0 status".into();
            form.kind = "slack".into();
            form.min_severity = "info".into();
            form.sources = vec!["auth0_status".into()];
            form.regions = regions.join(", ");
        }
        Ok(form)
    }

    async fn add_channel(&self, by: &Acting, form: ChannelForm) -> Result<String, AppError> {
        let known = known_tenants(&self.pool).await?;
        let channel = channels::check(&form, false, &known).map_err(AppError::Invalid)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let id = channels::insert(&mut tx, &self.outbox.secrets, &channel).await.map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                AppError::Invalid(format!("Name: a channel called {:?} exists already", channel.name))
            }
            _ => db(e),
        })?;
        let detail = format!("{} {}", channel.kind.as_str(), channel.target);
        audit::record(&mut tx, &actor(by), Action::ChannelAdded, &channel.name, &by.client_ip, &detail)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(id.to_string())
    }

    async fn update_channel(&self, by: &Acting, id: &str, form: ChannelForm) -> Result<(), AppError> {
        let id = channel_id(id)?;
        let stored: Option<String> = sqlx::query_scalar("SELECT kind FROM notifications_channels WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        let stored = stored.ok_or_else(|| AppError::NotFound("the delivery channel".into()))?;
        let known = known_tenants(&self.pool).await?;
        // A new kind brings its own URL and secrets; the same kind may keep them.
        let channel = channels::check(&form, stored == form.kind.trim(), &known).map_err(AppError::Invalid)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        channels::update(&mut tx, &self.outbox.secrets, id, &channel).await.map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                AppError::Invalid(format!("Name: a channel called {:?} exists already", channel.name))
            }
            _ => db(e),
        })?;
        audit::record(&mut tx, &actor(by), Action::ChannelChanged, &channel.name, &by.client_ip, "edited")
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn set_channel_enabled(&self, by: &Acting, id: &str, enabled: bool) -> Result<(), AppError> {
        let id = channel_id(id)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let name: Option<String> =
            sqlx::query_scalar("UPDATE notifications_channels SET enabled = $2 WHERE id = $1 RETURNING name")
                .bind(id)
                .bind(enabled)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        let name = name.ok_or_else(|| AppError::NotFound("the delivery channel".into()))?;
        let detail = if enabled { "resumed" } else { "paused" };
        audit::record(&mut tx, &actor(by), Action::ChannelChanged, &name, &by.client_ip, detail).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn remove_channel(&self, by: &Acting, id: &str) -> Result<(), AppError> {
        let id = channel_id(id)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let name: Option<String> =
            sqlx::query_scalar("DELETE FROM notifications_channels WHERE id = $1 RETURNING name")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        let name = name.ok_or_else(|| AppError::NotFound("the delivery channel".into()))?;
        audit::record(&mut tx, &actor(by), Action::ChannelRemoved, &name, &by.client_ip, "").await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn test_channel(&self, by: &Acting, id: &str) -> Result<(), AppError> {
        let id = channel_id(id)?;
        let result = self.outbox.send_test(id, Utc::now()).await.map_err(|e| match e {
            sqlx::Error::RowNotFound => AppError::NotFound("the delivery channel".into()),
            e => db(e),
        })?;
        // The page says how it went from the delivery log (`DeliveryRow::sentence`); the audit log says it briefly.
        let detail = match &result {
            Ok(_) => "sent".to_string(),
            Err(f) => format!("failed: {}", f.message),
        };
        let name: String = sqlx::query_scalar("SELECT name FROM notifications_channels WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(db)?;
        let mut conn = self.pool.acquire().await.map_err(db)?;
        audit::record(&mut conn, &actor(by), Action::ChannelTested, &name, &by.client_ip, &detail).await.map_err(db)?;
        Ok(())
    }
}

/// Registered tenant names (channels filter by them).
async fn known_tenants(pool: &PgPool) -> Result<Vec<String>, AppError> {
    sqlx::query_scalar("SELECT name FROM tenants ORDER BY name").fetch_all(pool).await.map_err(db)
}
