//! Status adapters on real and constructed bodies, and on hostile ones: every failure is a clear error.

use chrono::{TimeZone, Utc};
use server::status::adapters::{MAX_BODY, ParseError, SourceKind, parse};
use server::status::model::{Health, Phase};

const SOURCE_URL: &str = "https://status.example.test/incidents.json";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/status/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 11, 0, 0).single().expect("date")
}

#[test]
fn the_recorded_github_statuspage_summary_reads_as_a_partial_outage_with_its_incident_timeline() {
    let reading = parse(
        SourceKind::Statuspage,
        SOURCE_URL,
        Some("application/json"),
        &fixture("statuspage_github_summary.json"),
        now(),
    )
    .expect("parses");
    assert_eq!(reading.state, Health::PartialOutage, "a component in partial outage is worse than the minor indicator");
    assert_eq!(reading.components.len(), 11);
    assert!(reading.components.iter().any(|c| c.name == "Packages" && c.state == Health::PartialOutage));
    let incident = &reading.incidents[0];
    assert_eq!(
        (incident.title.as_str(), incident.phase, incident.impact.as_deref()),
        ("Incident with Packages and Pages", Phase::Investigating, Some("major"))
    );
    assert_eq!(incident.updates.len(), 7);
    assert!(incident.updates.windows(2).all(|w| w[0].at <= w[1].at), "oldest first");
}

#[test]
fn the_auth0_feed_gives_incidents_with_their_phases_in_order() {
    let reading = parse(
        SourceKind::Auth0Feed,
        SOURCE_URL,
        Some("application/atom+xml"),
        &fixture("auth0_feed_constructed.atom"),
        now(),
    )
    .expect("parses");
    assert_eq!(reading.state, Health::Degraded, "an open incident updated within a day");
    let open = &reading.incidents[0];
    assert_eq!(open.phase, Phase::Monitoring);
    let phases: Vec<Phase> = open.updates.iter().map(|u| u.phase).collect();
    assert_eq!(phases, [Phase::Investigating, Phase::Identified, Phase::Monitoring]);
    assert_eq!(open.updates[1].text, "The cause is a faulty cache node.");
    assert!(open.link.as_deref().is_some_and(|l| l.ends_with("/incidents/29001")), "the entry's link is kept");
    assert_eq!(reading.incidents[1].phase, Phase::Resolved);
    let ids: Vec<&str> = open.updates.iter().map(|u| u.id.as_str()).collect();
    let again =
        parse(SourceKind::Auth0Feed, SOURCE_URL, None, &fixture("auth0_feed_constructed.atom"), now()).expect("parses");
    assert_eq!(ids, again.incidents[0].updates.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), "stable update ids");
}

#[test]
fn google_workspace_incidents_map_to_states() {
    let reading = parse(
        SourceKind::GoogleWorkspace,
        SOURCE_URL,
        Some("application/json"),
        &fixture("google_incidents_constructed.json"),
        now(),
    )
    .expect("parses");
    assert_eq!(reading.state, Health::PartialOutage);
    assert_eq!(reading.incidents.len(), 2);
    assert_eq!(reading.incidents[1].phase, Phase::Resolved);
}

#[test]
fn hostile_bodies_give_clear_errors_and_never_panic() {
    let summary = fixture("statuspage_github_summary.json");
    let truncated = &summary[..summary.len() / 2];
    let err =
        parse(SourceKind::Statuspage, SOURCE_URL, Some("application/json"), truncated, now()).expect_err("truncated");
    assert!(matches!(err, ParseError::Malformed { format: "JSON", .. }), "{err}");
    assert!(err.to_string().starts_with("the answer is not valid JSON: EOF while parsing"), "{err}");

    let html = b"<!DOCTYPE html><html><body>Status</body></html>";
    let err =
        parse(SourceKind::Statuspage, SOURCE_URL, Some("text/html; charset=utf-8"), html, now()).expect_err("html");
    assert_eq!(err.to_string(), "the answer is text/html, not JSON; check the URL and the source type");
    let err = parse(SourceKind::Feed, SOURCE_URL, Some("application/json"), b"{}", now()).expect_err("json for a feed");
    assert!(err.to_string().contains("not an RSS or Atom feed"), "{err}");

    let big = vec![b' '; MAX_BODY + 1];
    assert_eq!(
        parse(SourceKind::Feed, SOURCE_URL, None, &big, now()),
        Err(ParseError::Oversized { size: MAX_BODY + 1 })
    );

    // Garbage of every kind: JSON sources refuse it; feed sources refuse it or read no incident — none panics.
    for garbage in [&b""[..], b"not xml at all", b"<rss><channel><item>", b"\xff\xfe\x00<", b"{\"status\": 5}"] {
        for kind in [SourceKind::Statuspage, SourceKind::GoogleWorkspace] {
            assert!(parse(kind, SOURCE_URL, None, garbage, now()).is_err(), "{kind:?} {garbage:?}");
        }
        for kind in [SourceKind::Auth0Feed, SourceKind::Feed] {
            if let Ok(reading) = parse(kind, SOURCE_URL, None, garbage, now()) {
                assert!(reading.incidents.iter().all(|i| i.updates.is_empty()), "{kind:?} {garbage:?}");
            }
        }
    }
}

mod polling {
    use chrono::{Duration, TimeZone, Utc};
    use server::outbound::check_url;
    use server::simulator::{LIFECYCLE, SimStatusPage, Simulator};
    use server::status::jobs::{Polled, StatusPollJob};
    use server::status::model::Health;
    use sqlx::PgPool;
    use uuid::Uuid;

    async fn source(pool: &PgPool, kind: &str, url: &str) -> Uuid {
        crate::harness::insert_source(pool, "test", kind, "auth0", url).await
    }

    /// The simulator's Auth0 US status page as an Auth0 feed source, and the poll job: (simulator, source, job).
    async fn auth0_us_feed(pool: &PgPool) -> (Simulator, Uuid, StatusPollJob) {
        let sim = Simulator::start(0).await.expect("simulator");
        sim.set_status_page("auth0-us", SimStatusPage { name: "Auth0 US".into(), ..SimStatusPage::default() });
        let id = source(pool, "auth0_feed", &format!("{}/__status/auth0-us/history.atom", sim.base_url())).await;
        server::init_crypto();
        (sim, id, StatusPollJob::new(pool.clone(), true).expect("job"))
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn an_incident_through_its_lifecycle_is_stored_with_every_update_once_and_in_order(pool: PgPool) {
        let (sim, id, job) = auth0_us_feed(&pool).await;
        let t0 = Utc.with_ymd_and_hms(2026, 11, 29, 9, 0, 0).single().expect("date");
        for (n, phase) in LIFECYCLE.iter().enumerate() {
            let at = t0 + Duration::minutes(10 * n as i64);
            assert_eq!(sim.advance_incident("auth0-us", "inc-1", at), Some(*phase));
            let first = job.poll(id, at).await.expect("poll");
            let again = job.poll(id, at + Duration::minutes(2)).await.expect("poll again");
            assert!(matches!(first, Polled::Read { new_updates: 1, .. }), "{phase}: {first:?}");
            assert_eq!(again, Polled::NotModified, "{phase}: nothing new on a repeated poll (the feed's ETag)");
        }
        assert_eq!(sim.advance_incident("auth0-us", "inc-1", t0), None, "the lifecycle ends with the postmortem");
        let phases: Vec<String> =
            sqlx::query_scalar("SELECT phase FROM status_updates ORDER BY id").fetch_all(&pool).await.expect("rows");
        assert_eq!(phases, LIFECYCLE);
        let (incidents, phase): (i64, String) = sqlx::query_as("SELECT count(*), max(phase) FROM status_incidents")
            .fetch_one(&pool)
            .await
            .expect("incident");
        assert_eq!((incidents, phase.as_str()), (1, "postmortem"));
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_new_incident_update_is_in_the_notification_history_without_the_collector(pool: PgPool) {
        let (sim, id, job) = auth0_us_feed(&pool).await;
        let t0 = Utc.with_ymd_and_hms(2026, 11, 29, 9, 0, 0).single().expect("date");
        sim.advance_incident("auth0-us", "inc-1", t0);
        assert!(matches!(job.poll(id, t0).await.expect("poll"), Polled::Read { new_updates: 1, .. }));
        let (origin, source, updates): (String, String, Vec<String>) = sqlx::query_as(
            "SELECT n.origin, n.source, array_agg(u.origin ORDER BY u.id) FROM notifications n
             JOIN notifications_updates u ON u.notification_id = n.id GROUP BY n.id",
        )
        .fetch_one(&pool)
        .await
        .expect("the notification, recorded by the poll");
        let external: String =
            sqlx::query_scalar("SELECT external_id FROM status_incidents").fetch_one(&pool).await.expect("incident");
        assert_eq!((origin.as_str(), source.as_str()), (format!("status:auth0:{external}").as_str(), "auth0_status"));
        assert_eq!(updates.len(), 1);
        assert!(updates[0].starts_with(&format!("{origin}:")), "{updates:?}");
        // A second update of the incident is a second notification update; a repeated poll adds none.
        sim.advance_incident("auth0-us", "inc-1", t0 + Duration::minutes(10));
        job.poll(id, t0 + Duration::minutes(10)).await.expect("poll");
        job.poll(id, t0 + Duration::minutes(12)).await.expect("poll again");
        let counts: (i64, i64) =
            sqlx::query_as("SELECT (SELECT count(*) FROM notifications), (SELECT count(*) FROM notifications_updates)")
                .fetch_one(&pool)
                .await
                .expect("counts");
        assert_eq!(counts, (1, 2));
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_component_outage_changes_the_state_and_a_bad_answer_keeps_the_last_good_one(pool: PgPool) {
        let sim = Simulator::start(0).await.expect("simulator");
        let page = SimStatusPage {
            name: "SendGrid".into(),
            components: vec![("mail".into(), "Mail Sending".into(), "operational".into())],
            incidents: Vec::new(),
        };
        sim.set_status_page("sendgrid", page);
        let summary = format!("{}/__status/sendgrid/api/v2/summary.json", sim.base_url());
        let id = source(&pool, "statuspage", &summary).await;
        server::init_crypto();
        let job = StatusPollJob::new(pool.clone(), true).expect("job");
        let now = Utc::now();
        assert!(matches!(job.poll(id, now).await, Ok(Polled::Read { state: Health::Operational, .. })));
        sim.update_status_page("sendgrid", |p| p.components[0].2 = "major_outage".into());
        assert!(matches!(job.poll(id, now).await, Ok(Polled::Read { state: Health::MajorOutage, .. })));
        let transitions: Vec<(String, String)> =
            sqlx::query_as("SELECT from_state, to_state FROM status_transitions ORDER BY id")
                .fetch_all(&pool)
                .await
                .expect("rows");
        assert_eq!(
            transitions,
            [("unknown".into(), "operational".into()), ("operational".into(), "major_outage".into())]
        );

        // The URL now serves the feed instead of JSON: an error with the reason, and the state stays.
        sqlx::query("UPDATE status_sources SET url = $1")
            .bind(format!("{}/__status/sendgrid/history.atom", sim.base_url()))
            .execute(&pool)
            .await
            .expect("url");
        let failure = job.poll(id, now).await.expect_err("wrong type").to_string();
        assert!(failure.contains("not JSON"), "{failure}");
        let (state, error): (String, Option<String>) =
            sqlx::query_as("SELECT state, error FROM status_sources").fetch_one(&pool).await.expect("source");
        assert_eq!(state, "major_outage", "the last good state is kept");
        assert_eq!(error.as_deref(), Some(failure.as_str()));
    }

    #[tokio::test]
    async fn private_and_non_http_targets_are_refused_unless_allowed() {
        use server::outbound::Policy;
        let refused = check_url("http://127.0.0.1:9/x", Policy::PUBLIC_ONLY).await.expect_err("loopback");
        assert!(refused.contains("127.0.0.1 is a loopback address"), "{refused}");
        assert!(check_url("http://127.0.0.1:9/x", Policy::ANY_ADDRESS).await.is_ok());
        assert!(check_url("http://10.1.2.3/", Policy::PUBLIC_ONLY).await.is_err());
        let scheme = check_url("file:///etc/passwd", Policy::ANY_ADDRESS).await.expect_err("scheme");
        assert!(scheme.contains("only http and https"));
        assert!(check_url("not a url", Policy::ANY_ADDRESS).await.is_err());
    }
}

#[test]
fn apples_jsonp_gives_one_component_per_service_and_open_events_set_the_state() {
    let reading = parse(
        SourceKind::Apple,
        SOURCE_URL,
        Some("text/javascript; charset=utf-8"),
        &fixture("apple_developer_constructed.js"),
        now(),
    )
    .expect("parses");
    assert_eq!(reading.state, Health::MajorOutage, "an ongoing outage");
    let sign_in = reading.components.iter().find(|c| c.name == "Sign in with Apple").expect("service");
    assert_eq!(sign_in.state, Health::MajorOutage);
    let account = reading.components.iter().find(|c| c.name == "Account").expect("service");
    assert_eq!(account.state, Health::Operational, "a resolved event does not count");
    assert_eq!(reading.incidents.len(), 2);
    assert_eq!(reading.incidents[1].phase, Phase::Resolved);
    assert!(reading.incidents[0].updates[0].text.contains("Users are unable to sign in. Some users are affected"));
    let err = parse(SourceKind::Apple, SOURCE_URL, None, b"jsonCallback({\"services\": 5});", now()).expect_err("bad");
    assert!(err.to_string().starts_with("the answer is not valid JSONP"), "{err}");
    assert!(parse(SourceKind::Apple, SOURCE_URL, Some("text/html"), b"<html>", now()).is_err());
}

#[test]
fn a_statuspage_incident_history_without_a_page_status_takes_its_state_from_open_incidents() {
    let body = br#"{"page": {"id": "p", "name": "Twilio"}, "incidents": [
        {"id": "a", "name": "Old", "status": "postmortem", "impact": "critical", "incident_updates": []},
        {"id": "b", "name": "Now", "status": "identified", "impact": "minor", "incident_updates": [
            {"id": "b1", "status": "investigating", "body": "Looking.", "created_at": "2026-11-29T10:00:00Z"},
            {"id": "b2", "status": "identified", "body": "Found it.", "created_at": "2026-11-29T10:20:00Z"}]}]}"#;
    let reading = parse(SourceKind::Statuspage, SOURCE_URL, Some("application/json"), body, now()).expect("parses");
    assert_eq!(reading.state, Health::Degraded, "only the open incident counts: minor");
    assert_eq!(reading.incidents[0].phase, Phase::Postmortem);
    assert_eq!(
        reading.incidents[1].updates.iter().map(|u| u.text.as_str()).collect::<Vec<_>>(),
        ["Looking.", "Found it."]
    );
    assert_eq!(
        server::status::adapters::statuspage_incidents_url("https://status.example.test/api/v2/summary.json"),
        Some("https://status.example.test/api/v2/incidents.json".into())
    );
}
