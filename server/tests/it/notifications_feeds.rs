//! Advisory feeds, watched console state and the feeds and channels pages: GitHub's advisory feed on the simulator
//! becomes classified notifications, read once; a revised advisory adds to its timeline; a malformed feed is marked
//! in error and the history stays; tenant polls failing and findings appearing and clearing become notifications;
//! the pages refuse bad input with every problem named, keep secrets off the page, and "Send test" says how it went.

use app::accounts::Role;
use app::tenants::{Environment, Region};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use server::accounts::audit::Actor;
use server::http::RouterOptions;
use server::notifications::feeds::{self, FeedJob, Read};
use server::outbound::Fetcher;
use server::simulator::Simulator;
use server::simulator::receivers::Receiver;
use server::tenants::repo;
use sqlx::PgPool;
use uuid::Uuid;

use crate::harness::{TestApp, path_of, text_of};
use crate::notifications::collect;

const GITHUB: &str = include_str!("../../fixtures/feeds/github-security-advisories.atom");

async fn github_feed(pool: &PgPool, sim: &Simulator) -> app::ids::FeedId {
    sim.set_feed("gh", "application/atom+xml; charset=utf-8", GITHUB);
    let form = app::notifications::feeds::FeedForm {
        name: "GitHub advisories".into(),
        kind: "github_advisories".into(),
        classify: "security".into(),
        url: format!("{}/__feeds/gh", sim.base_url()),
        keywords: "auth0".into(),
        interval_minutes: String::new(),
    };
    let feed = feeds::check(&form, true).await.expect("a valid feed");
    feeds::add(&mut pool.acquire().await.expect("conn"), &Actor::CommandLine, feed, "", Utc::now())
        .await
        .expect("added")
}

async fn history(pool: &PgPool) -> Vec<(String, String, String, i64)> {
    sqlx::query_as(
        "SELECT n.title, n.source, n.severity, (SELECT count(*) FROM notifications_updates u WHERE u.notification_id = n.id)
         FROM notifications n ORDER BY n.title",
    )
    .fetch_all(pool)
    .await
    .expect("history")
}

#[sqlx::test(migrations = "../migrations")]
async fn advisories_become_notifications_once_and_a_malformed_feed_leaves_the_history_intact(pool: PgPool) {
    let sim = Simulator::start(0).await.expect("simulator");
    let id = github_feed(&pool, &sim).await;
    server::init_crypto();
    let job =
        FeedJob { pool: pool.clone(), fetcher: Fetcher::new(server::outbound::Policy::ANY_ADDRESS).expect("fetcher") };
    // A day after the newest advisory: news, not history (an update older than a week is kept as history).
    let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 21, 9, 0, 0).single().expect("date");
    assert_eq!(job.read(id, now).await.expect("read"), Read::Read { items: 2, new: 2, updates: 2 });
    let first = history(&pool).await;
    assert_eq!(first.len(), 2, "only the advisories that mention auth0: {first:?}");
    assert_eq!(
        (first[0].1.as_str(), first[0].2.as_str()),
        ("security_advisory", "critical"),
        "high severity: {first:?}"
    );
    assert!(first[0].0.contains("nextjs-auth0"));
    assert_eq!(first[1].2, "info", "low severity");
    assert_eq!(job.read(id, now).await.expect("again"), Read::NotModified, "the ETag says nothing changed");

    // GitHub revises an advisory: one more entry on its timeline, no new notification.
    let revised = GITHUB.replace("<updated>2026-11-20T09:12:40Z</updated>", "<updated>2026-11-21T08:00:00Z</updated>");
    sim.set_feed("gh", "application/atom+xml", &revised);
    assert_eq!(job.read(id, now).await.expect("revised"), Read::Read { items: 2, new: 0, updates: 1 });
    let after = history(&pool).await;
    assert_eq!(after[0].3, 2, "the revision is on the timeline");

    // The feed breaks: in error with the reason; the history is as it was.
    sim.set_feed("gh", "application/atom+xml", &revised[..revised.len() / 2]);
    let error = job.read(id, now + Duration::minutes(30)).await.expect_err("malformed").to_string();
    assert!(error.starts_with("the answer is not valid RSS or Atom"), "{error}");
    let (stored, good): (Option<String>, Option<chrono::DateTime<Utc>>) =
        sqlx::query_as("SELECT error, last_good_at FROM notifications_feeds WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .expect("feed");
    assert_eq!(stored.as_deref(), Some(error.as_str()));
    assert!(good.is_some_and(|g| g < now + Duration::minutes(30)), "the last good read stays");
    assert_eq!(history(&pool).await, after, "nothing lost, nothing added");
    sim.set_feed("gh", "text/html", "<html><body>Sign in</body></html>");
    let html = job.read(id, now).await.expect_err("html").to_string();
    assert_eq!(html, "the answer is text/html, not an RSS or Atom feed; check the URL and the source type");

    // The page says so, to everyone who may look.
    let app = TestApp::spawn(pool.clone()).await;
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    let page = text_of(&helpdesk.page("/notifications/feeds").await.html);
    assert!(page.contains("In error") && page.contains("not an RSS or Atom feed"), "{page}");
    assert!(!page.contains("Read now"), "helpdesk has no actions");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_feeds_page_adds_from_the_catalog_and_names_every_bad_field(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let ops = app.signed_in(Role::OpsLead).await;
    let added = ops
        .post_form_on("/notifications/feeds", "/api/notifications/feed-add-catalog", &[("key", "auth0-changelog")])
        .await;
    assert_eq!(added.headers()["location"], "/notifications/feeds");
    let page = text_of(&ops.page("/notifications/feeds").await.html);
    assert!(page.contains("Auth0 changelog") && page.contains("Not read yet"), "{page}");
    let bad = ops
        .post_form_on(
            "/notifications/feeds",
            "/api/notifications/feed-add",
            &[
                ("form[name]", ""),
                ("form[kind]", "podcast"),
                ("form[classify]", "auto"),
                ("form[url]", "file:///etc/passwd"),
                ("form[keywords]", ""),
                ("form[interval_minutes]", "1"),
            ],
        )
        .await;
    let location = bad.headers()["location"].to_str().expect("ascii").to_string();
    assert!(location.contains("__err="), "{location}");
    let shown = text_of(&ops.page(&path_of(&location)).await.html);
    for part in [
        "Name: give the feed a name",
        "Kind: \"podcast\" is not one Tenantry reads",
        "Minutes between reads: \"1\" is not a whole number from 5 to 1440",
        "URL: only http and https URLs are fetched, not file",
    ] {
        assert!(shown.contains(part), "{part:?} missing from {shown}");
    }
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    let denied = helpdesk
        .post_form_on("/notifications/feeds", "/api/notifications/feed-add-catalog", &[("key", "sdk-go-auth0")])
        .await;
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
}

async fn tenant(pool: &PgPool, name: &str, environment: Environment) -> Uuid {
    crate::harness::insert_tenant(pool, name, Region::Eu, environment).await
}

async fn notices(pool: &PgPool, kind: &str) -> Vec<(String, Vec<String>)> {
    sqlx::query_as(
        "SELECT n.title, ARRAY(SELECT text FROM notifications_updates u WHERE u.notification_id = n.id ORDER BY u.id)
         FROM notifications n WHERE n.kind = $1 ORDER BY n.id",
    )
    .bind(kind)
    .fetch_all(pool)
    .await
    .expect("notices")
}

#[sqlx::test(migrations = "../migrations")]
async fn failing_tenant_polls_and_findings_that_come_and_go_are_notifications(pool: PgPool) {
    let prod = tenant(&pool, "acme-prod", Environment::Production).await;
    let mut conn = pool.acquire().await.expect("conn");
    let t0 = Utc::now();
    repo::record_poll(&mut conn, prod, t0, Ok(Some(10))).await.expect("ok");
    collect(&pool, t0, 3).await.expect("collect");
    assert!(notices(&pool, "tenant_poll").await.is_empty(), "a healthy tenant says nothing");
    let findings = notices(&pool, "finding").await;
    assert_eq!(findings.len(), 1, "production without development and QA: {findings:?}");
    assert!(findings[0].0.contains("production has no development or QA/UAT tenant"), "{findings:?}");

    repo::record_poll(&mut conn, prod, t0, Err(("bad_credentials", "the tenant answered 401"))).await.expect("fail");
    collect(&pool, t0 + Duration::minutes(1), 3).await.expect("collect");
    collect(&pool, t0 + Duration::minutes(2), 3).await.expect("again: nothing new");
    repo::record_poll(&mut conn, prod, t0, Ok(Some(10))).await.expect("ok again");
    collect(&pool, t0 + Duration::minutes(3), 3).await.expect("collect");
    let polls = notices(&pool, "tenant_poll").await;
    assert_eq!(polls.len(), 1);
    assert_eq!(polls[0].0, "Reading tenant acme-prod from Auth0 fails");
    assert_eq!(polls[0].1, ["bad credentials: the tenant answered 401", "acme-prod is read from Auth0 again."]);
    let severity: String = sqlx::query_scalar("SELECT severity FROM notifications WHERE kind = 'tenant_poll'")
        .fetch_one(&pool)
        .await
        .expect("severity");
    assert_eq!(severity, "critical", "a production tenant");

    // Development and QA tenants arrive: the finding clears, on the same notification.
    tenant(&pool, "acme-dev", Environment::Development).await;
    tenant(&pool, "acme-qa", Environment::Qa).await;
    collect(&pool, t0 + Duration::minutes(4), 3).await.expect("collect");
    let findings = notices(&pool, "finding").await;
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].1.len(), 2, "appeared, cleared: {findings:?}");
    assert!(findings[0].1[1].starts_with("Finding cleared:"), "{findings:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn admins_add_channels_with_checked_forms_and_send_tests(pool: PgPool) {
    server::init_crypto();
    let options = RouterOptions {
        notifications: server::notifications::NotificationsOptions::new(true, Vec::new(), chrono::TimeDelta::days(730))
            .expect("options"),
        ..RouterOptions::default()
    };
    let app = TestApp::spawn_with(pool.clone(), options).await;
    let receiver = Receiver::start(Some("the receiver's secret, 30 chars")).await.expect("receiver");
    let admin = app.signed_in(Role::Admin).await;
    let on = "/notifications/channels/new";
    let bad = admin
        .post_form_on(
            on,
            "/api/notifications/channel-add",
            &[
                ("form[name]", "Ops"),
                ("form[kind]", "webhook"),
                ("form[url]", "hooks.example.test/x"),
                ("form[signing_secret]", "short"),
                ("form[min_severity]", "warning"),
                ("form[sources][]", "auth0_status"),
                ("form[tenants]", "nobody"),
            ],
        )
        .await;
    let location = bad.headers()["location"].to_str().expect("ascii").to_string();
    let shown = text_of(&admin.page(&path_of(&location)).await.html);
    for part in [
        "URL: ",
        "is not an http(s) URL",
        "Signing secret: at least 16 characters",
        "Tenants: \"nobody\" is not registered",
    ] {
        assert!(shown.contains(part), "{part:?} missing from {shown}");
    }
    let url = receiver.url("/hook/T0KEN-SECRET-PART");
    let added = admin
        .post_form_on(
            on,
            "/api/notifications/channel-add",
            &[
                ("form[name]", "Ops webhook"),
                ("form[kind]", "webhook"),
                ("form[url]", &url),
                ("form[signing_secret]", "the receiver's secret, 30 chars"),
                ("form[min_severity]", "warning"),
                ("form[sources][]", "auth0_status"),
                ("form[sources][]", "console"),
            ],
        )
        .await;
    let page = added.headers()["location"].to_str().expect("ascii").to_string();
    assert!(page.starts_with("/notifications/channels/") && !page.contains("__err"), "{page}");
    let html = admin.page(&page).await.html;
    assert!(!html.contains("T0KEN-SECRET-PART") && !html.contains("30 chars"), "no secret on the page");
    let text = text_of(&html);
    assert!(text.contains("warning and up · Auth0 status, Our checks"), "{text}");
    let id = page.trim_start_matches("/notifications/channels/");
    let tested = admin.post_form_on(&page, "/api/notifications/channel-test", &[("id", id)]).await;
    let back = tested.headers()["location"].to_str().expect("ascii").to_string();
    let result = text_of(&admin.page(&path_of(&back)).await.html);
    assert!(result.contains("Test sent: the receiver answered 200"), "{result}");
    assert_eq!(receiver.received().len(), 1);
    assert_eq!(receiver.received()[0].signature_ok, Some(true));
    let log = text_of(&admin.page(&page).await.html);
    assert!(log.contains("test message") && log.contains("delivered (200)"), "{log}");
    let audit = text_of(&admin.page("/settings/audit").await.html);
    assert!(audit.contains("channel_added") && audit.contains("channel_tested"), "{audit}");

    // Editing without the secrets keeps them.
    let edited = admin
        .post_form_on(
            &format!("{page}/edit"),
            "/api/notifications/channel-update",
            &[("id", id), ("form[name]", "Ops webhook"), ("form[kind]", "webhook"), ("form[min_severity]", "critical")],
        )
        .await;
    assert_eq!(edited.headers()["location"], page.as_str());
    admin.post_form_on(&page, "/api/notifications/channel-test", &[("id", id)]).await;
    assert_eq!(receiver.received().len(), 2, "the stored URL and secret still work");
    assert_eq!(receiver.received()[1].signature_ok, Some(true));

    let ops = app.signed_in(Role::OpsLead).await;
    assert_eq!(ops.page("/notifications/channels").await.status, StatusCode::FORBIDDEN);
    let denied = ops.post_form_on(&page, "/api/notifications/channel-test", &[("id", id)]).await;
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
}
