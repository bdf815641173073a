//! The infrastructure area's scheduler jobs: `infra.ip_ranges` / `auth0` reads Auth0's IP list (a conditional
//! request), weekly by default; `infra.mail` / `all` checks each tenant's provider and mail records after a new snapshot and every 6 hours.
//! Each `run_once` is one step at a given `now`; the scheduler runs the loop.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::service::{self, Polled};
use crate::domains::dns::DnsChecker;
use crate::outbound::Fetcher;
use crate::scheduler::{self, Job};

pub const KIND: &str = crate::scheduler::kinds::INFRA_IP_RANGES;
pub const KEY: &str = "auth0";
pub const MAIL_KIND: &str = crate::scheduler::kinds::INFRA_MAIL;
/// How often the mail step looks for tenants due (each is read after a new snapshot and every 6 hours).
pub const MAIL_INTERVAL: Duration = Duration::from_secs(60);

/// `infra.ip_ranges` / `auth0`.
pub struct IpRangesJob {
    pub pool: PgPool,
    pub fetcher: Fetcher,
    pub url: String,
}

#[async_trait::async_trait]
impl Job for IpRangesJob {
    fn kind(&self) -> &'static str {
        KIND
    }

    async fn run_once(&self, _key: &str, now: DateTime<Utc>) -> Result<(), String> {
        match service::poll(&self.pool, &self.fetcher, &self.url, now).await.map_err(|e| e.to_string())? {
            // The source shows the reason; the scheduler backs off and retries.
            Polled::Failed(e) => Err(e),
            Polled::NewVersion { .. } | Polled::Unchanged => Ok(()),
        }
    }
}

/// `infra.mail` / `all`.
pub struct MailJob {
    pub pool: PgPool,
    pub dns: Arc<DnsChecker>,
}

#[async_trait::async_trait]
impl Job for MailJob {
    fn kind(&self) -> &'static str {
        MAIL_KIND
    }

    async fn run_once(&self, _key: &str, now: DateTime<Utc>) -> Result<(), String> {
        super::sender::check_all(&self.pool, &self.dns, now).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

/// Makes sure both jobs exist (called at start): a new console reads the list and the mail records at once.
pub async fn ensure(pool: &PgPool, interval: Duration, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    scheduler::ensure(&mut conn, KIND, KEY, interval, now).await?;
    scheduler::ensure(&mut conn, MAIL_KIND, "all", MAIL_INTERVAL, now).await
}
