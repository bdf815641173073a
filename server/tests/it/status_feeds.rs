//! Real status feeds read right: the shapes providers publish (Statuspage history feeds, Google's incidents.json with
//! every update, the legacy Workspace RSS, backfilled Statuspage updates), each update dated when its provider
//! published it, and months-old archives kept as history — never delivered, never counted as open.

use chrono::{DateTime, TimeZone, Utc};
use server::status::adapters::{ParseError, SourceKind, parse};
use server::status::model::{Health, Incident, Phase, Reading};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/status/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 11, 0, 0).single().expect("date")
}

fn at(text: &str) -> Option<DateTime<Utc>> {
    Some(DateTime::parse_from_rfc3339(text).expect("time").with_timezone(&Utc))
}

fn read(kind: SourceKind, url: &str, name: &str) -> Reading {
    parse(kind, url, None, &fixture(name), now()).expect("parses")
}

fn by_title<'a>(reading: &'a Reading, title: &str) -> &'a Incident {
    reading.incidents.iter().find(|i| i.title == title).unwrap_or_else(|| panic!("no incident {title:?}"))
}

fn timeline(incident: &Incident) -> Vec<(Phase, Option<DateTime<Utc>>)> {
    incident.updates.iter().map(|u| (u.phase, u.at)).collect()
}

#[test]
fn a_statuspage_history_feed_keeps_every_update_with_its_own_time_and_phase_word() {
    let reading = read(SourceKind::Feed, "http://127.0.0.1/history.atom", "statuspage_history_constructed.atom");
    assert_eq!(reading.format, Some("Statuspage-style history feed"));
    assert_eq!(reading.state, Health::Operational, "months-old incidents are over");
    assert_eq!(reading.incidents.len(), 4);

    let actions = by_title(&reading, "Disruption with some GitHub services");
    assert_eq!(
        timeline(actions),
        [
            (Phase::Investigating, at("2026-08-28T20:05:00Z")),
            (Phase::Update, at("2026-08-28T20:30:00Z")),
            (Phase::Update, at("2026-08-28T20:48:00Z")),
            (Phase::Resolved, at("2026-08-28T21:14:00Z")),
        ]
    );
    assert_eq!(actions.phase, Phase::Resolved);
    assert_eq!(actions.started_at, at("2026-08-28T20:05:00Z"), "started with the first update, not at the resolution");
    assert_eq!(actions.updates[1].text, "Actions runs are delayed; latency < 5 minutes for most.");
    assert_eq!(
        actions.updates[2].text,
        "We have deployed a fix & are watching queues drain. Actions jobs may start late."
    );

    let new_year = by_title(&reading, "Incident with Pages");
    assert_eq!(new_year.started_at, at("2025-12-31T23:50:00Z"), "the year comes from the entry, across New Year");

    let pacific = by_title(&reading, "Delayed webhooks");
    assert_eq!(
        timeline(pacific),
        [(Phase::Identified, at("2026-07-15T16:30:00Z")), (Phase::Resolved, at("2026-07-15T17:00:00Z"))]
    );
    assert_eq!(pacific.updates[0].text, "A slow database replica delays deliveries.", "bold text stays in its update");

    let maintenance = by_title(&reading, "Scheduled database maintenance");
    let phases: Vec<Phase> = maintenance.updates.iter().map(|u| u.phase).collect();
    assert_eq!(phases, [Phase::Scheduled, Phase::InProgress, Phase::Resolved], "the banner is not an update");
}

#[test]
fn google_incidents_keep_every_update_their_severity_and_their_own_dashboard() {
    let cloud = read(
        SourceKind::GoogleWorkspace,
        "https://status.cloud.google.com/incidents.json",
        "google_cloud_incidents_constructed.json",
    );
    assert_eq!(cloud.format, Some("Google Cloud incidents.json"));
    assert_eq!(cloud.state, Health::PartialOutage, "the open incident's status_impact");
    let open = &cloud.incidents[0];
    assert_eq!(open.impact.as_deref(), Some("medium"), "the incident's severity, not an update's status word");
    assert_eq!(
        timeline(open),
        [(Phase::Investigating, at("2026-11-29T08:25:11Z")), (Phase::Update, at("2026-11-29T09:40:00Z"))]
    );
    assert_eq!(open.link.as_deref(), Some("https://status.cloud.google.com/incidents/mK3aP9wQz2sT7vX1"));
    let over = &cloud.incidents[1];
    assert_eq!(
        (over.title.as_str(), over.impact.as_deref(), over.phase),
        ("Multiple services: errors creating resources", Some("high"), Phase::Resolved)
    );
    assert_eq!(over.updates.len(), 4, "every update, not only the newest");
    assert_eq!(over.updates.last().map(|u| u.phase), Some(Phase::Resolved));

    let workspace = read(
        SourceKind::GoogleWorkspace,
        "https://www.google.com/appsstatus/dashboard/incidents.json",
        "google_cloud_incidents_constructed.json",
    );
    assert_eq!(
        workspace.incidents[0].link.as_deref(),
        Some("https://www.google.com/appsstatus/dashboard/incidents/mK3aP9wQz2sT7vX1")
    );

    // A list with only `most_recent_update` (older readers' shape) keeps the id it had.
    let older = read(
        SourceKind::GoogleWorkspace,
        "https://www.google.com/appsstatus/dashboard/incidents.json",
        "google_incidents_constructed.json",
    );
    assert_eq!(older.incidents[0].updates[0].id, "a1b2c3@2026-11-29T09:00:00+00:00");
}

#[test]
fn the_legacy_workspace_rss_is_one_incident_per_service_per_outage_with_its_words() {
    let reading =
        read(SourceKind::Feed, "https://www.google.com/appsstatus/rss/en", "workspace_legacy_constructed.rss");
    assert_eq!(reading.format, Some("legacy Google Workspace RSS"));
    let mut titles: Vec<&str> = reading.incidents.iter().map(|i| i.title.as_str()).collect();
    titles.sort();
    assert_eq!(titles, ["Gmail", "Gmail", "Google Calendar", "Google Docs", "Google Drive"]);
    let drive = by_title(&reading, "Google Drive");
    assert_eq!(
        timeline(drive),
        [
            (Phase::Investigating, at("2026-10-05T09:12:00Z")),
            (Phase::Investigating, at("2026-10-05T10:02:00Z")),
            (Phase::Resolved, at("2026-10-05T11:30:00Z")),
        ]
    );
    assert_eq!(drive.phase, Phase::Resolved);
    assert!(
        drive.updates[1].text.starts_with("We're aware of a problem with Google Drive"),
        "{}",
        drive.updates[1].text
    );
    assert!(drive.updates[1].text.contains("error messages & high latency"));
    let gmail_today: Vec<&Incident> =
        reading.incidents.iter().filter(|i| i.title == "Gmail" && i.started_at >= at("2026-11-29T00:00:00Z")).collect();
    assert_eq!(gmail_today.len(), 1);
    assert_eq!(gmail_today[0].phase, Phase::Resolved, "resolved when the feed says so");
    assert_eq!(by_title(&reading, "Google Calendar").phase, Phase::Investigating);
    assert_eq!(reading.state, Health::Degraded, "only the open Calendar problem counts");
}

#[test]
fn a_backfilled_statuspage_update_is_dated_when_it_happened() {
    let reading = read(
        SourceKind::Statuspage,
        "https://status.mail.example.test/api/v2/incidents.json",
        "statuspage_incidents_backfilled_constructed.json",
    );
    let incident = &reading.incidents[0];
    assert_eq!(
        timeline(incident),
        [
            (Phase::Investigating, at("2026-11-03T08:20:00Z")),
            (Phase::Identified, at("2026-11-03T09:30:00Z")),
            (Phase::Resolved, at("2026-11-03T11:40:00Z")),
        ]
    );
    assert_eq!(incident.started_at, at("2026-11-03T08:15:00Z"));
    assert_eq!(incident.updated_at, at("2026-11-03T11:40:00Z"), "the last published update, not the record's edit");
    assert_eq!(incident.updates[2].text, "A backlog to Outlook recipients has cleared. All queued mail was delivered.");
    assert_eq!(incident.updates[0].text, "We are investigating delayed delivery to Outlook & Hotmail recipients.");
}

#[test]
fn a_body_of_another_format_says_which_format_it_is() {
    let google = fixture("google_cloud_incidents_constructed.json");
    let err = parse(SourceKind::Statuspage, "https://x.test/incidents.json", Some("application/json"), &google, now())
        .expect_err("wrong format");
    assert_eq!(
        err,
        ParseError::OtherFormat { found: "Google incidents.json", expected: "Atlassian Statuspage (summary.json)" }
    );
    assert!(err.to_string().contains("pick the format \"Google incidents.json\""), "{err}");
    let summary = fixture("statuspage_github_summary.json");
    let err =
        parse(SourceKind::GoogleWorkspace, "https://x.test/incidents.json", None, &summary, now()).expect_err("wrong");
    assert!(err.to_string().starts_with("the answer is Atlassian Statuspage (summary.json), not Google"), "{err}");
    let atom = fixture("statuspage_history_constructed.atom");
    let err = parse(SourceKind::Apple, "https://x.test/status.js", None, &atom, now()).expect_err("wrong");
    assert!(err.to_string().starts_with("the answer is RSS or Atom feed"), "{err}");
    // Valid JSON of no format Tenantry reads is still "not valid" for the one chosen, with the parser's reason.
    let err = parse(SourceKind::Statuspage, "https://x.test/summary.json", None, b"[1, 2]", now()).expect_err("wrong");
    assert!(matches!(err, ParseError::Malformed { .. }), "{err}");
}

mod stored {
    use std::sync::{Arc, Mutex};

    use chrono::Duration;
    use server::notifications::record::HISTORY;
    use server::status::jobs::StatusPollJob;
    use sqlx::PgPool;

    use super::{fixture, now};

    /// A web server on 127.0.0.1 serving `body` (which the test may change) as `content_type`.
    async fn serve(body: Arc<Mutex<Vec<u8>>>, content_type: &'static str) -> String {
        let app = axum::Router::new().fallback(move || {
            let body = body.lock().expect("lock").clone();
            async move { ([("content-type", content_type)], body) }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://127.0.0.1:{port}")
    }

    async fn channel(pool: &PgPool) {
        sqlx::query("INSERT INTO notifications_channels (name, kind, target, min_severity) VALUES ('ops', 'webhook', 'https://hooks.example.test/x', 'info')")
            .execute(pool)
            .await
            .expect("channel");
    }

    async fn counts(pool: &PgPool) -> (i64, i64, i64) {
        sqlx::query_as(
            "SELECT (SELECT count(*) FROM notifications),
                    (SELECT count(*) FROM notifications WHERE acknowledged_at IS NULL AND severity <> 'info'),
                    (SELECT count(*) FROM notifications_outbox)",
        )
        .fetch_one(pool)
        .await
        .expect("counts")
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_months_old_archive_lands_as_history_and_a_new_update_still_notifies_at_once(pool: PgPool) {
        server::init_crypto();
        channel(&pool).await;
        let body = Arc::new(Mutex::new(fixture("statuspage_history_constructed.atom")));
        let url = format!("{}/history.atom", serve(body.clone(), "application/atom+xml").await);
        let id = crate::harness::insert_source(&pool, "GitHub", "feed", "other", &url).await;
        let job = StatusPollJob::new(pool.clone(), true).expect("job");
        job.poll(id, now()).await.expect("poll");

        let (notices, open, queued) = counts(&pool).await;
        assert_eq!((notices, open, queued), (4, 0, 0), "four incidents kept as history: none open, nothing delivered");
        let by: Vec<Option<String>> =
            sqlx::query_scalar("SELECT acknowledged_by FROM notifications").fetch_all(&pool).await.expect("rows");
        assert!(by.iter().all(|b| b.as_deref() == Some(HISTORY)), "{by:?}");
        let dated: Vec<chrono::DateTime<chrono::Utc>> = sqlx::query_scalar(
            "SELECT u.at FROM status_updates u JOIN status_incidents i ON i.id = u.incident_id
             WHERE i.title = 'Disruption with some GitHub services' ORDER BY u.at",
        )
        .fetch_all(&pool)
        .await
        .expect("updates");
        assert_eq!(dated.len(), 4);
        assert_eq!(dated[0].to_rfc3339(), "2026-08-28T20:05:00+00:00", "stored with the provider's times");
        let read_as: Option<String> =
            sqlx::query_scalar("SELECT read_as FROM status_sources").fetch_one(&pool).await.expect("source");
        assert_eq!(read_as.as_deref(), Some("Statuspage-style history feed"));

        // The stored history is read again (as after an upgrade): times missing from stored updates come back,
        // and nothing is recorded twice.
        sqlx::query("UPDATE status_updates SET at = NULL").execute(&pool).await.expect("forget the times");
        job.poll(id, now() + Duration::minutes(5)).await.expect("poll again");
        let undated: i64 = sqlx::query_scalar("SELECT count(*) FROM status_updates WHERE at IS NULL")
            .fetch_one(&pool)
            .await
            .expect("count");
        assert_eq!(undated, 0);
        assert_eq!(counts(&pool).await, (4, 0, 0));

        // A live incident: its update notifies at once.
        let live = "<entry><id>tag:www.githubstatus.com,2005:Incident/live</id><published>2026-11-29T10:55:00Z</published>\
             <updated>2026-11-29T10:55:00Z</updated><title>Incident with Git Operations</title>\
             <content type=\"html\">&lt;p&gt;&lt;small&gt;Nov &lt;var data-var='date'&gt;29&lt;/var&gt;, \
             &lt;var data-var='time'&gt;10:55&lt;/var&gt; UTC&lt;/small&gt;&lt;br&gt;&lt;strong&gt;Investigating\
             &lt;/strong&gt; - We are investigating failed pushes.&lt;/p&gt;</content></entry>";
        {
            let mut served = body.lock().expect("lock");
            let text =
                String::from_utf8(served.clone()).expect("utf-8").replacen("<entry>", &format!("{live}\n  <entry>"), 1);
            *served = text.into_bytes();
        }
        job.poll(id, now() + Duration::minutes(10)).await.expect("poll with news");
        assert_eq!(counts(&pool).await, (5, 1, 1), "one open notice, one delivery queued");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn google_and_workspace_rss_sources_deliver_only_what_is_recent(pool: PgPool) {
        server::init_crypto();
        channel(&pool).await;
        let job = StatusPollJob::new(pool.clone(), true).expect("job");
        let google = Arc::new(Mutex::new(fixture("google_cloud_incidents_constructed.json")));
        let base = serve(google, "application/json").await;
        let id = crate::harness::insert_source(
            &pool,
            "Google Cloud",
            "google_workspace",
            "other",
            &format!("{base}/incidents.json"),
        )
        .await;
        job.poll(id, now()).await.expect("poll");
        // The open Cloud Run incident: two recent updates delivered, open as a warning; August's: history.
        assert_eq!(counts(&pool).await, (2, 1, 2));
        let updates: i64 = sqlx::query_scalar("SELECT count(*) FROM status_updates").fetch_one(&pool).await.expect("n");
        assert_eq!(updates, 6, "every update of every incident");

        let rss = Arc::new(Mutex::new(fixture("workspace_legacy_constructed.rss")));
        let base = serve(rss, "application/rss+xml").await;
        let id = crate::harness::insert_source(&pool, "Workspace", "feed", "email", &format!("{base}/rss/en")).await;
        job.poll(id, now()).await.expect("poll");
        // Five incidents more: October's three as history; today's Gmail (two updates) and Calendar (one) delivered.
        assert_eq!(counts(&pool).await, (7, 3, 5));
        let (state, open): (String, i64) = sqlx::query_as(
            "SELECT s.state, (SELECT count(*) FROM status_incidents i WHERE i.source_id = s.id
                                 AND i.phase NOT IN ('resolved', 'postmortem'))
             FROM status_sources s WHERE s.id = $1",
        )
        .bind(id)
        .fetch_one(&pool)
        .await
        .expect("source");
        assert_eq!((state.as_str(), open), ("degraded", 1), "only Calendar is open; Gmail was resolved");
    }
}
