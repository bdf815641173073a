//! Atlassian Statuspage v2: `summary.json` (the page's status, components, open incidents and maintenance) and
//! `incidents.json` (the last 50 incidents, resolved ones included). An update is dated by its `display_at` — the
//! time the provider published it for, which a backfilled update sets to when it happened — and an incident by
//! its `started_at` and its last published update.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{ParseError, malformed_json, words};
use crate::status::model::{Component, Health, Incident, Phase, Reading, Update};

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
    /// When the incident began, as the provider states it (may be earlier than the record's `created_at`).
    #[serde(default)]
    started_at: Option<DateTime<Utc>>,
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
    /// The time the update is published for (equal to `created_at` unless it was backfilled).
    #[serde(default)]
    display_at: Option<DateTime<Utc>>,
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
        .map(|u| Update {
            id: u.id,
            at: u.display_at.or(u.created_at),
            phase: Phase::parse(&u.status),
            text: words(&u.body),
        })
        .collect();
    updates.sort_by_key(|u| u.at);
    let last_published = updates.iter().filter_map(|u| u.at).max();
    Incident {
        id: i.id,
        title: i.name,
        impact: i.impact,
        phase: Phase::parse(&i.status),
        started_at: i.started_at.or(i.created_at),
        updated_at: last_published.or(i.updated_at),
        link: i.shortlink,
        updates,
    }
}

fn impact(word: &str) -> Health {
    match word {
        "none" => Health::Operational,
        "minor" => Health::Degraded,
        "major" => Health::PartialOutage,
        "critical" => Health::MajorOutage,
        "maintenance" => Health::Maintenance,
        _ => Health::Unknown,
    }
}

pub(super) fn read(body: &[u8]) -> Result<Reading, ParseError> {
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
    let format = if summary.status.is_some() { "Statuspage summary.json" } else { "Statuspage incidents.json" };
    let incidents = summary.incidents.into_iter().chain(summary.scheduled_maintenances).map(incident).collect();
    Ok(Reading { state, components, incidents, format: Some(format) })
}
