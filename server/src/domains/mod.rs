//! The `domains` area: the custom domain of every tenant, checked in live DNS (the CNAME chain against the target
//! Auth0 expects) and TLS (the certificate the domain presents); a change of outcome is an event and a notice.
//!
//! Files: `model` (ids, the outcome vocabulary from `app::domains`, pure rules: which changes are events, which
//! advice the list shows) · `repo` (all of the area's SQL) · `service` (sync, check and record, the pages' reads,
//! findings) · `jobs` (`domains.sync`, `domains.check`) · `port` (the pages' `DomainsPort`) · `tile` (the board's
//! step 4) · `notice` (an outcome change as a notification update). Specialised, without SQL: `check` (one DNS +
//! TLS report), `dns` (the CNAME check), `tls` (the certificate check), `hostname` (strict host names). The DNS and
//! TLS servers tests and the demo check against are `simulator::dns_tls`.

pub mod check;
pub mod dns;
pub mod hostname;
pub mod jobs;
pub mod model;
pub mod notice;
pub mod port;
pub mod repo;
pub mod service;
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
