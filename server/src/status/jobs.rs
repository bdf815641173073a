//! The status area's scheduler jobs.
//!
//! `status.poll` (one per source): fetches the source's URL (conditional request, time and size limits, http(s)
//! only, private addresses refused unless allowed), reads it with the source's adapter, and stores the state,
//! components, incidents and each update once — recording each new update as a notification update in the same
//! transaction. A failed or malformed answer marks the source in error with the reason and keeps its last good
//! state.
//!
//! `status.sync` (key `all`): gives every registered tenant its Auth0 feed (or moves it when the tenant's domain or
//! the feed base changed) and makes the poll jobs match the enabled sources.

use std::time::Duration;

use app::ids::SourceId;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::adapters::{SourceKind, parse, statuspage_incidents_url};
use super::model::{Health, Reading};
use super::notice::{NoticeSource, incoming};
use super::repo::{self, GoodRead, PollTarget};
use super::service::auth0_feed_url;
use crate::notifications::record;
use crate::outbound::{Fetched, Fetcher};
use crate::scheduler::{self, Job};

/// The poll job's kind; its key is the source id.
pub const POLL_KIND: &str = crate::scheduler::kinds::STATUS_POLL;
/// The sync job's kind; its one key is `all`.
pub const SYNC_KIND: &str = crate::scheduler::kinds::STATUS_SYNC;
/// How often the sync runs on its own (tenant changes also ask for it at once).
pub const SYNC_INTERVAL: Duration = crate::scheduler::kinds::SYNC_INTERVAL;

/// What one poll did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Polled {
    /// The source answered 304: nothing new.
    NotModified,
    /// Read and stored; `new_updates` incident updates were seen for the first time.
    Read { state: Health, new_updates: usize },
}

/// Why a poll did not read its source.
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    /// The source did not answer well or its answer did not parse; the reason is stored on the source too.
    #[error("{0}")]
    Unreadable(String),
    #[error("the source was removed")]
    Removed,
    #[error("unknown source kind {0:?}")]
    UnknownKind(String),
    #[error("{0:?} is not a source id")]
    BadKey(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// Polls status sources for the scheduler.
pub struct StatusPollJob {
    pool: PgPool,
    fetcher: Fetcher,
}

/// What a poll stores beside the reading.
struct Meta {
    etag: Option<String>,
    modified: Option<String>,
    /// The ETag of a Statuspage's `incidents.json`.
    history_etag: Option<String>,
    /// The reading lists every open incident (a Statuspage summary): open ones it omits are over.
    lists_every_open_incident: bool,
    /// A problem that did not stop the poll (the incident history was unreadable).
    note: Option<String>,
}

/// Adds the incidents of a Statuspage's history to its summary's reading: an incident the summary lacks, or one
/// the history knows more updates of, is taken from the history.
fn merge_history(reading: &mut Reading, history: Reading) {
    for incident in history.incidents {
        match reading.incidents.iter_mut().find(|i| i.id == incident.id) {
            Some(known) if incident.updates.len() > known.updates.len() => *known = incident,
            Some(_) => {}
            None => reading.incidents.push(incident),
        }
    }
}

impl StatusPollJob {
    pub fn new(pool: PgPool, allow_private: bool) -> Result<Self, String> {
        Ok(StatusPollJob { pool, fetcher: Fetcher::new(crate::outbound::Policy::private_allowed(allow_private))? })
    }

    /// Marks the source in error with `reason` (kept as the poll's error).
    async fn fail(&self, id: SourceId, now: DateTime<Utc>, reason: String) -> PollError {
        let stored = match self.pool.acquire().await {
            Ok(mut conn) => repo::record_failure(&mut conn, id, now, &reason).await,
            Err(e) => Err(e),
        };
        if let Err(e) = stored {
            tracing::warn!(error = %e, source.id = %id, "cannot record a status poll failure");
        }
        PollError::Unreadable(reason)
    }

    /// One poll of one source at `now`.
    pub async fn poll(&self, id: impl Into<SourceId>, now: DateTime<Utc>) -> Result<Polled, PollError> {
        let id = id.into();
        let target = repo::poll_target(&mut *self.pool.acquire().await?, id).await?.ok_or(PollError::Removed)?;
        let kind = SourceKind::parse(&target.kind).ok_or_else(|| PollError::UnknownKind(target.kind.clone()))?;
        let fetched = match self.fetcher.get(&target.url, None, target.etag.clone(), target.last_modified.clone()).await
        {
            Ok(f) => f,
            Err(reason) => return Err(self.fail(id, now, reason).await),
        };
        // A Statuspage summary lists only open incidents: the page's incident history is read beside it (with its
        // own ETag), so resolutions and postmortems are seen even when the summary did not change. If the
        // history fails, the summary still counts and the source notes the problem.
        let history_url = statuspage_incidents_url(&target.url).filter(|_| kind == SourceKind::Statuspage);
        let mut note = None;
        let mut history_etag = target.history_etag.clone();
        let mut history = None;
        if let Some(history_url) = &history_url {
            match self.fetcher.get(history_url, None, history_etag.clone(), None).await {
                Ok(Fetched::Body { content_type, etag, body, .. }) => {
                    match parse(kind, history_url, content_type.as_deref(), &body, now) {
                        Ok(reading) => {
                            history = Some(reading);
                            history_etag = etag;
                        }
                        Err(e) => note = Some(format!("incident history ({history_url}) unreadable: {e}")),
                    }
                }
                Ok(Fetched::NotModified) => {}
                Err(reason) => note = Some(format!("incident history ({history_url}) unreadable: {reason}")),
            }
        }
        let (mut reading, etag, modified, complete) = match fetched {
            Fetched::NotModified => match history.take() {
                // Nothing new anywhere.
                None => {
                    let mut conn = self.pool.acquire().await?;
                    repo::record_unchanged(&mut conn, id, now, note.as_deref()).await?;
                    return Ok(Polled::NotModified);
                }
                // The summary is as it was (so is the state); only the history moved.
                Some(older) => {
                    let state = Health::parse(&target.state);
                    let reading =
                        Reading { state, components: Vec::new(), incidents: older.incidents, format: older.format };
                    (reading, target.etag.clone(), target.last_modified.clone(), false)
                }
            },
            Fetched::Body { content_type, etag, modified, body } => {
                match parse(kind, &target.url, content_type.as_deref(), &body, now) {
                    Ok(reading) => (reading, etag, modified, kind == SourceKind::Statuspage),
                    Err(e) => return Err(self.fail(id, now, e.to_string()).await),
                }
            }
        };
        if let Some(older) = history {
            merge_history(&mut reading, older);
        }
        let meta = Meta { etag, modified, history_etag, lists_every_open_incident: complete, note };
        Ok(self.store(id, kind, &target, now, &reading, meta).await?)
    }

    /// Stores a reading in one transaction, with a notice for every update seen for the first time.
    async fn store(
        &self,
        id: SourceId,
        kind: SourceKind,
        target: &PollTarget,
        now: DateTime<Utc>,
        reading: &Reading,
        meta: Meta,
    ) -> Result<Polled, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let state = reading.state.as_str();
        let before = repo::lock_state(&mut tx, id).await?;
        if before != state {
            repo::add_transition(&mut tx, id, now, &before, state).await?;
        }
        let read = GoodRead {
            state,
            etag: meta.etag.as_deref(),
            modified: meta.modified.as_deref(),
            history_etag: meta.history_etag.as_deref(),
            note: meta.note.as_deref(),
            read_as: reading.format,
        };
        repo::record_read(&mut tx, id, now, read).await?;
        for c in &reading.components {
            repo::upsert_component(&mut tx, id, c, now).await?;
        }
        let from = NoticeSource {
            id,
            kind,
            name: &target.name,
            tenant: target.tenant.as_deref(),
            region: target.region.as_deref(),
        };
        let mut new_updates = 0;
        for i in &reading.incidents {
            let incident = repo::upsert_incident(&mut tx, id, i, now).await?;
            for u in &i.updates {
                if repo::insert_update(&mut tx, incident, u, now).await? {
                    new_updates += 1;
                    record::apply(&mut tx, &incoming(&from, i, u, now), now).await?;
                }
            }
        }
        if meta.lists_every_open_incident {
            let listed: Vec<String> = reading.incidents.iter().map(|i| i.id.clone()).collect();
            repo::resolve_unlisted(&mut tx, id, &listed, now).await?;
        }
        tx.commit().await?;
        Ok(Polled::Read { state: reading.state, new_updates })
    }
}

#[async_trait::async_trait]
impl Job for StatusPollJob {
    fn kind(&self) -> &'static str {
        POLL_KIND
    }

    async fn run_once(&self, key: &str, now: DateTime<Utc>) -> Result<(), String> {
        let id = key.parse::<SourceId>().map_err(|_| PollError::BadKey(key.into()).to_string())?;
        self.poll(id, now).await.map(|_| ()).map_err(|e| e.to_string())
    }
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
    let prefix = auth0_feed_url(feed_base, "");
    let moved = repo::move_feeds(&mut tx, &prefix).await?;
    // A moved feed is read at once from its new address (its job may be backing off from the old one).
    repo::run_jobs_now(&mut tx, POLL_KIND, &moved, now).await?;
    let added = repo::add_feeds(&mut tx, &prefix, every).await?;
    repo::ensure_jobs(&mut tx, POLL_KIND, now).await?;
    let removed = repo::remove_stray_jobs(&mut tx, POLL_KIND).await?;
    tx.commit().await?;
    Ok(Synced { feeds_added: added, feeds_moved: moved.len() as u64, jobs_removed: removed })
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
pub async fn sync_soon(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    scheduler::ensure(conn, SYNC_KIND, "all", SYNC_INTERVAL, now).await?;
    scheduler::run_soon(conn, SYNC_KIND, "all", now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::model::{Incident, Phase, Update};
    use super::*;

    fn incident(id: &str, updates: usize) -> Incident {
        Incident {
            id: id.into(),
            title: id.into(),
            impact: None,
            phase: Phase::Investigating,
            started_at: None,
            updated_at: None,
            link: None,
            updates: (0..updates)
                .map(|n| Update { id: format!("{id}-{n}"), at: None, phase: Phase::Investigating, text: String::new() })
                .collect(),
        }
    }

    #[test]
    fn the_history_adds_incidents_and_updates_the_summary_lacks() {
        let mut summary = Reading {
            state: Health::Degraded,
            components: Vec::new(),
            incidents: vec![incident("a", 1), incident("b", 2)],
            format: None,
        };
        let history = Reading {
            state: Health::Unknown,
            components: Vec::new(),
            incidents: vec![incident("a", 3), incident("b", 1), incident("c", 1)],
            format: None,
        };
        merge_history(&mut summary, history);
        let counts: Vec<(&str, usize)> = summary.incidents.iter().map(|i| (i.id.as_str(), i.updates.len())).collect();
        assert_eq!(counts, [("a", 3), ("b", 2), ("c", 1)]);
        assert_eq!(summary.state, Health::Degraded, "the summary's state stands");
    }
}
