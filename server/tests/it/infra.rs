//! The infrastructure area against real parts: Auth0's IP list read over HTTP from the simulator (conditional
//! requests, a changed version notified, a broken or oversized list kept out), every export read back by a parser
//! (the real `nft` and `iptables-restore` where installed), the download route and `/infra` through the router.

use std::collections::{BTreeMap, BTreeSet};

use app::accounts::Role;
use app::tenants::{Environment, Region};
use chrono::{Duration, Utc};
use ipnet::Ipv4Net;
use server::infra::exports::{AllowList, Format};
use server::infra::model;
use server::infra::service::{self, Polled};
use server::outbound::{Fetcher, Policy};
use server::simulator::{Simulator, ip_ranges};
use sqlx::PgPool;

use crate::harness::{TestApp, insert_tenant, text_of};

fn fetcher() -> Fetcher {
    server::init_crypto();
    Fetcher::new(Policy::private_allowed(true)).expect("fetcher")
}

async fn sim_with_list(version: u8) -> (Simulator, String) {
    let sim = Simulator::start(0).await.expect("simulator");
    sim.set_ip_ranges(&ip_ranges::body(version));
    let url = format!("{}/ip-ranges.json", sim.base_url());
    (sim, url)
}

async fn notices(pool: &PgPool) -> Vec<(String, String, Vec<String>, String)> {
    sqlx::query_as(
        "SELECT n.severity, n.title, n.tenants, u.text FROM notifications n
           JOIN notifications_updates u ON u.notification_id = n.id AND u.kind = 'update'
          WHERE n.kind = 'ip_ranges_changed' ORDER BY n.id",
    )
    .fetch_all(pool)
    .await
    .expect("notices")
}

#[sqlx::test(migrations = "../migrations")]
async fn the_ip_list_is_versioned_and_a_change_in_a_region_in_use_is_notified(pool: PgPool) {
    insert_tenant(&pool, "acme-prod", Region::Us, Environment::Production).await;
    let (sim, url) = sim_with_list(1).await;
    let f = fetcher();
    let t0 = Utc::now();
    assert_eq!(service::poll(&pool, &f, &url, t0).await.expect("poll"), Polled::NewVersion { id: 1, changes: 0 });
    let before = sim.requests();
    assert_eq!(service::poll(&pool, &f, &url, t0 + Duration::days(7)).await.expect("poll"), Polled::Unchanged);
    assert_eq!(sim.requests(), before + 1, "one conditional request");
    assert!(notices(&pool).await.is_empty(), "the first version is no change");

    sim.set_ip_ranges(&ip_ranges::body(2));
    let Polled::NewVersion { id, changes } =
        service::poll(&pool, &f, &url, t0 + Duration::days(14)).await.expect("poll")
    else {
        panic!("a new version")
    };
    assert_eq!(changes, 1);
    let found = notices(&pool).await;
    assert_eq!(found.len(), 1, "{found:?}");
    let (severity, title, tenants, text) = &found[0];
    assert_eq!((severity.as_str(), title.as_str()), ("warning", "Auth0's outbound IP ranges changed (US)"));
    assert_eq!(tenants, &["acme-prod".to_string()]);
    assert_eq!(text, "US: added 192.0.2.16/32 (from 2027-01-15); removed 192.0.2.15/32 (from 2027-03-01)");

    // The page compares the two versions and lists the allow-list for the region in use only.
    let o = service::overview(&pool, Some((1, id))).await.expect("overview");
    assert_eq!(o.regions, ["us"]);
    let cidrs: Vec<&str> = o.ranges.iter().map(|r| r.cidr.as_str()).collect();
    assert!(cidrs.contains(&"192.0.2.16/32") && !cidrs.contains(&"192.0.2.15/32"), "{cidrs:?}");
    assert!(o.ranges.iter().all(|r| r.region == "us"));
    assert_eq!(o.diff.as_ref().map(|d| d.2.len()), Some(1));
    assert_eq!(o.versions.len(), 2);

    // A broken list and an oversized one: an error on the source, the last good version stays.
    sim.set_ip_ranges(r#"{"regions":{"US":{"ipv4_cidrs":["192.0.2.300/32"]}}}"#);
    let Polled::Failed(e) = service::poll(&pool, &f, &url, t0 + Duration::days(21)).await.expect("poll") else {
        panic!("a broken list fails")
    };
    assert!(e.contains("region us: \"192.0.2.300/32\" is not an IPv4 address"), "{e}");
    sim.set_ip_ranges(&" ".repeat(6 * 1024 * 1024));
    let Polled::Failed(big) = service::poll(&pool, &f, &url, t0 + Duration::days(22)).await.expect("poll") else {
        panic!("an oversized list fails")
    };
    assert!(big.contains("over the 5242880-byte limit"), "{big}");
    // Under the download limit but over what an IP list can be.
    sim.set_ip_ranges(&format!("{}{}", ip_ranges::body(2), " ".repeat(2 * 1024 * 1024)));
    let Polled::Failed(large) = service::poll(&pool, &f, &url, t0 + Duration::days(23)).await.expect("poll") else {
        panic!("a list over 1 MB fails")
    };
    assert!(large.contains("more than the 1048576 read"), "{large}");
    let o = service::overview(&pool, None).await.expect("overview");
    assert!(
        o.source.as_ref().and_then(|s| s.error.as_deref()).is_some_and(|e| e.contains("bytes") || e.contains("MB"))
    );
    assert_eq!(o.versions.len(), 2, "no version from a broken list");
    assert!(o.ranges.iter().any(|r| r.cidr == "192.0.2.16/32"), "the last good allow-list stays");
    assert_eq!(notices(&pool).await.len(), 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_change_in_a_region_nobody_uses_is_information_only(pool: PgPool) {
    insert_tenant(&pool, "acme-eu", Region::Eu, Environment::Production).await;
    let (sim, url) = sim_with_list(1).await;
    let f = fetcher();
    service::poll(&pool, &f, &url, Utc::now()).await.expect("poll");
    sim.set_ip_ranges(&ip_ranges::body(2));
    service::poll(&pool, &f, &url, Utc::now() + Duration::days(7)).await.expect("poll");
    let found = notices(&pool).await;
    assert_eq!((found[0].0.as_str(), found[0].2.len()), ("info", 0), "{found:?}");
}

fn allow_list() -> BTreeMap<String, BTreeSet<Ipv4Net>> {
    let list = model::parse(ip_ranges::body(2).as_bytes()).expect("the simulator's list parses");
    list.regions.into_iter().filter(|(r, _)| r == "us" || r == "eu").collect()
}

/// Runs `program args… file` on `text`; `None` when the program is not installed (CI installs it).
fn check_with(program: &str, args: &[&str], text: &str) -> Option<(bool, String)> {
    let which = std::process::Command::new("sh").arg("-c").arg(format!("command -v {program}")).output().ok()?;
    if !which.status.success() {
        assert!(std::env::var("CI").is_err(), "{program} is missing: scripts/test installs it under CI");
        eprintln!("note: {program} is not installed here; its export was checked by the Rust parsers only");
        return None;
    }
    let file = std::env::temp_dir().join(format!("tenantry-export-{}-{program}", std::process::id()));
    std::fs::write(&file, text).expect("write");
    let out = std::process::Command::new(program).args(args).arg(&file).output().expect("run");
    let _ = std::fs::remove_file(&file);
    Some((out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned()))
}

#[test]
fn every_export_reads_back_as_the_same_ranges_and_ports() {
    let regions = allow_list();
    let expected: BTreeSet<String> = regions.values().flatten().map(|n| n.to_string()).collect();
    assert_eq!(expected.len(), 10);
    let list = AllowList { regions: &regions, ports: &[443, 587] };

    let plain: BTreeSet<String> = list
        .render(Format::Plain)
        .lines()
        .map(|l| l.parse::<Ipv4Net>().expect("a CIDR per line").to_string())
        .collect();
    assert_eq!(plain, expected);

    let csv = list.render(Format::Csv);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("region,cidr"));
    let rows: BTreeSet<String> = lines
        .map(|l| {
            let (region, cidr) = l.split_once(',').expect("two columns");
            assert!(region == "us" || region == "eu", "{l}");
            cidr.parse::<Ipv4Net>().expect("cidr").to_string()
        })
        .collect();
    assert_eq!(rows, expected);

    let aws: serde_json::Value = serde_json::from_str(&list.render(Format::Aws)).expect("AWS JSON");
    let perms = aws["IpPermissions"].as_array().expect("IpPermissions");
    assert_eq!(perms.iter().map(|p| p["FromPort"].as_u64().unwrap_or(0)).collect::<Vec<_>>(), [443, 587]);
    for p in perms {
        assert_eq!(p["IpProtocol"], "tcp");
        let got: BTreeSet<String> = p["IpRanges"]
            .as_array()
            .expect("IpRanges")
            .iter()
            .map(|r| r["CidrIp"].as_str().unwrap_or("").into())
            .collect();
        assert_eq!(got, expected);
    }
    let azure: serde_json::Value = serde_json::from_str(&list.render(Format::Azure)).expect("Azure JSON");
    let props = &azure["properties"];
    assert_eq!((props["access"].as_str(), props["direction"].as_str()), (Some("Allow"), Some("Inbound")));
    let got: BTreeSet<String> = serde_json::from_value(props["sourceAddressPrefixes"].clone()).expect("prefixes");
    assert_eq!(got, expected);
    assert_eq!(props["destinationPortRanges"], serde_json::json!(["443", "587"]));
    let gcp: serde_json::Value = serde_json::from_str(&list.render(Format::Gcp)).expect("GCP JSON");
    assert_eq!(gcp["direction"], "INGRESS");
    let got: BTreeSet<String> = serde_json::from_value(gcp["sourceRanges"].clone()).expect("sourceRanges");
    assert_eq!(got, expected);
    assert_eq!(gcp["allowed"][0]["ports"], serde_json::json!(["443", "587"]));

    let nft = list.render(Format::Nftables);
    for cidr in &expected {
        assert!(nft.contains(cidr.as_str()), "{cidr} in the nftables set");
    }
    if let Some((ok, err)) = check_with("nft", &["-c", "-f"], &nft) {
        assert!(ok, "nft -c refused the set: {err}\n{nft}");
    }
    let ipt = list.render(Format::Iptables);
    assert_eq!(ipt.lines().filter(|l| l.starts_with("-A AUTH0-OUTBOUND -s ")).count(), expected.len());
    if let Some((ok, err)) = check_with("iptables-restore", &["--test"], &ipt) {
        assert!(ok, "iptables-restore --test refused the rules: {err}\n{ipt}");
    }
    // The checkers do refuse a broken file, so a pass above means something.
    if let Some((ok, _)) = check_with("nft", &["-c", "-f"], &nft.replace("192.0.2.16/32", "192.0.2.16/33")) {
        assert!(!ok, "nft accepts a /33");
    }
    // An empty allow-list is still a valid file.
    let none = BTreeMap::new();
    let empty = AllowList { regions: &none, ports: &[443] };
    if let Some((ok, err)) = check_with("nft", &["-c", "-f"], &empty.render(Format::Nftables)) {
        assert!(ok, "an empty set: {err}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn the_page_and_the_download_show_the_email_verdicts_and_the_allow_list(pool: PgPool) {
    let prod = insert_tenant(&pool, "acme-prod", Region::Us, Environment::Production).await;
    insert_tenant(&pool, "acme-dev", Region::Us, Environment::Development).await;
    sqlx::query("INSERT INTO tenants_snapshots (tenant_id, taken_at, hash, data) VALUES ($1, now(), 'h', $2)")
        .bind(prod)
        .bind(serde_json::json!({"settings": {}, "email_provider": null}))
        .execute(&pool)
        .await
        .expect("snapshot");
    let app = TestApp::spawn(pool.clone()).await;
    let helpdesk = app.signed_in(Role::Helpdesk).await;

    let before = helpdesk.get("/infra/allow-list?format=plain").await;
    assert_eq!(before.status(), 404, "no list read yet");
    assert!(before.text().await.expect("body").contains("has not been read yet"));

    let (_sim, url) = sim_with_list(1).await;
    service::poll(&pool, &fetcher(), &url, Utc::now()).await.expect("poll");

    let page = helpdesk.page("/infra").await;
    assert_eq!(page.status, 200);
    let text = text_of(&page.html);
    assert!(text.contains("Auth0's built-in provider"), "{text}");
    assert!(page.html.contains(r#"data-verdict="required""#), "production on the built-in provider is required");
    assert!(text.contains("10 emails a minute"));
    assert!(text.contains("No snapshot yet"), "the dev tenant has none: {text}");
    assert!(text.contains("Allow-list for your regions (US)"), "{text}");
    assert!(text.contains("192.0.2.15/32"));
    assert!(!page.html.contains("Read the list now"), "helpdesk reads, ops leads read the list now");

    let csv = helpdesk.get("/infra/allow-list?format=csv&regions=eu,au&ports=443").await;
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-disposition"].to_str().expect("header").contains("auth0-outbound.csv"),
        "a download"
    );
    let body = csv.text().await.expect("body");
    assert!(
        body.starts_with("region,cidr\n") && body.contains("au,203.0.113.30/32") && !body.contains("us,"),
        "{body}"
    );
    let bad = helpdesk.get("/infra/allow-list?format=excel").await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.expect("body").contains("is not one of plain, csv"));
    let ports = helpdesk.get("/infra/allow-list?format=iptables&ports=99999").await;
    assert_eq!(ports.status(), 400);

    let anonymous = app.browser().get("/infra/allow-list?format=plain").await;
    assert_eq!(anonymous.status(), 303, "a signed-out download goes to the sign-in page");

    let lead = app.signed_in(Role::OpsLead).await;
    assert!(lead.page("/infra").await.html.contains("Read the list now"));
}
