//! Custom-domain checks against real servers on 127.0.0.1: an authoritative DNS server (hickory-server, UDP and
//! TCP) with a record for every CNAME outcome, and a TLS server with rcgen certificates for every TLS outcome.

use std::collections::HashSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rustls::RootCertStore;
use server::domains::dns::{DnsChecker, DnsOutcome, DnsSettings};
use server::domains::tls::{self, TlsOutcome, TlsSettings};
use server::simulator::dns_tls::{DnsLab, LabCa, LabRecord, TlsLab};

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
    DnsChecker::new(&DnsSettings { nameservers: Some(vec![addr]), timeout: Duration::from_secs(3) }).expect("resolver")
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
    // Self-managed certificates are verified by their TXT record.
    let settings = DnsSettings { nameservers: Some(vec![lab.addr]), timeout: Duration::from_secs(3) };
    let tls =
        TlsSettings { roots: Arc::new(RootCertStore::empty()), warn_days: vec![30], timeout: Duration::from_secs(1) };
    server::init_crypto();
    let both = server::domains::check::Checker::new(&settings, tls, 1).expect("checker");
    let txt_name = "_cf-custom-hostname.selfm.acme.example";
    let verified =
        both.report("selfm.acme.example", None, Some((txt_name, "verify-token-1")), &known, Utc::now()).await;
    assert_eq!(verified.dns_outcome, Some(DnsOutcome::Ok), "{:?}", verified.dns_advice);
    let other = both.report("selfm.acme.example", None, Some((txt_name, "another-token")), &known, Utc::now()).await;
    assert_eq!(other.dns_outcome, Some(DnsOutcome::Missing));
    assert!(
        other.dns_advice.as_deref().is_some_and(|a| a.contains("with the value another-token")),
        "{:?}",
        other.dns_advice
    );

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

mod inventory {
    use std::sync::Arc;
    use std::time::Duration;

    use app::accounts::Role;
    use chrono::Utc;
    use reqwest::StatusCode;
    use server::auth0::Auth0Client;
    use server::domains::DomainsOptions;
    use server::domains::jobs::{self, CheckJob};
    use server::domains::model::DomainId;
    use server::domains::service;
    use server::http::RouterOptions;
    use server::scheduler::{self, Job, Registry};
    use server::secrets::SecretBox;
    use server::tenants::jobs::SnapshotJob;
    use sqlx::PgPool;
    use uuid::Uuid;

    use crate::harness::{TestApp, text_of};

    #[sqlx::test(migrations = "../migrations")]
    async fn the_demo_domains_come_from_snapshots_get_every_verdict_and_changes_become_events(pool: PgPool) {
        let key = [4; 32];
        let sim = server::demo::company(&pool, &SecretBox::new(key), Duration::from_secs(900)).await.expect("demo");
        let now = Utc::now();
        let (checker, _labs) = server::demo::domains(&sim, now).await.expect("labs");
        server::init_crypto();
        let client =
            Arc::new(Auth0Client::new(Duration::from_secs(5), server::outbound::Policy::ANY_ADDRESS).expect("client"));
        let job = SnapshotJob { pool: pool.clone(), client, secrets: SecretBox::new(key) };
        scheduler::run_due(&pool, &Registry::default().with(Arc::new(job)), "t", now, 20).await.expect("snapshots");
        assert_eq!(service::sync(&pool, Duration::from_secs(600), now).await.expect("sync"), 7);
        let ids: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM domains").fetch_all(&pool).await.expect("ids");
        for id in &ids {
            service::check(&pool, &checker, DomainId(*id), now).await.expect("check");
        }
        let verdicts: Vec<(String, String, String)> =
            sqlx::query_as("SELECT host, dns_outcome, tls_outcome FROM domains ORDER BY host")
                .fetch_all(&pool)
                .await
                .expect("rows");
        let expected = [
            ("auth.acme.example", "dangling", "untrusted"),
            ("dev-login.acme.example", "missing", "no_answer"),
            ("id.acme-corp.example", "ok", "expiring"),
            ("login.acme-dev.example", "wrong_target", "name_mismatch"),
            ("login.acme.example", "ok", "ok"),
            ("sandbox.acme.example", "flattened", "expired"),
            ("sso.acme-legacy.example", "lookup_error", "no_answer"),
        ];
        let got: Vec<(&str, &str, &str)> =
            verdicts.iter().map(|(h, d, t)| (h.as_str(), d.as_str(), t.as_str())).collect();
        assert_eq!(got, expected);

        // Auth0 now expects what the record says: the next check is ok, and the change is an event.
        sqlx::query(
            "UPDATE domains SET expected_cname = 'elsewhere.acme.example' WHERE host = 'login.acme-dev.example'",
        )
        .execute(&pool)
        .await
        .expect("update");
        let dev: Uuid = sqlx::query_scalar("SELECT id FROM domains WHERE host = 'login.acme-dev.example'")
            .fetch_one(&pool)
            .await
            .expect("id");
        let checker = Arc::new(checker);
        let job = CheckJob { pool: pool.clone(), checker: checker.clone() };
        job.run_once(&dev.to_string(), now).await.expect("check");
        let events: Vec<(String, Option<String>, String)> =
            sqlx::query_as("SELECT kind, before, after FROM domains_events WHERE domain_id = $1 ORDER BY id")
                .bind(dev)
                .fetch_all(&pool)
                .await
                .expect("events");
        assert_eq!(events.last().cloned(), Some(("dns_changed".into(), Some("wrong_target".into()), "ok".into())));

        // Every change is a notification update, recorded by the check itself (no collector ran).
        let (recorded, changes): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM notifications_updates WHERE origin LIKE 'domains:event:%'),
                    (SELECT count(*) FROM domains_events)",
        )
        .fetch_one(&pool)
        .await
        .expect("counts");
        assert_eq!(recorded, changes);
        let last: (String, String, String, String, String) = sqlx::query_as(
            "SELECT n.origin, n.kind, n.title, u.severity, u.text FROM notifications_updates u
             JOIN notifications n ON n.id = u.notification_id
             WHERE u.origin = 'domains:event:' || (SELECT max(id) FROM domains_events WHERE domain_id = $1)",
        )
        .bind(dev)
        .fetch_one(&pool)
        .await
        .expect("the update of the last change");
        assert_eq!(
            (last.0, last.1.as_str(), last.2.as_str(), last.3.as_str()),
            (
                format!("domains:{dev}:dns_changed"),
                "custom_domain_dns",
                "Custom domain login.acme-dev.example: DNS",
                "info"
            )
        );
        assert!(last.4.starts_with("DNS ok: "), "{}", last.4);

        // Single checks are kept 30 days; the domain keeps its latest state and its events.
        let checks = |pool: PgPool| async move {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM domains_checks").fetch_one(&pool).await.expect("n")
        };
        assert_eq!(checks(pool.clone()).await, 8);
        sqlx::query("UPDATE domains_checks SET at = at - interval '31 days' WHERE domain_id <> $1")
            .bind(dev)
            .execute(&pool)
            .await
            .expect("age");
        let pruned = service::prune_checks(&pool, now - jobs::CHECKS_KEPT).await.expect("prune");
        assert_eq!((pruned, checks(pool.clone()).await), (6, 2), "only login.acme-dev.example's two checks stay");

        let options = RouterOptions {
            secrets: SecretBox::new(key),
            domains: DomainsOptions { checker, interval: Duration::from_secs(600) },
            ..RouterOptions::default()
        };
        let app = TestApp::spawn_with(pool.clone(), options).await;
        let helpdesk = app.signed_in(Role::Helpdesk).await;
        let list = text_of(&helpdesk.page("/domains").await.html);
        for sentence in [
            "which no registered tenant expects",
            "sandbox.acme.example answers with addresses but no CNAME",
            "Tenants with more than one custom domain",
            "Domains that failed or are stuck in verification",
        ] {
            assert!(list.contains(sentence), "{sentence} in {list}");
        }
        let bad = helpdesk.page("/domains/check?host=https%3A%2F%2Flogin.acme.example%2Fx").await;
        assert_eq!(bad.status, StatusCode::OK);
        assert!(text_of(&bad.html).contains("Host name: write the host name only, without https://"));
        let adhoc = helpdesk.page("/domains/check?host=auth.acme.example").await.html;
        assert!(adhoc.contains("data-outcome=\"dangling\"") && adhoc.contains("data-outcome=\"untrusted\""), "{adhoc}");
        let board = helpdesk.page("/").await.html;
        assert!(board.contains("data-testid=\"step-4\" data-state=\"major_outage\""), "step 4 turns red");
        let page = text_of(&helpdesk.page(&format!("/domains/{dev}")).await.html);
        assert!(page.contains("DNS: wrong target → ok"), "the timeline: {page}");
    }
}
