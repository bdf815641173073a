//! The domains area's typed values and the pure rules over them. The outcome vocabulary (`DnsOutcome`,
//! `TlsOutcome`, their `Verdict`, a `Change`) is defined once in `app::domains`, because pages show it.

pub use app::domains::{Change, DnsOutcome, Outcome, Part, TlsOutcome, Verdict};
pub use app::ids::{DomainId, TenantId};

use app::domains::Report;

/// Auth0's kind of a custom domain whose certificate the customer manages (verified by a TXT record).
pub const SELF_MANAGED: &str = "self_managed_certs";

/// The TXT record (name, value) Auth0 expects of a self-managed domain; none for other kinds or when a part is
/// missing.
pub fn txt_record<'a>(kind: &str, name: Option<&'a str>, value: Option<&'a str>) -> Option<(&'a str, &'a str)> {
    match (kind == SELF_MANAGED, name, value) {
        (true, Some(n), Some(v)) => Some((n, v)),
        _ => None,
    }
}

/// The sentence the list shows under a domain: the DNS advice when DNS is not ok, else the TLS advice when TLS is
/// not ok, else nothing.
pub fn advice(
    dns: Option<DnsOutcome>,
    tls: Option<TlsOutcome>,
    dns_advice: Option<String>,
    tls_advice: Option<String>,
) -> Option<String> {
    if dns.is_some_and(|o| o != DnsOutcome::Ok) {
        dns_advice
    } else if tls.is_some_and(|o| o != TlsOutcome::Ok) {
        tls_advice
    } else {
        None
    }
}

/// The new outcome, when it differs from `before`; a first check that is ok is no change worth an event.
fn changed<O: Copy + PartialEq>(before: Option<O>, after: Option<O>, ok: O) -> Option<(Option<O>, O)> {
    let after = after?;
    let first_and_fine = before.is_none() && after == ok;
    (before != Some(after) && !first_and_fine).then_some((before, after))
}

/// The events a check writes: each outcome that changed from the last check (`before_*`) to `report`, with the
/// advice that goes with it (DNS first).
pub fn changes(
    before_dns: Option<DnsOutcome>,
    before_tls: Option<TlsOutcome>,
    report: &Report,
) -> Vec<(Change, String)> {
    let dns = changed(before_dns, report.dns_outcome, DnsOutcome::Ok)
        .map(|(before, after)| (Change::Dns { before, after }, report.dns_advice.clone().unwrap_or_default()));
    let tls = changed(before_tls, report.tls_outcome, TlsOutcome::Ok)
        .map(|(before, after)| (Change::Tls { before, after }, report.tls_advice.clone().unwrap_or_default()));
    dns.into_iter().chain(tls).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(dns: Option<DnsOutcome>, tls: Option<TlsOutcome>) -> Report {
        Report {
            dns_outcome: dns,
            tls_outcome: tls,
            dns_advice: Some("dns advice".into()),
            tls_advice: Some("tls advice".into()),
            ..Report::default()
        }
    }

    #[test]
    fn a_change_of_outcome_is_an_event_but_a_first_ok_is_not() {
        let fine = report(Some(DnsOutcome::Ok), Some(TlsOutcome::Ok));
        assert_eq!(changes(None, None, &fine), vec![]);
        assert_eq!(changes(Some(DnsOutcome::Ok), Some(TlsOutcome::Ok), &fine), vec![]);
        let broken = report(Some(DnsOutcome::WrongTarget), Some(TlsOutcome::Expiring));
        assert_eq!(
            changes(None, Some(TlsOutcome::Ok), &broken),
            vec![
                (Change::Dns { before: None, after: DnsOutcome::WrongTarget }, "dns advice".to_string()),
                (Change::Tls { before: Some(TlsOutcome::Ok), after: TlsOutcome::Expiring }, "tls advice".to_string()),
            ]
        );
        assert_eq!(
            changes(Some(DnsOutcome::WrongTarget), Some(TlsOutcome::Expiring), &fine),
            vec![
                (
                    Change::Dns { before: Some(DnsOutcome::WrongTarget), after: DnsOutcome::Ok },
                    "dns advice".to_string()
                ),
                (Change::Tls { before: Some(TlsOutcome::Expiring), after: TlsOutcome::Ok }, "tls advice".to_string()),
            ]
        );
        assert_eq!(changes(Some(DnsOutcome::Ok), None, &report(None, None)), vec![], "nothing found, nothing changed");
    }

    #[test]
    fn the_list_shows_dns_advice_first() {
        let (d, t) = (Some("d".to_string()), Some("t".to_string()));
        assert_eq!(advice(Some(DnsOutcome::Missing), Some(TlsOutcome::Expired), d.clone(), t.clone()), d);
        assert_eq!(advice(Some(DnsOutcome::Ok), Some(TlsOutcome::Expired), d.clone(), t.clone()), t);
        assert_eq!(advice(None, Some(TlsOutcome::Expired), d.clone(), t.clone()), t);
        assert_eq!(advice(Some(DnsOutcome::Ok), Some(TlsOutcome::Ok), d.clone(), t.clone()), None);
        assert_eq!(advice(None, None, d, t), None);
    }

    #[test]
    fn only_a_complete_self_managed_txt_record_is_checked() {
        assert_eq!(txt_record(SELF_MANAGED, Some("n"), Some("v")), Some(("n", "v")));
        assert_eq!(txt_record("auth0_managed_certs", Some("n"), Some("v")), None);
        assert_eq!(txt_record(SELF_MANAGED, None, Some("v")), None);
    }
}
