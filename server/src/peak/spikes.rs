//! The spike watch (`peak.spikes` / `all`, every minute): per tenant, sign-in failures per minute over the last
//! five whole minutes against the tenant's usual rate (the 24 hours before them). Failures at least `floor` per
//! minute and `factor` times the usual rate are a "login failures spiking" warning; when the rate falls back the
//! same notice is resolved. The watch's state and the notice are written in one transaction.

use std::collections::HashMap;
use std::time::Duration;

use app::ids::TenantId;
use chrono::{DateTime, TimeDelta, Utc};
use sqlx::PgPool;

use super::PeakOptions;
use super::repo::{self, Spike};
use crate::logs::repo::minutes;
use crate::logs::rollup::minute_of;
use crate::notifications::record::{self, Incoming};
use crate::scheduler::{Job, kinds};

pub const KIND: &str = kinds::PEAK_SPIKES;
pub const INTERVAL: Duration = Duration::from_secs(60);
/// The minutes whose failures are compared.
pub const RECENT_MINUTES: i64 = 5;
/// The minutes the usual rate is read from.
pub const USUAL_MINUTES: i64 = 24 * 60;

/// Sign-in failures per minute: lately, and usually.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rates {
    pub recent: f64,
    pub usual: f64,
}

/// Whether `rates` are a spike under `options`.
pub fn spiking(rates: Rates, options: &PeakOptions) -> bool {
    rates.recent >= options.spike_floor && rates.recent >= options.spike_factor * rates.usual
}

fn notice(
    tenant: &repo::TenantRow,
    origin: &str,
    state: &str,
    severity: &'static str,
    text: String,
    now: DateTime<Utc>,
) -> Incoming {
    Incoming {
        origin: origin.to_string(),
        update_origin: format!("{origin}:{state}"),
        source: "console",
        kind: "login_failures_spiking".into(),
        severity,
        title: format!("{}: login failures spiking", tenant.name),
        body: String::new(),
        link: Some(format!("/logs/peak?tenant={}&range=hour", tenant.id)),
        tenants: vec![tenant.name.clone()],
        regions: Vec::new(),
        at: now,
        text,
    }
}

/// What one watch did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Watched {
    pub started: Vec<TenantId>,
    pub ended: Vec<TenantId>,
}

/// Compares every tenant's recent sign-in failures with its usual rate at `now`.
pub async fn watch(pool: &PgPool, options: &PeakOptions, now: DateTime<Utc>) -> Result<Watched, sqlx::Error> {
    let end = minute_of(now);
    let recent_from = end - TimeDelta::minutes(RECENT_MINUTES);
    let usual_from = recent_from - TimeDelta::minutes(USUAL_MINUTES);
    let mut conn = pool.acquire().await?;
    let counts: HashMap<TenantId, (i64, i64)> = minutes::login_failures(&mut conn, usual_from, recent_from, end)
        .await?
        .into_iter()
        .map(|(t, recent, usual)| (t, (recent, usual)))
        .collect();
    let tenants = repo::tenants(&mut conn).await?;
    let going: HashMap<TenantId, Spike> =
        repo::spikes(&mut conn).await?.into_iter().map(|s| (s.tenant_id, s)).collect();
    drop(conn);
    let mut done = Watched::default();
    for t in &tenants {
        let (recent, usual) = counts.get(&t.id).copied().unwrap_or((0, 0));
        let rates = Rates { recent: recent as f64 / RECENT_MINUTES as f64, usual: usual as f64 / USUAL_MINUTES as f64 };
        let now_spiking = spiking(rates, options);
        match (now_spiking, going.get(&t.id)) {
            (true, None) => {
                let origin = format!("peak:spike:{}:{}", t.id, end.format("%Y-%m-%dT%H:%MZ"));
                let text = format!(
                    "{:.1} failed sign-ins a minute over the last {RECENT_MINUTES} minutes, against {:.2} a minute \
                     usually (the 24 hours before): at least {}× the usual rate and {} a minute. Look for the cause \
                     in the peak-load report: a rate limit, an attack (limit_wc, limit_mu), or a broken connection.",
                    rates.recent, rates.usual, options.spike_factor, options.spike_floor
                );
                let mut tx = pool.begin().await?;
                if repo::start_spike(&mut tx, &Spike { tenant_id: t.id, since: end, origin: origin.clone() }).await? {
                    record::apply(&mut tx, &notice(t, &origin, "found", "warning", text, now), now).await?;
                    done.started.push(t.id);
                }
                tx.commit().await?;
            }
            (false, Some(spike)) => {
                let text = format!(
                    "Resolved: {:.1} failed sign-ins a minute over the last {RECENT_MINUTES} minutes, back under the \
                     spike threshold (it began {} UTC).",
                    rates.recent,
                    spike.since.format("%Y-%m-%d %H:%M")
                );
                let mut tx = pool.begin().await?;
                if repo::end_spike(&mut tx, t.id).await? {
                    record::apply(&mut tx, &notice(t, &spike.origin, "resolved", "info", text, now), now).await?;
                    done.ended.push(t.id);
                }
                tx.commit().await?;
            }
            _ => {}
        }
    }
    Ok(done)
}

/// `peak.spikes` / `all`.
pub struct SpikeJob {
    pub pool: PgPool,
    pub options: PeakOptions,
}

#[async_trait::async_trait]
impl Job for SpikeJob {
    fn kind(&self) -> &'static str {
        KIND
    }

    async fn run_once(&self, _key: &str, now: DateTime<Utc>) -> Result<(), String> {
        watch(&self.pool, &self.options, now).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spike_needs_both_the_floor_and_the_factor() {
        let o = PeakOptions { spike_factor: 5.0, spike_floor: 20.0 };
        assert!(spiking(Rates { recent: 30.0, usual: 2.0 }, &o));
        assert!(!spiking(Rates { recent: 19.0, usual: 0.0 }, &o), "under the floor");
        assert!(!spiking(Rates { recent: 30.0, usual: 10.0 }, &o), "busy tenants fail more: 3× is not a spike");
        assert!(spiking(Rates { recent: 50.0, usual: 10.0 }, &o));
    }
}
