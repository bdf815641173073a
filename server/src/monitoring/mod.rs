//! The `monitoring` area: checks bound to tenants — Auth0's monitoring endpoints (`/testall`, `/test`) and
//! synthetic logins with a no-privilege test user — run on the durable scheduler, classified, stored with hourly
//! roll-ups and retention, alerting after N failures in a row, within a per-tenant login budget.
//!
//! Files:
//! - `model`: the typed domain (`Kind`, the checked form `CheckSpec`, the latency histogram, figures and chart
//!   points); `CheckState` and `Outcome` are app's, shared with the pages;
//! - `repo/`: all of the area's SQL (`repo` checks and windows, `repo::runs` what the jobs write, `repo::views` what
//!   the pages and the tile read);
//! - `service`: the rules (checked forms, the login budget, add / change / pause / remove / run now / maintenance,
//!   each with its audit entry and scheduler job);
//! - `views`: the list, a check's page and the form, assembled from the repo's reads;
//! - `jobs/`: `check` = the `monitoring.check` job (one run stored with its roll-up, alert, event and notice in one
//!   transaction), `rollup` = the hourly `monitoring.rollup` job (day rows, retention, scheduler-run pruning);
//! - `reach/`: reachability checks of the company's own endpoints that Auth0 calls (TCP, HTTPS, SMTP);
//! - `probe` = one timed run, `outcome` = classification of Auth0's answers, `alerts` = the pure alert step,
//!   `notice` = an alert event as a notification update;
//! - `port`: the app port, thin; `tile`: the status board tile and checklist step 3.

pub mod alerts;
pub mod jobs;
pub mod model;
pub mod notice;
pub mod outcome;
pub mod port;
pub mod probe;
pub mod reach;
pub mod repo;
pub mod service;
pub mod tile;
pub mod views;

pub use crate::config::{MonitoringOptions, Retention};
