//! The status area over HTTP with the simulator's status pages: every tenant gets its Auth0 feed, the board shows
//! regions and providers worst first with the checklist beside it, a stale source is unknown, sources are added
//! with checked input, and the incident history follows an incident to its postmortem.

use app::accounts::Role;
use app::tenants::{Environment, Region};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use server::http::RouterOptions;
use server::simulator::{SimStatusPage, Simulator};
use server::status::StatusOptions;
use server::status::jobs::sync;
use server::status::jobs::{Polled, StatusPollJob};
use sqlx::PgPool;
use uuid::Uuid;

use crate::harness::{TestApp, statuspage_source, text_of};

fn options(allow_private: bool) -> RouterOptions {
    RouterOptions { status: StatusOptions { allow_private, ..StatusOptions::default() }, ..RouterOptions::default() }
}

async fn tenant(pool: &PgPool, name: &str, region: Region) -> Uuid {
    crate::harness::insert_tenant(pool, name, region, Environment::Production).await
}

/// Polls every source once, as the scheduler would.
async fn poll_all(pool: &PgPool, now: chrono::DateTime<Utc>) {
    server::init_crypto();
    let job = StatusPollJob::new(pool.clone(), true).expect("job");
    let ids: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM status_sources").fetch_all(pool).await.expect("ids");
    for id in ids {
        job.poll(id, now).await.expect("poll");
    }
}

fn page(name: &str, components: &[(&str, &str)]) -> SimStatusPage {
    SimStatusPage {
        name: name.into(),
        components: components.iter().map(|(id, s)| (id.to_string(), format!("{name} {id}"), s.to_string())).collect(),
        incidents: Vec::new(),
    }
}

/// The `data-state` of the element carrying `marker` (an id or test id) in the page.
fn state_of(html: &str, marker: &str) -> String {
    let at = html.find(marker).unwrap_or_else(|| panic!("{marker} not on the page"));
    let rest = &html[at..];
    let start = rest.find("data-state=\"").expect("a data-state") + "data-state=\"".len();
    rest[start..].split('"').next().unwrap_or_default().to_string()
}

#[sqlx::test(migrations = "../migrations")]
async fn every_tenant_gets_its_regions_auth0_feed_and_the_board_shows_the_worst_region_first(pool: PgPool) {
    let sim = Simulator::start(0).await.expect("simulator");
    sim.set_status_page("auth0-eu", page("Auth0 EU", &[]));
    let now = Utc::now();
    sim.advance_incident("auth0-eu", "eu-1", now - Duration::minutes(30));
    sim.advance_incident("auth0-eu", "eu-1", now - Duration::minutes(10));
    let us = tenant(&pool, "acme-prod", Region::Us).await;
    tenant(&pool, "acme-dev", Region::Us).await;
    tenant(&pool, "acme-eu", Region::Eu).await;
    let base = format!("{}/__status/auth0/feed", sim.base_url());
    let synced = sync(&pool, &base, std::time::Duration::from_secs(120), now).await.expect("sync");
    assert_eq!(synced.feeds_added, 3, "one Auth0 feed per tenant");
    assert_eq!(sync(&pool, &base, std::time::Duration::from_secs(120), now).await.expect("again").feeds_added, 0);
    let jobs: i64 = sqlx::query_scalar("SELECT count(*) FROM scheduler_jobs WHERE kind = 'status.poll'")
        .fetch_one(&pool)
        .await
        .expect("jobs");
    assert_eq!(jobs, 3);
    poll_all(&pool, now).await;

    let app = TestApp::spawn_with(pool.clone(), options(true)).await;
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    let board = helpdesk.page("/").await;
    assert_eq!(board.status, StatusCode::OK);
    assert_eq!(state_of(&board.html, "id=\"region-eu\""), "degraded", "an open incident in the tenant's region");
    assert_eq!(state_of(&board.html, "id=\"region-us\""), "operational");
    assert!(board.html.find("region-eu") < board.html.find("region-us"), "worst first");
    let text = text_of(&board.html);
    assert!(text.contains("Tenants: acme-dev, acme-prod"), "the region's tenants: {text}");
    assert!(text.contains("Incident eu-1 identified"), "the open incident and its phase: {text}");
    assert!(text.contains("Last updated 20"), "each tile says when it was read: {text}");
    assert_eq!(state_of(&board.html, "data-testid=\"step-1\""), "degraded", "step 1 follows the worst region");

    // Asking about a US tenant answers for the US region.
    let us_step = helpdesk.page("/?tenant=acme-prod.us.auth0.com").await;
    assert_eq!(state_of(&us_step.html, "data-testid=\"step-1\""), "operational");
    assert!(text_of(&us_step.html).contains("acme-prod.us.auth0.com is in Auth0 US: Operational."));

    // Removing the tenant removes its feed and its poll job.
    server::tenants::service::remove(&pool, &server::accounts::audit::Actor::CommandLine, us, "").await.expect("rm");
    let synced = sync(&pool, &base, std::time::Duration::from_secs(120), now).await.expect("sync");
    assert_eq!(synced.jobs_removed, 1);
    let feeds: i64 = sqlx::query_scalar("SELECT count(*) FROM status_sources").fetch_one(&pool).await.expect("n");
    assert_eq!(feeds, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_provider_outage_leads_the_board_and_turns_the_external_services_step_red(pool: PgPool) {
    let sim = Simulator::start(0).await.expect("simulator");
    sim.set_status_page("twilio", page("Twilio", &[("sms", "operational"), ("voice", "operational")]));
    sim.set_status_page("sendgrid", page("SendGrid", &[("mail", "operational")]));
    let app = TestApp::spawn_with(pool.clone(), options(true)).await;
    let ops = app.signed_in(Role::OpsLead).await;
    for (name, slug, category) in [("Twilio", "twilio", "sms"), ("SendGrid", "sendgrid", "email")] {
        let url = format!("{}/__status/{slug}/api/v2/summary.json", sim.base_url());
        let form = [("name", name), ("kind", "statuspage"), ("category", category), ("url", url.as_str())];
        let added = ops
            .post_form_on("/status/sources", "/api/status/add", &[&form[..], &[("interval_minutes", "")]].concat())
            .await;
        assert_eq!(added.headers()["location"], "/status/sources", "{name} added");
    }
    let now = Utc::now();
    poll_all(&pool, now).await;
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    let calm = helpdesk.page("/").await;
    assert_eq!(state_of(&calm.html, "data-testid=\"step-2\""), "operational");
    assert!(text_of(&calm.html).contains("All 2 watched providers are operational."));

    sim.update_status_page("twilio", |p| p.components[0].2 = "major_outage".into());
    poll_all(&pool, now + Duration::minutes(2)).await;
    let twilio: Uuid = sqlx::query_scalar("SELECT id FROM status_sources WHERE name = 'Twilio'")
        .fetch_one(&pool)
        .await
        .expect("twilio");
    let board = helpdesk.page("/").await;
    assert_eq!(state_of(&board.html, "data-testid=\"step-2\""), "major_outage", "the step turns red");
    assert!(board.html.contains(&format!("href=\"#source-{twilio}\"")), "and links to the provider's tile");
    assert_eq!(state_of(&board.html, &format!("id=\"source-{twilio}\"")), "major_outage");
    assert!(board.html.find(&format!("source-{twilio}\"")) < board.html.find("SendGrid"), "worst first");
    let text = text_of(&board.html);
    assert!(text.contains("Twilio sms: Major outage"), "the component in trouble: {text}");
    assert!(text.contains("Major outage"), "the word, not colour alone");

    // The fragment the page refreshes itself with says the same, and only to signed-in people.
    let fragment = helpdesk.get("/status/board.html").await;
    assert_eq!(fragment.status(), StatusCode::OK);
    let html = fragment.text().await.expect("body");
    assert!(!html.contains("<html"), "a fragment, not a page");
    assert_eq!(state_of(&html, "data-testid=\"step-2\""), "major_outage");
    assert_eq!(app.get("/status/board.html").await.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_source_not_read_well_for_three_intervals_is_unknown_never_green(pool: PgPool) {
    let sim = Simulator::start(0).await.expect("simulator");
    sim.set_status_page("mailgun", page("Mailgun", &[("api", "operational")]));
    let id = statuspage_source(&pool, &sim, "mailgun", "Mailgun", "email").await;
    let now = Utc::now();
    poll_all(&pool, now).await;
    let app = TestApp::spawn_with(pool.clone(), options(true)).await;
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    let tile = format!("id=\"source-{id}\"");
    assert_eq!(state_of(&helpdesk.page("/").await.html, &tile), "operational");

    // Five minutes without a good read is within three 2-minute intervals; seven is not.
    for (minutes, expected) in [(5, "operational"), (7, "unknown")] {
        sqlx::query("UPDATE status_sources SET last_good_at = $1")
            .bind(now - Duration::minutes(minutes))
            .execute(&pool)
            .await
            .expect("age");
        assert_eq!(state_of(&helpdesk.page("/").await.html, &tile), expected, "{minutes} min");
    }
    let sources = text_of(&helpdesk.page("/status/sources").await.html);
    assert!(sources.contains("Mailgun") && sources.contains("Unknown"), "{sources}");
}

#[sqlx::test(migrations = "../migrations")]
async fn sources_are_added_only_with_a_checked_url_format_and_interval(pool: PgPool) {
    let strict = TestApp::spawn_with(pool.clone(), options(false)).await;
    let ops = strict.signed_in(Role::OpsLead).await;
    let add = |name: &'static str, kind: &'static str, url: &'static str, minutes: &'static str| {
        [("name", name), ("kind", kind), ("category", "other"), ("url", url), ("interval_minutes", minutes)]
    };
    let cases = [
        (add("Lab", "statuspage", "http://127.0.0.1:9/api/v2/summary.json", ""), "127.0.0.1 is a loopback address"),
        (add("Lab", "statuspage", "http://10.0.0.7/summary.json", ""), "10.0.0.7 is a private address"),
        (add("Files", "feed", "file:///etc/passwd", ""), "only http and https URLs are fetched"),
        (add("Odd", "carrier-pigeon", "https://status.example.test/feed", ""), "Format: \"carrier-pigeon\" is not one"),
        (
            add("Slow", "feed", "https://status.example.test/feed", "0"),
            "Minutes between polls: \"0\" is not a whole number",
        ),
        (add("", "feed", "https://status.example.test/feed", ""), "Name: give the source a name"),
    ];
    for (form, expected) in cases {
        let response = ops.post_form_on("/status/sources", "/api/status/add", &form).await;
        let location = response.headers()["location"].to_str().expect("ascii").to_string();
        assert!(location.contains("__err="), "{location}");
        let text = text_of(&ops.page(location.trim_start_matches(&strict.origin())).await.html);
        assert!(text.contains(expected), "{expected} in {text}");
    }
    let x = ops.post_form_on("/status/sources", "/api/status/add-catalog", &[("key", "x")]).await;
    let location = x.headers()["location"].to_str().expect("ascii").to_string();
    let text = text_of(&ops.page(location.trim_start_matches(&strict.origin())).await.html);
    assert!(text.contains("X (Twitter) publishes no status Tenantry can read"), "{text}");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM status_sources").fetch_one(&pool).await.expect("n");
    assert_eq!(stored, 0, "nothing refused was stored");

    // A catalog provider is added once, with an audit entry; the catalog then says so.
    let added = ops.post_form_on("/status/sources", "/api/status/add-catalog", &[("key", "twilio")]).await;
    assert_eq!(added.headers()["location"], "/status/sources");
    let again = ops.post_form_on("/status/sources", "/api/status/add-catalog", &[("key", "twilio")]).await;
    assert!(again.headers()["location"].to_str().expect("ascii").contains("__err="), "the same URL twice");
    let (name, url, interval): (String, String, i32) =
        sqlx::query_as("SELECT name, url, interval_secs FROM status_sources").fetch_one(&pool).await.expect("row");
    assert_eq!(
        (name.as_str(), url.as_str(), interval),
        ("Twilio", "https://status.twilio.com/api/v2/summary.json", 120)
    );
    let audit: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts_audit_log WHERE action = 'status_source_added'")
        .fetch_one(&pool)
        .await
        .expect("audit");
    assert_eq!(audit, 1);
    let catalog = text_of(&ops.page("/status/sources").await.html);
    assert!(catalog.contains("Add SendGrid") && !catalog.contains("Add Twilio"), "{catalog}");

    // Pausing drops the poll job; resuming brings it back.
    let id: Uuid = sqlx::query_scalar("SELECT id FROM status_sources").fetch_one(&pool).await.expect("id");
    let jobs = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM scheduler_jobs WHERE kind = 'status.poll'")
            .fetch_one(&pool)
            .await
            .expect("jobs")
    };
    assert_eq!(jobs().await, 1);
    ops.post_form_on("/status/sources", "/api/status/enable", &[("id", &id.to_string()), ("enabled", "false")]).await;
    assert_eq!(jobs().await, 0);
    ops.post_form_on("/status/sources", "/api/status/enable", &[("id", &id.to_string()), ("enabled", "true")]).await;
    assert_eq!(jobs().await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_statuspage_incident_is_followed_to_its_postmortem_and_the_history_filters_it(pool: PgPool) {
    let sim = Simulator::start(0).await.expect("simulator");
    sim.set_status_page("github", page("GitHub", &[("api", "operational")]));
    let id = statuspage_source(&pool, &sim, "github", "GitHub", "social").await;
    server::init_crypto();
    let job = StatusPollJob::new(pool.clone(), true).expect("job");
    let t0 = Utc::now() - Duration::hours(2);
    assert!(matches!(job.poll(id, t0).await, Ok(Polled::Read { .. })));
    assert_eq!(
        job.poll(id, t0).await.expect("poll again"),
        Polled::NotModified,
        "the page's ETag makes a repeat poll cheap"
    );
    for n in 0..5 {
        let at = t0 + Duration::minutes(10 * n);
        sim.advance_incident("github", "gh-7", at);
        job.poll(id, at).await.expect("poll");
    }
    // After "resolved" the summary no longer lists the incident; incidents.json still does, with the postmortem.
    let (phase, updates): (String, i64) = sqlx::query_as(
        "SELECT i.phase, (SELECT count(*) FROM status_updates u WHERE u.incident_id = i.id) FROM status_incidents i",
    )
    .fetch_one(&pool)
    .await
    .expect("incident");
    assert_eq!((phase.as_str(), updates), ("postmortem", 5));

    let app = TestApp::spawn_with(pool.clone(), options(true)).await;
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    let list = text_of(&helpdesk.page("/status/incidents?state=postmortem").await.html);
    assert!(list.contains("1 incident(s)") && list.contains("Incident gh-7"), "{list}");
    let open = text_of(&helpdesk.page("/status/incidents?state=open").await.html);
    assert!(open.contains("0 incident(s)") && open.contains("No incident matches"), "{open}");
    let bad = text_of(&helpdesk.page("/status/incidents?from=2026-13-01").await.html);
    assert!(bad.contains("From: \"2026-13-01\" is not a date; write it as YYYY-MM-DD"), "{bad}");
    let swapped = text_of(&helpdesk.page("/status/incidents?from=2026-11-30&to=2026-11-01").await.html);
    assert!(swapped.contains("From is after To"), "{swapped}");

    let incident: i64 = sqlx::query_scalar("SELECT id FROM status_incidents").fetch_one(&pool).await.expect("id");
    let detail = helpdesk.page(&format!("/status/incidents/{incident}")).await;
    let text = text_of(&detail.html);
    assert!(text.contains("Postmortem published https://stspg.io/gh-7"), "the RCA link: {text}");
    let order: Vec<usize> = ["investigating", "identified", "monitoring", "resolved", "postmortem"]
        .iter()
        .map(|p| detail.html.find(&format!("data-phase=\"{p}\"")).unwrap_or_else(|| panic!("{p} on the timeline")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "the timeline is in order: {order:?}");
    assert!(helpdesk.page("/status/incidents/999999").await.html.contains("the incident was not found"));
}
