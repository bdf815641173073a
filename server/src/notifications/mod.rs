//! The `notifications` area: one history of every notice, and delivery. Every area records its notices through
//! `record::apply` in the same transaction as its own event; the collector records what it sees change in the
//! console (tenant polls, findings); advisory feeds bring security advisories and change notices; every new update
//! is queued in the outbox for the matching channels and delivered with retries. The real receivers (HTTP and
//! SMTP) tests, the demo and the benchmark deliver to are `simulator::receivers`.
//!
//! Files: `history/` (notifications, timelines, acknowledgements, recording, the watch, the upgrade's catch-up,
//! retention) · `feeds/` (advisory feeds) · `delivery/` (channels, messages, sending, the outbox) — each with its
//! `model`, `repo` (all of its SQL), `service` and, where it has them, `jobs` · `port` (the app port, thin) · `tile`
//! (the delivery-channels tile of the status board).

pub mod delivery;
pub mod feeds;
pub mod history;
pub mod port;
pub mod tile;

// The paths the other areas and the server use.
pub use delivery::service as channels;
pub use delivery::{message, outbox, send};
pub use history::model::FindingsSource;
pub use history::record;

use std::sync::Arc;

/// How notifications are fetched and delivered.
#[derive(Clone)]
pub struct NotificationsOptions {
    /// Whether feed and webhook URLs may point at loopback, private or link-local addresses.
    pub allow_private: bool,
    /// Sends deliveries (and "Send test").
    pub sender: Arc<send::Sender>,
    /// How long a notification is kept after its last update.
    pub retention: chrono::TimeDelta,
}

impl NotificationsOptions {
    /// `smtp_roots`: DER certificates trusted for SMTP TLS beside the system's.
    pub fn new(
        allow_private: bool,
        smtp_roots: Vec<Vec<u8>>,
        retention: chrono::TimeDelta,
    ) -> Result<NotificationsOptions, String> {
        Ok(NotificationsOptions {
            allow_private,
            sender: Arc::new(send::Sender::new(allow_private, smtp_roots)?),
            retention,
        })
    }
}

impl Default for NotificationsOptions {
    fn default() -> Self {
        NotificationsOptions::new(false, Vec::new(), chrono::TimeDelta::days(730))
            .expect("an HTTP client without special settings builds")
    }
}
