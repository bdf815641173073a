//! What custom domains put on the status board and the troubleshooting checklist (step 4): every domain, or only
//! the chosen tenant's, with the ones failing DNS or TLS listed worst first.

use app::error::AppError;
use app::status::{AreaTile, BoardTile, Health, OwnCheck, StepSlot};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::model::{Outcome, Part, Verdict};
use super::repo::{self, BoardDomain};

/// The custom-domains tile, read from the latest checks.
pub struct DomainsTile {
    pub pool: PgPool,
}

#[async_trait::async_trait]
impl BoardTile for DomainsTile {
    fn step(&self) -> Option<StepSlot> {
        Some(StepSlot { number: 4, title: "Custom domains", link_text: "Custom domains" })
    }

    async fn tile(&self, chosen: Option<&str>, _now: DateTime<Utc>) -> Result<Option<AreaTile>, AppError> {
        let db = |e| crate::db::app_error("domains", e);
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let domains = repo::board_domains(&mut conn).await.map_err(db)?;
        Ok(Some(AreaTile::drawn(chosen, |tenant| tile(&domains, tenant))))
    }
}

/// A domain's health and, when it is not operational, what is wrong ("DNS wrong target, TLS not checked yet").
fn verdict(d: &BoardDomain) -> (Health, String) {
    let (dh, th) = (Verdict::of(d.dns_outcome).health(), Verdict::of(d.tls_outcome).health());
    let words = |o: Option<String>| o.unwrap_or_else(|| "not checked yet".into());
    let problem = [
        (Part::Dns, words(d.dns_outcome.map(Outcome::words)), dh),
        (Part::Tls, words(d.tls_outcome.map(Outcome::words)), th),
    ]
    .into_iter()
    .filter(|(_, _, h)| *h != Health::Operational)
    .map(|(part, o, _)| format!("{} {o}", part.name()))
    .collect::<Vec<_>>()
    .join(", ");
    (dh.worst(th), problem)
}

/// The tile over `domains`: every one, or only those of the tenant with domain `tenant`.
pub fn tile(domains: &[BoardDomain], tenant: Option<&str>) -> OwnCheck {
    let mine: Vec<(&BoardDomain, Health, String)> = domains
        .iter()
        .filter(|d| tenant.is_none_or(|t| d.tenant_domain == t))
        .map(|d| {
            let (health, problem) = verdict(d);
            (d, health, problem)
        })
        .collect();
    let worst = mine.iter().fold(Health::Operational, |h, (_, dh, _)| h.worst(*dh));
    let mut bad: Vec<&(&BoardDomain, Health, String)> =
        mine.iter().filter(|(_, h, _)| *h != Health::Operational).collect();
    bad.sort_by_key(|(_, h, _)| std::cmp::Reverse(h.severity()));
    let items: Vec<(String, Health, String)> = bad
        .iter()
        .map(|(d, h, problem)| (format!("{}: {problem}", d.host), *h, format!("/domains/{}", d.id)))
        .collect();
    let summary = match (mine.len(), items.len()) {
        (0, _) => "No custom domain in the latest snapshots (Tenants → Refresh now reads them).".to_string(),
        (n, 0) => format!("All {n} custom domains pass DNS and TLS."),
        (n, b) => format!("{b} of {n} custom domains have a DNS or TLS problem."),
    };
    OwnCheck {
        anchor: "own-domains".into(),
        title: "Custom domains".into(),
        health: Some(if mine.is_empty() { Health::Unknown } else { worst }),
        summary,
        items,
        link: "/domains".into(),
    }
}
