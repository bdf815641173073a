//! The `notifications.feed` job: reads a feed (conditional GET) and turns each wanted item into a notification
//! (security advisory or change notice), an item's later revision into an update on its timeline. A feed that
//! cannot be read or parsed is marked in error with the reason; its notifications stay as they were. An item that
//! cannot be recorded is an error on its feed and does not stop the others.

use app::ids::FeedId;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::advisories::{self, Classify, FeedKind, Item};
use super::model::{MAX_ITEMS, Read};
use super::repo;
use crate::notifications::history::record::{Incoming, apply_alone};
use crate::outbound::{Fetched, Fetcher};
use crate::scheduler::Job;

pub use super::service::KIND;

/// The notification for one item, named by its feed and its id: a feed can only ever add to its own
/// notifications (another feed reusing an item id makes a notification of its own, never changes this one).
pub fn incoming(feed: FeedId, item: &Item, now: DateTime<Utc>) -> Incoming {
    let origin = format!("feed:{feed}#{}", item.id);
    let revision = item.updated.or(item.published);
    let what = match item.class {
        advisories::Class::Security => "Security advisory",
        advisories::Class::Deprecation => "Deprecation",
        advisories::Class::Change => "Change",
    };
    let first: String = item.summary.chars().take(300).collect();
    let text = match (item.published, item.updated) {
        (Some(p), Some(u)) if u > p => format!("{what} updated: {first}"),
        _ => format!("{what} published: {first}"),
    };
    Incoming {
        update_origin: format!("{origin}@{}", revision.map(|r| r.to_rfc3339()).unwrap_or_else(|| "first".into())),
        origin,
        source: item.class.source(),
        kind: item.class.kind().to_string(),
        severity: item.severity,
        title: item.title.clone(),
        body: item.summary.clone(),
        link: item.link.clone(),
        tenants: Vec::new(),
        regions: Vec::new(),
        at: revision.unwrap_or(now),
        text,
    }
}

/// Why a read failed (the feed's row says so too, where it could be written).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the feed was removed")]
    Removed,
    #[error("unknown feed kind")]
    UnknownKind,
    /// The feed could not be fetched or parsed: the reason, as the feed's row shows it.
    #[error("{0}")]
    Feed(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Reads feeds for the scheduler.
pub struct FeedJob {
    pub pool: PgPool,
    pub fetcher: Fetcher,
}

impl FeedJob {
    async fn fail(&self, id: FeedId, now: DateTime<Utc>, reason: String) -> ReadError {
        let stored = match self.pool.acquire().await {
            Ok(mut conn) => repo::failed(&mut conn, id, now, &reason).await,
            Err(e) => Err(e),
        };
        if let Err(e) = stored {
            tracing::warn!(error = %e, "cannot record a feed read failure");
        }
        ReadError::Feed(reason)
    }

    /// One read of one feed at `now`.
    pub async fn read(&self, id: FeedId, now: DateTime<Utc>) -> Result<Read, ReadError> {
        let row = repo::for_read(&mut *self.pool.acquire().await?, id).await?.ok_or(ReadError::Removed)?;
        let kind = FeedKind::parse(&row.kind).ok_or(ReadError::UnknownKind)?;
        let classify = Classify::parse(&row.classify).unwrap_or(Classify::Auto);
        let fetched = self.fetcher.get(&row.url, Some(advisories::ACCEPT), row.etag, row.last_modified).await;
        let (content_type, etag, modified, body) = match fetched {
            Err(reason) => return Err(self.fail(id, now, reason).await),
            Ok(Fetched::NotModified) => {
                repo::not_modified(&mut *self.pool.acquire().await?, id, now).await?;
                return Ok(Read::NotModified);
            }
            Ok(Fetched::Body { content_type, etag, modified, body }) => (content_type, etag, modified, body),
        };
        let items = match advisories::parse(kind, classify, &row.keywords, content_type.as_deref(), &body) {
            Ok(items) => items,
            Err(e) => return Err(self.fail(id, now, e.to_string()).await),
        };
        Ok(self.store(id, now, &items, etag, modified).await?)
    }

    async fn store(
        &self,
        id: FeedId,
        now: DateTime<Utc>,
        items: &[Item],
        etag: Option<String>,
        modified: Option<String>,
    ) -> Result<Read, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let (mut new, mut updates) = (0, 0);
        let mut failed: Vec<String> = Vec::new();
        for item in items.iter().take(MAX_ITEMS) {
            match apply_alone(&mut tx, &incoming(id, item, now), now).await? {
                Ok(applied) => {
                    new += usize::from(applied.created);
                    updates += usize::from(applied.added);
                }
                Err(error) => {
                    tracing::warn!(feed.id = %id, item.id = %item.id, %error, "a feed item cannot be recorded");
                    failed.push(format!("{:?}: {}", item.id, crate::text::one_line(&error)));
                }
            }
        }
        let error = failed_items(&failed);
        let new_items = i32::try_from(new).unwrap_or(i32::MAX);
        repo::read(&mut tx, id, now, etag.as_deref(), modified.as_deref(), new_items, error.as_deref()).await?;
        tx.commit().await?;
        Ok(Read::Read { items: items.len().min(MAX_ITEMS), new, updates })
    }
}

/// The feed's error when items could not be recorded: how many, and the first.
pub fn failed_items(failed: &[String]) -> Option<String> {
    let first = failed.first()?;
    Some(match failed.len() {
        1 => format!("1 item could not be recorded: {first}"),
        n => format!("{n} items could not be recorded; the first: {first}"),
    })
}

#[async_trait::async_trait]
impl Job for FeedJob {
    fn kind(&self) -> &'static str {
        KIND
    }

    async fn run_once(&self, key: &str, now: DateTime<Utc>) -> Result<(), String> {
        let id = key.parse::<FeedId>().map_err(|_| format!("{key:?} is not a feed id"))?;
        self.read(id, now).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_that_cannot_be_recorded_are_counted_and_the_first_named() {
        assert_eq!(failed_items(&[]), None);
        assert_eq!(failed_items(&["\"a\": bad".into()]).as_deref(), Some("1 item could not be recorded: \"a\": bad"));
        let two = failed_items(&["\"a\": bad".into(), "\"b\": worse".into()]);
        assert_eq!(two.as_deref(), Some("2 items could not be recorded; the first: \"a\": bad"));
    }
}
