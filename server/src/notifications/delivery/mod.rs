//! Delivery: the channels notices go out through (signed webhooks, Slack, Microsoft Teams, email), the durable
//! outbox every new update is queued in (in the transaction that records it), the deliverer that sends it with
//! retries, the delivery log and each channel's health.
//!
//! Files: `model` (channel kinds and settings, health, the outbox's timings) · `form` (the checked channel form) ·
//! `repo` (all of delivery's SQL) · `service` (channels stored and read with their secrets, pages, changes,
//! `enqueue`) · `message` (the webhook/Slack/Teams/email payloads) · `send` (HTTP, signed, and SMTP) · `outbox`
//! (leases, attempts, backoff, the deliverer loop `serve` starts).

pub mod form;
pub mod message;
pub mod model;
pub mod outbox;
pub mod repo;
pub mod send;
pub mod service;
