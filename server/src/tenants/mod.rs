//! The `tenants` area: the tenant registry, snapshots of what Auth0 says about each tenant, their history,
//! SDLC findings and drift.
//!
//! Files: `model` (typed values: names, domains, the name checker) · `repo` (all of the area's SQL) · `service`
//! (the rules: add, change, remove, refresh, each with its audit entry and job) · `jobs` (`tenants.snapshot`: read
//! a tenant from Auth0, store a snapshot when something changed) · `keep` (what a snapshot keeps of each answer:
//! never a secret) · `port` (the pages' `TenantsPort`, drift) ·
//! `diff` (field-level changes between snapshots) · `findings` (what the guide asks that the registry lacks) ·
//! `file` (the inventory as TOML: import and export) · `summary` (the tenant page's words for the snapshot's
//! configuration parts).

pub mod diff;
pub mod file;
pub mod findings;
pub mod jobs;
pub mod keep;
pub mod model;
pub mod port;
pub mod repo;
pub mod service;
pub mod summary;
