//! The `tenants` area: the tenant registry, snapshots of what Auth0 says about each tenant, their history,
//! SDLC findings and drift.

pub mod domain;
