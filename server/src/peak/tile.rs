//! What peak load puts on the status board and the troubleshooting checklist (step 5, "Recent rate-limit
//! events"): per tenant, the rate limits, blocks and failures of the last hour from the roll-ups, and whether
//! sign-in failures are spiking. A limit that refused something is red; a warning at 80 % or a spike is amber;
//! a tenant with no event stored in the last hour is unknown (its logs may not be collected).

use std::collections::HashMap;

use app::error::AppError;
use app::ids::TenantId;
use app::status::{AreaTile, BoardTile, Health, OwnCheck, StepSlot};
use chrono::{DateTime, TimeDelta, Utc};
use sqlx::PgPool;

use super::repo::{self, TenantRow};
use crate::logs::repo::minutes::{self, CodeRow};
use crate::logs::rollup::classify;

/// The peak-load tile, read from the last hour's roll-ups.
pub struct PeakTile {
    pub pool: PgPool,
}

/// One tenant's last hour.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LastHour {
    pub events: i64,
    pub failures: i64,
    /// (code, events) of limits that refused something.
    pub limits: Vec<(String, i64)>,
    /// (code, events) of warnings: `api_limit_warning`, quota warnings.
    pub warnings: Vec<(String, i64)>,
    pub spiking: bool,
}

impl LastHour {
    pub fn health(&self) -> Health {
        if !self.limits.is_empty() {
            Health::MajorOutage
        } else if !self.warnings.is_empty() || self.spiking {
            Health::Degraded
        } else if self.events > 0 {
            Health::Operational
        } else {
            Health::Unknown
        }
    }

    fn words(&self, name: &str) -> String {
        let list =
            |codes: &[(String, i64)]| codes.iter().map(|(c, n)| format!("{c} ×{n}")).collect::<Vec<_>>().join(", ");
        let mut parts = Vec::new();
        if !self.limits.is_empty() {
            let n: i64 = self.limits.iter().map(|(_, n)| n).sum();
            let events = if n == 1 { "event" } else { "events" };
            parts.push(format!("{n} rate-limit or block {events} in the last hour ({})", list(&self.limits)));
        }
        if !self.warnings.is_empty() {
            parts.push(format!("close to a limit ({})", list(&self.warnings)));
        }
        if self.spiking {
            parts.push("sign-in failures spiking".to_string());
        }
        if parts.is_empty() {
            return format!(
                "{name}: no rate limit in the last hour ({} events, {} failures)",
                self.events, self.failures
            );
        }
        format!("{name}: {}", parts.join("; "))
    }
}

/// Every tenant's last hour, from what was read.
pub fn last_hours(
    totals: &[(TenantId, i64, i64, i64)],
    codes: &[CodeRow],
    spiking: &[TenantId],
) -> HashMap<TenantId, LastHour> {
    let mut out: HashMap<TenantId, LastHour> = HashMap::new();
    for (t, events, failures, _) in totals {
        let h = out.entry(*t).or_default();
        h.events = *events;
        h.failures = *failures;
    }
    for c in codes {
        let Some(tenant) = c.tenant_id else { continue };
        let class = classify(&c.code);
        let h = out.entry(tenant).or_default();
        if class.limit {
            h.limits.push((c.code.clone(), c.events));
        } else if crate::logs::model::catalog().get(&c.code).is_some_and(|t| t.limit) {
            h.warnings.push((c.code.clone(), c.events));
        }
    }
    for t in spiking {
        out.entry(*t).or_default().spiking = true;
    }
    out
}

/// The tile over `tenants`: every one, or only the one with domain `chosen`.
pub fn tile(tenants: &[TenantRow], hours: &HashMap<TenantId, LastHour>, chosen: Option<&str>) -> OwnCheck {
    let mine: Vec<&TenantRow> = tenants.iter().filter(|t| chosen.is_none_or(|d| t.domain == d)).collect();
    let quiet = LastHour::default();
    let of = |t: &TenantRow| hours.get(&t.id).unwrap_or(&quiet);
    let known: Vec<Health> = mine.iter().map(|t| of(t).health()).filter(|h| *h != Health::Unknown).collect();
    let health =
        if known.is_empty() { Health::Unknown } else { known.iter().fold(Health::Operational, |h, k| h.worst(*k)) };
    let mut items: Vec<(String, Health, String)> = mine
        .iter()
        .filter(|t| matches!(of(t).health(), Health::MajorOutage | Health::Degraded))
        .map(|t| (of(t).words(&t.name), of(t).health(), format!("/logs/peak?tenant={}&range=hour", t.id)))
        .collect();
    items.sort_by_key(|(_, h, _)| std::cmp::Reverse(h.severity()));
    let events: i64 = mine.iter().map(|t| of(t).events).sum();
    let summary = match (chosen, mine.first()) {
        (Some(_), Some(t)) if of(t).events == 0 && of(t).limits.is_empty() => format!(
            "No event of {} stored in the last hour, so Tenantry cannot tell: are its logs collected? (Logs → Per tenant)",
            t.name
        ),
        (Some(_), Some(t)) => of(t).words(&t.name),
        (Some(d), None) => format!("{d} is not a registered tenant."),
        (None, _) if mine.is_empty() => "No tenant is registered yet.".into(),
        (None, _) if events == 0 => {
            "No event stored in the last hour: collect the tenants' logs (Logs → Per tenant).".into()
        }
        (None, _) if items.is_empty() => {
            format!("No rate limit or block in the last hour across {} tenants ({events} events).", mine.len())
        }
        (None, _) => format!(
            "{} of {} tenants hit a rate limit or came close in the last hour ({events} events).",
            items.len(),
            mine.len()
        ),
    };
    let link = match (chosen, mine.first()) {
        (Some(_), Some(t)) => format!("/logs/peak?tenant={}&range=hour", t.id),
        _ => "/logs/peak?range=hour".into(),
    };
    OwnCheck {
        anchor: "own-peak".into(),
        title: "Rate limits (last hour)".into(),
        health: Some(health),
        summary,
        items,
        link,
    }
}

#[async_trait::async_trait]
impl BoardTile for PeakTile {
    fn step(&self) -> Option<StepSlot> {
        Some(StepSlot { number: 5, title: "Recent rate-limit events", link_text: "Peak load" })
    }

    async fn tile(&self, chosen: Option<&str>, now: DateTime<Utc>) -> Result<Option<AreaTile>, AppError> {
        let db = |e| crate::db::app_error("peak", e);
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let from = now - TimeDelta::hours(1);
        let totals = minutes::totals(&mut conn, from, now + TimeDelta::minutes(1)).await.map_err(db)?;
        let codes = minutes::codes_by_tenant(&mut conn, from, now + TimeDelta::minutes(1)).await.map_err(db)?;
        let spiking: Vec<TenantId> =
            repo::spikes(&mut conn).await.map_err(db)?.into_iter().map(|s| s.tenant_id).collect();
        let tenants = repo::tenants(&mut conn).await.map_err(db)?;
        let hours = last_hours(&totals, &codes, &spiking);
        Ok(Some(AreaTile::drawn(chosen, |tenant| tile(&tenants, &hours, tenant))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(n: u128, name: &str) -> TenantRow {
        TenantRow { id: TenantId(uuid::Uuid::from_u128(n)), name: name.into(), domain: format!("{name}.us.auth0.com") }
    }

    #[test]
    fn a_limit_turns_the_tenant_red_and_quiet_tenants_stay_unknown() {
        let (a, b, c) = (tenant(1, "acme-prod"), tenant(2, "acme-dev"), tenant(3, "acme-qa"));
        let now = Utc::now();
        let row = |t: &TenantRow, code: &str, events| CodeRow {
            tenant_id: Some(t.id),
            code: code.into(),
            events,
            first: now,
            last: now,
        };
        let hours = last_hours(
            &[(a.id, 500, 20, 40), (b.id, 80, 1, 0)],
            &[row(&a, "api_limit", 35), row(&a, "limit_wc", 5), row(&b, "api_limit_warning", 3), row(&a, "fp", 20)],
            &[],
        );
        let tenants = vec![a.clone(), b.clone(), c.clone()];
        let all = tile(&tenants, &hours, None);
        assert_eq!(all.health, Some(Health::MajorOutage));
        assert_eq!(all.items.len(), 2, "acme-prod red, acme-dev amber");
        assert_eq!(all.summary, "2 of 3 tenants hit a rate limit or came close in the last hour (580 events).");
        assert!(
            all.items[0]
                .0
                .starts_with("acme-prod: 40 rate-limit or block events in the last hour (api_limit ×35, limit_wc ×5)"),
            "{}",
            all.items[0].0
        );
        assert_eq!(tile(&tenants, &hours, Some(&b.domain)).health, Some(Health::Degraded));
        let one = last_hours(&[(a.id, 10, 0, 0)], &[row(&a, "api_limit", 1)], &[]);
        assert_eq!(
            tile(&tenants, &one, Some(&a.domain)).summary,
            "acme-prod: 1 rate-limit or block event in the last hour (api_limit ×1)"
        );
        let calm = last_hours(&[(a.id, 10, 0, 0)], &[], &[]);
        assert!(tile(&tenants, &calm, None).summary.starts_with("No rate limit or block in the last hour across 3"));
        let quiet = tile(&tenants, &hours, Some(&c.domain));
        assert_eq!(quiet.health, Some(Health::Unknown));
        assert!(quiet.summary.contains("No event of acme-qa stored in the last hour"), "{}", quiet.summary);
    }
}
