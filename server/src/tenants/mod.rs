//! The `tenants` area: the tenant registry, snapshots of what Auth0 says about each tenant, their history,
//! SDLC findings and drift.

pub mod diff;
pub mod domain;
pub mod file;
pub mod findings;
pub mod poll;
pub mod port;
pub mod repo;
pub mod service;
