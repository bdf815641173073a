//! The notification history: a status incident followed through its lifecycle is one notification with every
//! update once; console events become notifications; acknowledging (ops lead) is in the timeline and the audit log;
//! a more severe update re-opens; filters and full-text search.

use app::accounts::Role;
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use server::notifications::history::jobs::CollectError;
use server::notifications::record::{Incoming, apply};
use server::simulator::{LIFECYCLE, SimStatusPage, Simulator};
use server::status::jobs::StatusPollJob;
use sqlx::PgPool;

use crate::harness::{TestApp, statuspage_source, text_of};

/// The custom-domain findings, as the server gives them to the collector.
pub struct Findings(pub PgPool);

#[async_trait::async_trait]
impl server::notifications::FindingsSource for Findings {
    async fn findings(&self) -> Result<Vec<app::domains::DomainFinding>, sqlx::Error> {
        server::domains::port::findings(&self.0).await
    }
}

/// One collector pass at `now`.
pub async fn collect(pool: &PgPool, now: chrono::DateTime<Utc>, paid_limit: usize) -> Result<usize, CollectError> {
    server::notifications::history::jobs::collect(pool, &Findings(pool.clone()), now, paid_limit).await
}

async fn updates(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM notifications_updates").fetch_one(pool).await.expect("updates")
}

#[sqlx::test(migrations = "../migrations")]
async fn an_incident_through_its_lifecycle_is_one_notification_with_its_whole_timeline(pool: PgPool) {
    let sim = Simulator::start(0).await.expect("simulator");
    sim.set_status_page("twilio", SimStatusPage { name: "Twilio".into(), ..SimStatusPage::default() });
    let id = statuspage_source(&pool, &sim, "twilio", "Twilio", "sms").await;
    server::init_crypto();
    let job = StatusPollJob::new(pool.clone(), true).expect("job");
    let t0 = Utc::now() - Duration::hours(3);
    let mut added = Vec::new();
    for n in 0..LIFECYCLE.len() {
        let at = t0 + Duration::minutes(20 * n as i64);
        sim.advance_incident("twilio", "tw-1", at);
        let before = updates(&pool).await;
        job.poll(id, at).await.expect("poll");
        collect(&pool, Utc::now(), 3).await.expect("collect");
        let once = updates(&pool).await;
        collect(&pool, Utc::now(), 3).await.expect("collect again");
        added.push(once - before);
        added.push(updates(&pool).await - once);
    }
    assert_eq!(added, [1, 0, 1, 0, 1, 0, 1, 0, 1, 0], "each update once, however often the collector runs");
    let (count, severity, title): (i64, String, String) =
        sqlx::query_as("SELECT count(*) OVER (), severity, title FROM notifications")
            .fetch_one(&pool)
            .await
            .expect("one");
    assert_eq!((count, severity.as_str(), title.as_str()), (1, "critical", "Twilio: Incident tw-1"), "impact major");
    let timeline: Vec<String> = sqlx::query_scalar("SELECT text FROM notifications_updates ORDER BY at, id")
        .fetch_all(&pool)
        .await
        .expect("timeline");
    let phases: Vec<&str> = timeline.iter().map(|t| t.split(':').next().unwrap_or_default()).collect();
    assert_eq!(phases, LIFECYCLE);
}

fn incoming(origin: &str, severity: &'static str, update: &str, title: &str) -> Incoming {
    Incoming {
        origin: origin.into(),
        source: "console",
        kind: "synthetic_login_alert".into(),
        severity,
        title: title.into(),
        body: String::new(),
        link: Some("/monitoring".into()),
        tenants: vec!["acme-prod".into()],
        regions: vec!["us".into()],
        at: Utc::now(),
        update_origin: update.into(),
        text: format!("{severity} update"),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn ops_leads_acknowledge_with_a_comment_and_a_more_severe_update_reopens(pool: PgPool) {
    let mut conn = pool.acquire().await.expect("conn");
    apply(&mut conn, &incoming("a", "warning", "a1", "Customer login on acme-prod is failing"), Utc::now())
        .await
        .expect("a");
    apply(&mut conn, &incoming("b", "info", "b1", "Custom domain login.acme.example: TLS"), Utc::now())
        .await
        .expect("b");
    drop(conn);
    let a: i64 =
        sqlx::query_scalar("SELECT id FROM notifications WHERE origin = 'a'").fetch_one(&pool).await.expect("a");

    let app = TestApp::spawn(pool.clone()).await;
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    let denied = helpdesk
        .post_form_on(
            &format!("/notifications/{a}"),
            "/api/notifications/acknowledge",
            &[("id", &a.to_string()), ("comment", "x")],
        )
        .await;
    assert_eq!(denied.status(), StatusCode::FORBIDDEN, "helpdesk cannot acknowledge");
    let page = helpdesk.page("/notifications").await.html;
    assert!(page.contains("data-testid=\"open-notices\""), "the navigation counts open notices");

    let ops = app.signed_in(Role::OpsLead).await;
    let open = text_of(&ops.page("/notifications?state=open&severity=warning").await.html);
    assert!(open.contains("1 notification(s)") && open.contains("Customer login on acme-prod is failing"), "{open}");
    let us = text_of(&ops.page("/notifications?region=us").await.html);
    assert!(us.contains("2 notification(s)"), "region filter: {us}");
    let eu = text_of(&ops.page("/notifications?region=eu").await.html);
    assert!(eu.contains("0 notification(s)"), "region filter: {eu}");
    let mars = text_of(&ops.page("/notifications?region=mars").await.html);
    assert!(mars.contains("Region: \"mars\" is not an Auth0 region"), "{mars}");
    let found = text_of(&ops.page("/notifications?q=login+failing").await.html);
    assert!(found.contains("1 notification(s)"), "full-text search: {found}");
    let acked = ops
        .post_form_on(
            &format!("/notifications/{a}"),
            "/api/notifications/acknowledge",
            &[("id", &a.to_string()), ("comment", "test user unblocked")],
        )
        .await;
    assert_eq!(acked.headers()["location"], format!("/notifications/{a}").as_str());
    let detail = text_of(&ops.page(&format!("/notifications/{a}")).await.html);
    assert!(detail.contains("Acknowledged: test user unblocked"), "in the timeline: {detail}");
    let audit = text_of(&ops.page("/settings/audit").await.html);
    assert!(audit.contains("notification_acknowledged") || audit.contains("Notification acknowledged"), "{audit}");
    let again = ops
        .post_form_on(
            &format!("/notifications/{a}"),
            "/api/notifications/acknowledge",
            &[("id", &a.to_string()), ("comment", "")],
        )
        .await;
    assert!(again.headers()["location"].to_str().expect("ascii").contains("__err="), "once is enough");

    // The same severity does not re-open; a higher one does, and says so.
    let mut conn = pool.acquire().await.expect("conn");
    apply(&mut conn, &incoming("a", "warning", "a2", "Customer login on acme-prod is failing"), Utc::now())
        .await
        .expect("a2");
    let still: bool = sqlx::query_scalar("SELECT acknowledged_at IS NOT NULL FROM notifications WHERE id = $1")
        .bind(a)
        .fetch_one(&pool)
        .await
        .expect("state");
    assert!(still);
    apply(&mut conn, &incoming("a", "critical", "a3", "Customer login on acme-prod is failing"), Utc::now())
        .await
        .expect("a3");
    let (acknowledged, severity): (bool, String) =
        sqlx::query_as("SELECT acknowledged_at IS NOT NULL, severity FROM notifications WHERE id = $1")
            .bind(a)
            .fetch_one(&pool)
            .await
            .expect("state");
    assert_eq!((acknowledged, severity.as_str()), (false, "critical"));
    let kinds: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM notifications_updates WHERE notification_id = $1 ORDER BY id")
            .bind(a)
            .fetch_all(&pool)
            .await
            .expect("kinds");
    assert_eq!(kinds, ["update", "acknowledged", "update", "update", "reopened"]);
    let bad = text_of(&ops.page("/notifications?from=2026-02-30").await.html);
    assert!(bad.contains("From: \"2026-02-30\" is not a date"), "{bad}");
}
