//! Apple's system status JSONP (`system_status_en_US.js`): `jsonCallback({"services":[…]});`. Each service is a
//! component; each event an incident with one update.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{ParseError, words};
use crate::status::model::{Component, Health, Incident, Phase, Reading, Update};

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

pub(super) fn read(body: &[u8], now: DateTime<Utc>) -> Result<Reading, ParseError> {
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
                Some(who) if !who.is_empty() => format!("{} {who}", words(&event.message)),
                _ => words(&event.message),
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
    Ok(Reading { state, components, incidents, format: Some("Apple system status") })
}
