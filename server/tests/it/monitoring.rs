//! Monitoring against the simulator: every classification of a run, alerts opening after three failures and
//! resolving after two successes (not during maintenance), the per-tenant login budget, roll-ups with retention, and
//! two workers sharing checks without running one twice in an interval.

use std::sync::Arc;
use std::time::Duration;

use app::accounts::Role;
use app::monitoring::CheckForm;
use app::tenants::{Environment, Region};
use chrono::{TimeZone, Utc};
use server::accounts::audit::Actor;
use server::http::RouterOptions;
use server::monitoring::alerts::Transition;
use server::monitoring::jobs::check::CheckJob;
use server::monitoring::jobs::rollup;
use server::monitoring::model::CheckId;
use server::monitoring::outcome::Outcome;
use server::monitoring::probe::Probe;
use server::monitoring::service;
use server::scheduler::{self, Registry};
use server::secrets::SecretBox;
use server::simulator::{Faults, SimTenant, Simulator, TestUser, UserState};
use server::tenants::repo::NewTenant;
use sqlx::PgPool;
use uuid::Uuid;

use crate::harness::{self, TestApp, text_of};

const DOMAIN: &str = "acme-prod.us.auth0.com";
const KEY: [u8; 32] = [9; 32];

async fn setup(pool: &PgPool) -> (Simulator, Uuid) {
    server::init_crypto();
    let sim = Simulator::start(0).await.expect("simulator");
    let mut tenant = SimTenant::new(DOMAIN, "mgmt", "mgmt-secret");
    tenant.users.push(TestUser {
        username: "probe@acme.test".into(),
        password: "probe-pass".into(),
        state: UserState::Active,
    });
    sim.add_tenant(tenant);
    let secret = SecretBox::new(KEY).encrypt("mgmt-secret");
    let new = NewTenant {
        api_base_url: Some(sim.base_url()),
        ..harness::new_tenant("acme-prod", DOMAIN, Region::Us, Environment::Production, "mgmt", secret)
    };
    let id = harness::register(pool, &new).await;
    (sim, id)
}

fn login_form(tenant: Uuid, name: &str, interval: &str) -> CheckForm {
    CheckForm {
        tenant_id: tenant.to_string(),
        kind: "login".into(),
        name: name.into(),
        interval_secs: interval.into(),
        grant_type: "password".into(),
        username: "probe@acme.test".into(),
        password: "probe-pass".into(),
        client_id: "mgmt".into(),
        client_secret: "mgmt-secret".into(),
        ..CheckForm::default()
    }
}

async fn add(pool: &PgPool, form: &CheckForm) -> CheckId {
    let parsed = service::parse(form, &SecretBox::new(KEY), false).expect("valid form");
    service::add(pool, &Actor::CommandLine, parsed, 6.0, "", Utc::now()).await.expect("added")
}

fn job(pool: &PgPool, timeout: Duration) -> CheckJob {
    server::init_crypto();
    CheckJob {
        pool: pool.clone(),
        probe: Probe::with_timeout(timeout, server::outbound::Policy::ANY_ADDRESS).expect("probe"),
        reach: server::monitoring::reach::Reach::any_address().expect("reach"),
        secrets: SecretBox::new(KEY),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn every_classification_comes_from_a_real_answer_of_the_simulator(pool: PgPool) {
    let (sim, tenant) = setup(&pool).await;
    let login = add(&pool, &login_form(tenant, "login", "60")).await;
    let testall = add(&pool, &CheckForm { kind: "testall".into(), ..login_form(tenant, "testall", "60") }).await;
    let test = add(&pool, &CheckForm { kind: "test".into(), ..login_form(tenant, "test", "60") }).await;
    let job = job(&pool, Duration::from_secs(2));
    let outcome = |id: CheckId| {
        let job = &job;
        async move { job.check(id, Utc::now()).await.expect("recorded").ran.outcome }
    };
    let user = |state: UserState| move |t: &mut SimTenant| t.users[0].state = state;
    let faults = |f: Faults| move |t: &mut SimTenant| t.faults = f.clone();

    assert_eq!(outcome(login).await, Outcome::Ok);
    assert_eq!(outcome(testall).await, Outcome::Ok);
    assert_eq!(outcome(test).await, Outcome::Ok);
    sim.update(DOMAIN, user(UserState::Blocked));
    assert_eq!(outcome(login).await, Outcome::Blocked);
    sim.update(DOMAIN, user(UserState::MfaRequired));
    assert_eq!(outcome(login).await, Outcome::MfaRequired);
    sim.update(DOMAIN, |t| {
        t.users[0].state = UserState::Active;
        t.users[0].password = "changed".into();
    });
    assert_eq!(outcome(login).await, Outcome::WrongCredentials);
    sim.update(DOMAIN, |t| {
        t.users[0].password = "probe-pass".into();
        t.password_grant = false;
    });
    assert_eq!(outcome(login).await, Outcome::GrantNotAllowed);
    sim.update(DOMAIN, |t| {
        t.password_grant = true;
        t.default_directory = None;
    });
    assert_eq!(outcome(login).await, Outcome::NoDefaultConnection);
    sim.update(DOMAIN, |t| t.default_directory = Some("Username-Password-Authentication".into()));
    sim.update(DOMAIN, faults(Faults { storm_429: true, ..Faults::default() }));
    assert_eq!(outcome(login).await, Outcome::RateLimited);
    sim.update(DOMAIN, faults(Faults { server_error: true, ..Faults::default() }));
    assert_eq!(outcome(login).await, Outcome::Auth0Error);
    assert_eq!(outcome(testall).await, Outcome::Auth0Error);
    sim.update(DOMAIN, faults(Faults { testall_down: true, ..Faults::default() }));
    assert_eq!(outcome(testall).await, Outcome::Auth0Error);
    sim.update(DOMAIN, faults(Faults { latency_ms: 4000, ..Faults::default() }));
    assert_eq!(outcome(testall).await, Outcome::Timeout);
    sim.update(DOMAIN, faults(Faults::default()));
    sqlx::query("UPDATE tenants SET api_base_url = 'http://127.0.0.1:9'").execute(&pool).await.expect("moved");
    assert_eq!(outcome(test).await, Outcome::Unreachable);

    let stored: Vec<String> = sqlx::query_scalar("SELECT DISTINCT outcome FROM monitoring_runs ORDER BY 1")
        .fetch_all(&pool)
        .await
        .expect("runs");
    assert_eq!(stored.len(), 10, "every outcome but 'unexpected' is stored: {stored:?}");
    let secret_in_runs: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM monitoring_runs WHERE detail LIKE '%probe-pass%' OR detail LIKE '%mgmt-secret%'",
    )
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(secret_in_runs, 0, "no secret in what is stored");
}

#[sqlx::test(migrations = "../migrations")]
async fn three_failures_open_an_alert_that_says_how_to_unblock_and_two_successes_resolve_it(pool: PgPool) {
    let (sim, tenant) = setup(&pool).await;
    let login = add(&pool, &login_form(tenant, "Customer login", "60")).await;
    let job = job(&pool, Duration::from_secs(5));
    let t0 = Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).single().expect("date");
    let at = |m: i64| t0 + chrono::Duration::minutes(m);

    // A maintenance window over the first three minutes: failures are recorded, no alert opens.
    sqlx::query(
        "INSERT INTO monitoring_maintenance (tenant_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, 'upgrade')",
    )
    .bind(tenant)
    .bind(at(0))
    .bind(at(3))
    .execute(&pool)
    .await
    .expect("window");
    sim.update(DOMAIN, |t| t.users[0].state = UserState::Blocked);
    for m in 0..3 {
        assert_eq!(job.check(login, at(m)).await.expect("run").transition, Transition::None, "minute {m}");
    }
    let opened = job.check(login, at(3)).await.expect("run");
    assert_eq!((opened.ran.outcome, opened.transition), (Outcome::Blocked, Transition::Opened));

    let app =
        TestApp::spawn_with(pool.clone(), RouterOptions { secrets: SecretBox::new(KEY), ..RouterOptions::default() })
            .await;
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    let page = helpdesk.page(&format!("/monitoring/{login}")).await;
    let text = text_of(&page.html);
    assert!(page.html.contains("data-state=\"alert\""), "in alert");
    assert!(text.contains("Unblock it in the Auth0 Dashboard"), "the reason says how to unblock: {text}");
    let list = text_of(&helpdesk.page("/monitoring").await.html);
    assert!(list.contains("Customer login") && list.contains("In alert"), "{list}");
    let board = helpdesk.page("/").await.html;
    assert!(board.contains("data-testid=\"step-3\" data-state=\"major_outage\""), "the checklist's step 3 turns red");
    assert!(text_of(&board).contains("Customer login (acme-prod): blocked"), "{}", text_of(&board));

    sim.update(DOMAIN, |t| t.users[0].state = UserState::Active);
    assert_eq!(job.check(login, at(4)).await.expect("run").transition, Transition::None);
    assert_eq!(job.check(login, at(5)).await.expect("run").transition, Transition::Resolved);
    let events: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM monitoring_events ORDER BY id").fetch_all(&pool).await.expect("events");
    assert_eq!(events, ["alert_opened", "alert_resolved"]);
    let runs: Vec<bool> =
        sqlx::query_scalar("SELECT maintenance FROM monitoring_runs ORDER BY at").fetch_all(&pool).await.expect("runs");
    assert_eq!(runs, [true, true, true, false, false, false], "runs in the window are marked");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_alert_the_job_opens_has_its_notification_update_without_the_collector(pool: PgPool) {
    let (sim, tenant) = setup(&pool).await;
    let login = add(&pool, &login_form(tenant, "Customer login", "60")).await;
    let job = job(&pool, Duration::from_secs(5));
    let t0 = Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).single().expect("date");
    sim.update(DOMAIN, |t| t.users[0].state = UserState::Blocked);
    for m in 0..3 {
        job.check(login, t0 + chrono::Duration::minutes(m)).await.expect("run");
    }
    let (event, alert): (i64, i64) =
        sqlx::query_as("SELECT id, alert_id FROM monitoring_events WHERE kind = 'alert_opened'")
            .fetch_one(&pool)
            .await
            .expect("the alert's event");
    let (origin, kind, severity, title, link, tenants, regions): (
        String,
        String,
        String,
        String,
        Option<String>,
        Vec<String>,
        Vec<String>,
    ) = sqlx::query_as("SELECT origin, kind, severity, title, link, tenants, regions FROM notifications")
        .fetch_one(&pool)
        .await
        .expect("the alert's notification, with no collector run");
    assert_eq!(origin, format!("monitoring:alert:{alert}"));
    assert_eq!((kind.as_str(), severity.as_str()), ("synthetic_login_alert", "critical"));
    assert_eq!(title, "Customer login on acme-prod is failing");
    assert_eq!(link, Some(format!("/monitoring/{login}")));
    assert_eq!((tenants, regions), (vec!["acme-prod".to_string()], vec!["us".to_string()]));
    let updates: Vec<(String, String)> = sqlx::query_as("SELECT origin, text FROM notifications_updates ORDER BY id")
        .fetch_all(&pool)
        .await
        .expect("updates");
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert_eq!(updates[0].0, format!("monitoring:event:{event}"));
    assert!(updates[0].1.starts_with("alert opened: 3 failures in a row; blocked: "), "{}", updates[0].1);

    sim.update(DOMAIN, |t| t.users[0].state = UserState::Active);
    for m in 3..5 {
        job.check(login, t0 + chrono::Duration::minutes(m)).await.expect("run");
    }
    let severities: Vec<String> = sqlx::query_scalar("SELECT severity FROM notifications_updates ORDER BY id")
        .fetch_all(&pool)
        .await
        .expect("updates");
    assert_eq!(severities, ["critical", "info"], "the resolution is the same notification's next update");
}

#[sqlx::test(migrations = "../migrations")]
async fn checks_are_added_within_the_tenants_login_budget_with_every_bad_field_named(pool: PgPool) {
    let (_sim, tenant) = setup(&pool).await;
    let app =
        TestApp::spawn_with(pool.clone(), RouterOptions { secrets: SecretBox::new(KEY), ..RouterOptions::default() })
            .await;
    let ops = app.signed_in(Role::OpsLead).await;
    let post = |form: CheckForm| {
        let ops = &ops;
        async move {
            let fields = [
                ("tenant_id", form.tenant_id),
                ("kind", form.kind),
                ("name", form.name),
                ("interval_secs", form.interval_secs),
                ("grant_type", form.grant_type),
                ("realm", form.realm),
                ("username", form.username),
                ("password", form.password),
                ("client_id", form.client_id),
                ("client_secret", form.client_secret),
                ("audience", form.audience),
                ("scope", form.scope),
                ("fail_threshold", form.fail_threshold),
                ("success_threshold", form.success_threshold),
                ("reminder_minutes", form.reminder_minutes),
            ];
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = ops.post_form_on("/monitoring/new", "/api/monitoring/add", &pairs).await;
            response.headers()["location"].to_str().expect("ascii").to_string()
        }
    };
    // Two logins every 20 s would be 6 per minute: the budget; a third is refused.
    for n in 0..2 {
        let location = post(login_form(tenant, &format!("login {n}"), "30")).await;
        assert!(location.starts_with("/monitoring/"), "{location}");
    }
    let location = post(login_form(tenant, "login 3", "30")).await;
    assert!(
        location.starts_with("/monitoring/") && !location.contains("__err"),
        "4 + 2 = 6 per minute fits: {location}"
    );
    let refused = post(login_form(tenant, "login 4", "60")).await;
    let text = text_of(&ops.page(refused.trim_start_matches(&app.origin())).await.html);
    assert!(text.contains("would make 7.0 per minute, over its budget of 6"), "{text}");

    let bad = CheckForm {
        interval_secs: "5".into(),
        username: String::new(),
        password: String::new(),
        ..login_form(tenant, "", "")
    };
    let refused = post(bad).await;
    let text = text_of(&ops.page(refused.trim_start_matches(&app.origin())).await.html);
    for expected in [
        "Name: give the check a name",
        "Every (seconds): \"5\" is not a whole number from 30 to 86400",
        "Test user: enter the test user's username",
        "Test user's password: enter it",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT password FROM monitoring_checks LIMIT 1").fetch_one(&pool).await.expect("row");
    assert!(!String::from_utf8_lossy(&stored).contains("probe-pass"), "encrypted at rest");
    let page = ops.page(location.trim_start_matches(&app.origin())).await.html;
    assert!(!page.contains("probe-pass") && !page.contains("mgmt-secret"), "never shown again");
    assert!(
        text_of(&page)
            .contains("2.0 of the tenant's 6.0 synthetic logins per minute; budget 6 per minute (100 % used)")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn runs_roll_up_by_hour_and_day_and_old_rows_go(pool: PgPool) {
    let (_sim, tenant) = setup(&pool).await;
    let check = add(&pool, &CheckForm { kind: "testall".into(), ..login_form(tenant, "testall", "60") }).await;
    let job = job(&pool, Duration::from_secs(5));
    let day = Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).single().expect("date");
    for h in [1, 1, 2, 30] {
        job.check(check, day + chrono::Duration::hours(h)).await.expect("run");
    }
    let hours: Vec<(i32, i32)> =
        sqlx::query_as("SELECT runs, ok FROM monitoring_rollups WHERE period = 'hour' ORDER BY bucket")
            .fetch_all(&pool)
            .await
            .expect("hours");
    assert_eq!(hours, [(2, 2), (1, 1), (1, 1)]);
    let now = day + chrono::Duration::days(9);
    let done =
        rollup::roll_up(&pool, rollup::Retention::default(), day + chrono::Duration::days(2)).await.expect("roll up");
    assert_eq!(done.days_written, 2);
    let later = rollup::roll_up(&pool, rollup::Retention::default(), now).await.expect("retention");
    assert_eq!(later.runs_deleted, 4, "raw runs older than 7 days go");
    let days: Vec<(i32, Vec<i32>)> =
        sqlx::query_as("SELECT runs, histogram FROM monitoring_rollups WHERE period = 'day' ORDER BY bucket")
            .fetch_all(&pool)
            .await
            .expect("days");
    assert_eq!(days[0].0, 3);
    assert_eq!(days[0].1.iter().sum::<i32>(), 3, "the histogram adds up");
}

#[sqlx::test(migrations = "../migrations")]
async fn two_workers_never_run_a_check_twice_in_one_interval(pool: PgPool) {
    let (_sim, tenant) = setup(&pool).await;
    for n in 0..40 {
        add(&pool, &CheckForm { kind: "testall".into(), ..login_form(tenant, &format!("testall {n}"), "30") }).await;
    }
    let registry = Registry::default().with(Arc::new(job(&pool, Duration::from_secs(5))));
    let t0 = Utc::now();
    for tick in 0..100 {
        // Both workers wake at the same moment, every 5 s of a fixed clock (checks run every 30 s plus jitter).
        let now = t0 + chrono::Duration::seconds(5 * tick + 1);
        let (a, b) = tokio::join!(
            scheduler::run_due(&pool, &registry, "worker-a", now, 64),
            scheduler::run_due(&pool, &registry, "worker-b", now, 64)
        );
        a.expect("a");
        b.expect("b");
    }
    let (runs, distinct, workers): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT (job_id, due_at)), count(DISTINCT worker) FROM scheduler_runs r
         JOIN scheduler_jobs j ON j.id = r.job_id WHERE j.kind = 'monitoring.check'",
    )
    .fetch_one(&pool)
    .await
    .expect("runs");
    assert!(runs >= 500, "{runs} runs");
    assert_eq!(runs, distinct, "no check ran twice for one interval");
    assert_eq!(workers, 2, "both workers took checks");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM monitoring_runs").fetch_one(&pool).await.expect("n");
    assert_eq!(stored, runs);
}
