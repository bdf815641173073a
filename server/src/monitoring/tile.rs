//! What monitoring puts on the status board and the troubleshooting checklist: the Auth0 checks (step 3) and the
//! reachability of the company's own endpoints (step 6) — every enabled check, or only the chosen tenant's, with
//! the ones not passing listed.

use app::error::AppError;
use app::status::{AreaTile, BoardTile, Health, OwnCheck, StepSlot};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::model::{CheckState, Outcome};
use super::repo::views::{self, BoardCheck};

/// The monitoring tile (Auth0's endpoints and synthetic logins), read from the checks' latest state.
pub struct MonitoringTile {
    pub pool: PgPool,
}

/// The reachability tile: the company's endpoints that Auth0 calls, as seen from where Tenantry runs.
pub struct ReachTile {
    pub pool: PgPool,
}

/// Which checks a tile covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Auth0,
    Reach,
}

async fn drawn(pool: &PgPool, chosen: Option<&str>, family: Family) -> Result<Option<AreaTile>, AppError> {
    let db = |e| crate::db::app_error("monitoring", e);
    let mut conn = pool.acquire().await.map_err(db)?;
    let checks = views::board_checks(&mut conn).await.map_err(db)?;
    Ok(Some(AreaTile::drawn(chosen, |tenant| tile(&checks, tenant, family))))
}

#[async_trait::async_trait]
impl BoardTile for MonitoringTile {
    fn step(&self) -> Option<StepSlot> {
        Some(StepSlot { number: 3, title: "Our synthetic logins and monitoring endpoints", link_text: "Monitoring" })
    }

    async fn tile(&self, chosen: Option<&str>, _now: DateTime<Utc>) -> Result<Option<AreaTile>, AppError> {
        drawn(&self.pool, chosen, Family::Auth0).await
    }
}

#[async_trait::async_trait]
impl BoardTile for ReachTile {
    fn step(&self) -> Option<StepSlot> {
        Some(StepSlot { number: 6, title: "Our endpoints that Auth0 calls (reachability)", link_text: "Reachability" })
    }

    async fn tile(&self, chosen: Option<&str>, _now: DateTime<Utc>) -> Result<Option<AreaTile>, AppError> {
        drawn(&self.pool, chosen, Family::Reach).await
    }
}

fn health(state: &str) -> Health {
    match CheckState::parse(state) {
        Some(CheckState::Alert) => Health::MajorOutage,
        Some(CheckState::Failing) => Health::Degraded,
        Some(CheckState::Ok) => Health::Operational,
        Some(CheckState::Paused | CheckState::Unknown) | None => Health::Unknown,
    }
}

/// The tile over the `family`'s `checks`: every one, or only those of the tenant with domain `tenant`.
pub fn tile(checks: &[BoardCheck], tenant: Option<&str>, family: Family) -> OwnCheck {
    let reach = family == Family::Reach;
    let mine: Vec<&BoardCheck> = checks
        .iter()
        .filter(|c| app::monitoring::is_reach_kind(&c.kind) == reach && tenant.is_none_or(|t| c.domain == t))
        .collect();
    let worst = mine.iter().fold(Health::Operational, |h, c| h.worst(health(&c.state)));
    let bad: Vec<(String, Health, String)> = mine
        .iter()
        .filter(|c| health(&c.state) != Health::Operational)
        .map(|c| {
            let outcome =
                c.last_outcome.as_deref().and_then(Outcome::parse).map_or_else(|| "not run yet".into(), Outcome::label);
            (format!("{} ({}): {outcome}", c.name, c.tenant), health(&c.state), format!("/monitoring/{}", c.id))
        })
        .collect();
    let summary = match (mine.len(), bad.len(), reach) {
        (0, _, false) => {
            "No monitoring check yet: ops leads add synthetic logins and /testall checks per tenant.".to_string()
        }
        (0, _, true) => {
            "No reachability check yet: ops leads add one per endpoint Auth0 calls (Infrastructure).".to_string()
        }
        (n, 0, _) => format!("All {n} checks pass."),
        (n, b, _) => format!("{b} of {n} checks are not passing."),
    };
    let (anchor, title, link) = if reach {
        ("own-reach", "Our endpoints that Auth0 calls (from Tenantry)", "/infra#reach")
    } else {
        ("own-monitoring", "Synthetic logins and monitoring endpoints", "/monitoring")
    };
    OwnCheck {
        anchor: anchor.into(),
        title: title.into(),
        health: Some(if mine.is_empty() { Health::Unknown } else { worst }),
        summary,
        items: bad,
        link: link.into(),
    }
}
