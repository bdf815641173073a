//! The logs area's scheduler jobs: `logs.pull` / tenant id reads a tenant's new events with checkpoint paging
//! (`GET /api/v2/logs?from={newest stored log id}&take=100`) through the Auth0 client and its per-tenant rate-limit
//! budget; `logs.retention` / `all` keeps month partitions ahead and drops those past the longest retention.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Months, Utc};
use serde_json::Value;
use sqlx::PgPool;

use super::model::{Source, TenantId};
use super::parse;
use super::repo::{self, Counts};
use super::service;
use crate::auth0::{Auth0Client, Auth0Error, TenantEndpoint};
use crate::scheduler::{self, Job, kinds};
use crate::secrets::SecretBox;

pub const PULL_KIND: &str = kinds::LOGS_PULL;
pub const RETENTION_KIND: &str = kinds::LOGS_RETENTION;
/// How often a tenant whose logs are pulled is read.
pub const PULL_INTERVAL: Duration = Duration::from_secs(300);
/// How often retention runs.
pub const RETENTION_INTERVAL: Duration = Duration::from_secs(3600);
/// Events per page (Auth0's maximum for checkpoint paging).
pub const TAKE: u8 = 100;
/// Pages one run reads at most; the next run continues.
pub const MAX_PAGES: u32 = 50;
/// How long one run keeps reading pages (well within the scheduler's time limit).
pub const TIME_BUDGET: Duration = Duration::from_secs(40);

/// Why a pull stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// No newer events.
    CaughtUp,
    /// The tenant's rate-limit budget ran out; the next run continues.
    RateLimited(String),
    /// `MAX_PAGES` or `TIME_BUDGET` reached; the next run continues.
    Enough,
}

/// What one pull did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pulled {
    pub pages: u32,
    pub counts: Counts,
    pub stopped: Stopped,
}

#[derive(Debug, thiserror::Error)]
pub enum PullError {
    #[error("the tenant was removed")]
    Removed,
    #[error("the stored client secret cannot be decrypted with this server's key; enter it again")]
    Secret,
    #[error("{0}")]
    Auth0(#[from] Auth0Error),
    #[error("a page of GET /api/v2/logs held no readable log id")]
    NoLogId,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// `logs.pull` / tenant id.
pub struct PullJob {
    pub pool: PgPool,
    pub client: Arc<Auth0Client>,
    pub secrets: SecretBox,
}

impl PullJob {
    /// Reads the tenant's new events at `now`: from its checkpoint, or (first run, or `backfill`) from the oldest
    /// event Auth0 still has (`sort=date:1`, one event, then checkpoint paging after it).
    pub async fn pull(&self, tenant: TenantId, backfill: bool, now: DateTime<Utc>) -> Result<Pulled, PullError> {
        let started = Instant::now();
        let mut conn = self.pool.acquire().await?;
        let row = repo::endpoint(&mut conn, tenant).await?.ok_or(PullError::Removed)?;
        let secret = self.secrets.decrypt(&row.client_secret).map_err(|_| PullError::Secret)?;
        let endpoint = TenantEndpoint {
            domain: row.domain,
            base_url: row.api_base_url,
            client_id: row.client_id,
            client_secret: secret,
        };
        if backfill {
            repo::reset_checkpoint(&mut conn, tenant).await?;
        }
        let mut checkpoint = repo::checkpoint(&mut conn, tenant).await?;
        drop(conn);
        let mut pulled = Pulled { pages: 0, counts: Counts::default(), stopped: Stopped::CaughtUp };
        let result = loop {
            let path = match &checkpoint {
                Some(from) => format!("/api/v2/logs?from={from}&take={TAKE}"),
                None => "/api/v2/logs?sort=date:1&per_page=1&page=0".to_string(),
            };
            let page = match self.client.get::<Vec<Value>>(&endpoint, &path, "read:logs").await {
                Ok(page) => page.value,
                Err(e @ (Auth0Error::RateLimited | Auth0Error::RateLimitedFor { .. })) => {
                    pulled.stopped = Stopped::RateLimited(e.to_string());
                    break Ok(());
                }
                Err(e) => break Err(PullError::Auth0(e)),
            };
            let first = checkpoint.is_none();
            let len = page.len();
            if len == 0 {
                break Ok(());
            }
            let last_id = page.iter().filter_map(|v| v["log_id"].as_str()).max().map(str::to_string);
            let (mut events, mut bad) = (Vec::new(), Vec::new());
            for value in page {
                match parse::event_from(value) {
                    Ok(e) => events.push(e),
                    Err(r) => bad.push(r),
                }
            }
            let Some(next) = events.iter().map(|e| e.log_id.clone()).max().or(last_id) else {
                break Err(PullError::NoLogId);
            };
            let counts = service::store(&self.pool, tenant, Source::Pull, &events, &bad, Some(&next), now).await?;
            pulled.counts.stored += counts.stored;
            pulled.counts.duplicates += counts.duplicates;
            pulled.counts.rejected += counts.rejected;
            pulled.pages += 1;
            checkpoint = Some(next);
            if !first && len < usize::from(TAKE) {
                break Ok(());
            }
            if pulled.pages >= MAX_PAGES || started.elapsed() > TIME_BUDGET {
                pulled.stopped = Stopped::Enough;
                break Ok(());
            }
        };
        let mut conn = self.pool.acquire().await?;
        match result {
            Ok(()) => {
                let note = match &pulled.stopped {
                    Stopped::RateLimited(why) => Some(format!("paused: {why}")),
                    _ => None,
                };
                repo::record_pull(&mut conn, tenant, note.as_deref(), now).await?;
                Ok(pulled)
            }
            Err(e) => {
                repo::record_pull(&mut conn, tenant, Some(&e.to_string()), now).await?;
                Err(e)
            }
        }
    }
}

#[async_trait::async_trait]
impl Job for PullJob {
    fn kind(&self) -> &'static str {
        PULL_KIND
    }

    async fn run_once(&self, key: &str, now: DateTime<Utc>) -> Result<(), String> {
        let tenant = key.parse::<TenantId>().map_err(|_| format!("{key:?} is not a tenant id"))?;
        match self.pull(tenant, false, now).await {
            Ok(_) => Ok(()),
            Err(PullError::Removed) => {
                // The tenant is gone: so is its pull.
                let mut conn = self.pool.acquire().await.map_err(|e| e.to_string())?;
                scheduler::remove(&mut conn, PULL_KIND, key).await.map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        }
    }

    fn time_limit(&self) -> Duration {
        TIME_BUDGET + Duration::from_secs(15)
    }
}

/// Makes the tenant's logs be pulled every `PULL_INTERVAL` from `now` on.
pub async fn schedule_pull(pool: &PgPool, tenant: TenantId, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    scheduler::ensure(&mut *pool.acquire().await?, PULL_KIND, &tenant.to_string(), PULL_INTERVAL, now).await
}

/// `logs.retention` / `all`.
pub struct RetentionJob {
    pub pool: PgPool,
    /// The retention of tenants that did not choose one (days).
    pub default_days: i32,
}

/// What one retention run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Retained {
    pub dropped: Vec<String>,
    pub deleted: u64,
    /// Minutes of roll-ups counted from events stored before roll-ups existed.
    pub rebuilt: usize,
}

impl RetentionJob {
    /// Creates partitions for this month and the next three, drops the months wholly older than the longest
    /// retention (and their roll-ups), deletes (a bounded number of) events past their own tenant's shorter
    /// retention, counts events that have no roll-ups yet (stored before roll-ups existed), and measures what each
    /// tenant's events take.
    pub async fn step(&self, now: DateTime<Utc>) -> Result<Retained, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        for ahead in 0..4 {
            let month = now.checked_add_months(Months::new(ahead)).unwrap_or(now);
            repo::ensure_partition(&mut conn, month).await?;
        }
        let days = repo::longest_retention_days(&mut conn, self.default_days).await?;
        let cutoff = now - chrono::Duration::days(i64::from(days));
        let mut retained = Retained::default();
        for name in repo::partitions(&mut conn).await? {
            if let Some(end) = month_end(&name).filter(|end| *end <= cutoff) {
                // The month's roll-ups go with its events.
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                repo::minutes::delete_before(&mut tx, end).await?;
                repo::drop_partition(&mut tx, &name).await?;
                tx.commit().await?;
                retained.dropped.push(name);
            }
        }
        retained.deleted = repo::delete_expired(&mut conn, now, self.default_days, 50_000).await?;
        repo::minutes::delete_expired(&mut conn, now, self.default_days).await?;
        retained.rebuilt = repo::minutes::rebuild_if_missing(&mut conn).await?;
        repo::measure_storage(&mut conn, now).await?;
        Ok(retained)
    }
}

/// The end of the month a partition `logs_events_YYYY_MM` holds.
fn month_end(name: &str) -> Option<DateTime<Utc>> {
    let rest = name.strip_prefix("logs_events_")?;
    let (year, month) = rest.split_once('_')?;
    let first = chrono::NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)?;
    Some(first.checked_add_months(Months::new(1))?.and_hms_opt(0, 0, 0)?.and_utc())
}

#[async_trait::async_trait]
impl Job for RetentionJob {
    fn kind(&self) -> &'static str {
        RETENTION_KIND
    }

    async fn run_once(&self, _key: &str, now: DateTime<Utc>) -> Result<(), String> {
        self.step(now).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_partition_ends_with_its_month() {
        let end = super::month_end("logs_events_2026_12").expect("a month");
        assert_eq!(end.to_rfc3339(), "2027-01-01T00:00:00+00:00");
        assert_eq!(super::month_end("logs_events_default"), None);
    }
}
