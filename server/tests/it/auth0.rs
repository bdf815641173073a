//! The Auth0 client against recorded real bodies and against the simulator.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use server::auth0::types::{
    CustomDomain, CustomDomainList, DailyStats, DefaultDomain, EmailProvider, LogEvent, LogStream, ManagementError,
    TenantSettings, TokenResponse,
};
use server::auth0::{Auth0Client, Auth0Error, TenantEndpoint};
use server::simulator::{Faults, Limit, SimTenant, Simulator, TestUser, UserState};

fn check<T: DeserializeOwned>(path: &PathBuf) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    serde_json::from_str::<T>(&text).map(|_| ()).map_err(|e| e.to_string())
}

/// Parses one recorded body with the client type its endpoint answers with.
fn parses(path: &PathBuf) -> Result<(), String> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let endpoint = name.trim_start_matches("go-auth0_");
    match endpoint {
        n if n.contains("_404") => check::<ManagementError>(path),
        n if n.starts_with("custom-domains_default") => check::<DefaultDomain>(path),
        n if n.starts_with("custom-domains_list") => check::<CustomDomainList>(path),
        n if n.starts_with("custom-domains_") => check::<CustomDomain>(path),
        n if n.starts_with("emails-provider_GET") => check::<EmailProvider>(path),
        n if n.starts_with("log-streams_list") => check::<Vec<LogStream>>(path),
        n if n.starts_with("log-streams_single") => check::<LogStream>(path),
        n if n.starts_with("logs_single") => check::<LogEvent>(path),
        n if n.starts_with("logs_GET") => check::<Vec<LogEvent>>(path),
        n if n.starts_with("oauth-token") => check::<TokenResponse>(path),
        n if n.starts_with("stats_active-users") => check::<u64>(path),
        n if n.starts_with("stats_daily") => check::<Vec<DailyStats>>(path),
        n if n.starts_with("tenants-settings") => check::<TenantSettings>(path),
        other => Err(format!("no client type is mapped for {other}: add one here")),
    }
}

#[test]
fn every_recorded_auth0_body_parses_through_the_client_types() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/auth0");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures folder") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        if let Err(e) = parses(&path) {
            panic!("{}: {e}", path.display());
        }
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} fixtures found");
}

/// The recordings the project keeps (`server/fixtures`) are the shared ones, byte for byte: a recording added or
/// changed in `../shared/fixtures` fails here until it is copied in (and so is checked above). A checkout without
/// the shared folder tests the project's copy alone, and says so.
#[test]
fn the_projects_recordings_are_the_shared_recordings() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = manifest.join("../../shared/fixtures");
    if !shared.is_dir() {
        eprintln!("note: {} is not here; the project's copy in server/fixtures was tested alone", shared.display());
        return;
    }
    let mut compared = 0;
    for area in ["auth0", "status"] {
        for entry in std::fs::read_dir(shared.join(area)).expect("shared fixtures") {
            let path = entry.expect("entry").path();
            let name = path.file_name().expect("name");
            let copy = manifest.join("fixtures").join(area).join(name);
            let ours = std::fs::read(&copy)
                .unwrap_or_else(|e| panic!("{}: {e}; copy it from {}", copy.display(), path.display()));
            assert!(
                ours == std::fs::read(&path).expect("shared file"),
                "{} differs from {}",
                copy.display(),
                path.display()
            );
            compared += 1;
        }
    }
    assert!(compared >= 50, "only {compared} shared recordings found");
}

/// A recorded body read through its client type.
fn recorded<T: DeserializeOwned>(name: &str) -> T {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/auth0").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn the_client_types_read_the_values_auth0_recorded() {
    let settings: TenantSettings = recorded("go-auth0_tenants-settings_GET.json");
    assert_eq!(settings.friendly_name.as_deref(), Some("My Example Tenant"));
    assert_eq!(settings.support_email.as_deref(), Some("support@example.com"));
    assert_eq!(settings.support_url.as_deref(), Some("https://support.example.com"));
    assert_eq!(settings.default_directory, None);

    let domains: CustomDomainList = recorded("go-auth0_custom-domains_list_GET.json");
    let first = domains.domains().first().expect("a custom domain");
    assert_eq!(first.custom_domain_id, "cd_10ZCCFSyo8ZzBWZs");
    assert_eq!(first.domain, "1773751519560750000.tempdomain.com");
    assert_eq!((first.status.as_str(), first.kind.as_str()), ("pending_verification", "auth0_managed_certs"));
    assert!(!first.primary);

    let provider: EmailProvider = recorded("go-auth0_emails-provider_GET.json");
    assert_eq!(provider.name, "smtp");
    assert_eq!(provider.enabled, Some(true));
    assert_eq!(provider.default_from_address.as_deref(), Some("no-reply@example.com"));
    let kept = serde_json::to_string(&provider).expect("serialises");
    assert!(!kept.contains("smtp_user") && !kept.contains("credentials"), "credentials are not kept: {kept}");

    let streams: Vec<LogStream> = recorded("go-auth0_log-streams_list_GET.json");
    assert_eq!(
        (streams[0].id.as_str(), streams[0].kind.as_str(), streams[0].status.as_str()),
        ("lst_0000000000012795", "datadog", "active")
    );
    let kept = serde_json::to_string(&streams[0]).expect("serialises");
    assert!(!kept.contains("datadogApiKey") && !kept.contains("sink"), "the sink is not kept: {kept}");

    let event: LogEvent = recorded("go-auth0_logs_single_GET_sapi.json");
    assert_eq!(event.log_id, "90020231110110819308230000000000000001223372060221940944");
    assert_eq!((event.date.as_str(), event.kind.as_str()), ("2023-11-10T11:08:19.262Z", "sapi"));
    assert_eq!(event.description.as_deref(), Some("Delete organization"));

    let token: TokenResponse = recorded("go-auth0_oauth-token_client_credentials_POST.json");
    assert_eq!((token.expires_in, token.token_type.as_str()), (86400, "Bearer"));
    let active: u64 = recorded("go-auth0_stats_active-users_GET.json");
    assert_eq!(active, 1);
}

const DOMAIN: &str = "acme-prod.us.auth0.test";

async fn simulator_with(change: impl FnOnce(&mut SimTenant)) -> (Simulator, TenantEndpoint) {
    let sim = Simulator::start(0).await.expect("simulator starts");
    let mut tenant = SimTenant::new(DOMAIN, "client-1", "secret-1");
    change(&mut tenant);
    sim.add_tenant(tenant);
    let endpoint = TenantEndpoint {
        domain: DOMAIN.into(),
        base_url: Some(sim.base_url()),
        client_id: "client-1".into(),
        client_secret: "secret-1".into(),
    };
    (sim, endpoint)
}

fn client(timeout: Duration) -> Auth0Client {
    server::init_crypto();
    Auth0Client::new(timeout, server::outbound::Policy::ANY_ADDRESS).expect("client")
}

#[tokio::test]
async fn the_client_reads_every_endpoint_from_the_simulator_with_one_cached_token() {
    use server::simulator::fixtures;
    let json = |text: &str| serde_json::from_str::<serde_json::Value>(text).expect("recording is JSON");
    let sim = Simulator::start(0).await.expect("simulator starts");
    let mut tenant = SimTenant::recorded(DOMAIN, "client-1", "secret-1");
    tenant.custom_domains = json(CUSTOM_DOMAINS).as_array().expect("a list").clone();
    tenant.log_streams = json(fixtures::LOG_STREAMS).as_array().expect("a list").clone();
    sim.add_tenant(tenant);
    let t = TenantEndpoint {
        domain: DOMAIN.into(),
        base_url: Some(sim.base_url()),
        client_id: "client-1".into(),
        client_secret: "secret-1".into(),
    };
    let c = client(Duration::from_secs(5));
    // The simulator serves the recordings as Auth0 sent them, and the client reads the recorded values.
    let settings = c.tenant_settings(&t).await.expect("settings");
    assert_eq!(settings.raw, json(fixtures::TENANT_SETTINGS), "the raw JSON is kept whole for snapshots");
    assert_eq!(settings.value.friendly_name.as_deref(), Some("My Example Tenant"));
    assert_eq!(settings.value.support_email.as_deref(), Some("support@example.com"));
    let domains = c.custom_domains(&t).await.expect("domains");
    assert_eq!(domains.raw, json(CUSTOM_DOMAINS));
    assert_eq!(domains.value.domains()[0].domain, "1773751519560750000.tempdomain.com");
    assert_eq!(domains.value.domains()[0].status, "pending_verification");
    assert_eq!(c.email_provider(&t).await.expect("no provider is not an error").map(|p| p.value.name), None);
    sim.update(DOMAIN, |t| t.email_provider = serde_json::from_str(fixtures::EMAIL_PROVIDER).ok());
    let provider = c.email_provider(&t).await.expect("provider").expect("a provider");
    assert_eq!(provider.value.name, "smtp");
    assert_eq!(provider.value.default_from_address.as_deref(), Some("no-reply@example.com"));
    let streams = c.log_streams(&t).await.expect("streams");
    assert_eq!(streams.raw, json(fixtures::LOG_STREAMS));
    assert_eq!((streams.value[0].kind.as_str(), streams.value[0].status.as_str()), ("datadog", "active"));
    assert!(!c.daily_stats(&t, "20260101", "20261129").await.expect("stats").value.is_empty());
    assert_eq!(c.active_users(&t).await.expect("active users").value, 1);
    // 1 token + 7 Management API calls: the token was fetched once and reused.
    assert_eq!(sim.requests(), 8);
}

const CUSTOM_DOMAINS: &str = include_str!("../../fixtures/auth0/go-auth0_custom-domains_list_GET.json");

#[tokio::test]
async fn failures_are_classified_for_people() {
    let (sim, t) = simulator_with(|t| t.scopes.retain(|s| s != "read:log_streams")).await;
    let c = client(Duration::from_millis(800));
    assert_eq!(
        c.log_streams(&t).await.expect_err("fails"),
        Auth0Error::MissingScope { scope: "read:log_streams".into() }
    );
    let wrong = TenantEndpoint { client_secret: "nope".into(), ..t.clone() };
    assert!(matches!(c.tenant_settings(&wrong).await.expect_err("fails"), Auth0Error::BadCredentials(_)));

    sim.update(DOMAIN, |t| t.faults = Faults { server_error: true, ..Faults::default() });
    assert_eq!(c.tenant_settings(&t).await.expect_err("fails"), Auth0Error::Auth0 { status: 503 });
    sim.update(DOMAIN, |t| t.faults = Faults { malformed_json: true, ..Faults::default() });
    let malformed = c.custom_domains(&t).await.expect_err("fails");
    assert!(matches!(malformed, Auth0Error::Unexpected(ref m) if m.contains("not JSON")), "{malformed:?}");
    sim.update(DOMAIN, |t| t.faults = Faults { hang: true, ..Faults::default() });
    let started = Instant::now();
    assert_eq!(c.active_users(&t).await.expect_err("fails"), Auth0Error::Timeout);
    assert!(started.elapsed() < Duration::from_secs(3));
    sim.update(DOMAIN, |t| t.faults = Faults { storm_429: true, ..Faults::default() });
    assert_eq!(c.active_users(&t).await.expect_err("fails"), Auth0Error::RateLimited);

    let nowhere = TenantEndpoint { base_url: Some("http://127.0.0.1:1".into()), ..t.clone() };
    assert!(matches!(
        client(Duration::from_secs(2)).tenant_settings(&nowhere).await.expect_err("nothing listens there"),
        Auth0Error::Unreachable(_)
    ));
}

async fn burst(limit: Limit, calls: usize) -> (Simulator, usize) {
    let (sim, t) = simulator_with(|t| t.management_limit = limit).await;
    let c = std::sync::Arc::new(client(Duration::from_secs(10)));
    let mut tasks = Vec::new();
    for _ in 0..calls {
        let (c, t) = (c.clone(), t.clone());
        tasks.push(tokio::spawn(async move { c.tenant_settings(&t).await.is_ok() }));
    }
    let mut ok = 0;
    for task in tasks {
        ok += usize::from(task.await.expect("task"));
    }
    (sim, ok)
}

#[tokio::test]
async fn thirty_concurrent_reads_stay_inside_a_10_per_second_limit() {
    let (sim, ok) = burst(Limit { burst: 10, per_second: 10.0 }, 30).await;
    assert_eq!(ok, 30, "every read completes");
    assert_eq!(sim.over_limit(), 0, "no request was sent over the limit");
}

#[tokio::test]
async fn a_free_tenant_at_2_per_second_is_only_slower() {
    let (sim, ok) = burst(Limit { burst: 2, per_second: 2.0 }, 8).await;
    assert_eq!(ok, 8);
    assert_eq!(sim.over_limit(), 0);
}

#[tokio::test]
async fn checkpoint_paging_walks_the_logs_in_order() {
    let (sim, t) = simulator_with(|_| {}).await;
    sim.append_logs(DOMAIN, 250, "s");
    let c = client(Duration::from_secs(5));
    let mut from = "0".to_string();
    let mut pages = Vec::new();
    loop {
        let page = c.logs_after(&t, &from, 100).await.expect("page").value;
        if page.is_empty() {
            break;
        }
        from = page.last().expect("last").log_id.clone();
        pages.push(page.len());
    }
    assert_eq!(pages, [100, 100, 50]);
}

#[tokio::test]
async fn the_simulator_answers_password_logins_with_auth0s_errors() {
    let (sim, _) = simulator_with(|t| {
        t.users.push(TestUser {
            username: "probe@acme.test".into(),
            password: "right".into(),
            state: UserState::Active,
        });
    })
    .await;
    let http = reqwest::Client::new();
    let login = |password: &'static str| {
        http.post(format!("{}/oauth/token", sim.base_url()))
            .header("host", DOMAIN)
            .form(&[
                ("grant_type", "password"),
                ("username", "probe@acme.test"),
                ("password", password),
                ("client_id", "client-1"),
                ("client_secret", "secret-1"),
            ])
            .send()
    };
    let body =
        |r: reqwest::Response| async move { (r.status().as_u16(), r.json::<serde_json::Value>().await.expect("json")) };
    let (status, ok) = body(login("right").await.expect("answer")).await;
    assert_eq!((status, ok["token_type"].as_str()), (200, Some("Bearer")));
    let (status, wrong) = body(login("wrong").await.expect("answer")).await;
    assert_eq!((status, wrong["error"].as_str()), (403, Some("invalid_grant")));
    sim.update(DOMAIN, |t| t.users[0].state = UserState::Blocked);
    let (status, blocked) = body(login("right").await.expect("answer")).await;
    assert_eq!((status, blocked["error"].as_str()), (429, Some("too_many_attempts")));
    sim.update(DOMAIN, |t| t.password_grant = false);
    let (status, grant) = body(login("right").await.expect("answer")).await;
    assert_eq!((status, grant["error"].as_str()), (403, Some("unauthorized_client")));
    sim.update(DOMAIN, |t| {
        t.password_grant = true;
        t.default_directory = None;
        t.users[0].state = UserState::Active;
    });
    let (status, no_default) = body(login("right").await.expect("answer")).await;
    assert_eq!((status, no_default["error"].as_str()), (500, Some("server_error")));

    let testall = http.get(format!("{}/testall", sim.base_url())).header("host", DOMAIN).send().await.expect("answer");
    assert_eq!(testall.headers()["content-type"], "text/plain");
    assert_eq!(testall.text().await.expect("body"), "OK");
    let limited = http
        .get(format!("{}/api/v2/tenants/settings", sim.base_url()))
        .header("host", DOMAIN)
        .send()
        .await
        .expect("answer");
    assert_eq!(limited.status(), 401);
    for name in ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"] {
        assert!(limited.headers().contains_key(name), "{name} on every answer");
    }
}
