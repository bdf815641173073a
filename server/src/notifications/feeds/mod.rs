//! Advisory and change-notice feeds: GitHub's security advisories, Auth0's changelog, SDK release feeds… read on a
//! schedule, each wanted item a notification (a later revision an update on its timeline).
//!
//! Files: `model` (the catalog, a checked feed, errors) · `advisories` (pure parsing and classification of RSS and
//! Atom) · `repo` (all of the feeds' SQL) · `service` (checked adding, pause, remove, read now, the feeds page) ·
//! `jobs` (the `notifications.feed` job) · `feeds.toml` (the catalog).

pub mod advisories;
pub mod jobs;
pub mod model;
pub mod repo;
pub mod service;

pub use jobs::{FeedJob, KIND};
pub use model::{DEFAULT_INTERVAL, FeedError, Read};
pub use service::{add, check, from_catalog, remove, set_enabled};
