//! The demo's live log stream: acme-dev's Auth0 log stream played against the console's own receiver every 15 s
//! (a few sign-ins, logouts and token exchanges as Auth0 sends them, JSON Lines with the stream's bearer token), so
//! the Logs page's receiver column and search show events arriving while the demo runs.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use sqlx::PgPool;

use super::repo;
use crate::accounts::audit::Actor;
use crate::simulator::stream::Player;

/// How often a batch is sent in the demo.
pub const EVERY: Duration = Duration::from_secs(15);
/// Events per batch.
const BATCH: usize = 6;

/// Gives acme-dev a receiver token and starts playing its stream to the console at `addr` every `every`; the task
/// ends with the process.
pub async fn live_stream(
    pool: &PgPool,
    addr: SocketAddr,
    every: Duration,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let domain = "acme-dev.us.auth0.com";
    let tenant = repo::tenant_by_domain(&mut *pool.acquire().await?, domain).await?.context("acme-dev")?;
    let token = crate::logs::service::new_token(pool, app::ids::TenantId(tenant), &Actor::CommandLine, "", Utc::now())
        .await
        .context("cannot make the demo stream's token")?;
    let host = if addr.ip().is_unspecified() { "127.0.0.1".to_string() } else { addr.ip().to_string() };
    let url = format!("http://{host}:{}/hooks/logs/{tenant}", addr.port());
    Ok(tokio::spawn(async move {
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            ticker.tick().await;
            // Everyday traffic of the last minutes, never in the future; no rate limits or warnings (the demo's
            // bursts come from its pulled history).
            let now = Utc::now();
            let stamp = now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            let everyday = |e: &serde_json::Value| {
                !crate::logs::model::catalog().get(e["type"].as_str().unwrap_or("")).is_some_and(|t| t.limit)
            };
            let events: Vec<serde_json::Value> =
                crate::simulator::logs::flow(domain, now - chrono::Duration::minutes(5), BATCH * 3)
                    .into_iter()
                    .filter(|e| everyday(e) && e["date"].as_str().is_some_and(|d| d < stamp.as_str()))
                    .take(BATCH)
                    .collect();
            let mut player = Player::new(&url, &token, &events, 100);
            let sent = player.play(0..player.len()).await;
            tracing::debug!(sent, "demo log stream batch");
        }
    }))
}
