//! Adapters: a source's body, in its real format, to a `Reading`. Every failure is a `ParseError` that says what
//! was wrong; nothing panics on hostile input.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::model::{Component, Health, Incident, Phase, Reading, Update};

pub use crate::outbound::MAX_BODY;
pub use crate::text::{ParseError, strip_tags};

/// The formats Tenantry reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// Auth0's per-tenant Atom/RSS feed (`status.auth0.com/feed?domain=…`).
    Auth0Feed,
    /// Atlassian Statuspage v2 `summary.json`.
    Statuspage,
    /// Any RSS or Atom incident feed.
    Feed,
    /// Google Workspace `incidents.json`.
    GoogleWorkspace,
    /// Apple's system status JSONP (`system_status_en_US.js`).
    Apple,
}

impl SourceKind {
    pub const ALL: [SourceKind; 5] = [
        SourceKind::Auth0Feed,
        SourceKind::Statuspage,
        SourceKind::Feed,
        SourceKind::GoogleWorkspace,
        SourceKind::Apple,
    ];

    /// The name stored in `status_sources.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Auth0Feed => "auth0_feed",
            SourceKind::Statuspage => "statuspage",
            SourceKind::Feed => "feed",
            SourceKind::GoogleWorkspace => "google_workspace",
            SourceKind::Apple => "apple",
        }
    }

    pub fn parse(raw: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// What a person calls the format.
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Auth0Feed => "Auth0 status feed",
            SourceKind::Statuspage => "Atlassian Statuspage (summary.json)",
            SourceKind::Feed => "RSS or Atom feed",
            SourceKind::GoogleWorkspace => "Google incidents.json",
            SourceKind::Apple => "Apple system status (JSONP)",
        }
    }
}

/// For a Statuspage `…/api/v2/summary.json`, the page's `incidents.json` (the last 50 incidents, resolved ones and
/// their postmortems included), read beside the summary.
pub fn statuspage_incidents_url(summary_url: &str) -> Option<String> {
    let (base, query) = match summary_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (summary_url, None),
    };
    let base = base.strip_suffix("/summary.json")?;
    Some(match query {
        Some(q) => format!("{base}/incidents.json?{q}"),
        None => format!("{base}/incidents.json"),
    })
}

/// Parses a body of the given kind; `content_type` is the answer's header, when it had one.
pub fn parse(
    kind: SourceKind,
    content_type: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Reading, ParseError> {
    if body.len() > MAX_BODY {
        return Err(ParseError::Oversized { size: body.len() });
    }
    let (json, expected) = match kind {
        SourceKind::Statuspage | SourceKind::GoogleWorkspace => (true, "JSON"),
        SourceKind::Apple => (true, "JSONP"),
        SourceKind::Auth0Feed | SourceKind::Feed => (false, "an RSS or Atom feed"),
    };
    if let Some(ct) = content_type {
        let ct = ct.to_lowercase();
        let fits = if kind == SourceKind::Apple {
            ct.contains("javascript") || ct.contains("json") || ct.starts_with("text/plain")
        } else if json {
            ct.contains("json")
        } else {
            ct.contains("xml") || ct.contains("rss") || ct.contains("atom")
        };
        if !fits {
            return Err(ParseError::WrongContentType {
                got: crate::text::one_line(&ct.split(';').next().unwrap_or("").trim()).chars().take(100).collect(),
                expected,
            });
        }
    }
    match kind {
        SourceKind::Statuspage => statuspage(body),
        SourceKind::GoogleWorkspace => google(body),
        SourceKind::Apple => apple(body, now),
        SourceKind::Auth0Feed | SourceKind::Feed => feed(body, now),
    }
}

fn malformed_json(e: serde_json::Error) -> ParseError {
    ParseError::Malformed { format: "JSON", reason: crate::text::one_line(&e) }
}

#[derive(Deserialize)]
struct Summary {
    /// Absent from `incidents.json`, which has the same incidents (resolved ones too) without the page's status.
    #[serde(default)]
    status: Option<Indicator>,
    #[serde(default)]
    components: Vec<SpComponent>,
    #[serde(default)]
    incidents: Vec<SpIncident>,
    #[serde(default)]
    scheduled_maintenances: Vec<SpIncident>,
}

#[derive(Deserialize)]
struct Indicator {
    indicator: String,
}

#[derive(Deserialize)]
struct SpComponent {
    id: String,
    name: String,
    status: String,
    #[serde(default)]
    group: bool,
}

#[derive(Deserialize)]
struct SpIncident {
    id: String,
    name: String,
    status: String,
    #[serde(default)]
    impact: Option<String>,
    #[serde(default)]
    shortlink: Option<String>,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    incident_updates: Vec<SpUpdate>,
}

#[derive(Deserialize)]
struct SpUpdate {
    id: String,
    status: String,
    body: String,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
}

fn component_state(status: &str) -> Health {
    match status {
        "operational" => Health::Operational,
        "degraded_performance" => Health::Degraded,
        "partial_outage" => Health::PartialOutage,
        "major_outage" => Health::MajorOutage,
        "under_maintenance" => Health::Maintenance,
        _ => Health::Unknown,
    }
}

fn incident(i: SpIncident) -> Incident {
    let mut updates: Vec<Update> = i
        .incident_updates
        .into_iter()
        .map(|u| Update { id: u.id, at: u.created_at, phase: Phase::parse(&u.status), text: u.body })
        .collect();
    updates.sort_by_key(|u| u.at);
    Incident {
        id: i.id,
        title: i.name,
        impact: i.impact,
        phase: Phase::parse(&i.status),
        started_at: i.created_at,
        updated_at: i.updated_at,
        link: i.shortlink,
        updates,
    }
}

fn statuspage(body: &[u8]) -> Result<Reading, ParseError> {
    let summary: Summary = serde_json::from_slice(body).map_err(malformed_json)?;
    let components: Vec<Component> = summary
        .components
        .into_iter()
        .filter(|c| !c.group)
        .map(|c| Component { state: component_state(&c.status), id: c.id, name: c.name })
        .collect();
    let in_maintenance =
        summary.scheduled_maintenances.iter().any(|m| m.status == "in_progress" || m.status == "verifying");
    let worst_component = components.iter().map(|c| c.state).filter(|s| *s != Health::Unknown).max();
    let impact = |word: &str| match word {
        "none" => Health::Operational,
        "minor" => Health::Degraded,
        "major" => Health::PartialOutage,
        "critical" => Health::MajorOutage,
        "maintenance" => Health::Maintenance,
        _ => Health::Unknown,
    };
    let by_indicator = match &summary.status {
        Some(status) => impact(&status.indicator),
        // incidents.json: the worst impact among the incidents still open.
        None => summary
            .incidents
            .iter()
            .filter(|i| !Phase::parse(&i.status).is_over())
            .map(|i| impact(i.impact.as_deref().unwrap_or("none")).min(Health::MajorOutage))
            .max()
            .unwrap_or(Health::Operational),
    };
    let mut state = by_indicator.max(worst_component.unwrap_or(Health::Operational));
    if by_indicator == Health::Unknown {
        state = Health::Unknown;
    } else if state == Health::Operational && in_maintenance {
        state = Health::Maintenance;
    }
    let incidents = summary.incidents.into_iter().chain(summary.scheduled_maintenances).map(incident).collect();
    Ok(Reading { state, components, incidents })
}

#[derive(Deserialize)]
struct GoogleIncident {
    id: String,
    #[serde(default)]
    begin: Option<DateTime<Utc>>,
    #[serde(default)]
    end: Option<DateTime<Utc>>,
    #[serde(default)]
    external_desc: Option<String>,
    #[serde(default)]
    uri: Option<String>,
    most_recent_update: GoogleUpdate,
}

#[derive(Deserialize)]
struct GoogleUpdate {
    #[serde(default)]
    when: Option<DateTime<Utc>>,
    status: String,
    #[serde(default)]
    text: String,
}

fn google(body: &[u8]) -> Result<Reading, ParseError> {
    let list: Vec<GoogleIncident> = serde_json::from_slice(body).map_err(malformed_json)?;
    let mut state = Health::Operational;
    let incidents = list
        .into_iter()
        .map(|g| {
            let open = g.end.is_none();
            let severity = match g.most_recent_update.status.as_str() {
                "SERVICE_OUTAGE" => Health::MajorOutage,
                "SERVICE_DISRUPTION" => Health::PartialOutage,
                "SERVICE_INFORMATION" => Health::Degraded,
                "AVAILABLE" => Health::Operational,
                _ => Health::Unknown,
            };
            if open {
                state = state.max(severity);
            }
            let when = g.most_recent_update.when;
            Incident {
                title: g.external_desc.clone().unwrap_or_else(|| "Google Workspace incident".into()),
                impact: Some(g.most_recent_update.status.to_lowercase()),
                phase: if open { Phase::Investigating } else { Phase::Resolved },
                started_at: g.begin,
                updated_at: when,
                link: g.uri.map(|u| format!("https://www.google.com/appsstatus/dashboard/{u}")),
                updates: vec![Update {
                    id: format!("{}@{}", g.id, when.map(|w| w.to_rfc3339()).unwrap_or_default()),
                    at: when,
                    phase: if open { Phase::Investigating } else { Phase::Resolved },
                    text: g.most_recent_update.text,
                }],
                id: g.id,
            }
        })
        .collect();
    Ok(Reading { state, components: Vec::new(), incidents })
}

/// `<strong>Resolved</strong> - text` blocks in an entry's content, newest first as Statuspage-style feeds write them.
fn phased_updates(html: &str) -> Vec<(Phase, String)> {
    let mut out = Vec::new();
    for part in html.split("<strong>").skip(1) {
        let Some((phase, rest)) = part.split_once("</strong>") else { continue };
        let text = rest.trim_start().trim_start_matches('-').trim();
        // The block ends with its paragraph (the next one starts with the next update's time).
        let block = text.split("</p>").next().unwrap_or(text);
        let text = strip_tags(block.split("<strong>").next().unwrap_or(block));
        out.push((Phase::parse(phase), text));
    }
    out
}

fn feed(body: &[u8], now: DateTime<Utc>) -> Result<Reading, ParseError> {
    let parsed = feed_rs::parser::parse(body)
        .map_err(|e| ParseError::Malformed { format: "RSS or Atom", reason: crate::text::one_line(&e) })?;
    let mut state = Health::Operational;
    let incidents = parsed
        .entries
        .into_iter()
        .map(|e| {
            let html = e.content.and_then(|c| c.body).or(e.summary.map(|s| s.content)).unwrap_or_default();
            let phased = phased_updates(&html);
            let at = e.updated.or(e.published);
            let phase = phased.first().map(|(p, _)| *p).unwrap_or(Phase::Other);
            let updates: Vec<Update> = phased
                .into_iter()
                .rev()
                .enumerate()
                .map(|(i, (phase, text))| Update { id: format!("{}#{i}", e.id), at: None, phase, text })
                .collect();
            // A recent entry that does not say it is over counts as an ongoing incident.
            if !phase.is_over() && at.is_some_and(|t| now - t < Duration::hours(24)) {
                state = state.max(Health::Degraded);
            }
            Incident {
                id: e.id,
                title: e.title.map(|t| t.content).unwrap_or_else(|| "Untitled incident".into()),
                impact: None,
                phase,
                started_at: e.published.or(at),
                updated_at: at,
                link: e.links.first().map(|l| l.href.clone()),
                updates,
            }
        })
        .collect();
    Ok(Reading { state, components: Vec::new(), incidents })
}

#[derive(Deserialize)]
struct AppleStatus {
    services: Vec<AppleService>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppleService {
    service_name: String,
    #[serde(default)]
    events: Vec<AppleEvent>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppleEvent {
    #[serde(default)]
    message_id: Option<String>,
    #[serde(default)]
    status_type: String,
    #[serde(default)]
    event_status: String,
    #[serde(default)]
    epoch_start_date: Option<i64>,
    #[serde(default)]
    epoch_end_date: Option<i64>,
    #[serde(default)]
    users_affected: Option<String>,
    #[serde(default)]
    message: String,
}

/// Apple's `system_status_en_US.js`: `jsonCallback({"services":[{"serviceName", "events":[…]}]});`. Each service
/// is a component; each event an incident with one update.
fn apple(body: &[u8], now: DateTime<Utc>) -> Result<Reading, ParseError> {
    let text = std::str::from_utf8(body)
        .map_err(|e| ParseError::Malformed {
            format: "JSONP",
            reason: format!("not UTF-8 ({})", crate::text::one_line(&e)),
        })?
        .trim();
    let json = match (text.find('('), text.rfind(')')) {
        (Some(open), Some(close)) if open < close && !text.starts_with('{') => &text[open + 1..close],
        _ => text,
    };
    let status: AppleStatus = serde_json::from_str(json)
        .map_err(|e| ParseError::Malformed { format: "JSONP", reason: crate::text::one_line(&e) })?;
    let at = |ms: Option<i64>| ms.and_then(DateTime::<Utc>::from_timestamp_millis);
    let mut components = Vec::new();
    let mut incidents = Vec::new();
    for service in status.services {
        let mut state = Health::Operational;
        for event in service.events {
            let (start, end) = (at(event.epoch_start_date), at(event.epoch_end_date));
            let over = matches!(event.event_status.as_str(), "resolved" | "completed") || end.is_some_and(|e| e <= now);
            let severity = match event.status_type.as_str() {
                "Outage" => Health::MajorOutage,
                "Issue" => Health::PartialOutage,
                "Performance" => Health::Degraded,
                "Maintenance" => Health::Maintenance,
                _ => Health::Degraded,
            };
            if !over && event.event_status != "upcoming" {
                state = state.max(severity);
            }
            let phase = if over { Phase::Resolved } else { Phase::Investigating };
            let id = event
                .message_id
                .unwrap_or_else(|| format!("{}@{}", service.service_name, event.epoch_start_date.unwrap_or_default()));
            let text = match event.users_affected {
                Some(who) if !who.is_empty() => format!("{} {who}", event.message),
                _ => event.message,
            };
            incidents.push(Incident {
                title: format!("{}: {}", service.service_name, event.status_type),
                impact: Some(event.status_type.to_lowercase()),
                phase,
                started_at: start,
                updated_at: end.or(start),
                link: None,
                updates: vec![Update { id: format!("{id}/{}", event.event_status), at: end.or(start), phase, text }],
                id,
            });
        }
        components.push(Component { id: service.service_name.clone(), name: service.service_name, state });
    }
    let state = components.iter().map(|c| c.state).max().unwrap_or(Health::Operational);
    Ok(Reading { state, components, incidents })
}
