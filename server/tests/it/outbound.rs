//! The outbound policy tried as an attacker would: every spelling of a private address, DNS rebinding, redirects
//! into the private network, and the tenants' API URLs and probes.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::response::IntoResponse;
use server::auth0::{Auth0Client, Auth0Error, TenantEndpoint};
use server::monitoring::model::Kind;
use server::monitoring::probe::{Probe, Target};
use server::outbound::{Client, Options, Policy, check_url};
use server::simulator::{SimTenant, Simulator};

#[tokio::test]
async fn every_spelling_of_a_private_target_is_refused() {
    for url in [
        "http://[::ffff:127.0.0.1]:8080/hook",
        "http://[::ffff:7f00:1]/",
        "http://100.64.0.1/",
        "http://[64:ff9b::7f00:1]/",
        "http://[64:ff9b::a00:1]/",
        "http://2130706433/",
        "http://0x7f.0.0.1/",
        "http://0177.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00::1]/",
        "http://localhost:3000/",
        "http://[::]/",
    ] {
        let refused = check_url(url, Policy::PUBLIC_ONLY).await.expect_err(url);
        assert!(refused.contains("address"), "{url}: {refused}");
    }
}

/// A server on 127.0.0.1 that counts what reaches it.
async fn counting_server() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let counted = counted.clone();
        async move {
            counted.fetch_add(1, Ordering::SeqCst);
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("{port}"), hits)
}

#[tokio::test]
async fn a_name_is_resolved_once_and_the_connection_goes_to_the_checked_answer() {
    server::init_crypto();
    let (port, hits) = counting_server().await;
    let lookups = Arc::new(AtomicUsize::new(0));
    // A rebinding name server: the first answer is the one this client may use; any later one differs.
    let counted = lookups.clone();
    let lookup: server::outbound::client::Lookup = Arc::new(move |_name: String| {
        let n = counted.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move { Ok(vec![if n == 0 { "127.0.0.1" } else { "127.0.0.2" }.parse().expect("ip")]) })
    });
    let client = Client::with_lookup(Policy::ANY_ADDRESS, Options::default(), lookup).expect("client");
    let answer = client.get(&format!("http://rebind.test:{port}/")).expect("allowed").send().await.expect("sent");
    assert!(answer.status().is_success());
    assert_eq!(lookups.load(Ordering::SeqCst), 1, "one lookup serves both the check and the connection");
    assert_eq!(hits.load(Ordering::SeqCst), 1);

    // An answer that mixes a public and a private address is refused whole: nothing is sent.
    let mixed: server::outbound::client::Lookup = Arc::new(|_name: String| {
        Box::pin(async { Ok(vec!["93.184.215.14".parse().expect("ip"), "127.0.0.1".parse().expect("ip")]) })
    });
    let strict = Client::with_lookup(Policy::PUBLIC_ONLY, Options::default(), mixed).expect("client");
    let refused = strict.get(&format!("http://rebind.test:{port}/")).expect("a name").send().await;
    let reason = server::outbound::root_cause(&refused.expect_err("refused"));
    assert!(reason.contains("rebind.test resolves to the loopback address 127.0.0.1"), "{reason}");
    assert_eq!(hits.load(Ordering::SeqCst), 1, "the refused request never arrived");
}

#[tokio::test]
async fn a_tenants_api_url_and_its_probes_cannot_reach_private_addresses_unless_allowed() {
    server::init_crypto();
    let sim = Simulator::start(0).await.expect("simulator");
    sim.add_tenant(SimTenant::new("acme.us.auth0.test", "client-1", "secret-1"));
    let endpoint = TenantEndpoint {
        domain: "acme.us.auth0.test".into(),
        base_url: Some(sim.base_url()),
        client_id: "client-1".into(),
        client_secret: "secret-1".into(),
    };
    let before = sim.requests();
    let strict = Auth0Client::new(Duration::from_secs(5), Policy::PUBLIC_ONLY).expect("client");
    match strict.tenant_settings(&endpoint).await {
        Err(Auth0Error::Unreachable(reason)) => assert!(reason.contains("loopback"), "{reason}"),
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    }
    assert_eq!(sim.requests(), before, "nothing was sent to the private address");

    let target =
        Target { domain: endpoint.domain.clone(), base_url: Some(sim.base_url()), kind: Kind::Testall, login: None };
    let ran = Probe::new(Policy::PUBLIC_ONLY).expect("probe").run(&target).await;
    assert!(ran.detail.contains("loopback"), "{}", ran.detail);
    assert_eq!(sim.requests(), before);
    let allowed = Probe::new(Policy::ANY_ADDRESS).expect("probe").run(&target).await;
    assert_eq!(allowed.http_status, Some(200), "allowed explicitly (the demo and tests)");
}

/// A server on `ip` that redirects `/to/{anything}` to `{anything}` and counts every request it gets.
async fn redirecting_server(ip: &str) -> (u16, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let counted = counted.clone();
        async move {
            counted.fetch_add(1, Ordering::SeqCst);
            let query = uri.query().unwrap_or_default().to_string();
            match query.strip_prefix("to=") {
                Some(target) => axum::response::Redirect::to(target).into_response(),
                None => "ok".into_response(),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (port, hits)
}

#[tokio::test]
async fn a_redirect_into_a_network_the_policy_does_not_allow_is_not_followed() {
    server::init_crypto();
    // 127.0.0.1 stands for the one network the console may reach; 127.0.0.2 for the private one behind it.
    let allowed: &'static [ipnet::IpNet] = Box::leak(vec!["127.0.0.1/32".parse().expect("net")].into_boxed_slice());
    let policy = Policy::public_and(allowed);
    let (outside, _) = redirecting_server("127.0.0.1").await;
    let (inside, inside_hits) = redirecting_server("127.0.0.2").await;
    let lookup: server::outbound::client::Lookup = Arc::new(|name: String| {
        Box::pin(
            async move { Ok(vec![if name == "inside.test" { "127.0.0.2" } else { "127.0.0.1" }.parse().expect("ip")]) },
        )
    });
    let client = Client::with_lookup(policy, Options::default(), lookup).expect("client");

    // A redirect inside what the policy allows is followed.
    let same = format!("http://outside.test:{outside}/?to=http://127.0.0.1:{outside}/done");
    let followed = client.get(&same).expect("allowed").send().await.expect("followed");
    assert_eq!(followed.text().await.expect("body"), "ok");

    // A redirect to the private address, written as an address, as a name, or as an IPv4-mapped IPv6 address.
    for target in [
        format!("http://127.0.0.2:{inside}/secret"),
        format!("http://inside.test:{inside}/secret"),
        format!("http://[::ffff:127.0.0.2]:{inside}/secret"),
    ] {
        let url = format!("http://outside.test:{outside}/?to={target}");
        let refused = client.get(&url).expect("the first hop is allowed").send().await.expect_err(&target);
        let reason = server::outbound::root_cause(&refused);
        assert!(reason.contains("127.0.0.2") && reason.contains("public addresses only"), "{target}: {reason}");
    }
    assert_eq!(inside_hits.load(Ordering::SeqCst), 0, "nothing reached the private server");
}
