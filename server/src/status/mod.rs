//! The `status` area: status sources (Auth0's per-tenant feeds, Statuspage pages, RSS/Atom feeds, Google
//! Workspace, Apple), read in their real formats and normalised (`adapters`, `model`), polled on the scheduler
//! (`poll`), managed and kept in step with the tenant registry (`sources`, with the provider catalog), and shown
//! as the status board, incident history and sources pages (`port`).

pub mod adapters;
pub mod model;
pub mod poll;
pub mod port;
pub mod sources;

pub use crate::config::StatusOptions;
