//! The CNAME check: resolve a custom domain's CNAME chain in live DNS (hickory-resolver, against the configured
//! nameservers or the system's) and compare it with the target Auth0 expects. Every outcome comes with a sentence
//! that says what to do; a failed lookup is retried and shown as unknown, never as ok.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::{RData, RecordType};

use super::hostname::{is_auth0_edge, same_name};

/// The longest CNAME chain followed.
const MAX_CHAIN: usize = 8;

pub use app::domains::DnsOutcome;

/// What the DNS check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsReport {
    pub outcome: DnsOutcome,
    /// The CNAME chain from the domain, each hop's target in order.
    pub chain: Vec<String>,
    /// A/AAAA answers for the domain (when it has no CNAME).
    pub addresses: Vec<IpAddr>,
    /// TXT records at the verification name, for self-managed certificates.
    pub txt: Vec<String>,
    /// What to do, for people.
    pub advice: String,
}

/// Where the resolver sends its queries.
#[derive(Clone, Debug, Default)]
pub struct DnsSettings {
    /// `None`: the system's nameservers (/etc/resolv.conf).
    pub nameservers: Option<Vec<SocketAddr>>,
    pub timeout: Duration,
}

pub struct DnsChecker {
    resolver: TokioResolver,
}

enum Hop {
    Cname(String),
    None,
    Missing,
    Failed(String),
}

impl DnsChecker {
    pub fn new(settings: &DnsSettings) -> Result<DnsChecker, String> {
        let mut options = ResolverOpts::default();
        options.timeout = if settings.timeout.is_zero() { Duration::from_secs(3) } else { settings.timeout };
        options.attempts = 2;
        options.cache_size = 0;
        let builder = match &settings.nameservers {
            Some(servers) => {
                let name_servers = servers
                    .iter()
                    .map(|addr| {
                        let mut udp = ConnectionConfig::udp();
                        udp.port = addr.port();
                        let mut tcp = ConnectionConfig::tcp();
                        tcp.port = addr.port();
                        NameServerConfig::new(addr.ip(), true, vec![udp, tcp])
                    })
                    .collect();
                let config = ResolverConfig::from_parts(None, Vec::new(), name_servers);
                TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
            }
            None => {
                TokioResolver::builder_tokio().map_err(|e| format!("cannot read the system's DNS settings: {e}"))?
            }
        };
        let resolver = builder.with_options(options).build().map_err(|e| e.to_string())?;
        Ok(DnsChecker { resolver })
    }

    async fn cname(&self, name: &str) -> Hop {
        let fqdn = format!("{}.", name.trim_end_matches('.'));
        match self.resolver.lookup(fqdn.as_str(), RecordType::CNAME).await {
            Ok(lookup) => lookup
                .answers()
                .iter()
                .find_map(|r| match &r.data {
                    RData::CNAME(target) if same_name(&r.name.to_ascii(), &fqdn) => {
                        Some(Hop::Cname(target.0.to_ascii().trim_end_matches('.').to_lowercase()))
                    }
                    _ => None,
                })
                .unwrap_or(Hop::None),
            Err(e) if e.is_nx_domain() => Hop::Missing,
            Err(e) if e.is_no_records_found() => Hop::None,
            Err(e) => Hop::Failed(e.to_string()),
        }
    }

    /// The addresses `name` resolves to (following CNAMEs); empty when it has none.
    pub async fn addresses(&self, name: &str) -> Result<Vec<IpAddr>, String> {
        let fqdn = format!("{}.", name.trim_end_matches('.'));
        match self.resolver.lookup_ip(fqdn.as_str()).await {
            Ok(ips) => Ok(ips.iter().collect()),
            Err(e) if e.is_nx_domain() || e.is_no_records_found() => Ok(Vec::new()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// TXT records at `name` (empty when there are none).
    pub async fn txt(&self, name: &str) -> Result<Vec<String>, String> {
        let fqdn = format!("{}.", name.trim_end_matches('.'));
        match self.resolver.lookup(fqdn.as_str(), RecordType::TXT).await {
            Ok(lookup) => Ok(lookup
                .answers()
                .iter()
                .filter_map(|r| match &r.data {
                    RData::TXT(txt) => Some(txt.to_string()),
                    _ => None,
                })
                .collect()),
            Err(e) if e.is_nx_domain() || e.is_no_records_found() => Ok(Vec::new()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Checks `domain` against the CNAME target Auth0 expects (`None` in the ad-hoc checker without a target).
    /// `known` holds every target a registered tenant expects, to tell a dangling CNAME from a wrong one.
    pub async fn check(&self, domain: &str, expected: Option<&str>, known: &HashSet<String>) -> DnsReport {
        let mut report = self.check_once(domain, expected, known).await;
        if report.outcome == DnsOutcome::LookupError {
            tokio::time::sleep(Duration::from_millis(200)).await;
            report = self.check_once(domain, expected, known).await;
        }
        report
    }

    async fn check_once(&self, domain: &str, expected: Option<&str>, known: &HashSet<String>) -> DnsReport {
        let mut chain: Vec<String> = Vec::new();
        let mut name = domain.to_string();
        let report = |outcome, chain, addresses, advice: String| DnsReport {
            outcome,
            chain,
            addresses,
            txt: Vec::new(),
            advice,
        };
        loop {
            match self.cname(&name).await {
                Hop::Cname(target) => {
                    if chain.len() >= MAX_CHAIN || chain.contains(&target) {
                        break;
                    }
                    chain.push(target.clone());
                    name = target;
                }
                Hop::None | Hop::Missing if !chain.is_empty() => break,
                // Later hops may be outside what the resolver may ask (or answer): the chain ends there.
                Hop::Failed(_) if !chain.is_empty() => break,
                Hop::Missing => {
                    return report(
                        DnsOutcome::Missing,
                        chain,
                        Vec::new(),
                        format!(
                            "{domain} does not exist in DNS. Create a CNAME record for it pointing to {}.",
                            expected.unwrap_or("the target Auth0 shows for the custom domain")
                        ),
                    );
                }
                Hop::Failed(reason) => {
                    return report(
                        DnsOutcome::LookupError,
                        chain,
                        Vec::new(),
                        format!("The DNS lookup failed ({reason}); the result is unknown. Tenantry tries again."),
                    );
                }
                Hop::None => {
                    let addresses = match self.addresses(domain).await {
                        Ok(a) => a,
                        Err(reason) => {
                            return report(
                                DnsOutcome::LookupError,
                                chain,
                                Vec::new(),
                                format!("The DNS lookup failed ({reason}); the result is unknown."),
                            );
                        }
                    };
                    if addresses.is_empty() {
                        return report(
                            DnsOutcome::Missing,
                            chain,
                            addresses,
                            format!(
                                "{domain} has no CNAME record. Create one pointing to {}.",
                                expected.unwrap_or("the target Auth0 shows for the custom domain")
                            ),
                        );
                    }
                    return report(
                        DnsOutcome::Flattened,
                        chain,
                        addresses,
                        format!(
                            "{domain} answers with addresses but no CNAME: a DNS proxy or CNAME flattening is in the \
                             way, which Auth0 says leaves verification pending. Replace it with a plain CNAME{} and \
                             turn the proxy off for this name.",
                            expected.map(|e| format!(" to {e}")).unwrap_or_default()
                        ),
                    );
                }
            }
        }
        let first = chain.first().cloned().unwrap_or_default();
        let hits_expected = expected.is_some_and(|e| chain.iter().any(|hop| same_name(hop, e)));
        if hits_expected {
            return report(DnsOutcome::Ok, chain, Vec::new(), "The CNAME points where Auth0 expects.".into());
        }
        let edge = chain.iter().find(|hop| is_auth0_edge(hop)).cloned();
        if let Some(edge) = edge
            && !known.iter().any(|k| same_name(k, &edge))
        {
            return report(
                DnsOutcome::Dangling,
                chain,
                Vec::new(),
                format!(
                    "{domain} points to the Auth0 edge host {edge}, which no registered tenant expects. If the \
                     custom domain was deleted in Auth0, remove this CNAME now: someone else could claim it \
                     (subdomain takeover)."
                ),
            );
        }
        match expected {
            Some(e) => report(
                DnsOutcome::WrongTarget,
                chain,
                Vec::new(),
                format!("{domain} points to {first}, but Auth0 expects {e}. Change the CNAME record to {e}."),
            ),
            // Ad hoc, without an expected target: a CNAME to a known tenant's edge host is as good as it gets.
            None if chain.iter().any(|hop| known.iter().any(|k| same_name(k, hop))) => report(
                DnsOutcome::Ok,
                chain,
                Vec::new(),
                "The CNAME points to the Auth0 edge host of a registered tenant.".into(),
            ),
            None => report(
                DnsOutcome::WrongTarget,
                chain,
                Vec::new(),
                format!("{domain} points to {first}, which is not an Auth0 custom-domain target."),
            ),
        }
    }
}
