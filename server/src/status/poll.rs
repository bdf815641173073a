//! The status poller: a scheduler job per source. It fetches the source's URL (conditional request, time limit,
//! size limit, http(s) only, private addresses refused unless allowed), reads it with the source's adapter, and
//! stores the state, components, incidents and each update once. A failed or malformed answer marks the source in
//! error with the reason and keeps its last good state.

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row};
use uuid::Uuid;

use super::adapters::{SourceKind, parse, statuspage_incidents_url};
use super::model::{Reading, State};
use crate::outbound::{Fetched, Fetcher};
use crate::scheduler::Job;

pub const KIND: &str = crate::scheduler::kinds::STATUS_POLL;

/// What one poll did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Polled {
    /// The source answered 304: nothing new.
    NotModified,
    /// Read and stored; `new_updates` incident updates were seen for the first time.
    Read { state: String, new_updates: usize },
}

pub use crate::outbound::check_url;

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

impl StatusPollJob {
    pub fn new(pool: PgPool, allow_private: bool) -> Result<Self, String> {
        Ok(StatusPollJob { pool, fetcher: Fetcher::new(allow_private)? })
    }

    async fn fail(&self, id: Uuid, now: DateTime<Utc>, reason: String) -> String {
        let stored = sqlx::query("UPDATE status_sources SET last_attempt_at = $2, error = $3 WHERE id = $1")
            .bind(id)
            .bind(now)
            .bind(&reason)
            .execute(&self.pool)
            .await;
        if let Err(e) = stored {
            tracing::warn!(error = %e, "cannot record a status poll failure");
        }
        reason
    }

    /// GETs a source URL within the limits; the error is the reason a person reads.
    async fn fetch(&self, url: &str, etag: Option<String>, modified: Option<String>) -> Result<Fetched, String> {
        self.fetcher.get(url, None, etag, modified).await
    }

    /// One poll of one source at `now`.
    pub async fn poll(&self, id: Uuid, now: DateTime<Utc>) -> Result<Polled, String> {
        let row =
            sqlx::query("SELECT kind, url, state, etag, last_modified, history_etag FROM status_sources WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(|e| e.to_string())?
                .ok_or("the source was removed")?;
        let (kind, url): (String, String) = (row.get("kind"), row.get("url"));
        let kind = SourceKind::parse(&kind).ok_or("unknown source kind")?;
        let (old_etag, old_modified): (Option<String>, Option<String>) = (row.get("etag"), row.get("last_modified"));
        let fetched = match self.fetch(&url, old_etag.clone(), old_modified.clone()).await {
            Ok(f) => f,
            Err(reason) => return Err(self.fail(id, now, reason).await),
        };
        // A Statuspage summary lists only open incidents: the page's incident history is read beside it (with its
        // own ETag), so resolutions and postmortems are seen even when the summary did not change. If the
        // history fails, the summary still counts and the source notes the problem.
        let history_url = statuspage_incidents_url(&url).filter(|_| kind == SourceKind::Statuspage);
        let mut note = None;
        let mut history_etag: Option<String> = row.get("history_etag");
        let mut history = None;
        if let Some(history_url) = &history_url {
            match self.fetch(history_url, history_etag.clone(), None).await {
                Ok(Fetched::Body { content_type, etag, body, .. }) => {
                    match parse(kind, content_type.as_deref(), &body, now) {
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
                    sqlx::query(
                        "UPDATE status_sources SET last_attempt_at = $2, last_good_at = $2, error = $3 WHERE id = $1",
                    )
                    .bind(id)
                    .bind(now)
                    .bind(&note)
                    .execute(&self.pool)
                    .await
                    .map_err(|e| e.to_string())?;
                    return Ok(Polled::NotModified);
                }
                // The summary is as it was (so is the state); only the history moved.
                Some(older) => {
                    let state = State::parse(row.get::<String, _>("state").as_str());
                    (
                        Reading { state, components: Vec::new(), incidents: older.incidents },
                        old_etag,
                        old_modified,
                        false,
                    )
                }
            },
            Fetched::Body { content_type, etag, modified, body } => {
                match parse(kind, content_type.as_deref(), &body, now) {
                    Ok(reading) => (reading, etag, modified, kind == SourceKind::Statuspage),
                    Err(e) => return Err(self.fail(id, now, e.to_string()).await),
                }
            }
        };
        if let Some(older) = history {
            for incident in older.incidents {
                match reading.incidents.iter_mut().find(|i| i.id == incident.id) {
                    Some(known) if incident.updates.len() > known.updates.len() => *known = incident,
                    Some(_) => {}
                    None => reading.incidents.push(incident),
                }
            }
        }
        let meta = Meta { etag, modified, history_etag, lists_every_open_incident: complete, note };
        self.store(id, now, &reading, meta).await.map_err(|e| e.to_string())
    }

    async fn store(&self, id: Uuid, now: DateTime<Utc>, reading: &Reading, meta: Meta) -> Result<Polled, sqlx::Error> {
        let Meta { etag, modified, history_etag, lists_every_open_incident, note } = meta;
        let mut tx = self.pool.begin().await?;
        let state = reading.state.as_str();
        let before: String = sqlx::query_scalar("SELECT state FROM status_sources WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if before != state {
            sqlx::query("INSERT INTO status_transitions (source_id, at, from_state, to_state) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(now)
                .bind(&before)
                .bind(state)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE status_sources SET state = $2, last_attempt_at = $3, last_good_at = $3, error = $6,
                 etag = $4, last_modified = $5, history_etag = $7 WHERE id = $1",
        )
        .bind(id)
        .bind(state)
        .bind(now)
        .bind(etag)
        .bind(modified)
        .bind(note)
        .bind(history_etag)
        .execute(&mut *tx)
        .await?;
        for c in &reading.components {
            sqlx::query(
                "INSERT INTO status_components (source_id, component_id, name, state, updated_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (source_id, component_id) DO UPDATE SET name = $3, state = $4, updated_at = $5",
            )
            .bind(id)
            .bind(&c.id)
            .bind(&c.name)
            .bind(c.state.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let mut new_updates = 0;
        for i in &reading.incidents {
            let incident: i64 = sqlx::query_scalar(
                "INSERT INTO status_incidents (source_id, external_id, title, impact, phase, started_at, updated_at, link, first_seen_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (source_id, external_id) DO UPDATE
                     SET title = $3, impact = $4, phase = $5, started_at = COALESCE(status_incidents.started_at, $6),
                         updated_at = $7, link = $8
                 RETURNING id",
            )
            .bind(id)
            .bind(&i.id)
            .bind(&i.title)
            .bind(&i.impact)
            .bind(i.phase.as_str())
            .bind(i.started_at)
            .bind(i.updated_at)
            .bind(&i.link)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            for u in &i.updates {
                let inserted = sqlx::query(
                    "INSERT INTO status_updates (incident_id, external_id, at, phase, text, seen_at)
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (incident_id, external_id) DO NOTHING",
                )
                .bind(incident)
                .bind(&u.id)
                .bind(u.at)
                .bind(u.phase.as_str())
                .bind(&u.text)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                new_updates += inserted.rows_affected() as usize;
            }
        }
        if lists_every_open_incident {
            // Open incidents the source no longer lists are over.
            let listed: Vec<&str> = reading.incidents.iter().map(|i| i.id.as_str()).collect();
            sqlx::query(
                "UPDATE status_incidents SET phase = 'resolved', updated_at = $3
                 WHERE source_id = $1 AND phase NOT IN ('resolved', 'postmortem', 'other')
                   AND NOT (external_id = ANY($2))",
            )
            .bind(id)
            .bind(&listed)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Polled::Read { state: state.to_string(), new_updates })
    }
}

#[async_trait::async_trait]
impl Job for StatusPollJob {
    fn kind(&self) -> &'static str {
        KIND
    }

    async fn run_once(&self, key: &str, now: DateTime<Utc>) -> Result<(), String> {
        let id = key.parse::<Uuid>().map_err(|_| format!("{key:?} is not a source id"))?;
        self.poll(id, now).await.map(|_| ())
    }
}
