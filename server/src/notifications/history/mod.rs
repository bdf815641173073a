//! The history: one notification per thing that happened, with its timeline of updates, acknowledgements and
//! re-openings. Every area records its notices through `record::apply` in the same transaction as its own event;
//! the collector (`jobs`) records what `watch` sees change in the console (tenant polls, findings) and, once after
//! the upgrade, the events the old collector had not read yet (`catch_up`).
//!
//! Files: `model` (severity ranks, what the watch sees, `FindingsSource`) · `repo` (all of the history's SQL) ·
//! `record` (`Incoming`, `apply`) · `watch` (the pure comparison of the watched state) · `catch_up` · `service` (the
//! history's filters, pages and acknowledging) · `jobs` (`notifications.collect`, `notifications.prune`).

pub mod catch_up;
pub mod jobs;
pub mod model;
pub mod record;
pub mod repo;
pub mod service;
pub mod watch;
