//! Status adapters on real and constructed bodies, and on hostile ones: every failure is a clear error.

use chrono::{TimeZone, Utc};
use server::status::adapters::{MAX_BODY, ParseError, SourceKind, parse};
use server::status::model::{Phase, State};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/status/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 11, 0, 0).single().expect("date")
}

#[test]
fn the_recorded_github_statuspage_summary_reads_as_a_partial_outage_with_its_incident_timeline() {
    let reading =
        parse(SourceKind::Statuspage, Some("application/json"), &fixture("statuspage_github_summary.json"), now())
            .expect("parses");
    assert_eq!(reading.state, State::PartialOutage, "a component in partial outage is worse than the minor indicator");
    assert_eq!(reading.components.len(), 11);
    assert!(reading.components.iter().any(|c| c.name == "Packages" && c.state == State::PartialOutage));
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
    let reading =
        parse(SourceKind::Auth0Feed, Some("application/atom+xml"), &fixture("auth0_feed_constructed.atom"), now())
            .expect("parses");
    assert_eq!(reading.state, State::Degraded, "an open incident updated within a day");
    let open = &reading.incidents[0];
    assert_eq!(open.phase, Phase::Monitoring);
    let phases: Vec<Phase> = open.updates.iter().map(|u| u.phase).collect();
    assert_eq!(phases, [Phase::Investigating, Phase::Identified, Phase::Monitoring]);
    assert_eq!(open.updates[1].text, "The cause is a faulty cache node.");
    assert!(open.link.as_deref().is_some_and(|l| l.ends_with("/incidents/29001")), "the entry's link is kept");
    assert_eq!(reading.incidents[1].phase, Phase::Resolved);
    let ids: Vec<&str> = open.updates.iter().map(|u| u.id.as_str()).collect();
    let again = parse(SourceKind::Auth0Feed, None, &fixture("auth0_feed_constructed.atom"), now()).expect("parses");
    assert_eq!(ids, again.incidents[0].updates.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), "stable update ids");
}

#[test]
fn google_workspace_incidents_map_to_states() {
    let reading = parse(
        SourceKind::GoogleWorkspace,
        Some("application/json"),
        &fixture("google_incidents_constructed.json"),
        now(),
    )
    .expect("parses");
    assert_eq!(reading.state, State::PartialOutage);
    assert_eq!(reading.incidents.len(), 2);
    assert_eq!(reading.incidents[1].phase, Phase::Resolved);
}

#[test]
fn hostile_bodies_give_clear_errors_and_never_panic() {
    let summary = fixture("statuspage_github_summary.json");
    let truncated = &summary[..summary.len() / 2];
    let err = parse(SourceKind::Statuspage, Some("application/json"), truncated, now()).expect_err("truncated");
    assert!(matches!(err, ParseError::Malformed { format: "JSON", .. }), "{err}");
    assert!(err.to_string().starts_with("the answer is not valid JSON: EOF while parsing"), "{err}");

    let html = b"<!DOCTYPE html><html><body>Status</body></html>";
    let err = parse(SourceKind::Statuspage, Some("text/html; charset=utf-8"), html, now()).expect_err("html");
    assert_eq!(err.to_string(), "the answer is text/html, not JSON; check the URL and the source type");
    let err = parse(SourceKind::Feed, Some("application/json"), b"{}", now()).expect_err("json for a feed");
    assert!(err.to_string().contains("not an RSS or Atom feed"), "{err}");

    let big = vec![b' '; MAX_BODY + 1];
    assert_eq!(parse(SourceKind::Feed, None, &big, now()), Err(ParseError::Oversized { size: MAX_BODY + 1 }));

    // Garbage of every kind: JSON sources refuse it; feed sources refuse it or read no incident — none panics.
    for garbage in [&b""[..], b"not xml at all", b"<rss><channel><item>", b"\xff\xfe\x00<", b"{\"status\": 5}"] {
        for kind in [SourceKind::Statuspage, SourceKind::GoogleWorkspace] {
            assert!(parse(kind, None, garbage, now()).is_err(), "{kind:?} {garbage:?}");
        }
        for kind in [SourceKind::Auth0Feed, SourceKind::Feed] {
            if let Ok(reading) = parse(kind, None, garbage, now()) {
                assert!(reading.incidents.iter().all(|i| i.updates.is_empty()), "{kind:?} {garbage:?}");
            }
        }
    }
}
