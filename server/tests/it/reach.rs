//! Reachability checks against real servers on 127.0.0.1: a TCP listener, an HTTPS server with certificates from a
//! lab CA (trusted, unknown, expired, another name), an SMTP server with and without STARTTLS, and a server that is
//! not SMTP at all; the outbound policy refusing loopback unless a network is allowed; and a failing endpoint
//! opening an alert (notified, on the board's step 6 and the /infra page) that two passes resolve.

use std::net::SocketAddr;

use app::accounts::Role;
use app::monitoring::CheckForm;
use app::tenants::{Environment, Region};
use chrono::{Duration, TimeZone, Utc};
use server::accounts::audit::Actor;
use server::http::RouterOptions;
use server::monitoring::alerts::Transition;
use server::monitoring::jobs::check::CheckJob;
use server::monitoring::model::Kind;
use server::monitoring::outcome::Outcome;
use server::monitoring::probe::{Probe, Ran};
use server::monitoring::reach::run::Ask;
use server::monitoring::reach::{Endpoint, Reach};
use server::monitoring::service;
use server::outbound::Policy;
use server::secrets::SecretBox;
use server::simulator::dns_tls::{LabCa, TlsLab};
use server::simulator::receivers::SmtpLab;
use sqlx::PgPool;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

use crate::harness::{self, TestApp, text_of};

const KEY: [u8; 32] = [7; 32];

fn reach(policy: Policy, ca: &LabCa) -> Reach {
    server::init_crypto();
    Reach::new(policy, &[ca.der.to_vec()], std::time::Duration::from_secs(3)).expect("reach")
}

async fn run(reach: &Reach, kind: Kind, target: &str, expect_status: u16, starttls: bool) -> Ran {
    let endpoint = Endpoint::parse(kind, target).expect("endpoint");
    reach.run(&Ask { kind, endpoint, expect_status, starttls }, Utc::now()).await
}

/// A registered production tenant for the checks to belong to.
async fn acme_prod(pool: &PgPool) -> uuid::Uuid {
    let secret = SecretBox::new(KEY).encrypt("secret");
    let new =
        harness::new_tenant("acme-prod", "acme-prod.us.auth0.com", Region::Us, Environment::Production, "mgmt", secret);
    harness::register(pool, &new).await
}

fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

#[tokio::test]
async fn each_kind_of_check_is_judged_by_what_a_real_server_answers() {
    server::init_crypto();
    let ca = LabCa::new("Company CA").expect("ca");
    let stranger = LabCa::new("Unknown CA").expect("stranger");
    let reach = reach(Policy::ANY_ADDRESS, &ca);
    let now = Utc::now();
    let cert = |ca: &LabCa, name: &str, from: i64, until: i64| {
        ca.issue(&[name], now + Duration::days(from), now + Duration::days(until)).expect("cert")
    };

    // TCP: a listener answers; a port nothing listens on is refused.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("listener");
    let open = listener.local_addr().expect("addr").port();
    let tcp = run(&reach, Kind::Tcp, &format!("127.0.0.1:{open}"), 0, false).await;
    assert_eq!(tcp.outcome, Outcome::Ok, "{tcp:?}");
    let refused = run(&reach, Kind::Tcp, &format!("127.0.0.1:{}", closed_port()), 0, false).await;
    assert_eq!(refused.outcome, Outcome::Refused, "{refused:?}");
    assert!(refused.detail.contains("cannot connect to 127.0.0.1:"), "{}", refused.detail);

    // HTTPS: the status, then the certificate (trusted, from another CA, expired, for another name).
    let good = TlsLab::https(vec![("localhost".into(), cert(&ca, "localhost", -1, 60))], 200).await.expect("https");
    let url = |lab: &TlsLab| format!("https://localhost:{}/health", lab.addr.port());
    let ok = run(&reach, Kind::Https, &url(&good), 200, false).await;
    assert_eq!((ok.outcome, ok.http_status), (Outcome::Ok, Some(200)), "{ok:?}");
    assert!(
        ok.detail.starts_with("answered 200; certificate valid until ") && ok.detail.contains("(59 days)"),
        "{}",
        ok.detail
    );
    let wrong = run(&reach, Kind::Https, &url(&good), 204, false).await;
    assert_eq!(wrong.outcome, Outcome::WrongStatus);
    assert!(wrong.detail.starts_with("answered 200, expected 204"), "{}", wrong.detail);
    let down = TlsLab::https(vec![("localhost".into(), cert(&ca, "localhost", -1, 60))], 503).await.expect("503");
    assert_eq!(run(&reach, Kind::Https, &url(&down), 200, false).await.outcome, Outcome::WrongStatus);
    assert_eq!(run(&reach, Kind::Https, &url(&down), 503, false).await.outcome, Outcome::Ok, "503 was expected");
    for (key, says) in [
        (cert(&stranger, "localhost", -1, 60), "issued by CN=Unknown CA"),
        (cert(&ca, "localhost", -90, -2), "the certificate expired"),
        (cert(&ca, "www.example.com", -1, 60), "covers www.example.com, not localhost"),
    ] {
        let lab = TlsLab::https(vec![("localhost".into(), key)], 200).await.expect("lab");
        let ran = run(&reach, Kind::Https, &url(&lab), 200, false).await;
        assert_eq!(ran.outcome, Outcome::Certificate, "{ran:?}");
        assert!(ran.detail.contains(says), "{says}: {}", ran.detail);
    }

    // SMTP: greeting, EHLO, STARTTLS with the certificate checked; without STARTTLS when it is not asked for.
    let with_tls = SmtpLab::start(Some(cert(&ca, "127.0.0.1", -1, 60)), None).await.expect("smtp");
    let smtp = run(&reach, Kind::Smtp, &with_tls.addr.to_string(), 0, true).await;
    assert_eq!(smtp.outcome, Outcome::Ok, "{smtp:?}");
    assert!(
        smtp.detail.contains("220 tenantry-lab ESMTP") && smtp.detail.contains("STARTTLS certificate valid"),
        "{}",
        smtp.detail
    );
    let plain = SmtpLab::start(None, None).await.expect("plain smtp");
    let no_tls = run(&reach, Kind::Smtp, &plain.addr.to_string(), 0, true).await;
    assert_eq!(no_tls.outcome, Outcome::SmtpProblem);
    assert!(no_tls.detail.ends_with("but does not offer STARTTLS"), "{}", no_tls.detail);
    assert_eq!(run(&reach, Kind::Smtp, &plain.addr.to_string(), 0, false).await.outcome, Outcome::Ok);
    let untrusted = SmtpLab::start(Some(cert(&stranger, "127.0.0.1", -1, 60)), None).await.expect("smtp");
    assert_eq!(run(&reach, Kind::Smtp, &untrusted.addr.to_string(), 0, true).await.outcome, Outcome::Certificate);

    // Not SMTP at all: an SSH banner is named; a server that never speaks times out within the limit.
    let ssh = TcpListener::bind("127.0.0.1:0").await.expect("ssh");
    let ssh_addr = ssh.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut s, _)) = ssh.accept().await {
            let _ = s.write_all(b"SSH-2.0-OpenSSH_9.6\r\n").await;
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        }
    });
    let not_smtp = run(&reach, Kind::Smtp, &ssh_addr.to_string(), 0, true).await;
    assert_eq!(not_smtp.outcome, Outcome::SmtpProblem);
    assert!(not_smtp.detail.contains("\"SSH-2.0-OpenSSH_9.6\", which is not an SMTP reply"), "{}", not_smtp.detail);
    let silent = run(&reach, Kind::Smtp, &format!("127.0.0.1:{open}"), 0, true).await;
    assert_eq!(silent.outcome, Outcome::Timeout, "{silent:?}");
    assert!(silent.latency_ms < 5_000, "the run stops at its limit: {} ms", silent.latency_ms);
    drop(listener);
}

#[tokio::test]
async fn loopback_is_refused_unless_the_setting_names_its_network() {
    let ca = LabCa::new("Company CA").expect("ca");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("listener");
    let target = listener.local_addr().expect("addr").to_string();
    let public = run(&reach(Policy::PUBLIC_ONLY, &ca), Kind::Tcp, &target, 0, false).await;
    assert_eq!(public.outcome, Outcome::Unreachable);
    assert!(public.detail.contains("127.0.0.1 is a loopback address"), "{}", public.detail);
    let by_name = run(
        &reach(Policy::PUBLIC_ONLY, &ca),
        Kind::Tcp,
        &format!("localhost:{}", listener.local_addr().expect("a").port()),
        0,
        false,
    )
    .await;
    assert_eq!(by_name.outcome, Outcome::Unreachable, "a name resolving to loopback is refused too: {by_name:?}");
    let loopback: &'static [ipnet::IpNet] = Vec::leak(vec!["127.0.0.0/8".parse().expect("net")]);
    let allowed = run(&reach(Policy::public_and(loopback), &ca), Kind::Tcp, &target, 0, false).await;
    assert_eq!(allowed.outcome, Outcome::Ok, "{allowed:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_failing_endpoint_opens_an_alert_that_is_notified_and_shown_and_two_passes_resolve_it(pool: PgPool) {
    server::init_crypto();
    let tenant = acme_prod(&pool).await;
    let port = closed_port();
    let form = CheckForm {
        tenant_id: tenant.to_string(),
        kind: "tcp".into(),
        name: "Custom database API".into(),
        interval_secs: "300".into(),
        target: format!("127.0.0.1:{port}"),
        ..CheckForm::default()
    };
    let parsed = service::parse(&form, &SecretBox::new(KEY), false).expect("valid");
    let id = service::add(&pool, &Actor::CommandLine, parsed, 6.0, "", Utc::now()).await.expect("added");
    let ca = LabCa::new("Company CA").expect("ca");
    let job = CheckJob {
        pool: pool.clone(),
        probe: Probe::new(Policy::ANY_ADDRESS).expect("probe"),
        reach: reach(Policy::ANY_ADDRESS, &ca),
        secrets: SecretBox::new(KEY),
    };
    let t0 = Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).single().expect("date");
    let at = |m: i64| t0 + Duration::minutes(5 * m);
    for m in 0..2 {
        assert_eq!(job.check(id, at(m)).await.expect("run").transition, Transition::None);
    }
    let opened = job.check(id, at(2)).await.expect("run");
    assert_eq!((opened.ran.outcome, opened.transition), (Outcome::Refused, Transition::Opened));
    let (kind, title): (String, String) =
        sqlx::query_as("SELECT kind, title FROM notifications").fetch_one(&pool).await.expect("notified");
    assert_eq!((kind.as_str(), title.as_str()), ("reachability_alert", "Custom database API on acme-prod is failing"));
    let update: String =
        sqlx::query_scalar("SELECT text FROM notifications_updates").fetch_one(&pool).await.expect("u");
    assert!(update.contains("refused: The host answered but nothing listens on that port"), "{update}");

    let app =
        TestApp::spawn_with(pool.clone(), RouterOptions { secrets: SecretBox::new(KEY), ..RouterOptions::default() })
            .await;
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    let board = helpdesk.page("/").await.html;
    assert!(board.contains("data-testid=\"step-6\" data-state=\"major_outage\""), "the checklist's step 6 turns red");
    assert!(board.contains("data-testid=\"step-3\" data-state=\"unknown\""), "not an Auth0 check: step 3 has none");
    assert!(text_of(&board).contains("Custom database API (acme-prod): refused"), "{}", text_of(&board));
    let infra = text_of(&helpdesk.page("/infra").await.html);
    assert!(infra.contains("These checks run from where Tenantry runs, not from Auth0"), "{infra}");
    assert!(infra.contains("Custom database API") && infra.contains(&format!("127.0.0.1:{port}")), "{infra}");
    assert!(infra.contains("In alert"), "{infra}");
    let page = text_of(&helpdesk.page(&format!("/monitoring/{id}")).await.html);
    assert!(page.contains("where Tenantry runs, not from Auth0's addresses"), "{page}");
    assert!(page.contains("nothing listens on that port"), "the advice is about our endpoint, not Auth0: {page}");
    let auth0_only = text_of(&helpdesk.page("/monitoring?what=auth0").await.html);
    assert!(!auth0_only.contains("Custom database API"), "the Auth0 filter leaves it out");

    // The service comes back on that port: two passes resolve the alert.
    let back = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await.expect("the port again");
    assert_eq!(job.check(id, at(3)).await.expect("run").transition, Transition::None);
    assert_eq!(job.check(id, at(4)).await.expect("run").transition, Transition::Resolved);
    drop(back);
    let severities: Vec<String> =
        sqlx::query_scalar("SELECT severity FROM notifications_updates ORDER BY id").fetch_all(&pool).await.expect("u");
    assert_eq!(severities, ["critical", "info"]);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_reachability_form_names_every_mistake_and_keeps_nothing(pool: PgPool) {
    let tenant = acme_prod(&pool).await;
    let app =
        TestApp::spawn_with(pool.clone(), RouterOptions { secrets: SecretBox::new(KEY), ..RouterOptions::default() })
            .await;
    let lead = app.signed_in(Role::OpsLead).await;
    let form = lead.page("/monitoring/new?kind=smtp").await.html;
    assert!(form.contains("<option value=\"smtp\" selected"), "?kind= chooses the kind");
    let answer = lead
        .post_form_on(
            "/monitoring/new",
            "/api/monitoring/add",
            &[
                ("tenant_id", tenant.to_string().as_str()),
                ("kind", "https"),
                ("name", "Hooks"),
                ("interval_secs", "60"),
                ("target", "http://hooks.example.com/"),
                ("expect_status", "700"),
                ("starttls", "required"),
                // What else the form sends, blank as a browser sends it.
                ("grant_type", "password"),
                ("realm", ""),
                ("username", ""),
                ("password", ""),
                ("client_id", ""),
                ("client_secret", ""),
                ("audience", ""),
                ("scope", ""),
                ("fail_threshold", ""),
                ("success_threshold", ""),
                ("reminder_minutes", ""),
            ],
        )
        .await;
    let location = answer.headers()["location"].to_str().expect("ascii").to_string();
    let text = text_of(&lead.page(location.trim_start_matches(&app.origin())).await.html);
    assert!(text.contains("Endpoint: Auth0 calls over HTTPS; give an https:// URL"), "{text}");
    assert!(text.contains("Expected status (HTTPS): \"700\" is not a whole number from 100 to 599"), "{text}");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM monitoring_checks").fetch_one(&pool).await.expect("n");
    assert_eq!(stored, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_demo_checks_acme_prods_endpoints_and_its_custom_database_api_is_in_alert(pool: PgPool) {
    let key = [4; 32];
    let secrets = SecretBox::new(key);
    let sim = server::demo::company(&pool, &secrets, std::time::Duration::from_secs(900)).await.expect("demo");
    let now = Utc::now();
    let (_checker, mut labs) = server::demo::domains(&sim, now).await.expect("labs");
    server::demo::notifications(&pool, &sim, &secrets, &mut labs, now).await.expect("notifications");
    server::demo::reach(&pool, &secrets, &mut labs, now).await.expect("reach");
    // A second start moves the checks to the new servers' ports and adds none.
    server::demo::reach(&pool, &secrets, &mut labs, now).await.expect("again");
    let states: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT c.name, c.kind, c.last_outcome FROM monitoring_checks c WHERE c.kind IN ('tcp', 'https', 'smtp')
         ORDER BY c.name",
    )
    .fetch_all(&pool)
    .await
    .expect("checks");
    let expected = [
        ("Custom database API", "tcp", "refused"),
        ("Log-stream receiver", "https", "ok"),
        ("Mail relay (SMTP provider)", "smtp", "ok"),
    ];
    assert_eq!(
        states.iter().map(|(n, k, o)| (n.as_str(), k.as_str(), o.as_deref().unwrap_or("-"))).collect::<Vec<_>>(),
        expected
    );
    let app = TestApp::spawn_with(pool.clone(), RouterOptions { secrets, ..RouterOptions::default() }).await;
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    let infra = helpdesk.page("/infra").await.html;
    let start = infra.find("<section id=\"reach\"").expect("the reachability section");
    let end = start + infra[start..].find("</section>").expect("its end");
    let section = text_of(&infra[start..end]);
    assert!(section.contains("Custom database API") && section.contains("In alert"), "{section}");
    assert_eq!(section.matches("OK").count(), 2, "the HTTPS and SMTP checks pass: {section}");
    let board = helpdesk.page("/?tenant=acme-prod.us.auth0.com").await.html;
    assert!(board.contains("data-testid=\"step-6\" data-state=\"major_outage\""), "acme-prod's step 6 is red");
}
