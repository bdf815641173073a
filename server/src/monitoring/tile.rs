//! What monitoring puts on the status board and the troubleshooting checklist (step 3): every enabled check, or
//! only the chosen tenant's, with the ones not passing listed.

use app::error::AppError;
use app::status::{AreaTile, BoardTile, Health, OwnCheck, StepSlot};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::model::{CheckState, Outcome};
use super::repo::views::{self, BoardCheck};

/// The monitoring tile, read from the checks' latest state.
pub struct MonitoringTile {
    pub pool: PgPool,
}

#[async_trait::async_trait]
impl BoardTile for MonitoringTile {
    fn step(&self) -> Option<StepSlot> {
        Some(StepSlot { number: 3, title: "Our synthetic logins and monitoring endpoints", link_text: "Monitoring" })
    }

    async fn tile(&self, chosen: Option<&str>, _now: DateTime<Utc>) -> Result<Option<AreaTile>, AppError> {
        let db = |e| crate::db::app_error("monitoring", e);
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let checks = views::board_checks(&mut conn).await.map_err(db)?;
        Ok(Some(AreaTile::drawn(chosen, |tenant| tile(&checks, tenant))))
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

/// The tile over `checks`: every one, or only those of the tenant with domain `tenant`.
pub fn tile(checks: &[BoardCheck], tenant: Option<&str>) -> OwnCheck {
    let mine: Vec<&BoardCheck> = checks.iter().filter(|c| tenant.is_none_or(|t| c.domain == t)).collect();
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
    let summary = match (mine.len(), bad.len()) {
        (0, _) => "No monitoring check yet: ops leads add synthetic logins and /testall checks per tenant.".to_string(),
        (n, 0) => format!("All {n} checks pass."),
        (n, b) => format!("{b} of {n} checks are not passing."),
    };
    OwnCheck {
        anchor: "own-monitoring".into(),
        title: "Synthetic logins and monitoring endpoints".into(),
        health: Some(if mine.is_empty() { Health::Unknown } else { worst }),
        summary,
        items: bad,
        link: "/monitoring".into(),
    }
}
