//! The `status` area: status sources (Auth0's per-tenant feeds, Statuspage pages, RSS/Atom feeds, Google
//! Workspace, Apple), read in their real formats, polled on the scheduler, managed and kept in step with the
//! tenant registry, and shown as the status board, incident history and sources pages.
//!
//! Files:
//! - `model` — what every source is normalised to (`Reading`: a `Health`, components, incidents with updates) and
//!   the read-time health rule (no good read for three intervals = unknown);
//! - `adapters` — the formats: Statuspage summary/incidents.json, Auth0 and generic RSS/Atom feeds, Google
//!   incidents.json, Apple JSONP, each into one `Reading`;
//! - `repo` — all of the area's SQL;
//! - `service` — the rules: the provider catalog (`catalog.toml`), checked adding, pause, remove, poll now;
//! - `jobs` — `status.poll` (one per source) and `status.sync` (every tenant its Auth0 feed, every enabled source
//!   its poll job);
//! - `notice` — what a new incident update becomes in the notification history (recorded by the poll, in the
//!   same transaction);
//! - `board` — the board and troubleshooting checklist, assembled by a pure function from what the repo read and
//!   the other areas' tiles (`app::status::BoardTile`);
//! - `port` — `app::status::StatusPort` on PostgreSQL, thin.

pub mod adapters;
pub mod board;
pub mod jobs;
pub mod model;
pub mod notice;
pub mod port;
pub mod repo;
pub mod service;

pub use crate::config::StatusOptions;
