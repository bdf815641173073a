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

use super::adapters::{MAX_BODY, SourceKind, parse};
use super::model::{Phase, Reading};
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

pub fn kind_of(raw: &str) -> Option<SourceKind> {
    match raw {
        "auth0_feed" => Some(SourceKind::Auth0Feed),
        "statuspage" => Some(SourceKind::Statuspage),
        "feed" => Some(SourceKind::Feed),
        "google_workspace" => Some(SourceKind::GoogleWorkspace),
        _ => None,
    }
}

fn phase_str(p: Phase) -> &'static str {
    match p {
        Phase::Investigating => "investigating",
        Phase::Identified => "identified",
        Phase::Monitoring => "monitoring",
        Phase::Resolved => "resolved",
        Phase::Postmortem => "postmortem",
        Phase::Other => "other",
    }
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

impl StatusPollJob {
    pub fn new(pool: PgPool, allow_private: bool) -> Result<Self, String> {
        crate::init_crypto();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::limited(3))
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

    /// One poll of one source at `now`.
    pub async fn poll(&self, id: Uuid, now: DateTime<Utc>) -> Result<Polled, String> {
        let row = sqlx::query("SELECT kind, url, etag, last_modified FROM status_sources WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the source was removed")?;
        let (kind, url): (String, String) = (row.get("kind"), row.get("url"));
        let kind = kind_of(&kind).ok_or("unknown source kind")?;
        if let Err(reason) = check_url(&url, self.allow_private).await {
            return Err(self.fail(id, now, reason).await);
        }
        let mut request = self.http.get(&url);
        if let Some(etag) = row.get::<Option<String>, _>("etag") {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(modified) = row.get::<Option<String>, _>("last_modified") {
            request = request.header(IF_MODIFIED_SINCE, modified);
        }
        let mut response = match request.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Err(self.fail(id, now, "no answer within 10 s".into()).await),
            Err(e) => return Err(self.fail(id, now, format!("unreachable: {}", crate::db::one_line(&e))).await),
        };
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            sqlx::query(
                "UPDATE status_sources SET last_attempt_at = $2, last_good_at = $2, error = NULL WHERE id = $1",
            )
            .bind(id)
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(|e| e.to_string())?;
            return Ok(Polled::NotModified);
        }
        if !status.is_success() {
            return Err(self.fail(id, now, format!("the source answered {}", status.as_u16())).await);
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
                        let reason = format!("the answer is over the {MAX_BODY}-byte limit; is this the right URL?");
                        return Err(self.fail(id, now, reason).await);
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(self.fail(id, now, format!("the answer broke off: {}", crate::db::one_line(&e))).await);
                }
            }
        }
        let reading = match parse(kind, content_type.as_deref(), &body, now) {
            Ok(reading) => reading,
            Err(e) => return Err(self.fail(id, now, e.to_string()).await),
        };
        self.store(id, now, &reading, etag, modified).await.map_err(|e| e.to_string())
    }

    async fn store(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        reading: &Reading,
        etag: Option<String>,
        modified: Option<String>,
    ) -> Result<Polled, sqlx::Error> {
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
            "UPDATE status_sources SET state = $2, last_attempt_at = $3, last_good_at = $3, error = NULL,
                 etag = $4, last_modified = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(state)
        .bind(now)
        .bind(etag)
        .bind(modified)
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
            .bind(phase_str(i.phase))
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
                .bind(phase_str(u.phase))
                .bind(&u.text)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                new_updates += inserted.rows_affected() as usize;
            }
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
