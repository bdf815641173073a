//! Advisory and change-notice feeds: the catalog (`feeds.toml`), checked adding, pause/remove, and the
//! `notifications.feed` job that reads a feed and turns each wanted item into a notification (security advisory or
//! change notice), an item's later revision into an update on its timeline. A feed that cannot be read or parsed
//! is marked in error with the reason; its notifications stay as they were.

use std::sync::OnceLock;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::{PgPool, Row};
use uuid::Uuid;

use super::advisories::{self, Classify, FeedKind, Item};
use super::record::{Incoming, apply};
use crate::accounts::audit::{self, Action, Actor};
use crate::outbound::{Fetched, Fetcher};
use crate::scheduler::{self, Job};

pub const KIND: &str = crate::scheduler::kinds::NOTIFICATIONS_FEED;
/// How often a feed is read unless its row says otherwise.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30 * 60);
/// Items taken from one read (a feed's newest).
const MAX_ITEMS: usize = 200;

/// One entry of the catalog.
#[derive(Clone, Debug, Deserialize)]
pub struct CatalogFeed {
    pub key: String,
    pub name: String,
    pub kind: String,
    pub classify: String,
    pub url: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub note: String,
}

#[derive(Deserialize)]
struct CatalogFile {
    feed: Vec<CatalogFeed>,
}

/// The catalog, read once from the file compiled into the binary.
pub fn catalog() -> &'static [CatalogFeed] {
    static CATALOG: OnceLock<Vec<CatalogFeed>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        toml::from_str::<CatalogFile>(include_str!("feeds.toml")).map(|f| f.feed).unwrap_or_else(|e| {
            tracing::error!(error = %e, "the built-in feed catalog does not parse");
            Vec::new()
        })
    })
}

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("{0}")]
    Invalid(String),
    #[error("a feed with this URL exists already: {0}")]
    UrlTaken(String),
    #[error("no such feed")]
    NotFound,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A feed to add, already checked.
#[derive(Clone, Debug)]
pub struct NewFeed {
    pub name: String,
    pub kind: FeedKind,
    pub classify: Classify,
    pub url: String,
    pub keywords: Vec<String>,
    pub interval: Duration,
    pub catalog_key: Option<String>,
}

/// Checks a hand-entered feed; every problem is named at once.
pub async fn check(form: &app::notifications::feeds::FeedForm, allow_private: bool) -> Result<NewFeed, FeedError> {
    let mut problems = Vec::new();
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        problems.push("Name: give the feed a name of 1 to 100 characters".to_string());
    }
    let kind = FeedKind::parse(form.kind.trim());
    if kind.is_none() {
        problems.push(format!("Kind: {:?} is not one Tenantry reads; pick one from the list", form.kind));
    }
    let classify = Classify::parse(form.classify.trim());
    if classify.is_none() {
        problems.push(format!("Items are: {:?} is not auto, security or change", form.classify));
    }
    let keywords: Vec<String> =
        form.keywords.split(',').map(|k| k.trim().to_lowercase()).filter(|k| !k.is_empty()).collect();
    if keywords.len() > 20 || keywords.iter().any(|k| k.chars().count() > 60) {
        problems.push("Keywords: at most 20, each at most 60 characters".into());
    }
    let minutes = form.interval_minutes.trim();
    let interval = if minutes.is_empty() {
        Some(DEFAULT_INTERVAL)
    } else {
        match minutes.parse::<u64>() {
            Ok(m) if (5..=1440).contains(&m) => Some(Duration::from_secs(m * 60)),
            _ => {
                problems.push(format!("Minutes between reads: {minutes:?} is not a whole number from 5 to 1440"));
                None
            }
        }
    };
    let url = form.url.trim();
    if url.len() > 2000 {
        problems.push("URL: longer than 2,000 characters".into());
    } else if let Err(e) = crate::outbound::check_url(url, allow_private).await {
        problems.push(format!("URL: {e}"));
    }
    if !problems.is_empty() {
        return Err(FeedError::Invalid(problems.join("; ")));
    }
    Ok(NewFeed {
        name: name.to_string(),
        kind: kind.expect("checked"),
        classify: classify.expect("checked"),
        url: url.to_string(),
        keywords,
        interval: interval.expect("checked"),
        catalog_key: None,
    })
}

/// The catalog feed `key` as a feed to add.
pub fn from_catalog(key: &str) -> Result<NewFeed, FeedError> {
    let entry = catalog()
        .iter()
        .find(|f| f.key == key)
        .ok_or_else(|| FeedError::Invalid(format!("{key:?} is not in the feed catalog")))?;
    Ok(NewFeed {
        name: entry.name.clone(),
        kind: FeedKind::parse(&entry.kind).unwrap_or(FeedKind::Feed),
        classify: Classify::parse(&entry.classify).unwrap_or(Classify::Auto),
        url: entry.url.clone(),
        keywords: entry.keywords.clone(),
        interval: DEFAULT_INTERVAL,
        catalog_key: Some(entry.key.clone()),
    })
}

/// Stores a feed, schedules its first read now, and writes the audit log.
pub async fn add(
    pool: &PgPool,
    actor: &Actor,
    feed: NewFeed,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, FeedError> {
    let mut tx = pool.begin().await?;
    let interval = i32::try_from(feed.interval.as_secs()).unwrap_or(i32::MAX);
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO notifications_feeds (name, kind, classify, url, keywords, interval_secs, catalog_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&feed.name)
    .bind(feed.kind.as_str())
    .bind(feed.classify.as_str())
    .bind(&feed.url)
    .bind(&feed.keywords)
    .bind(interval)
    .bind(&feed.catalog_key)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => FeedError::UrlTaken(feed.url.clone()),
        _ => FeedError::Database(e),
    })?;
    scheduler::ensure(&mut tx, KIND, &id.to_string(), feed.interval, now).await?;
    let detail = format!("{} {}", feed.kind.as_str(), feed.url);
    audit::record(&mut tx, actor, Action::FeedAdded, &feed.name, client_ip, &detail).await?;
    tx.commit().await?;
    Ok(id)
}

/// Pauses or resumes reading a feed.
pub async fn set_enabled(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    enabled: bool,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<(), FeedError> {
    let mut tx = pool.begin().await?;
    let row: Option<(String, i32)> =
        sqlx::query_as("UPDATE notifications_feeds SET enabled = $2 WHERE id = $1 RETURNING name, interval_secs")
            .bind(id)
            .bind(enabled)
            .fetch_optional(&mut *tx)
            .await?;
    let (name, interval) = row.ok_or(FeedError::NotFound)?;
    let every = Duration::from_secs(interval.max(60) as u64);
    let detail = scheduler::set_enabled(&mut tx, KIND, &id.to_string(), enabled, every, now).await?;
    audit::record(&mut tx, actor, Action::FeedChanged, &name, client_ip, detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a feed. Its notifications stay in the history.
pub async fn remove(pool: &PgPool, actor: &Actor, id: Uuid, client_ip: &str) -> Result<(), FeedError> {
    let mut tx = pool.begin().await?;
    let name: Option<String> = sqlx::query_scalar("DELETE FROM notifications_feeds WHERE id = $1 RETURNING name")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let name = name.ok_or(FeedError::NotFound)?;
    scheduler::remove(&mut tx, KIND, &id.to_string()).await?;
    audit::record(&mut tx, actor, Action::FeedRemoved, &name, client_ip, "its notifications stay").await?;
    tx.commit().await?;
    Ok(())
}

/// Asks for a read now.
pub async fn read_now(pool: &PgPool, id: Uuid, now: DateTime<Utc>) -> Result<(), FeedError> {
    let mut conn = pool.acquire().await?;
    if scheduler::run_soon(&mut conn, KIND, &id.to_string(), now).await? {
        Ok(())
    } else {
        Err(FeedError::Invalid("this feed is paused; resume it to read it".into()))
    }
}

/// The notification for one item. An item whose id is universal (Atom ids are IRIs: `tag:github.com,2008:GHSA-…`,
/// URLs) is one notification whichever feed brings it; other ids (RSS guids such as `1234`) are the feed's own.
pub fn incoming(feed: Uuid, item: &Item, now: DateTime<Utc>) -> Incoming {
    let origin = if item.id.contains(':') || item.id.contains('/') {
        format!("item:{}", item.id)
    } else {
        format!("feed:{feed}#{}", item.id)
    };
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

/// What one read did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Read {
    NotModified,
    /// `items` wanted items read; `new` notifications and `updates` timeline entries added.
    Read {
        items: usize,
        new: usize,
        updates: usize,
    },
}

/// Reads feeds for the scheduler.
pub struct FeedJob {
    pub pool: PgPool,
    pub fetcher: Fetcher,
}

impl FeedJob {
    async fn fail(&self, id: Uuid, now: DateTime<Utc>, reason: String) -> String {
        let stored = sqlx::query("UPDATE notifications_feeds SET last_attempt_at = $2, error = $3 WHERE id = $1")
            .bind(id)
            .bind(now)
            .bind(&reason)
            .execute(&self.pool)
            .await;
        if let Err(e) = stored {
            tracing::warn!(error = %e, "cannot record a feed read failure");
        }
        reason
    }

    /// One read of one feed at `now`.
    pub async fn read(&self, id: Uuid, now: DateTime<Utc>) -> Result<Read, String> {
        let row = sqlx::query(
            "SELECT kind, classify, url, keywords, etag, last_modified FROM notifications_feeds WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the feed was removed")?;
        let kind = FeedKind::parse(row.get::<String, _>("kind").as_str()).ok_or("unknown feed kind")?;
        let classify = Classify::parse(row.get::<String, _>("classify").as_str()).unwrap_or(Classify::Auto);
        let (url, keywords): (String, Vec<String>) = (row.get("url"), row.get("keywords"));
        let url = url.as_str();
        let fetched = self.fetcher.get(url, Some(advisories::ACCEPT), row.get("etag"), row.get("last_modified")).await;
        let (content_type, etag, modified, body) = match fetched {
            Err(reason) => return Err(self.fail(id, now, reason).await),
            Ok(Fetched::NotModified) => {
                sqlx::query(
                    "UPDATE notifications_feeds SET last_attempt_at = $2, last_good_at = $2, error = NULL WHERE id = $1",
                )
                .bind(id)
                .bind(now)
                .execute(&self.pool)
                .await
                .map_err(|e| e.to_string())?;
                return Ok(Read::NotModified);
            }
            Ok(Fetched::Body { content_type, etag, modified, body }) => (content_type, etag, modified, body),
        };
        let items = match advisories::parse(kind, classify, &keywords, content_type.as_deref(), &body) {
            Ok(items) => items,
            Err(e) => return Err(self.fail(id, now, e.to_string()).await),
        };
        self.store(id, now, &items, etag, modified).await.map_err(|e| e.to_string())
    }

    async fn store(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        items: &[Item],
        etag: Option<String>,
        modified: Option<String>,
    ) -> Result<Read, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let (mut new, mut updates) = (0, 0);
        for item in items.iter().take(MAX_ITEMS) {
            let applied = apply(&mut tx, &incoming(id, item, now), now).await?;
            new += usize::from(applied.created);
            updates += usize::from(applied.added);
        }
        sqlx::query(
            "UPDATE notifications_feeds SET last_attempt_at = $2, last_good_at = $2, error = NULL, etag = $3,
                 last_modified = $4, items = items + $5 WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .bind(etag)
        .bind(modified)
        .bind(i32::try_from(new).unwrap_or(i32::MAX))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Read::Read { items: items.len().min(MAX_ITEMS), new, updates })
    }
}

#[async_trait::async_trait]
impl Job for FeedJob {
    fn kind(&self) -> &'static str {
        KIND
    }

    async fn run_once(&self, key: &str, now: DateTime<Utc>) -> Result<(), String> {
        let id = key.parse::<Uuid>().map_err(|_| format!("{key:?} is not a feed id"))?;
        self.read(id, now).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_parses_and_every_entry_is_readable() {
        assert!(catalog().len() >= 10);
        for f in catalog() {
            assert!(FeedKind::parse(&f.kind).is_some(), "{}: kind {}", f.key, f.kind);
            assert!(Classify::parse(&f.classify).is_some(), "{}: classify {}", f.key, f.classify);
            assert!(f.url.starts_with("https://"), "{}: {}", f.key, f.url);
            assert!(!f.note.is_empty(), "{} says what it is", f.key);
        }
        assert!(catalog().iter().any(|f| f.kind == "github_advisories"));
        assert!(catalog().iter().any(|f| f.key == "auth0-changelog"));
    }
}
