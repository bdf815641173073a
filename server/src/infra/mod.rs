//! The `infra` area: what production email and the firewalls in front of a company's services need — each
//! tenant's email provider with its verdict, and Auth0's published outbound IP ranges (every version kept, changes
//! notified, the allow-list for the regions in use exported for firewalls and clouds).
//!
//! Files: `model` (the IP list parsed and bounded, the diff of two versions) · `email` (a tenant's provider and its
//! verdict) · `exports` (the allow-list as plain, CSV, nftables, iptables, AWS, Azure and GCP) · `repo` (all of the
//! area's SQL) · `service` (read the list, store a version and its notice; the page's overview) · `jobs`
//! (`infra.ip_ranges`, `infra.mail`) · `port` (the pages' `InfraPort`, the allow-list download) · `mail` (SPF, DKIM
//! and DMARC verdicts from DNS answers) · `sender` (the `infra.mail` step: every tenant's provider and mail records,
//! a changed verdict as a notice) · `firewall` (what Auth0 calls in a tenant's network, from its snapshot).

pub mod email;
pub mod exports;
pub mod firewall;
pub mod jobs;
pub mod mail;
pub mod model;
pub mod port;
pub mod repo;
pub mod sender;
pub mod service;

use std::sync::Arc;
use std::time::Duration;

use crate::domains::dns::DnsChecker;
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
    /// Reads the sender domains' mail records (the nameservers the custom-domain checks use).
    pub dns: Arc<DnsChecker>,
}

impl InfraOptions {
    pub fn new(
        url: &str,
        interval: Duration,
        allow_private: bool,
        dns: Arc<DnsChecker>,
    ) -> Result<InfraOptions, String> {
        Ok(InfraOptions {
            ip_ranges_url: url.to_string(),
            ip_ranges_interval: interval,
            fetcher: Fetcher::new(Policy::private_allowed(allow_private))?,
            dns,
        })
    }
}
