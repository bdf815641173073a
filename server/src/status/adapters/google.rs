//! Google's `incidents.json`, as Google Cloud (`status.cloud.google.com`) and Google Workspace
//! (`www.google.com/appsstatus/dashboard`) publish it: every incident with all its `updates` (newest first), its
//! `severity` (`low`, `medium`, `high`), its `status_impact` and a `uri` relative to the dashboard the list came from.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{ParseError, malformed_json, words};
use crate::status::model::{Health, Incident, Phase, Reading, Update};

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
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    status_impact: Option<String>,
    #[serde(default)]
    updates: Vec<GoogleUpdate>,
    #[serde(default)]
    most_recent_update: Option<GoogleUpdate>,
}

#[derive(Clone, Deserialize)]
struct GoogleUpdate {
    #[serde(default)]
    when: Option<DateTime<Utc>>,
    #[serde(default)]
    status: String,
    #[serde(default)]
    text: String,
}

fn severity_of(status: &str) -> Health {
    match status {
        "SERVICE_OUTAGE" => Health::MajorOutage,
        "SERVICE_DISRUPTION" => Health::PartialOutage,
        "SERVICE_INFORMATION" => Health::Degraded,
        "AVAILABLE" => Health::Operational,
        _ => Health::Unknown,
    }
}

/// The dashboard an `incidents.json` belongs to: its URL without the file name.
fn dashboard(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.strip_suffix("incidents.json").unwrap_or("https://www.google.com/appsstatus/dashboard/")
}

fn incident(g: GoogleIncident, base: &str) -> (Incident, Health) {
    let open = g.end.is_none();
    let mut published = g.updates;
    if published.is_empty() {
        published.extend(g.most_recent_update.clone());
    }
    published.sort_by_key(|u| u.when);
    let last = published.len().saturating_sub(1);
    let mut seen = std::collections::HashSet::new();
    let updates: Vec<Update> = published
        .iter()
        .enumerate()
        .map(|(n, u)| {
            // The id of the newest update was `{incident}@{when}` before every update was kept: the same id now.
            let mut id = format!("{}@{}", g.id, u.when.map(|w| w.to_rfc3339()).unwrap_or_default());
            if !seen.insert(id.clone()) {
                id = format!("{id}#{n}");
            }
            let phase = match () {
                _ if n == last && !open => Phase::Resolved,
                _ if n == 0 => Phase::Investigating,
                _ => Phase::Update,
            };
            Update { id, at: u.when, phase, text: words(&u.text) }
        })
        .collect();
    let newest = g.most_recent_update.or_else(|| published.last().cloned());
    let impact = g.status_impact.as_deref().or(newest.as_ref().map(|u| u.status.as_str())).map(severity_of);
    let link =
        g.uri.map(|u| if u.starts_with("https://") { u } else { format!("{base}{}", u.trim_start_matches('/')) });
    let incident = Incident {
        title: g.external_desc.map(|d| words(&d)).unwrap_or_else(|| "Google incident".into()),
        impact: g.severity,
        phase: if open { Phase::Investigating } else { Phase::Resolved },
        started_at: g.begin,
        updated_at: updates.iter().filter_map(|u| u.at).max().or(g.end).or(g.begin),
        link,
        updates,
        id: g.id,
    };
    (incident, if open { impact.unwrap_or(Health::Unknown) } else { Health::Operational })
}

pub(super) fn read(body: &[u8], url: &str) -> Result<Reading, ParseError> {
    let list: Vec<GoogleIncident> = serde_json::from_slice(body).map_err(malformed_json)?;
    let base = dashboard(url);
    let mut state = Health::Operational;
    let mut incidents = Vec::with_capacity(list.len());
    for g in list {
        let (incident, severity) = incident(g, base);
        state = state.max(severity);
        incidents.push(incident);
    }
    let format = if url.contains("cloud.google.com") { "Google Cloud incidents.json" } else { "Google incidents.json" };
    Ok(Reading { state, components: Vec::new(), incidents, format: Some(format) })
}
