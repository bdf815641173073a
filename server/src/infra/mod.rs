//! The `infra` area: what production email and the firewalls in front of a company's services need — each
//! tenant's email provider with its verdict, and Auth0's published outbound IP ranges (every version kept, changes
//! notified, the allow-list for the regions in use exported for firewalls and clouds).
//!
//! Files: `model` (the IP list parsed and bounded, the diff of two versions) · `email` (a tenant's provider and its
//! verdict) · `exports` (the allow-list as plain, CSV, nftables, iptables, AWS, Azure and GCP) · `repo` (all of the
//! area's SQL) · `service` (read the list, store a version and its notice; the page's overview) · `jobs`
//! (`infra.ip_ranges`) · `port` (the pages' `InfraPort`, the allow-list download).

pub mod email;
pub mod exports;
pub mod jobs;
pub mod model;
pub mod port;
pub mod repo;
pub mod service;

use std::time::Duration;

use crate::outbound::{Fetcher, Policy};

/// Auth0's machine-readable list of its outbound IP ranges.
pub const AUTH0_IP_RANGES: &str = "https://cdn.auth0.com/ip-ranges.json";

/// The infrastructure settings the server runs with.
#[derive(Clone)]
pub struct InfraOptions {
    /// Where Auth0's IP list is read.
    pub ip_ranges_url: String,
    /// How often it is read.
    pub ip_ranges_interval: Duration,
    /// Reads it through the outbound policy (private targets only for the demo and tests).
    pub fetcher: Fetcher,
}

impl InfraOptions {
    pub fn new(url: &str, interval: Duration, allow_private: bool) -> Result<InfraOptions, String> {
        Ok(InfraOptions {
            ip_ranges_url: url.to_string(),
            ip_ranges_interval: interval,
            fetcher: Fetcher::new(Policy::private_allowed(allow_private))?,
        })
    }
}
