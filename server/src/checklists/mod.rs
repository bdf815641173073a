//! The `checklists` area: Auth0's operations-readiness checklist per tenant — every item of
//! ../shared/reference/readiness-checklist.md evaluated on each new snapshot (pass, fail, warning, not applicable,
//! unknown, or signed off by an ops lead), with its evidence, its history and notices.
//!
//! Files: `model` (the item, the finding, the facts rules read) · `catalog` (the items) · `rules/` (the pure
//! verdicts) · `repo` (all of the area's SQL) · `service` (evaluating a tenant, sign-offs, lapsing, notices) ·
//! `jobs` (`checklists.evaluate`) · `views` (the pages' assembly) · `port` (`ChecklistsPort`) · `export` (the CSV download).

pub mod catalog;
pub mod export;
pub mod jobs;
pub mod model;
pub mod port;
pub mod repo;
pub mod rules;
pub mod service;
pub mod views;
