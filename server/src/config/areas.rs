//! One settings struct per area, as the server runs with them (filled in by `Settings::load`).

use std::net::SocketAddr;
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
            poll_interval: Duration::from_secs(120),
            board_refresh_secs: 30,
        }
    }
}

/// The monitoring settings the server runs with.
#[derive(Clone, Copy, Debug)]
pub struct MonitoringOptions {
    /// Synthetic logins per minute all of one tenant's checks may make together.
    pub login_budget: f64,
    pub retention: Retention,
}

impl Default for MonitoringOptions {
    fn default() -> Self {
        MonitoringOptions { login_budget: 6.0, retention: Retention::default() }
    }
}

/// How long each kind of row is kept.
#[derive(Clone, Copy, Debug)]
pub struct Retention {
    pub raw: chrono::Duration,
    pub hourly: chrono::Duration,
    pub daily: chrono::Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            raw: chrono::Duration::days(7),
            hourly: chrono::Duration::days(90),
            daily: chrono::Duration::days(730),
        }
    }
}

/// How custom domains are checked.
#[derive(Clone, Debug)]
pub struct DomainSettings {
    pub nameservers: Option<Vec<SocketAddr>>,
    pub interval: Duration,
    pub tls_warn_days: Vec<i64>,
    pub tls_port: u16,
}

/// How notifications are fetched, kept and delivered.
#[derive(Clone, Debug)]
pub struct NotificationSettings {
    pub allow_private: bool,
    pub retention: chrono::TimeDelta,
    /// DER certificates from `notifications.smtp_ca_file`.
    pub smtp_roots: Vec<Vec<u8>>,
}

/// Where Auth0's outbound IP list is read, and how often.
#[derive(Clone, Debug)]
pub struct InfraSettings {
    pub ip_ranges_url: String,
    /// The URL may point at loopback or private addresses (a mirror inside the network, the tests).
    pub allow_private: bool,
    pub ip_ranges_interval: Duration,
    /// Non-public networks the reachability checks may reach (public addresses always may).
    pub reach_networks: Vec<ipnet::IpNet>,
    /// DER certificates from `infra.reach_ca_file`, trusted by the reachability checks beside the system's.
    pub reach_roots: Vec<Vec<u8>>,
}

/// How Auth0 logs are received and kept.
#[derive(Clone, Copy, Debug)]
pub struct LogsSettings {
    /// The largest body the log-stream receiver reads.
    pub max_body_bytes: usize,
    /// How long events are kept (days).
    pub retention_days: i32,
}

/// When sign-in failures count as spiking (the peak area's spike watch).
#[derive(Clone, Copy, Debug)]
pub struct PeakSettings {
    /// Times the tenant's usual rate.
    pub spike_factor: f64,
    /// Failed sign-ins per minute at the least.
    pub spike_floor: f64,
}
