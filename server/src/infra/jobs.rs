//! The infrastructure area's scheduler job: `infra.ip_ranges` / `auth0` reads Auth0's IP list (a conditional
//! request), weekly by default. Its `run_once` is one step at a given `now`; the scheduler runs the loop.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::service::{self, Polled};
use crate::outbound::Fetcher;
use crate::scheduler::{self, Job};

pub const KIND: &str = crate::scheduler::kinds::INFRA_IP_RANGES;
pub const KEY: &str = "auth0";

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

/// Makes sure the job exists (called at start): a new console reads the list at once.
pub async fn ensure(pool: &PgPool, interval: Duration, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    scheduler::ensure(&mut conn, KIND, KEY, interval, now).await
}
