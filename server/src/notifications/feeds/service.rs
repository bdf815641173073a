//! The advisory feeds' rules: the feed form checked (every problem named at once), adding from the form or the
//! catalog, pausing, removing (its notifications stay), reading now, and the feeds page.

use app::ids::FeedId;
use app::notifications::feeds::{CatalogFeedRow, FeedList, FeedRow, FeedState};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use std::time::Duration;

use super::advisories::{Classify, FeedKind};
use super::model::{DEFAULT_INTERVAL, FeedError, NewFeed, catalog};
use super::repo::{self, FeedValues};
use crate::accounts::audit::{self, Action, Actor};
use crate::scheduler;

pub const KIND: &str = crate::scheduler::kinds::NOTIFICATIONS_FEED;

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
    } else if let Err(e) =
        crate::outbound::check_url(url, crate::outbound::Policy::private_allowed(allow_private)).await
    {
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

/// Stores a feed, schedules its first read now, and writes the audit log, in the caller's transaction.
pub async fn add(
    tx: &mut PgConnection,
    actor: &Actor,
    feed: NewFeed,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<FeedId, FeedError> {
    let values = FeedValues {
        name: &feed.name,
        kind: feed.kind.as_str(),
        classify: feed.classify.as_str(),
        url: &feed.url,
        keywords: &feed.keywords,
        interval_secs: i32::try_from(feed.interval.as_secs()).unwrap_or(i32::MAX),
        catalog_key: feed.catalog_key.as_deref(),
    };
    let id = repo::insert(tx, &values).await.map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => FeedError::UrlTaken(feed.url.clone()),
        _ => FeedError::Database(e),
    })?;
    scheduler::ensure(tx, KIND, &id.to_string(), feed.interval, now).await?;
    let detail = format!("{} {}", feed.kind.as_str(), feed.url);
    audit::record(tx, actor, Action::FeedAdded, &feed.name, client_ip, &detail).await?;
    Ok(id)
}

/// Pauses or resumes reading a feed, in the caller's transaction.
pub async fn set_enabled(
    tx: &mut PgConnection,
    actor: &Actor,
    id: FeedId,
    enabled: bool,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<(), FeedError> {
    let (name, interval) = repo::set_enabled(tx, id, enabled).await?.ok_or(FeedError::NotFound)?;
    let every = Duration::from_secs(interval.max(60) as u64);
    let detail = scheduler::set_enabled(tx, KIND, &id.to_string(), enabled, every, now).await?;
    audit::record(tx, actor, Action::FeedChanged, &name, client_ip, detail).await?;
    Ok(())
}

/// Removes a feed, in the caller's transaction. Its notifications stay in the history.
pub async fn remove(tx: &mut PgConnection, actor: &Actor, id: FeedId, client_ip: &str) -> Result<(), FeedError> {
    let name = repo::delete(tx, id).await?.ok_or(FeedError::NotFound)?;
    scheduler::remove(tx, KIND, &id.to_string()).await?;
    audit::record(tx, actor, Action::FeedRemoved, &name, client_ip, "its notifications stay").await?;
    Ok(())
}

/// Asks for a read now.
pub async fn read_now(conn: &mut PgConnection, id: FeedId, now: DateTime<Utc>) -> Result<(), FeedError> {
    if scheduler::run_soon(conn, KIND, &id.to_string(), now).await? { Ok(()) } else { Err(FeedError::Paused) }
}

/// A feed's state from its row.
pub fn state(enabled: bool, error: bool, read: bool) -> FeedState {
    match (enabled, error, read) {
        (false, _, _) => FeedState::Paused,
        (true, true, _) => FeedState::Error,
        (true, false, true) => FeedState::Ok,
        (true, false, false) => FeedState::Waiting,
    }
}

/// The feeds page: every feed with its state, and the catalog saying which entries are added.
pub async fn list(conn: &mut PgConnection) -> Result<FeedList, sqlx::Error> {
    let rows = repo::feeds(conn).await?;
    let added: Vec<String> = rows.iter().filter_map(|r| r.catalog_key.clone()).collect();
    let rows = rows
        .into_iter()
        .map(|r| FeedRow {
            id: r.id,
            state: state(r.enabled, r.error.is_some(), r.last_good_at.is_some()),
            name: r.name,
            kind: r.kind,
            classify: r.classify,
            url: r.url,
            keywords: r.keywords,
            interval_secs: r.interval_secs,
            last_good_at: r.last_good_at,
            last_attempt_at: r.last_attempt_at,
            error: r.error,
            items: r.items,
        })
        .collect();
    let catalog = catalog()
        .iter()
        .map(|f| CatalogFeedRow {
            key: f.key.clone(),
            name: f.name.clone(),
            url: f.url.clone(),
            note: f.note.clone(),
            added: added.contains(&f.key),
        })
        .collect();
    Ok(FeedList { rows, catalog })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_is_paused_in_error_read_or_waiting() {
        assert_eq!(state(false, true, true), FeedState::Paused);
        assert_eq!(state(true, true, true), FeedState::Error);
        assert_eq!(state(true, false, true), FeedState::Ok);
        assert_eq!(state(true, false, false), FeedState::Waiting);
    }
}
