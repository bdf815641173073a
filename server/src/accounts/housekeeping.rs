//! Background clean-up for accounts: expired sessions and sign-in failures too old to count.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tokio::sync::watch;

use super::repo;
use super::throttle::WINDOW_MINUTES;

/// How often the clean-up runs.
pub const INTERVAL: Duration = Duration::from_secs(5 * 60);

/// What one clean-up removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub sessions_deleted: u64,
    pub failures_pruned: u64,
}

/// One clean-up at `now`: deletes sessions that expired and failures older than the throttling window.
pub async fn run_once(pool: &PgPool, now: DateTime<Utc>) -> Result<Outcome, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let sessions_deleted = repo::delete_expired_sessions(&mut conn, now).await?;
    let failures_pruned = repo::prune_failures(&mut conn, now - chrono::Duration::minutes(WINDOW_MINUTES)).await?;
    Ok(Outcome { sessions_deleted, failures_pruned })
}

/// Runs the clean-up every `INTERVAL` until `stopped` turns true (shutdown).
pub async fn run(pool: PgPool, mut stopped: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(INTERVAL);
    loop {
        tokio::select! {
            _ = tick.tick() => match run_once(&pool, Utc::now()).await {
                Ok(outcome) if outcome != Outcome::default() => tracing::info!(?outcome, "accounts clean-up"),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "accounts clean-up failed; retrying at the next interval"),
            },
            _ = stopped.changed() => break,
        }
    }
}
