//! The `status` area: status sources (Auth0's per-tenant feeds, Statuspage pages, RSS/Atom feeds, Google
//! Workspace), read in their real formats and normalised. Polling, storage and the status board come next.

pub mod adapters;
pub mod model;
pub mod poll;
