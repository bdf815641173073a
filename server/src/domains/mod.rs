//! The `domains` area: the custom domain of every tenant, checked in live DNS (`dns`: the CNAME chain against the
//! target Auth0 expects) and TLS (`tls`: the certificate the domain presents), with host names parsed strictly
//! (`hostname`). The DNS and TLS servers tests and the demo check against are `simulator::dns_tls`.

pub mod check;
pub mod dns;
pub mod hostname;
pub mod inventory;
pub mod port;
pub mod repo;
pub mod tile;
pub mod tls;

use std::sync::Arc;
use std::time::Duration;

/// The domain settings the server runs with.
#[derive(Clone)]
pub struct DomainsOptions {
    pub checker: Arc<check::Checker>,
    /// How often each domain is checked.
    pub interval: Duration,
}

impl DomainsOptions {
    /// The system's nameservers and trusted roots, port 443, every 10 minutes.
    pub fn system() -> Result<DomainsOptions, String> {
        let dns = dns::DnsSettings { nameservers: None, timeout: Duration::from_secs(3) };
        Ok(DomainsOptions {
            checker: Arc::new(check::Checker::new(&dns, tls::TlsSettings::system(), 443)?),
            interval: Duration::from_secs(600),
        })
    }
}
