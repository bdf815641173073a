//! A change of a custom domain's outcome as a notification update: the check job records it through
//! `notifications::record::apply` in the transaction that writes the event, so no change is lost between areas.

use chrono::{DateTime, Utc};

use crate::notifications::record::Incoming;

use super::model::{Change, DomainId, Part};

/// The event a notice is made from: which domain changed, how, and what to do about it.
pub struct ChangeNotice<'a> {
    pub domain: DomainId,
    pub host: &'a str,
    pub tenant: &'a str,
    pub region: Option<&'a str>,
    pub event: i64,
    pub change: Change,
    pub detail: &'a str,
    pub at: DateTime<Utc>,
}

/// The notification update for a change: one notification per domain and part (DNS, TLS), one update per event.
pub fn incoming(n: &ChangeNotice<'_>) -> Incoming {
    let part = n.change.part();
    let what = part.name();
    let kind = part.event_kind();
    Incoming {
        origin: format!("domains:{}:{kind}", n.domain),
        source: "console",
        kind: match part {
            Part::Dns => "custom_domain_dns",
            Part::Tls => "custom_domain_tls",
        }
        .into(),
        severity: n.change.verdict().severity(),
        title: format!("Custom domain {}: {what}", n.host),
        body: String::new(),
        link: Some(format!("/domains/{}", n.domain)),
        tenants: vec![n.tenant.to_string()],
        regions: n.region.map(str::to_string).into_iter().collect(),
        at: n.at,
        update_origin: format!("domains:event:{}", n.event),
        text: format!("{what} {}: {}", n.change.after_words(), n.detail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domains::model::{DnsOutcome, TlsOutcome};

    #[test]
    fn a_change_reads_as_the_collector_wrote_it() {
        let domain = DomainId(uuid::Uuid::nil());
        let at = DateTime::<Utc>::UNIX_EPOCH;
        let n = incoming(&ChangeNotice {
            domain,
            host: "login.acme.example",
            tenant: "acme-prod",
            region: Some("eu"),
            event: 42,
            change: Change::Dns { before: Some(DnsOutcome::Ok), after: DnsOutcome::WrongTarget },
            detail: "Point the CNAME at the edge.",
            at,
        });
        assert_eq!(n.origin, format!("domains:{domain}:dns_changed"));
        assert_eq!(n.update_origin, "domains:event:42");
        assert_eq!((n.source, n.kind.as_str(), n.severity), ("console", "custom_domain_dns", "critical"));
        assert_eq!(n.title, "Custom domain login.acme.example: DNS");
        assert_eq!(n.link.as_deref(), Some(format!("/domains/{domain}").as_str()));
        assert_eq!((n.tenants, n.regions), (vec!["acme-prod".to_string()], vec!["eu".to_string()]));
        assert_eq!(n.text, "DNS wrong target: Point the CNAME at the edge.");
        let tls = incoming(&ChangeNotice {
            domain,
            host: "h",
            tenant: "t",
            region: None,
            event: 1,
            change: Change::Tls { before: None, after: TlsOutcome::NoAnswer },
            detail: "d",
            at,
        });
        assert_eq!(
            (tls.kind.as_str(), tls.severity, tls.text.as_str()),
            ("custom_domain_tls", "warning", "TLS no answer: d")
        );
        assert!(tls.regions.is_empty());
    }
}
