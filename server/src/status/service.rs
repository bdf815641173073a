//! The rules of status sources: the provider catalog shipped as data, adding sources by URL (checked before they
//! are stored) or from the catalog, pausing, removing (a tenant's Auth0 feed goes only with its tenant) and asking
//! for a poll now. Each change writes the audit log in the same transaction.

use std::sync::OnceLock;
use std::time::Duration;

use app::ids::SourceId;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::PgPool;

use super::adapters::SourceKind;
use super::jobs::POLL_KIND;
use super::repo;
use crate::accounts::audit::{self, Action, Actor};
use crate::outbound::check_url;
use crate::scheduler;

/// How often a source is polled unless its row says otherwise.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(120);

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

pub(crate) const CATEGORIES: [&str; 5] = ["auth0", "social", "email", "sms", "other"];

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
    check_url(url, crate::outbound::Policy::private_allowed(allow_private))
        .await
        .map_err(|e| invalid(format!("URL: {e}")))?;
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
) -> Result<SourceId, SourceError> {
    let mut tx = pool.begin().await?;
    let interval = i32::try_from(source.interval.as_secs()).unwrap_or(i32::MAX);
    let kind = source.kind.as_str();
    let id = repo::insert_source(
        &mut tx,
        &source.name,
        kind,
        &source.category,
        &source.url,
        interval,
        source.catalog_key.as_deref(),
    )
    .await?
    .ok_or_else(|| SourceError::UrlTaken(source.url.clone()))?;
    scheduler::ensure(&mut tx, POLL_KIND, &id.to_string(), source.interval, now).await?;
    let detail = format!("{kind} {}", source.url);
    audit::record(&mut tx, actor, Action::StatusSourceAdded, &source.name, client_ip, &detail).await?;
    tx.commit().await?;
    Ok(id)
}

/// Pauses or resumes polling of a source.
pub async fn set_enabled(
    pool: &PgPool,
    actor: &Actor,
    id: SourceId,
    enabled: bool,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<(), SourceError> {
    let mut tx = pool.begin().await?;
    let (name, interval) = repo::set_enabled(&mut tx, id, enabled).await?.ok_or(SourceError::NotFound)?;
    let every = Duration::from_secs(interval.max(30) as u64);
    let detail = scheduler::set_enabled(&mut tx, POLL_KIND, &id.to_string(), enabled, every, now).await?;
    audit::record(&mut tx, actor, Action::StatusSourceChanged, &name, client_ip, detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a source with its incidents. A tenant's Auth0 feed cannot be removed on its own.
pub async fn remove(pool: &PgPool, actor: &Actor, id: SourceId, client_ip: &str) -> Result<(), SourceError> {
    let mut tx = pool.begin().await?;
    let (name, tenant) = repo::lock_source(&mut tx, id).await?.ok_or(SourceError::NotFound)?;
    if tenant.is_some() {
        return Err(SourceError::TenantFeed);
    }
    repo::delete_source(&mut tx, id).await?;
    scheduler::remove(&mut tx, POLL_KIND, &id.to_string()).await?;
    audit::record(&mut tx, actor, Action::StatusSourceRemoved, &name, client_ip, "").await?;
    tx.commit().await?;
    Ok(())
}

/// Asks for a poll now.
pub async fn poll_now(pool: &PgPool, id: SourceId, now: DateTime<Utc>) -> Result<(), SourceError> {
    let mut conn = pool.acquire().await?;
    if scheduler::run_soon(&mut conn, POLL_KIND, &id.to_string(), now).await? {
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
