//! The engine behind the notification pages (`app::notifications::NotificationsPort`): each method acquires a
//! connection or begins a transaction, calls the part's service, and maps its error.

use app::accounts::Acting;
use app::error::AppError;
use app::ids::{ChannelId, FeedId, NotificationId};
use app::notifications::channels::{ChannelDetail, ChannelForm, ChannelList};
use app::notifications::feeds::{FeedForm, FeedList};
use app::notifications::{NoticeDetail, NoticeList, NoticeQuery, NotificationsPort};
use chrono::Utc;
use sqlx::PgPool;
use sqlx::pool::PoolConnection;
use sqlx::{Postgres, Transaction};

use super::delivery::outbox::Outbox;
use super::delivery::service::{self as channels, ChannelError};
use super::feeds::model::FeedError;
use super::feeds::service as feeds;
use super::history::service::{self as history, HistoryError};
use crate::accounts::audit::{self, Action, Actor};

/// Notifications on PostgreSQL. `outbox` sends "Send test" (with the server's sender, secrets and public URL).
pub struct PgNotifications {
    pub pool: PgPool,
    pub outbox: Outbox,
    pub allow_private: bool,
}

fn actor(by: &Acting) -> Actor {
    Actor::from_current(&by.user)
}

fn db(cause: sqlx::Error) -> AppError {
    crate::db::app_error("notifications", cause)
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

impl From<HistoryError> for AppError {
    fn from(error: HistoryError) -> Self {
        match error {
            HistoryError::NotFound => AppError::NotFound(NotificationId::WHAT.into()),
            HistoryError::Database(cause) => db(cause),
            other => AppError::Invalid(other.to_string()),
        }
    }
}

impl From<ChannelError> for AppError {
    fn from(error: ChannelError) -> Self {
        match error {
            ChannelError::NotFound => AppError::NotFound(ChannelId::WHAT.into()),
            ChannelError::Database(cause) => db(cause),
            other => AppError::Invalid(other.to_string()),
        }
    }
}

/// Warning and critical notifications nobody has acknowledged (the navigation's count).
pub async fn open_count(pool: &PgPool) -> Result<i64, sqlx::Error> {
    super::history::repo::open_count(&mut *pool.acquire().await?).await
}

impl PgNotifications {
    async fn conn(&self) -> Result<PoolConnection<Postgres>, AppError> {
        self.pool.acquire().await.map_err(db)
    }

    async fn tx(&self) -> Result<Transaction<'static, Postgres>, AppError> {
        self.pool.begin().await.map_err(db)
    }
}

async fn commit(tx: Transaction<'static, Postgres>) -> Result<(), AppError> {
    tx.commit().await.map_err(db)
}

#[async_trait::async_trait]
impl NotificationsPort for PgNotifications {
    async fn list(&self, q: NoticeQuery) -> Result<NoticeList, AppError> {
        Ok(history::list(&mut *self.conn().await?, &q).await?)
    }

    async fn detail(&self, id: NotificationId) -> Result<NoticeDetail, AppError> {
        Ok(history::detail(&mut *self.conn().await?, id).await?)
    }

    async fn acknowledge(&self, by: &Acting, id: NotificationId, comment: &str) -> Result<(), AppError> {
        let mut tx = self.tx().await?;
        history::acknowledge(&mut tx, by, id, comment, Utc::now()).await?;
        commit(tx).await
    }

    async fn feeds(&self) -> Result<FeedList, AppError> {
        feeds::list(&mut *self.conn().await?).await.map_err(db)
    }

    async fn add_feed(&self, by: &Acting, form: FeedForm) -> Result<(), AppError> {
        let feed = feeds::check(&form, self.allow_private).await?;
        let mut tx = self.tx().await?;
        feeds::add(&mut tx, &actor(by), feed, &by.client_ip, Utc::now()).await?;
        commit(tx).await
    }

    async fn add_catalog_feed(&self, by: &Acting, key: &str) -> Result<(), AppError> {
        let feed = feeds::from_catalog(key)?;
        let mut tx = self.tx().await?;
        feeds::add(&mut tx, &actor(by), feed, &by.client_ip, Utc::now()).await?;
        commit(tx).await
    }

    async fn set_feed_enabled(&self, by: &Acting, id: FeedId, enabled: bool) -> Result<(), AppError> {
        let mut tx = self.tx().await?;
        feeds::set_enabled(&mut tx, &actor(by), id, enabled, &by.client_ip, Utc::now()).await?;
        commit(tx).await
    }

    async fn remove_feed(&self, by: &Acting, id: FeedId) -> Result<(), AppError> {
        let mut tx = self.tx().await?;
        feeds::remove(&mut tx, &actor(by), id, &by.client_ip).await?;
        commit(tx).await
    }

    async fn read_feed(&self, id: FeedId) -> Result<(), AppError> {
        Ok(feeds::read_now(&mut *self.conn().await?, id, Utc::now()).await?)
    }

    async fn channels(&self) -> Result<ChannelList, AppError> {
        Ok(ChannelList { rows: channels::channels(&mut *self.conn().await?, Utc::now()).await.map_err(db)? })
    }

    async fn channel(&self, id: ChannelId, page: u32) -> Result<ChannelDetail, AppError> {
        Ok(channels::channel(&mut *self.conn().await?, id, page, Utc::now()).await?)
    }

    async fn new_channel_form(&self, preset: Option<&str>) -> Result<ChannelForm, AppError> {
        channels::new_form(&mut *self.conn().await?, preset).await.map_err(db)
    }

    async fn add_channel(&self, by: &Acting, form: ChannelForm) -> Result<ChannelId, AppError> {
        let mut tx = self.tx().await?;
        let id = channels::add(&mut tx, &self.outbox.secrets, by, &form).await?;
        commit(tx).await?;
        Ok(id)
    }

    async fn update_channel(&self, by: &Acting, id: ChannelId, form: ChannelForm) -> Result<(), AppError> {
        let mut tx = self.tx().await?;
        channels::edit(&mut tx, &self.outbox.secrets, by, id, &form).await?;
        commit(tx).await
    }

    async fn set_channel_enabled(&self, by: &Acting, id: ChannelId, enabled: bool) -> Result<(), AppError> {
        let mut tx = self.tx().await?;
        channels::set_enabled(&mut tx, by, id, enabled).await?;
        commit(tx).await
    }

    async fn remove_channel(&self, by: &Acting, id: ChannelId) -> Result<(), AppError> {
        let mut tx = self.tx().await?;
        channels::remove(&mut tx, by, id).await?;
        commit(tx).await
    }

    async fn test_channel(&self, by: &Acting, id: ChannelId) -> Result<(), AppError> {
        let result = self.outbox.send_test(id, Utc::now()).await.map_err(|e| match e {
            sqlx::Error::RowNotFound => AppError::NotFound(ChannelId::WHAT.into()),
            e => db(e),
        })?;
        // The page says how it went from the delivery log (`DeliveryRow::sentence`); the audit log says it briefly.
        let detail = match &result {
            Ok(_) => "sent".to_string(),
            Err(f) => format!("failed: {}", f.message),
        };
        let mut conn = self.conn().await?;
        let name = super::delivery::repo::name_of(&mut conn, id).await.map_err(db)?.ok_or(sqlx::Error::RowNotFound);
        let name = name.map_err(db)?;
        audit::record(&mut conn, &actor(by), Action::ChannelTested, &name, &by.client_ip, &detail).await.map_err(db)
    }
}
