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
    let (_sim, url) = sim_with_list(1).await;
    let dns = std::sync::Arc::new(
        server::domains::dns::DnsChecker::new(&server::domains::dns::DnsSettings::default()).expect("resolver"),
    );
    let infra = server::infra::InfraOptions::new(&url, std::time::Duration::from_secs(3600), true, dns).expect("infra");
    let app = TestApp::spawn_with(pool.clone(), server::http::RouterOptions { infra, ..Default::default() }).await;
    let helpdesk = app.signed_in(Role::Helpdesk).await;

    let before = helpdesk.get("/infra/allow-list?format=plain").await;
    assert_eq!(before.status(), 404, "no list read yet");
    assert!(before.text().await.expect("body").contains("has not been read yet"));

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
    // Reading it now (a form post, JavaScript off) says what the read brought.
    let read = lead.post_form_on("/infra", "/api/infra/read-now", &[]).await;
    assert_eq!(read.headers()["location"], "/infra?read=unchanged", "{}", read.status());
    let page = lead.page("/infra?read=unchanged").await;
    assert!(text_of(&page.html).contains("Auth0's IP list was read: unchanged since the last version."));
}

async fn snapshot(pool: &PgPool, tenant: uuid::Uuid, provider: serde_json::Value) {
    sqlx::query("INSERT INTO tenants_snapshots (tenant_id, taken_at, hash, data) VALUES ($1, now(), 'h', $2)")
        .bind(tenant)
        .bind(serde_json::json!({"settings": {}, "email_provider": provider}))
        .execute(pool)
        .await
        .expect("snapshot");
}

async fn email_notices(pool: &PgPool) -> Vec<(String, String)> {
    sqlx::query_as("SELECT n.severity, n.title FROM notifications n WHERE n.kind = 'email' ORDER BY n.title")
        .fetch_all(pool)
        .await
        .expect("notices")
}

#[sqlx::test(migrations = "../migrations")]
async fn sender_domains_are_checked_in_a_real_dns_server_and_changes_are_notified(pool: PgPool) {
    use app::infra::EmailVerdict;
    use server::domains::dns::{DnsChecker, DnsSettings};
    use server::simulator::dns_tls::{DnsLab, LabRecord::Txt};
    let lab = DnsLab::start(
        &["acme.example", "beta.example"],
        &[
            Txt("acme.example".into(), "v=spf1 include:sendgrid.net -all".into()),
            Txt("_dmarc.acme.example".into(), "v=DMARC1; p=reject".into()),
            Txt("s1._domainkey.acme.example".into(), "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ".into()),
            Txt("_dmarc.beta.example".into(), "v=DMARC1; p=none".into()),
        ],
    )
    .await
    .expect("lab DNS server");
    let dns =
        DnsChecker::new(&DnsSettings { nameservers: Some(vec![lab.addr]), timeout: std::time::Duration::from_secs(2) })
            .expect("resolver");
    let acme = insert_tenant(&pool, "acme-prod", Region::Us, Environment::Production).await;
    let beta = insert_tenant(&pool, "beta-prod", Region::Eu, Environment::Production).await;
    let builtin = insert_tenant(&pool, "old-prod", Region::Eu, Environment::Production).await;
    snapshot(
        &pool,
        acme,
        serde_json::json!({"name": "sendgrid", "enabled": true, "default_from_address": "login@acme.example"}),
    )
    .await;
    snapshot(
        &pool,
        beta,
        serde_json::json!({"name": "ses", "enabled": true, "default_from_address": "Beta <no-reply@beta.example>"}),
    )
    .await;
    snapshot(&pool, builtin, serde_json::Value::Null).await;

    let now = Utc::now();
    assert_eq!(server::infra::sender::check_all(&pool, &dns, now).await.expect("check"), 2, "two sender domains read");
    let o = service::overview(&pool, None).await.expect("overview");
    let row = |name: &str| o.email.iter().find(|r| r.tenant == name).expect("row").clone();
    let verdicts = |name: &str| row(name).checks.iter().map(|c| (c.record.clone(), c.verdict)).collect::<Vec<_>>();
    assert_eq!(
        verdicts("acme-prod"),
        [("SPF".into(), EmailVerdict::Ok), ("DKIM".into(), EmailVerdict::Ok), ("DMARC".into(), EmailVerdict::Ok)]
    );
    assert_eq!(row("acme-prod").domain.as_deref(), Some("acme.example"));
    assert_eq!(
        verdicts("beta-prod"),
        [
            ("SPF".into(), EmailVerdict::Warning),
            ("DKIM".into(), EmailVerdict::Unknown),
            ("DMARC".into(), EmailVerdict::Warning)
        ]
    );
    assert!(row("beta-prod").checks[1].advice.contains("Set the selectors"), "SES makes its own selectors");
    assert!(row("old-prod").checks.is_empty() && row("old-prod").verdict == EmailVerdict::Required);
    assert_eq!(
        email_notices(&pool).await,
        [
            ("warning".to_string(), "beta-prod: DMARC of beta.example".to_string()),
            ("warning".to_string(), "beta-prod: SPF of beta.example".to_string()),
            ("critical".to_string(), "old-prod: email provider".to_string()),
        ],
        "new problems are told, passing records are not"
    );

    // A minute later nothing is due; six hours later the same answers: nothing new to tell.
    assert_eq!(server::infra::sender::check_all(&pool, &dns, now + Duration::minutes(1)).await.expect("check"), 0);
    assert_eq!(server::infra::sender::check_all(&pool, &dns, now + Duration::hours(6)).await.expect("check"), 2);
    assert_eq!(email_notices(&pool).await.len(), 3);

    // Selectors set for the tenant are what DKIM looks at.
    let mut conn = pool.acquire().await.expect("conn");
    assert!(server::infra::repo::set_selectors(&mut conn, beta, &["mail2026".into()]).await.expect("set"));
    drop(conn);
    server::infra::sender::check_all(&pool, &dns, now + Duration::hours(12)).await.expect("check");
    let dkim = row_of(&pool, "beta-prod").await;
    assert_eq!(dkim.0, EmailVerdict::Warning);
    assert!(dkim.1.contains("mail2026._domainkey.beta.example"), "{}", dkim.1);
    assert_eq!(email_notices(&pool).await.len(), 4, "DKIM went from unknown to a warning");

    // The tenant page shows the provider's verdict and the records.
    let app = TestApp::spawn(pool.clone()).await;
    let developer = app.signed_in(Role::Developer).await;
    let page = developer.page(&format!("/tenants/{builtin}")).await;
    assert!(page.html.contains(r#"data-testid="email-verdict""#) && text_of(&page.html).contains("required"));
    let page = developer.page(&format!("/tenants/{beta}")).await;
    let text = text_of(&page.html);
    assert!(text.contains("Mail records of beta.example") && text.contains("p=none"), "{text}");
}

async fn row_of(pool: &PgPool, tenant: &str) -> (app::infra::EmailVerdict, String) {
    let o = service::overview(pool, None).await.expect("overview");
    let r = o.email.into_iter().find(|r| r.tenant == tenant).expect("row");
    let dkim = r.checks.into_iter().find(|c| c.record == "DKIM").expect("DKIM");
    (dkim.verdict, dkim.advice)
}

#[sqlx::test(migrations = "../migrations")]
async fn the_firewall_guide_names_what_auth0_calls_with_the_region_s_ranges(pool: PgPool) {
    let prod = insert_tenant(&pool, "acme-prod", Region::Us, Environment::Production).await;
    insert_tenant(&pool, "acme-dev", Region::Eu, Environment::Development).await;
    sqlx::query("INSERT INTO tenants_snapshots (tenant_id, taken_at, hash, data) VALUES ($1, now(), 'h', $2)")
        .bind(prod)
        .bind(serde_json::json!({
            "email_provider": {"name": "smtp", "enabled": true, "default_from_address": "id@acme.example",
                               "credentials": {"smtp_host": "mail.acme.example", "smtp_port": 587}},
            "log_streams": [{"name": "SIEM", "type": "http", "status": "active", "sink": {"httpEndpoint": "https://siem.acme.example"}}],
            "connections": [{"name": "legacy", "strategy": "auth0", "custom_database": true, "scripts": ["login"], "calls": ["https://users.acme.example"]}],
            "actions": null,
            "missing_scopes": ["read:actions"]
        }))
        .execute(&pool)
        .await
        .expect("snapshot");
    let (_sim, url) = sim_with_list(2).await;
    service::poll(&pool, &fetcher(), &url, Utc::now()).await.expect("poll");

    let o = service::overview(&pool, None).await.expect("overview");
    let g = o.firewall.iter().find(|f| f.tenant == "acme-prod").expect("guide");
    assert_eq!(g.ranges, Some(6), "the US ranges of version 2");
    let rows: Vec<(&str, &str)> = g.entries.iter().map(|e| (e.target.as_str(), e.ports.as_str())).collect();
    assert_eq!(
        rows,
        [
            ("mail.acme.example", "587"),
            ("https://siem.acme.example", "443"),
            ("https://users.acme.example", "443"),
            ("unknown: needs read:actions", "—")
        ]
    );
    let dev = o.firewall.iter().find(|f| f.tenant == "acme-dev").expect("guide");
    assert!(dev.entries.is_empty() && dev.ranges == Some(4), "{dev:?}");

    let app = TestApp::spawn(pool.clone()).await;
    let page = app.signed_in(Role::Helpdesk).await.page("/infra").await;
    let text = text_of(&page.html);
    assert!(text.contains("acme-prod · 6 range(s) for US"), "{text}");
    assert!(text.contains("SMTP email provider mail.acme.example 587"), "{text}");
    assert!(text.contains("Custom database \"legacy\" (login script) https://users.acme.example 443"), "{text}");
    assert!(text.contains("acme-dev · 4 range(s) for EU Not read yet: Tenantry has no snapshot"), "{text}");
}
