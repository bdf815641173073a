//! The `notifications` area: one history of every notice, and delivery. `collect` turns what other areas record
//! (status incident updates, monitoring alert events, custom-domain outcome changes) and what `watch` sees change
//! (tenant polls, findings) into notifications with timelines; `feeds` + `advisories` read security-advisory and
//! change-notice feeds; every new update is queued in the `outbox` for the matching `channels`, which `send`
//! delivers in the formats of `message`; `retention` prunes; `port` and `views` serve the pages. The real
//! receivers (HTTP and SMTP) tests, the demo and the benchmark deliver to are `simulator::receivers`.

pub mod advisories;
pub mod channels;
pub mod collect;
pub mod feeds;
pub mod message;
pub mod outbox;
pub mod port;
pub mod record;
pub mod retention;
pub mod send;
pub mod tile;
pub mod views;
pub mod watch;

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
