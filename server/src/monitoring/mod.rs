//! The `monitoring` area: checks bound to tenants — Auth0's monitoring endpoints (`/testall`, `/test`) and
//! synthetic logins with a no-privilege test user — run on the durable scheduler (`job`), classified (`outcome`),
//! stored with hourly roll-ups and retention (`rollup`), alerting after N failures in a row (`alerts`), within a
//! per-tenant login budget (`service`), and shown by `port`.

pub mod alerts;
pub mod job;
pub mod outcome;
pub mod port;
pub mod probe;
pub mod repo;
pub mod rollup;
pub mod service;
pub mod tile;

pub use crate::config::{MonitoringOptions, Retention};
