//! The status poller: a scheduler job per source. It fetches the source's URL (conditional request, time limit,
//! size limit, http(s) only, private addresses refused unless allowed), reads it with the source's adapter, and
//! stores the state, components, incidents and each update once. A failed or malformed answer marks the source in
//! error with the reason and keeps its last good state.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use sqlx::{PgPool, Row};
use uuid::Uuid;

use super::adapters::{MAX_BODY, SourceKind, parse, statuspage_incidents_url};
use super::model::{Reading, State};
use crate::scheduler::Job;

pub const KIND: &str = "status.poll";

/// What one poll did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Polled {
    /// The source answered 304: nothing new.
    NotModified,
    /// Read and stored; `new_updates` incident updates were seen for the first time.
    Read { state: String, new_updates: usize },
}

fn private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback() || v4.is_private() || v4.is_link_local() || v4.is_unspecified() || v4.is_broadcast()
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

/// Refuses URLs Tenantry must not fetch: other schemes, and private, loopback or link-local targets unless allowed.
pub async fn check_url(url: &str, allow_private: bool) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("{url:?} is not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("only http and https URLs are fetched, not {}", parsed.scheme()));
    }
    let host = parsed.host_str().ok_or("the URL has no host")?.to_string();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addrs = tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|e| format!("cannot resolve {host}: {e}"))?;
    for addr in addrs {
        if private(addr.ip()) && !allow_private {
            return Err(format!(
                "{host} resolves to the private address {}; such targets are refused unless allowed in the settings",
                addr.ip()
            ));
        }
    }
    Ok(())
}

/// Polls status sources for the scheduler.
pub struct StatusPollJob {
    pool: PgPool,
    http: reqwest::Client,
    allow_private: bool,
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

/// One HTTP answer from a source.
enum Fetched {
    NotModified,
    Body { content_type: Option<String>, etag: Option<String>, modified: Option<String>, body: Vec<u8> },
}

/// Follows at most three redirects, never to another scheme or (unless allowed) to a private address literal.
fn redirect_policy(allow_private: bool) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= 3 {
            return attempt.error("more than 3 redirects");
        }
        let url = attempt.url().clone();
        if !matches!(url.scheme(), "http" | "https") {
            return attempt.error(format!("a redirect to {} is refused", url.scheme()));
        }
        let literal = url.host_str().and_then(|h| h.trim_matches(['[', ']']).parse::<IpAddr>().ok());
        let local = url.host_str().is_some_and(|h| h.eq_ignore_ascii_case("localhost"));
        if !allow_private && (local || literal.is_some_and(private)) {
            return attempt.error("a redirect to a private address is refused");
        }
        attempt.follow()
    })
}

impl StatusPollJob {
    pub fn new(pool: PgPool, allow_private: bool) -> Result<Self, String> {
        crate::init_crypto();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(redirect_policy(allow_private))
            .user_agent(concat!("tenantry/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(StatusPollJob { pool, http, allow_private })
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
        check_url(url, self.allow_private).await?;
        let mut request = self.http.get(url);
        if let Some(etag) = etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(modified) = modified {
            request = request.header(IF_MODIFIED_SINCE, modified);
        }
        let mut response = match request.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Err("no answer within 10 s".into()),
            Err(e) => return Err(format!("unreachable: {}", crate::db::one_line(&e))),
        };
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(format!("the source answered {}", status.as_u16()));
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let (content_type, etag, modified) = (header(CONTENT_TYPE), header(ETAG), header(LAST_MODIFIED));
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    body.extend_from_slice(&chunk);
                    if body.len() > MAX_BODY {
                        return Err(format!("the answer is over the {MAX_BODY}-byte limit; is this the right URL?"));
                    }
                }
                Ok(None) => break,
                Err(e) => return Err(format!("the answer broke off: {}", crate::db::one_line(&e))),
            }
        }
        Ok(Fetched::Body { content_type, etag, modified, body })
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
