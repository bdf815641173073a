//! One DNS + TLS report for a host: what the inventory job stores and what the ad-hoc checker shows.

use std::collections::HashSet;
use std::net::SocketAddr;

use app::domains::Report;
use chrono::{DateTime, Utc};

use super::dns::{DnsChecker, DnsOutcome, DnsSettings};
use super::tls::{self, TlsSettings};

/// Everything a check needs: the resolver, the trusted roots and warning days, the TLS port.
pub struct Checker {
    pub dns: DnsChecker,
    pub tls: TlsSettings,
    /// 443, except in the demo and tests (their TLS server listens elsewhere).
    pub tls_port: u16,
}

impl Checker {
    pub fn new(dns: &DnsSettings, tls: TlsSettings, tls_port: u16) -> Result<Checker, String> {
        Ok(Checker { dns: DnsChecker::new(dns)?, tls, tls_port })
    }

    /// Checks `host` now. `txt`: for self-managed certificates, the TXT record (name, value) Auth0 expects.
    pub async fn report(
        &self,
        host: &str,
        expected: Option<&str>,
        txt: Option<(&str, &str)>,
        known: &HashSet<String>,
        now: DateTime<Utc>,
    ) -> Report {
        let mut dns = self.dns.check(host, expected, known).await;
        if let Some((name, value)) = txt {
            dns = match self.dns.txt(name).await {
                Ok(found) if found.iter().any(|t| t == value) => super::dns::DnsReport {
                    outcome: DnsOutcome::Ok,
                    advice: format!("The verification TXT record {name} is in place."),
                    ..dns
                },
                Ok(_) => super::dns::DnsReport {
                    outcome: DnsOutcome::Missing,
                    advice: format!("Create the TXT record {name} with the value {value} that Auth0 shows."),
                    ..dns
                },
                Err(reason) => super::dns::DnsReport {
                    outcome: DnsOutcome::LookupError,
                    advice: format!("The TXT lookup failed ({reason}); the result is unknown."),
                    ..dns
                },
            };
        }
        let tls = match self.dns.addresses(host).await {
            Ok(addresses) => match addresses.first() {
                Some(ip) => Some(tls::check(&self.tls, host, SocketAddr::new(*ip, self.tls_port), now).await),
                None => None,
            },
            Err(_) => None,
        };
        let (tls_outcome, tls_advice) = match &tls {
            Some(t) => (Some(t.outcome), Some(t.advice.clone())),
            None => (
                Some(tls::TlsOutcome::NoAnswer),
                Some(format!("{host} has no address, so nothing can answer TLS for it. Fix DNS first.")),
            ),
        };
        Report {
            host: host.to_string(),
            expected: expected.map(str::to_string),
            dns_outcome: Some(dns.outcome),
            chain: dns.chain,
            addresses: dns.addresses.iter().map(|a| a.to_string()).collect(),
            dns_advice: Some(dns.advice),
            tls_outcome,
            days_left: tls.as_ref().and_then(|t| t.days_left).map(|d| d.clamp(-100_000, 100_000) as i32),
            not_after: tls.as_ref().and_then(|t| t.not_after),
            issuer: tls.as_ref().and_then(|t| t.issuer.clone()),
            names: tls.map(|t| t.names).unwrap_or_default(),
            tls_advice,
            checked_at: Some(now),
        }
    }
}
