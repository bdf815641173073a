//! The `status` area: status sources (Auth0's per-tenant feeds, Statuspage pages, RSS/Atom feeds, Google
//! Workspace, Apple), read in their real formats and normalised (`adapters`, `model`), polled on the scheduler
//! (`poll`), managed and kept in step with the tenant registry (`sources`, with the provider catalog), and shown
//! as the status board, incident history and sources pages (`port`).

pub mod adapters;
pub mod model;
pub mod poll;
pub mod port;
pub mod sources;

use std::time::Duration;

/// The status settings the server runs with.
#[derive(Clone, Debug)]
pub struct StatusOptions {
    /// Fetch loopback, private and link-local targets (tests and the demo only).
    pub allow_private: bool,
    /// Auth0's status feed; a tenant's feed is `{base}?domain={tenant domain}`.
    pub auth0_feed_url: String,
    /// How often a new source is polled.
    pub poll_interval: Duration,
    /// How often the board refreshes itself when JavaScript is on.
    pub board_refresh_secs: u32,
}

impl Default for StatusOptions {
    fn default() -> Self {
        StatusOptions {
            allow_private: false,
            auth0_feed_url: "https://status.auth0.com/feed".into(),
            poll_interval: sources::DEFAULT_INTERVAL,
            board_refresh_secs: 30,
        }
    }
}
