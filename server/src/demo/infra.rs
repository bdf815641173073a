//! The demo's infrastructure: Auth0's IP list on the simulator, version 1 read a week ago and version 2 (one US
//! address swapped, as Auth0 announces such a change) read now, so the allow-list and one notified change show on
//! first run. The demo company's acme-workforce-prod has no email provider: the built-in provider's finding.

use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};
use sqlx::PgPool;

use crate::infra::{repo, service};
use crate::outbound::{Fetcher, Policy};
use crate::simulator::{Simulator, ip_ranges};

/// Serves the list on `simulator` and reads it; the list's URL, for the weekly job.
pub async fn infra(pool: &PgPool, simulator: &Simulator, now: DateTime<Utc>) -> anyhow::Result<String> {
    let url = format!("{}/ip-ranges.json", simulator.base_url());
    let fetcher = Fetcher::new(Policy::private_allowed(true)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let read_before = repo::version(&mut *pool.acquire().await?, None).await?.is_some();
    if !read_before {
        simulator.set_ip_ranges(&ip_ranges::body(1));
        service::poll(pool, &fetcher, &url, now - TimeDelta::days(7))
            .await
            .context("cannot read the demo's IP list")?;
    }
    simulator.set_ip_ranges(&ip_ranges::body(2));
    service::poll(pool, &fetcher, &url, now).await.context("cannot read the demo's IP list")?;
    Ok(url)
}
