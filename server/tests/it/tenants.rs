//! Tenant snapshots against the simulator: stored only when something changed, changes as field-level history,
//! failures classified with the previous snapshot kept, and polling inside Auth0's rate limits.

use std::sync::Arc;
use std::time::Duration;

use app::tenants::{Environment, Region};
use chrono::{TimeZone, Utc};
use server::auth0::Auth0Client;
use server::secrets::SecretBox;
use server::simulator::{Limit, SimTenant, Simulator};
use server::tenants::jobs::{Polled, SnapshotJob};
use server::tenants::repo::NewTenant;
use sqlx::PgPool;
use uuid::Uuid;

use crate::harness;

const DOMAIN: &str = "acme-prod.us.auth0.com";

async fn setup(pool: &PgPool, secret: &str) -> (Simulator, SnapshotJob, Uuid) {
    server::init_crypto();
    let sim = Simulator::start(0).await.expect("simulator");
    sim.add_tenant(SimTenant::new(DOMAIN, "cid", "right-secret"));
    let secrets = SecretBox::new([3; 32]);
    let new = NewTenant {
        paid_features: true,
        api_base_url: Some(sim.base_url()),
        ..harness::new_tenant("acme-prod", DOMAIN, Region::Us, Environment::Production, "cid", secrets.encrypt(secret))
    };
    let id = harness::register(pool, &new).await;
    let client =
        Arc::new(Auth0Client::new(Duration::from_secs(5), server::outbound::Policy::ANY_ADDRESS).expect("client"));
    (sim, SnapshotJob { pool: pool.clone(), client, secrets }, id)
}

fn at(minutes: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).single().expect("date") + chrono::Duration::minutes(minutes)
}

#[sqlx::test(migrations = "../migrations")]
async fn a_snapshot_is_stored_only_when_something_changed_and_changes_become_history(pool: PgPool) {
    let (sim, job, id) = setup(&pool, "right-secret").await;
    assert!(matches!(job.poll(id, at(0)).await, Ok(Polled::Changed { changes: 0, .. })), "the first snapshot");
    assert!(matches!(job.poll(id, at(15)).await, Ok(Polled::Unchanged)));
    sim.update(DOMAIN, |t| t.settings["support_email"] = "help@acme.example".into());
    assert!(matches!(job.poll(id, at(30)).await, Ok(Polled::Changed { changes: 1, .. })));

    let snapshots: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tenants_snapshots").fetch_one(&pool).await.expect("count");
    assert_eq!(snapshots, 2);
    let change: (String, Option<String>, Option<String>) =
        sqlx::query_as("SELECT field, before, after FROM tenants_changes").fetch_one(&pool).await.expect("change");
    assert_eq!(
        change,
        ("settings.support_email".into(), Some("support@acme-prod.example".into()), Some("help@acme.example".into()))
    );
    let data: serde_json::Value = sqlx::query_scalar("SELECT data FROM tenants_snapshots ORDER BY id DESC LIMIT 1")
        .fetch_one(&pool)
        .await
        .expect("data");
    assert_eq!(data["email_provider"], serde_json::Value::Null, "no provider: Auth0's 404 is a state, not a failure");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_bad_client_secret_is_recorded_as_bad_credentials_and_the_last_snapshot_stays(pool: PgPool) {
    let (_sim, job, id) = setup(&pool, "right-secret").await;
    job.poll(id, at(0)).await.expect("first snapshot");
    // An admin replaces the secret with a wrong one.
    sqlx::query("UPDATE tenants SET client_secret = $1")
        .bind(job.secrets.encrypt("wrong-secret"))
        .execute(&pool)
        .await
        .expect("update");
    let failure = job.poll(id, at(15)).await.expect_err("refused").to_string();
    assert!(failure.starts_with("bad credentials"), "{failure}");
    let (class, success): (Option<String>, Option<chrono::DateTime<Utc>>) =
        sqlx::query_as("SELECT failure_class, last_success_at FROM tenants_polls")
            .fetch_one(&pool)
            .await
            .expect("poll");
    assert_eq!((class.as_deref(), success), (Some("bad_credentials"), Some(at(0))));
    let snapshots: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tenants_snapshots").fetch_one(&pool).await.expect("count");
    assert_eq!(snapshots, 1, "the previous snapshot stays");
}

#[sqlx::test(migrations = "../migrations")]
async fn thirty_concurrent_refreshes_stay_inside_a_10_per_second_limit(pool: PgPool) {
    let (sim, job, id) = setup(&pool, "right-secret").await;
    sim.update(DOMAIN, |t| t.management_limit = Limit { burst: 10, per_second: 10.0 });
    let job = Arc::new(job);
    let mut tasks = Vec::new();
    for i in 0..30 {
        let job = job.clone();
        tasks.push(tokio::spawn(async move { job.poll(id, at(i)).await }));
    }
    for task in tasks {
        task.await.expect("task").expect("every refresh completes");
    }
    assert_eq!(sim.over_limit(), 0, "no request was sent over the limit");
    assert_eq!(
        sim.requests(),
        1 + 30 * 23,
        "one token, 23 reads per refresh (settings, domains, email, streams, connections, Actions, applications, \
         APIs, rules, hooks, factors, three attack protections, prompts, SMS provider, signing keys, five email \
         templates, users)"
    );
}

#[test]
fn tenant_input_errors_name_every_bad_field_at_once() {
    use server::tenants::service::{TenantError, TenantInput, parse};
    let secrets = SecretBox::new([1; 32]);
    let input = TenantInput {
        domain: "https://login.acme.example/".into(),
        environment: "preprod".into(),
        user_domain: String::new(),
        client_id: "has space".into(),
        api_base_url: "ftp://x".into(),
        ..TenantInput::default()
    };
    let Err(TenantError::Invalid(problems)) = parse(&input, &secrets, true) else { panic!("invalid") };
    let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
    assert_eq!(fields, ["domain", "environment", "user_domain", "client_id", "client_secret", "api_base_url"]);

    let good = TenantInput {
        domain: "Acme-Dev.EU.auth0.com".into(),
        environment: "dev".into(),
        user_domain: "Customers".into(),
        client_id: "abc".into(),
        client_secret: "s3cret".into(),
        ..TenantInput::default()
    };
    let (tenant, new_secret) = parse(&good, &secrets, true).expect("valid");
    assert_eq!(
        (tenant.name.as_str(), tenant.region, tenant.environment),
        ("acme-dev", Some(Region::Eu), Environment::Development)
    );
    assert_eq!(tenant.user_domain, "customers");
    assert!(new_secret);
    assert_eq!(secrets.decrypt(&tenant.client_secret).expect("decrypts"), "s3cret");
}

mod pages {
    use std::sync::Arc;
    use std::time::Duration;

    use app::accounts::Role;
    use chrono::Utc;
    use reqwest::StatusCode;
    use server::auth0::Auth0Client;
    use server::http::RouterOptions;
    use server::scheduler::{self, Registry};
    use server::secrets::SecretBox;
    use server::simulator::{SimTenant, Simulator};
    use server::tenants::jobs::SnapshotJob;
    use sqlx::PgPool;

    use crate::harness::{TestApp, text_of};

    const SIM_DOMAIN: &str = "acme-dev.eu.auth0.com";

    #[sqlx::test(migrations = "../migrations")]
    async fn a_developer_adds_a_tenant_sees_its_snapshot_and_the_diff_after_a_change(pool: PgPool) {
        let sim = Simulator::start(0).await.expect("simulator");
        sim.add_tenant(SimTenant::new(SIM_DOMAIN, "dev-client", "dev-secret"));
        let key = [9; 32];
        let options = RouterOptions { secrets: SecretBox::new(key), ..RouterOptions::default() };
        let app = TestApp::spawn_with(pool, options).await;
        server::init_crypto();
        let client =
            Arc::new(Auth0Client::new(Duration::from_secs(5), server::outbound::Policy::ANY_ADDRESS).expect("client"));
        let job = SnapshotJob { pool: app.pool.clone(), client, secrets: SecretBox::new(key) };
        let worker = Registry::default().with(Arc::new(job));
        let poll_due = || scheduler::run_due(&app.pool, &worker, "test-worker", Utc::now(), 10);
        // Adding a tenant also asks for the status sync (its Auth0 feed); only the snapshot job counts here.
        let snapshots_run = || async {
            poll_due().await.expect("poll");
            sqlx::query_scalar::<_, i64>("SELECT runs FROM scheduler_jobs WHERE kind = 'tenants.snapshot'")
                .fetch_one(&app.pool)
                .await
                .expect("runs")
        };

        let dev = app.signed_in(Role::Developer).await;
        let base = sim.base_url();
        let form = [
            ("domain", SIM_DOMAIN),
            ("name", ""),
            ("region", ""),
            ("environment", "development"),
            ("user_domain", "customers"),
            ("association", "associated"),
            ("account_name", "Acme"),
            ("client_id", "dev-client"),
            ("client_secret", "dev-secret"),
            ("api_base_url", base.as_str()),
            ("notes", ""),
        ];
        let added = dev.post_form_on("/tenants/new", "/api/tenants/add", &form).await;
        let location = added.headers()["location"].to_str().expect("ascii").to_string();
        assert!(location.starts_with("/tenants/"), "to the tenant's page: {location}");
        let id = location.trim_start_matches("/tenants/").to_string();
        let stored: Vec<u8> =
            sqlx::query_scalar("SELECT client_secret FROM tenants").fetch_one(&app.pool).await.expect("row");
        assert!(!String::from_utf8_lossy(&stored).contains("dev-secret"), "encrypted at rest");
        let text = text_of(&dev.page(&location).await.html);
        assert!(text.contains("acme-dev") && text.contains("EU") && text.contains("No snapshot yet"), "{text}");

        assert_eq!(snapshots_run().await, 1, "the new tenant is due at once");
        let text = text_of(&dev.page(&location).await.html);
        assert!(text.contains("support_email support@acme-dev.example"), "{text}");
        assert!(!text.contains("dev-secret"), "the secret is never shown");

        sim.update(SIM_DOMAIN, |t| t.settings["support_email"] = "help@acme.example".into());
        let refreshed = dev.post_form_on(&location, "/api/tenants/refresh", &[("id", id.as_str())]).await;
        assert_eq!(refreshed.status(), StatusCode::FOUND);
        assert_eq!(snapshots_run().await, 2, "Refresh now makes the job due");
        let text = text_of(&dev.page(&location).await.html);
        assert!(text.contains("settings.support_email support@acme-dev.example help@acme.example"), "{text}");

        let inventory = text_of(&dev.page("/tenants").await.html);
        assert!(
            inventory.contains("customers") && inventory.contains("acme-dev") && inventory.contains("no custom domain"),
            "{inventory}"
        );
        let filtered = text_of(&dev.page("/tenants?environment=production").await.html);
        assert!(filtered.contains("No tenant matches these filters"), "{filtered}");
        let dev_cannot_edit = dev.get(&format!("{location}/edit")).await;
        assert_eq!(dev_cannot_edit.status(), StatusCode::FORBIDDEN, "replacing credentials is for admins");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn bad_tenant_input_comes_back_as_a_message_naming_the_field(pool: PgPool) {
        let app = TestApp::spawn(pool).await;
        let dev = app.signed_in(Role::Developer).await;
        let form = [
            ("domain", "https://login.acme.example"),
            ("environment", "development"),
            ("user_domain", "customers"),
            ("association", "unknown"),
            ("client_id", "x"),
            ("client_secret", ""),
            ("name", ""),
            ("region", ""),
            ("account_name", ""),
            ("api_base_url", ""),
            ("notes", ""),
        ];
        let response = dev.post_form_on("/tenants/new", "/api/tenants/add", &form).await;
        let location = response.headers()["location"].to_str().expect("ascii").to_string();
        let text = text_of(&dev.page(location.trim_start_matches(&app.origin())).await.html);
        assert!(text.contains("domain: give the host name only"), "{text}");
        assert!(text.contains("client_secret: the application's client secret is needed"), "{text}");
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants").fetch_one(&app.pool).await.expect("count");
        assert_eq!(count, 0);
    }
}

mod demo_company {
    use std::sync::Arc;
    use std::time::Duration;

    use app::accounts::Role;
    use chrono::Utc;
    use server::auth0::Auth0Client;
    use server::http::RouterOptions;
    use server::scheduler::{self, Registry};
    use server::secrets::SecretBox;
    use server::tenants::jobs::SnapshotJob;
    use sqlx::PgPool;

    use crate::harness::{TestApp, text_of};

    #[sqlx::test(migrations = "../migrations")]
    async fn the_demo_company_shows_every_finding_drift_and_error_state_on_first_run(pool: PgPool) {
        let key = [4; 32];
        let _sim = server::demo::company(&pool, &SecretBox::new(key), Duration::from_secs(900)).await.expect("demo");
        server::init_crypto();
        let client =
            Arc::new(Auth0Client::new(Duration::from_secs(5), server::outbound::Policy::ANY_ADDRESS).expect("client"));
        let job = SnapshotJob { pool: pool.clone(), client, secrets: SecretBox::new(key) };
        let polled = scheduler::run_due(&pool, &Registry::default().with(Arc::new(job)), "t", Utc::now(), 10).await;
        assert_eq!(
            polled.expect("poll"),
            8,
            "five snapshots and the status, domains and checklists syncs the new tenants asked for"
        );
        let app =
            TestApp::spawn_with(pool, RouterOptions { secrets: SecretBox::new(key), ..RouterOptions::default() }).await;
        let dev = app.signed_in(Role::Developer).await;

        let inventory = text_of(&dev.page("/tenants").await.html);
        for expected in [
            "employees: production has no development or QA/UAT tenant",
            "1 tenant(s) not known to be associated with the company account",
            "1 production tenant(s) without a custom domain",
            "bad credentials",
            "login.acme.example (ready)",
            "email: sendgrid",
        ] {
            assert!(inventory.contains(expected), "{expected:?} in {inventory}");
        }

        let drift = dev.page("/tenants/drift?user_domain=customers").await.html;
        let text = text_of(&drift);
        assert!(text.contains("acme-qa QA · not read yet"), "{text}");
        // Settings (4), and acme-prod's Google and custom-database connections field by field (7); acme-sandbox1
        // lacks read:connections and is left out of the connections' comparison.
        assert!(text.contains("11 field(s) differ unexpectedly across 4 tenant(s)"), "{text}");
        let row = drift.find("settings.idle_session_lifetime").map(|i| &drift[i.saturating_sub(80)..i + 40]);
        assert!(drift.contains(r#"<tr data-field="settings.idle_session_lifetime" class="differs">"#), "{row:?}");
        assert!(drift.contains(r#"<tr data-field="settings.friendly_name" class="expected">"#), "{text}");
        assert!(!drift.contains(r#"data-field="settings.enabled_locales""#), "equal fields are hidden by default");
        // Applications and connections are compared by name: acme-prod's custom database exists only there.
        assert!(drift.contains(r#"<tr data-field="connections[legacy-users].strategy" class="differs">"#), "{text}");
        let all = dev.page("/tenants/drift?user_domain=customers&all=1").await.html;
        assert!(all.contains(r#"<tr data-field="settings.enabled_locales" class="same">"#));
    }
}

mod inventory_file {
    use std::collections::HashMap;
    use std::time::Duration;

    use server::secrets::SecretBox;
    use server::tenants::file::{InventoryFile, export, import};
    use sqlx::PgPool;

    const FILE: &str = r#"
[[tenant]]
name = "acme-dev"
domain = "acme-dev.us.auth0.com"
environment = "development"
user_domain = "customers"
client_id = "dev-id"
client_secret_env = "TENANTRY_IMPORT_ACME_DEV_CLIENT_SECRET"

[[tenant]]
name = "acme-prod"
domain = "acme-prod.eu.auth0.com"
environment = "production"
user_domain = "customers"
association = "associated"
paid_features = true
client_id = "prod-id"
client_secret_env = "TENANTRY_IMPORT_ACME_PROD_CLIENT_SECRET"
notes = "the big one"
"#;

    #[sqlx::test(migrations = "../migrations")]
    async fn import_is_idempotent_reports_changes_and_export_keeps_secrets_out(pool: PgPool) {
        let secrets = SecretBox::new([5; 32]);
        let mut env: HashMap<&str, &str> = HashMap::from([
            ("TENANTRY_IMPORT_ACME_DEV_CLIENT_SECRET", "dev-s3cret"),
            ("TENANTRY_IMPORT_ACME_PROD_CLIENT_SECRET", "prod-s3cret"),
        ]);
        let interval = Duration::from_secs(900);
        let run = |text: String, env: HashMap<&'static str, &'static str>| {
            let (pool, secrets) = (pool.clone(), secrets.clone());
            async move { import(&pool, &secrets, &text, |k| env.get(k).map(|v| v.to_string()), interval).await }
        };
        let first = run(FILE.into(), env.clone()).await.expect("imported");
        assert_eq!(first.to_string(), "added     acme-dev\nadded     acme-prod\n2 added, 0 updated, 0 unchanged");
        let again = run(FILE.into(), env.clone()).await.expect("imported");
        assert_eq!(again.to_string(), "0 added, 0 updated, 2 unchanged");

        env.insert("TENANTRY_IMPORT_ACME_PROD_CLIENT_SECRET", "rotated");
        let changed = FILE.replace("the big one", "the biggest one");
        let third = run(changed.clone(), env.clone()).await.expect("imported");
        assert_eq!(third.to_string(), "updated   acme-prod (notes, client_secret)\n0 added, 1 updated, 1 unchanged");

        let exported = export(&pool).await.expect("export");
        for secret in ["dev-s3cret", "rotated", "prod-s3cret"] {
            assert!(!exported.contains(secret), "no secret in the file");
        }
        let parsed: InventoryFile = toml::from_str(&exported).expect("the export is a valid inventory");
        assert_eq!(parsed.tenants.len(), 2);
        assert_eq!(parsed.tenants[1].client_secret_env, "TENANTRY_IMPORT_ACME_PROD_CLIENT_SECRET");
        assert_eq!(parsed.tenants[1].region.as_deref(), Some("eu"));
        let round_trip = run(exported, env.clone()).await.expect("imported");
        assert_eq!(round_trip.to_string(), "0 added, 0 updated, 2 unchanged", "export then import changes nothing");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_bad_entry_changes_nothing_and_says_what_to_fix(pool: PgPool) {
        let secrets = SecretBox::new([5; 32]);
        let bad = FILE.replace("domain = \"acme-prod.eu.auth0.com\"", "domain = \"https://login.acme.example\"");
        let only_dev = |k: &str| (k == "TENANTRY_IMPORT_ACME_DEV_CLIENT_SECRET").then(|| "x".to_string());
        let error = import(&pool, &secrets, &bad, only_dev, Duration::from_secs(900)).await.expect_err("refused");
        let message = error.to_string();
        assert!(message.starts_with("nothing was imported:"), "{message}");
        assert!(
            message.contains("tenant 2 (acme-prod): set TENANTRY_IMPORT_ACME_PROD_CLIENT_SECRET to its client secret"),
            "{message}"
        );
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants").fetch_one(&pool).await.expect("count");
        assert_eq!(count, 0);

        let all = |_: &str| Some("x".to_string());
        let error = import(&pool, &secrets, &bad, all, Duration::from_secs(900)).await.expect_err("refused");
        assert!(error.to_string().contains("tenant 2 (acme-prod): domain: give the host name only"), "{error}");
        let typo = import(&pool, &secrets, "[[tenant]]\nnmae = \"x\"\n", all, Duration::from_secs(900)).await;
        assert!(typo.expect_err("refused").to_string().starts_with("the file is not a Tenantry inventory"));
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_snapshot_keeps_no_secret_of_the_email_provider_or_the_log_streams(pool: PgPool) {
    let (sim, job, id) = setup(&pool, "right-secret").await;
    // The recorded answers as Auth0 gives them: the provider with its SMTP credentials, a stream with its sink.
    let recorded = |name: &str| -> serde_json::Value {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/auth0").join(name);
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
    };
    let provider = recorded("go-auth0_emails-provider_GET.json");
    let mut streams = recorded("go-auth0_log-streams_list_GET.json").as_array().cloned().unwrap_or_default();
    streams.push(recorded("go-auth0_log-streams_single_GET_http.json"));
    assert!(provider["credentials"].is_object() && streams[0]["sink"].is_object(), "the recordings carry secrets");
    sim.update(DOMAIN, |t| {
        t.email_provider = Some(provider);
        t.log_streams = streams;
        // A custom database whose configuration holds a key, and an Action reading a secret.
        t.connections.push(SimTenant::database_connection(
            "legacy",
            &[("login", "function login(e, p, cb) { request.post('https://users.acme.example/auth', { key: configuration.API_KEY }) }")],
        ));
        t.actions.push(SimTenant::action("Roles", "post-login", "await fetch(`https://crm.acme.example:8443/r`, { headers: { a: event.secrets.API_TOKEN } })"));
    });
    assert!(matches!(job.poll(id, at(0)).await, Ok(Polled::Changed { .. })));
    let stored: String =
        sqlx::query_scalar("SELECT data::text FROM tenants_snapshots").fetch_one(&pool).await.expect("snapshot");
    for secret in [
        "smtp_user",
        "datadogApiKey",
        "REDACTED",
        "httpAuthorization",
        "Bearer",
        "sim-connection-secret",
        "configuration",
        "API_TOKEN",
        "function login",
    ] {
        assert!(!stored.contains(secret), "{secret} was stored: {stored}");
    }
    // What the firewall guide needs stays: where Auth0 connects to.
    let data: serde_json::Value = serde_json::from_str(&stored).expect("json");
    assert_eq!(
        data["email_provider"]["credentials"],
        serde_json::json!({"smtp_host": "smtp.example.com", "smtp_port": 587})
    );
    assert_eq!(data["log_streams"][1]["sink"], serde_json::json!({"httpEndpoint": "https://example.com"}));
    assert!(data["log_streams"][0].get("sink").is_none(), "a Datadog sink holds only its key: nothing kept");
    let legacy = data["connections"].as_array().expect("connections").iter().find(|c| c["name"] == "legacy").cloned();
    assert_eq!(legacy.expect("legacy")["calls"], serde_json::json!(["https://users.acme.example"]));
    assert_eq!(data["actions"][0]["calls"], serde_json::json!(["https://crm.acme.example:8443"]));
    assert_eq!(data["missing_scopes"], serde_json::json!([]));
    // The applications, APIs and attack protection the readiness checklist reads.
    assert_eq!(data["clients"][0]["name"], "Default App");
    assert_eq!(data["clients"][0]["jwt_alg"], "RS256");
    assert_eq!(data["resource_servers"][0]["signing_alg"], "RS256");
    assert_eq!(data["attack_protection"]["brute_force"]["enabled"], true);
    assert_eq!(data["attack_protection"]["breached_passwords"]["enabled"], false);
    assert_eq!(data["guardian_factors"].as_array().map(Vec::len), Some(8));
    assert_eq!(data["prompts"]["universal_login_experience"], "new");
    assert_eq!((data["rules"].clone(), data["hooks"].clone()), (serde_json::json!([]), serde_json::json!([])));
    assert_eq!(data["sms_provider"], "auth0");
    assert!(data["signing_keys"][0]["expires_at"].is_string(), "the expiry read from the certificate");
    assert_eq!(data["email_templates"][0], serde_json::json!({"template": "verify_email", "customized": false}));
}

#[sqlx::test(migrations = "../migrations")]
async fn without_a_scope_or_past_end_of_life_a_part_is_unknown_and_the_poll_succeeds(pool: PgPool) {
    let (sim, job, id) = setup(&pool, "right-secret").await;
    sim.update(DOMAIN, |t| {
        t.scopes
            .retain(|s| !matches!(s.as_str(), "read:actions" | "read:connections_options" | "read:attack_protection"));
        t.faults.legacy_gone = true;
    });
    assert!(matches!(job.poll(id, at(0)).await, Ok(Polled::Changed { .. })), "not a failed read");
    let data: serde_json::Value =
        sqlx::query_scalar("SELECT data FROM tenants_snapshots").fetch_one(&pool).await.expect("snapshot");
    assert_eq!(data["actions"], serde_json::Value::Null);
    assert_eq!(
        data["missing_scopes"],
        serde_json::json!(["read:actions", "read:attack_protection"]),
        "each scope once"
    );
    assert_eq!(data["attack_protection"]["brute_force"], serde_json::Value::Null);
    assert_eq!(data["rules"], serde_json::Value::Null);
    let gone = data["unavailable"]["rules"].as_str().unwrap_or_default();
    assert!(gone.contains("not found") && gone.contains("feature_unavailable"), "what Auth0 said is kept: {gone}");
    assert!(data["unavailable"]["hooks"].is_string());
    // The tenant page says what was read and what was not, and why.
    let app = crate::harness::TestApp::spawn(pool.clone()).await;
    let page = app.signed_in(app::accounts::Role::Developer).await.page(&format!("/tenants/{id}")).await;
    let text = crate::harness::text_of(&page.html);
    assert!(text.contains("Applications 2 applications"), "{text}");
    assert!(
        text.contains("brute force unknown, breached passwords unknown, suspicious IP throttling unknown"),
        "without read:attack_protection: {text}"
    );
    assert!(text.contains("Not read: needs read:actions; needs read:attack_protection; hooks: not found"), "{text}");
    let connection = &data["connections"][0];
    assert_eq!(connection["name"], "Username-Password-Authentication");
    assert!(connection.get("custom_database").is_none(), "options need read:connections_options: unknown, not false");
    let failed: Option<String> = sqlx::query_scalar("SELECT failure_class FROM tenants_polls WHERE tenant_id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .expect("the poll's state");
    assert_eq!(failed, None);
}
