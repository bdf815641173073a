//! HTTP-level and command-line tests: the real server on port 0, each test with its own fresh database
//! (`#[sqlx::test]` on the private PostgreSQL cluster that scripts/test starts).

mod abuse;
mod accounts;
mod admin;
mod api_v1;
mod auth0;
mod checklists;
mod cli;
mod delivery;
mod domains;
mod fuzz;
mod harness;
mod infra;
mod logs;
mod monitoring;
mod notifications;
mod notifications_feeds;
mod ops;
mod outbound;
mod pages;
mod peak;
mod promises;
mod reach;
mod replicas;
mod scheduler;
mod sso;
mod status;
mod status_board;
mod status_feeds;
mod tenants;
mod tokens;
