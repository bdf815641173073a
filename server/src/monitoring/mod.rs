//! The `monitoring` area: checks bound to tenants — Auth0's monitoring endpoints (`/testall`, `/test`) and
//! synthetic logins with a no-privilege test user — run on the durable scheduler (`job`), classified (`outcome`),
//! stored with hourly roll-ups and retention (`rollup`), alerting after N failures in a row (`alerts`), within a
//! per-tenant login budget (`service`), and shown by `port`.

pub mod alerts;
pub mod job;
pub mod outcome;
pub mod port;
pub mod probe;
pub mod rollup;
pub mod service;

/// The monitoring settings the server runs with.
#[derive(Clone, Copy, Debug)]
pub struct MonitoringOptions {
    /// Synthetic logins per minute all of one tenant's checks may make together.
    pub login_budget: f64,
    pub retention: rollup::Retention,
}

impl Default for MonitoringOptions {
    fn default() -> Self {
        MonitoringOptions { login_budget: 6.0, retention: rollup::Retention::default() }
    }
}
