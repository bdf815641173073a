//! Custom-domain checks against real servers on 127.0.0.1: an authoritative DNS server (hickory-server, UDP and
//! TCP) with a record for every CNAME outcome, and a TLS server with rcgen certificates for every TLS outcome.

use std::collections::HashSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rustls::RootCertStore;
use server::domains::dns::{DnsChecker, DnsOutcome, DnsSettings};
use server::domains::lab::{DnsLab, LabCa, LabRecord, TlsLab};
use server::domains::tls::{self, TlsOutcome, TlsSettings};

const EDGE: &str = "acme-cd-abc123.edge.tenants.us.auth0.com";

async fn zone() -> DnsLab {
    use LabRecord::*;
    let records = [
        Cname("login.acme.example".into(), EDGE.into()),
        Cname("chain.acme.example".into(), "hop.acme.example".into()),
        Cname("hop.acme.example".into(), EDGE.into()),
        Cname("wrong.acme.example".into(), "lb.elsewhere.example".into()),
        A("flat.acme.example".into(), Ipv4Addr::new(192, 0, 2, 10)),
        Cname("old.acme.example".into(), "acme-cd-gone99.edge.tenants.us.auth0.com".into()),
        Txt("_cf-custom-hostname.selfm.acme.example".into(), "verify-token-1".into()),
    ];
    DnsLab::start(&["acme.example"], &records).await.expect("lab DNS server")
}

fn checker(addr: SocketAddr) -> DnsChecker {
    DnsChecker::new(&DnsSettings { nameservers: Some(vec![addr]), timeout: Duration::from_millis(500) })
        .expect("resolver")
}

#[tokio::test]
async fn every_cname_outcome_comes_from_a_real_dns_server() {
    let lab = zone().await;
    let dns = checker(lab.addr);
    let known: HashSet<String> = [EDGE.to_string()].into();
    let expected = Some("ACME-CD-ABC123.edge.tenants.us.auth0.com."); // case and trailing dot do not matter

    let ok = dns.check("login.acme.example", expected, &known).await;
    assert_eq!((ok.outcome, ok.chain.clone()), (DnsOutcome::Ok, vec![EDGE.to_string()]), "{}", ok.advice);
    let chained = dns.check("chain.acme.example", expected, &known).await;
    assert_eq!(chained.outcome, DnsOutcome::Ok);
    assert_eq!(chained.chain, ["hop.acme.example", EDGE], "the whole chain is followed");

    let wrong = dns.check("wrong.acme.example", expected, &known).await;
    assert_eq!(wrong.outcome, DnsOutcome::WrongTarget);
    assert!(wrong.advice.contains("points to lb.elsewhere.example, but Auth0 expects"), "{}", wrong.advice);

    let flat = dns.check("flat.acme.example", expected, &known).await;
    assert_eq!(flat.outcome, DnsOutcome::Flattened);
    assert_eq!(flat.addresses, [std::net::IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10))]);
    assert!(flat.advice.contains("leaves verification pending"), "{}", flat.advice);

    let missing = dns.check("missing.acme.example", expected, &known).await;
    assert_eq!(missing.outcome, DnsOutcome::Missing);
    assert!(missing.advice.contains("Create a CNAME record"), "{}", missing.advice);

    let dangling = dns.check("old.acme.example", None, &known).await;
    assert_eq!(dangling.outcome, DnsOutcome::Dangling);
    assert!(dangling.advice.contains("subdomain takeover"), "{}", dangling.advice);
    let adhoc = dns.check("login.acme.example", None, &known).await;
    assert_eq!(adhoc.outcome, DnsOutcome::Ok, "ad hoc: a known tenant's edge host");

    assert_eq!(dns.txt("_cf-custom-hostname.selfm.acme.example").await.expect("txt"), ["verify-token-1"]);

    // Nothing answers on this port: unknown (lookup_error) after the retry, never ok.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let dead = checker(silent.local_addr().expect("addr"));
    let unknown = dead.check("login.acme.example", expected, &known).await;
    assert_eq!(unknown.outcome, DnsOutcome::LookupError, "{}", unknown.advice);
    assert!(unknown.advice.contains("unknown"), "{}", unknown.advice);
}

#[tokio::test]
async fn every_tls_outcome_comes_from_a_real_tls_server() {
    server::init_crypto();
    let now = Utc::now();
    let days = |n: i64| now + chrono::Duration::days(n);
    let ca = LabCa::new("Tenantry Lab CA").expect("ca");
    let stranger = LabCa::new("Somebody's private CA").expect("ca");
    let certs = vec![
        ("valid.acme.example".to_string(), ca.issue(&["valid.acme.example"], days(-10), days(80)).expect("cert")),
        ("expiring.acme.example".to_string(), ca.issue(&["expiring.acme.example"], days(-80), days(5)).expect("cert")),
        ("expired.acme.example".to_string(), ca.issue(&["expired.acme.example"], days(-90), days(-2)).expect("cert")),
        ("mismatch.acme.example".to_string(), ca.issue(&["other.example.org"], days(-1), days(60)).expect("cert")),
        (
            "untrusted.acme.example".to_string(),
            stranger.issue(&["untrusted.acme.example"], days(-1), days(60)).expect("cert"),
        ),
    ];
    let lab = TlsLab::start(certs).await.expect("lab TLS server");
    let mut roots = RootCertStore::empty();
    roots.add(ca.der.clone()).expect("root");
    let settings = TlsSettings { roots: Arc::new(roots), warn_days: vec![30, 14, 7], timeout: Duration::from_secs(2) };
    let check = |host: &'static str| {
        let settings = settings.clone();
        let addr = lab.addr;
        async move { tls::check(&settings, host, addr, now).await }
    };

    let valid = check("valid.acme.example").await;
    assert_eq!(valid.outcome, TlsOutcome::Ok, "{}", valid.advice);
    assert!(valid.days_left.is_some_and(|d| (78..=80).contains(&d)), "{:?}", valid.days_left);
    assert_eq!(valid.names, ["valid.acme.example"]);
    assert!(valid.issuer.as_deref().is_some_and(|i| i.contains("Tenantry Lab CA")), "{:?}", valid.issuer);

    let expiring = check("expiring.acme.example").await;
    assert_eq!(expiring.outcome, TlsOutcome::Expiring);
    assert!(expiring.days_left.is_some_and(|d| (3..=5).contains(&d)), "{:?}", expiring.days_left);
    assert!(expiring.advice.contains("(warning at 7 days)"), "{}", expiring.advice);

    let expired = check("expired.acme.example").await;
    assert_eq!(expired.outcome, TlsOutcome::Expired, "{}", expired.advice);
    assert!(expired.days_left.is_some_and(|d| d < 0));

    let mismatch = check("mismatch.acme.example").await;
    assert_eq!(mismatch.outcome, TlsOutcome::NameMismatch, "{}", mismatch.advice);
    assert!(mismatch.advice.contains("covers other.example.org, not mismatch.acme.example"), "{}", mismatch.advice);

    let untrusted = check("untrusted.acme.example").await;
    assert_eq!(untrusted.outcome, TlsOutcome::Untrusted, "{}", untrusted.advice);
    assert!(untrusted.advice.contains("Somebody's private CA"), "{}", untrusted.advice);

    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
    let nothing = tls::check(&settings, "valid.acme.example", closed, now).await;
    assert_eq!(nothing.outcome, TlsOutcome::NoAnswer, "{}", nothing.advice);
}
