//! What notifications put on the status board: the delivery channels, when there is one.

use app::error::AppError;
use app::status::{AreaTile, BoardTile, Health, OwnCheck, StepSlot};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::delivery::model::UNHEALTHY_AFTER;
use super::delivery::repo::{self, TileRecord};

/// The delivery-channels tile (board only; no checklist step).
pub struct ChannelsTile {
    pub pool: PgPool,
}

#[async_trait::async_trait]
impl BoardTile for ChannelsTile {
    fn step(&self) -> Option<StepSlot> {
        None
    }

    async fn tile(&self, _chosen: Option<&str>, now: DateTime<Utc>) -> Result<Option<AreaTile>, AppError> {
        let tile = channels_tile(&self.pool, now).await.map_err(|e| crate::db::app_error("notifications", e))?;
        Ok(tile.map(|all| AreaTile { all, chosen: None }))
    }
}

/// The status board's tile for delivery channels (when there is one): channels failing for a day as outages,
/// channels failing for less as degraded.
pub async fn channels_tile(pool: &PgPool, now: DateTime<Utc>) -> Result<Option<OwnCheck>, sqlx::Error> {
    let rows = repo::tile_channels(&mut *pool.acquire().await?).await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let items: Vec<(String, Health, String)> = rows
        .iter()
        .filter_map(|TileRecord { id, name, failing_since, last_error }| {
            let since = (*failing_since)?;
            let health = if now - since >= UNHEALTHY_AFTER { Health::MajorOutage } else { Health::Degraded };
            let text = format!(
                "{name}: failing since {}{}",
                app::format::timestamp(since),
                last_error.as_ref().map(|e| format!(" — {e}")).unwrap_or_default()
            );
            Some((text, health, format!("/notifications/channels/{id}")))
        })
        .collect();
    let health = items.iter().fold(Health::Operational, |h, (_, i, _)| h.worst(*i));
    let unhealthy = items.iter().filter(|(_, h, _)| *h == Health::MajorOutage).count();
    let summary = match (rows.len(), items.len(), unhealthy) {
        (n, 0, _) => format!("All {n} delivery channels deliver."),
        (n, f, 0) => format!("{f} of {n} delivery channels are failing; Tenantry retries."),
        (n, _, u) => {
            format!("{u} of {n} delivery channels have failed for a day or more: notices are not reaching people.")
        }
    };
    Ok(Some(OwnCheck {
        anchor: "own-channels".into(),
        title: "Delivery channels".into(),
        health: Some(health),
        summary,
        items,
        link: "/notifications/channels".into(),
    }))
}
