//! Status sources: the provider catalog shipped as data, adding sources by URL (checked before they are stored),
//! and the sync step that gives every registered tenant its Auth0 feed and every enabled source its poll job.

use std::sync::OnceLock;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::PgPool;
use uuid::Uuid;

use super::adapters::SourceKind;
use super::poll::{self, check_url};
use crate::accounts::audit::{self, Action, Actor};
use crate::scheduler::{self, Job};

/// How often a source is polled unless its row says otherwise.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(120);
/// The sync job's kind; its one key is `all`.
pub const SYNC_KIND: &str = crate::scheduler::kinds::STATUS_SYNC;
/// How often the sync runs on its own (tenant changes also ask for it at once).
pub const SYNC_INTERVAL: Duration = crate::scheduler::kinds::SYNC_INTERVAL;

/// One provider of the catalog (`catalog.toml`).
#[derive(Clone, Debug, Deserialize)]
pub struct Provider {
    pub key: String,
    pub name: String,
    pub category: String,
    /// A `SourceKind`, or `none` when the provider publishes nothing Tenantry reads.
    pub kind: String,
    pub url: String,
    pub page: String,
    #[serde(default)]
    pub note: String,
}

impl Provider {
    pub fn source_kind(&self) -> Option<SourceKind> {
        SourceKind::parse(&self.kind)
    }
}

#[derive(Deserialize)]
struct CatalogFile {
    provider: Vec<Provider>,
}

/// The catalog, read once from the file compiled into the binary.
pub fn catalog() -> &'static [Provider] {
    static CATALOG: OnceLock<Vec<Provider>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        toml::from_str::<CatalogFile>(include_str!("catalog.toml")).map(|f| f.provider).unwrap_or_else(|e| {
            tracing::error!(error = %e, "the built-in provider catalog does not parse");
            Vec::new()
        })
    })
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{0}")]
    Invalid(String),
    #[error("a source with this URL exists already: {0}")]
    UrlTaken(String),
    #[error("no such source")]
    NotFound,
    #[error("this is the Auth0 feed of a registered tenant; it goes when the tenant is removed (pause it instead)")]
    TenantFeed,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A source to add, already checked.
pub struct NewSource {
    pub name: String,
    pub kind: SourceKind,
    pub category: String,
    pub url: String,
    pub interval: Duration,
    pub catalog_key: Option<String>,
}

const CATEGORIES: [&str; 5] = ["auth0", "social", "email", "sms", "other"];

/// Checks a hand-entered source: a name, a known format and category, an interval of 1 to 1,440 minutes, and a
/// URL Tenantry may fetch (http(s), not private unless allowed).
pub async fn check(
    name: &str,
    kind: &str,
    category: &str,
    url: &str,
    interval_minutes: &str,
    allow_private: bool,
) -> Result<NewSource, SourceError> {
    let invalid = |m: String| SourceError::Invalid(m);
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(invalid("Name: give the source a name of 1 to 100 characters".into()));
    }
    let kind = SourceKind::parse(kind.trim())
        .ok_or_else(|| invalid(format!("Format: {kind:?} is not one Tenantry reads; pick one from the list")))?;
    if !CATEGORIES.contains(&category.trim()) {
        return Err(invalid(format!("Category: {category:?} is not one of {}", CATEGORIES.join(", "))));
    }
    let minutes = interval_minutes.trim();
    let interval = if minutes.is_empty() {
        DEFAULT_INTERVAL
    } else {
        match minutes.parse::<u64>() {
            Ok(m) if (1..=1440).contains(&m) => Duration::from_secs(m * 60),
            _ => {
                return Err(invalid(format!(
                    "Minutes between polls: {minutes:?} is not a whole number from 1 to 1440"
                )));
            }
        }
    };
    let url = url.trim();
    if url.len() > 2000 {
        return Err(invalid("URL: longer than 2,000 characters".into()));
    }
    check_url(url, allow_private).await.map_err(|e| invalid(format!("URL: {e}")))?;
    Ok(NewSource {
        name: name.to_string(),
        kind,
        category: category.trim().to_string(),
        url: url.to_string(),
        interval,
        catalog_key: None,
    })
}

/// The catalog provider `key` as a source to add.
pub fn from_catalog(key: &str) -> Result<NewSource, SourceError> {
    let provider = catalog()
        .iter()
        .find(|p| p.key == key)
        .ok_or_else(|| SourceError::Invalid(format!("{key:?} is not in the provider catalog")))?;
    let kind = provider.source_kind().ok_or_else(|| {
        SourceError::Invalid(format!("{} publishes no status Tenantry can read: {}", provider.name, provider.note))
    })?;
    Ok(NewSource {
        name: provider.name.clone(),
        kind,
        category: provider.category.clone(),
        url: provider.url.clone(),
        interval: DEFAULT_INTERVAL,
        catalog_key: Some(provider.key.clone()),
    })
}

/// Stores a source, schedules its first poll now, and writes the audit log.
pub async fn add(
    pool: &PgPool,
    actor: &Actor,
    source: NewSource,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, SourceError> {
    let mut tx = pool.begin().await?;
    let interval = i32::try_from(source.interval.as_secs()).unwrap_or(i32::MAX);
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO status_sources (name, kind, category, url, interval_secs, catalog_key)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&source.name)
    .bind(source.kind.as_str())
    .bind(&source.category)
    .bind(&source.url)
    .bind(interval)
    .bind(&source.catalog_key)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => SourceError::UrlTaken(source.url.clone()),
        _ => SourceError::Database(e),
    })?;
    scheduler::ensure(&mut tx, poll::KIND, &id.to_string(), source.interval, now).await?;
    let detail = format!("{} {}", source.kind.as_str(), source.url);
    audit::record(&mut tx, actor, Action::StatusSourceAdded, &source.name, client_ip, &detail).await?;
    tx.commit().await?;
    Ok(id)
}

/// Pauses or resumes polling of a source.
pub async fn set_enabled(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    enabled: bool,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<(), SourceError> {
    let mut tx = pool.begin().await?;
    let row: Option<(String, i32)> =
        sqlx::query_as("UPDATE status_sources SET enabled = $2 WHERE id = $1 RETURNING name, interval_secs")
            .bind(id)
            .bind(enabled)
            .fetch_optional(&mut *tx)
            .await?;
    let (name, interval) = row.ok_or(SourceError::NotFound)?;
    let every = Duration::from_secs(interval.max(30) as u64);
    let detail = scheduler::set_enabled(&mut tx, poll::KIND, &id.to_string(), enabled, every, now).await?;
    audit::record(&mut tx, actor, Action::StatusSourceChanged, &name, client_ip, detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a source with its incidents. A tenant's Auth0 feed cannot be removed on its own.
pub async fn remove(pool: &PgPool, actor: &Actor, id: Uuid, client_ip: &str) -> Result<(), SourceError> {
    let mut tx = pool.begin().await?;
    let row: Option<(String, Option<Uuid>)> =
        sqlx::query_as("SELECT name, tenant_id FROM status_sources WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let (name, tenant) = row.ok_or(SourceError::NotFound)?;
    if tenant.is_some() {
        return Err(SourceError::TenantFeed);
    }
    sqlx::query("DELETE FROM status_sources WHERE id = $1").bind(id).execute(&mut *tx).await?;
    scheduler::remove(&mut tx, poll::KIND, &id.to_string()).await?;
    audit::record(&mut tx, actor, Action::StatusSourceRemoved, &name, client_ip, "").await?;
    tx.commit().await?;
    Ok(())
}

/// Asks for a poll now.
pub async fn poll_now(pool: &PgPool, id: Uuid, now: DateTime<Utc>) -> Result<(), SourceError> {
    let mut conn = pool.acquire().await?;
    if scheduler::run_soon(&mut conn, poll::KIND, &id.to_string(), now).await? {
        Ok(())
    } else {
        Err(SourceError::Invalid("this source is paused; resume it to poll it".into()))
    }
}

/// The Auth0 status feed of a tenant domain under `base` (`https://status.auth0.com/feed`).
pub fn auth0_feed_url(base: &str, domain: &str) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}domain={domain}")
}

/// What one sync changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Synced {
    pub feeds_added: u64,
    pub feeds_moved: u64,
    pub jobs_removed: u64,
}

/// Gives every tenant its Auth0 feed (or moves it when the tenant's domain or the feed base changed) and makes the
/// poll jobs match the enabled sources. Sources of removed tenants went with them (foreign key).
pub async fn sync(
    pool: &PgPool,
    feed_base: &str,
    interval: Duration,
    now: DateTime<Utc>,
) -> Result<Synced, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let every = i32::try_from(interval.as_secs().max(30)).unwrap_or(i32::MAX);
    let sep = if feed_base.contains('?') { "&" } else { "?" };
    let prefix = format!("{feed_base}{sep}domain=");
    let moved: Vec<Uuid> = sqlx::query_scalar(
        "UPDATE status_sources s SET url = $1 || t.domain, name = 'Auth0 · ' || t.domain, etag = NULL,
             last_modified = NULL
         FROM tenants t WHERE s.tenant_id = t.id AND s.url <> $1 || t.domain RETURNING s.id",
    )
    .bind(&prefix)
    .fetch_all(&mut *tx)
    .await?;
    // A moved feed is read at once from its new address (its job may be backing off from the old one).
    sqlx::query(
        "UPDATE scheduler_jobs SET next_run_at = $3, scheduled_for = $3, attempts = 0
         WHERE kind = $1 AND key = ANY($2)",
    )
    .bind(poll::KIND)
    .bind(moved.iter().map(Uuid::to_string).collect::<Vec<_>>())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let moved = moved.len() as u64;
    let added = sqlx::query(
        "INSERT INTO status_sources (name, kind, category, url, interval_secs, tenant_id)
         SELECT 'Auth0 · ' || t.domain, 'auth0_feed', 'auth0', $1 || t.domain, $2, t.id FROM tenants t
         WHERE NOT EXISTS (SELECT 1 FROM status_sources s WHERE s.tenant_id = t.id)
         ON CONFLICT (url) DO UPDATE SET tenant_id = EXCLUDED.tenant_id WHERE status_sources.tenant_id IS NULL",
    )
    .bind(&prefix)
    .bind(every)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query(
        "INSERT INTO scheduler_jobs (kind, key, interval_secs, scheduled_for, next_run_at)
         SELECT $1, id::text, interval_secs, $2, $2 FROM status_sources WHERE enabled
         ON CONFLICT (kind, key) DO UPDATE SET interval_secs = EXCLUDED.interval_secs
         WHERE scheduler_jobs.interval_secs <> EXCLUDED.interval_secs",
    )
    .bind(poll::KIND)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let removed = sqlx::query(
        "DELETE FROM scheduler_jobs j WHERE j.kind = $1
         AND NOT EXISTS (SELECT 1 FROM status_sources s WHERE s.id::text = j.key AND s.enabled)",
    )
    .bind(poll::KIND)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(Synced { feeds_added: added, feeds_moved: moved, jobs_removed: removed })
}

/// Sync as a scheduler job (`status.sync` / `all`).
pub struct SyncJob {
    pub pool: PgPool,
    pub feed_base: String,
    pub interval: Duration,
}

#[async_trait::async_trait]
impl Job for SyncJob {
    fn kind(&self) -> &'static str {
        SYNC_KIND
    }

    async fn run_once(&self, _key: &str, now: DateTime<Utc>) -> Result<(), String> {
        let synced = sync(&self.pool, &self.feed_base, self.interval, now).await.map_err(|e| e.to_string())?;
        if synced != Synced::default() {
            tracing::info!(?synced, "status sources synced with the tenant registry");
        }
        Ok(())
    }
}

/// Makes sure the sync job exists and runs at once (called at start and after tenant changes).
pub async fn sync_soon(conn: &mut sqlx::PgConnection, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    scheduler::ensure(conn, SYNC_KIND, "all", SYNC_INTERVAL, now).await?;
    scheduler::run_soon(conn, SYNC_KIND, "all", now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_parses_and_offers_every_provider_the_guide_names() {
        let keys: Vec<&str> = catalog().iter().map(|p| p.key.as_str()).collect();
        for key in [
            "google",
            "apple",
            "meta",
            "microsoft",
            "github",
            "x",
            "linkedin",
            "sendgrid",
            "mailgun",
            "ses",
            "postmark",
            "sparkpost",
            "twilio",
        ] {
            assert!(keys.contains(&key), "{key} missing from the catalog");
        }
        for p in catalog() {
            assert!(CATEGORIES.contains(&p.category.as_str()), "{}: category {}", p.key, p.category);
            match p.source_kind() {
                Some(_) => assert!(p.url.starts_with("https://"), "{}: {}", p.key, p.url),
                None => assert!(p.kind == "none" && !p.note.is_empty(), "{}: an unreadable entry says why", p.key),
            }
        }
    }

    #[test]
    fn feed_urls_carry_the_tenant_domain() {
        assert_eq!(
            auth0_feed_url("https://status.example.test/feed", "acme.eu.auth0.com"),
            "https://status.example.test/feed?domain=acme.eu.auth0.com"
        );
        assert_eq!(auth0_feed_url("http://h/feed?x=1", "a.auth0.com"), "http://h/feed?x=1&domain=a.auth0.com");
    }
}
