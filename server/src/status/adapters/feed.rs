//! RSS and Atom, in the shapes status pages publish:
//! - **Statuspage history feeds** (and Auth0's feed, written the same way): one entry per incident whose content
//!   holds every update, newest first, each as `<small>Aug 28, 21:14 UTC</small><strong>Phase</strong> - text`.
//!   Each update keeps its own time (the year taken from the entry, which the update cannot postdate).
//! - **The legacy Google Workspace RSS**: one item per service per status change; the services of one outage share
//!   a `guid` such as `outageid:N#tstamp:T`; the status is in the description's words. One incident per service
//!   per outage, one update per item.
//! - **Any other feed**: one incident per entry, its text as one update, dated by the entry.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

use super::{ParseError, words};
use crate::status::model::{Health, Incident, Phase, Reading, Update};

/// One `<small>…</small><strong>Phase</strong> - text` block.
struct Block {
    at: Option<DateTime<Utc>>,
    phase: Phase,
    text: String,
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// "Aug 28, 21:14 UTC" or "Aug 28, 2024 - 21:14 PDT": the time of an update, in the year that puts it at or
/// before `latest` (the entry's own time).
fn update_time(text: &str, latest: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    let words: Vec<&str> =
        text.split(|c: char| c.is_whitespace() || c == ',' || c == '-').filter(|w| !w.is_empty()).collect();
    let month = MONTHS.iter().position(|m| words.first().is_some_and(|w| w.to_lowercase().starts_with(m)))? as u32 + 1;
    let day: u32 = words.get(1)?.parse().ok()?;
    let year: Option<i32> = words.get(2).and_then(|w| w.parse().ok()).filter(|y| (1990..=2200).contains(y));
    let rest = &words[if year.is_some() { 3 } else { 2 }..];
    let (hour, minute) = rest.first()?.split_once(':')?;
    let (hour, minute): (u32, u32) = (hour.parse().ok()?, minute.parse().ok()?);
    let offset_hours = match rest.get(1).map(|z| z.to_uppercase()).as_deref() {
        Some("UTC" | "GMT" | "Z") | None => 0,
        Some("EST") => -5,
        Some("EDT" | "CST") => {
            if rest[1].eq_ignore_ascii_case("EDT") {
                -4
            } else {
                -6
            }
        }
        Some("CDT") => -5,
        Some("MST") => -7,
        Some("MDT") => -6,
        Some("PST") => -8,
        Some("PDT") => -7,
        Some("CET") => 1,
        Some("CEST") => 2,
        Some(_) => return None,
    };
    let at = |year: i32| {
        let local = NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(hour, minute, 0)?;
        Some(Utc.from_utc_datetime(&local) - Duration::hours(offset_hours))
    };
    match (year, latest) {
        (Some(y), _) => at(y),
        (None, Some(latest)) => {
            let same = at(latest.year())?;
            // A day's slack: the entry's time and the update's minute are rounded differently.
            if same > latest + Duration::days(1) { at(latest.year() - 1) } else { Some(same) }
        }
        (None, None) => None,
    }
}

/// The update blocks of a Statuspage-style entry, newest first as the feed writes them. A `<strong>` inside an
/// update's text (no phase word, no time before it) stays part of that update.
fn blocks(html: &str, latest: Option<DateTime<Utc>>) -> Vec<Block> {
    let parts: Vec<&str> = html.split("<strong>").collect();
    let mut out: Vec<Block> = Vec::new();
    for (before, part) in parts.iter().zip(parts.iter().skip(1)) {
        let Some((phase, rest)) = part.split_once("</strong>") else { continue };
        let phase_words = words(phase);
        if phase_words.to_lowercase().starts_with("this is a scheduled event") {
            continue;
        }
        let small = before.rsplit_once("<small>").map(|(_, s)| s.split("</small>").next().unwrap_or(s));
        let at = small.and_then(|s| update_time(&words(s), latest));
        // The block ends with its paragraph; the next paragraph opens with the next update's `<small>` time.
        let text = rest.trim_start().trim_start_matches('-');
        let block = text.split("</p>").next().unwrap_or(text);
        let body = words(block.split("<small>").next().unwrap_or(block));
        let phase = Phase::parse(&phase_words);
        match out.last_mut() {
            Some(previous) if phase == Phase::Other && small.is_none() => {
                previous.text = format!("{} {phase_words} {body}", previous.text).trim().to_string();
            }
            _ => out.push(Block { at, phase, text: body }),
        }
    }
    out
}

/// `outageid:N#tstamp:T` (any case, any spacing): the outage and the time of the item.
fn workspace_guid(id: &str) -> Option<(&str, &str)> {
    let rest = id.trim().strip_prefix("outageid:")?;
    let (outage, stamp) = rest.split_once('#')?;
    Some((outage, stamp.strip_prefix("tstamp:").unwrap_or(stamp)))
}

fn entry_text(e: &feed_rs::model::Entry) -> String {
    e.content
        .as_ref()
        .and_then(|c| c.body.clone())
        .or(e.summary.as_ref().map(|s| s.content.clone()))
        .unwrap_or_default()
}

/// Whether an incident still counts against the source's state: not over and updated within a day.
fn ongoing(phase: Phase, at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    !phase.is_over() && at.is_some_and(|t| now - t < Duration::hours(24))
}

/// The legacy Workspace RSS: items grouped into one incident per (outage, service).
fn workspace(entries: Vec<feed_rs::model::Entry>, now: DateTime<Utc>) -> Reading {
    let mut grouped: BTreeMap<String, Incident> = BTreeMap::new();
    for e in entries {
        let Some((outage, stamp)) = workspace_guid(&e.id) else { continue };
        let service = e
            .title
            .as_ref()
            .map(|t| words(&t.content))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "Google Workspace".into());
        let at = e
            .published
            .or(e.updated)
            .or_else(|| stamp.parse::<i64>().ok().and_then(|s| DateTime::from_timestamp(s, 0)));
        let text = words(&entry_text(&e));
        let update = Update { id: format!("tstamp:{stamp}"), at, phase: Phase::from_words(&text), text };
        let incident = grouped.entry(format!("outageid:{outage}/{service}")).or_insert_with_key(|key| Incident {
            id: key.clone(),
            title: service.clone(),
            impact: None,
            phase: Phase::Other,
            started_at: None,
            updated_at: None,
            link: e.links.first().map(|l| l.href.clone()),
            updates: Vec::new(),
        });
        if !incident.updates.iter().any(|u| u.id == update.id) {
            incident.updates.push(update);
        }
    }
    let mut state = Health::Operational;
    let incidents = grouped
        .into_values()
        .map(|mut i| {
            i.updates.sort_by_key(|u| u.at);
            i.started_at = i.updates.first().and_then(|u| u.at);
            i.updated_at = i.updates.last().and_then(|u| u.at);
            i.phase = match i.updates.last().map(|u| u.phase) {
                Some(Phase::Other) | None => Phase::Investigating,
                Some(phase) => phase,
            };
            if ongoing(i.phase, i.updated_at, now) {
                state = state.max(Health::Degraded);
            }
            i
        })
        .collect();
    Reading { state, components: Vec::new(), incidents, format: Some("legacy Google Workspace RSS") }
}

pub(super) fn read(body: &[u8], now: DateTime<Utc>) -> Result<Reading, ParseError> {
    let parsed = feed_rs::parser::parse(body)
        .map_err(|e| ParseError::Malformed { format: "RSS or Atom", reason: crate::text::one_line(&e) })?;
    if parsed.entries.iter().any(|e| workspace_guid(&e.id).is_some()) {
        return Ok(workspace(parsed.entries, now));
    }
    let mut state = Health::Operational;
    let mut statuspage_style = false;
    let incidents = parsed
        .entries
        .into_iter()
        .map(|e| {
            let html = entry_text(&e);
            let entry_at = e.updated.or(e.published);
            let found = blocks(&html, entry_at);
            let mut updates: Vec<Update> = if found.is_empty() {
                // A plain entry: its text is its one update, a new one whenever the entry is updated.
                let text = words(&html);
                let title = e.title.as_ref().map(|t| t.content.as_str()).unwrap_or_default();
                let stamp = entry_at.map(|t| t.to_rfc3339()).unwrap_or_else(|| "first".into());
                vec![Update {
                    id: format!("{}@{stamp}", e.id),
                    at: entry_at,
                    phase: Phase::from_words(&format!("{title} {text}")),
                    text,
                }]
            } else {
                statuspage_style = true;
                found
                    .into_iter()
                    .rev()
                    .enumerate()
                    .map(|(i, b)| Update { id: format!("{}#{i}", e.id), at: b.at, phase: b.phase, text: b.text })
                    .collect()
            };
            updates.retain(|u| !u.text.is_empty() || u.phase != Phase::Other);
            // The incident is in the phase of its newest update that names one ("Update" names none).
            let phase = updates.iter().rev().map(|u| u.phase).find(|p| *p != Phase::Update).unwrap_or(Phase::Other);
            let newest = updates.iter().filter_map(|u| u.at).max();
            let at = newest.or(entry_at);
            if ongoing(phase, at, now) {
                state = state.max(Health::Degraded);
            }
            Incident {
                id: e.id,
                title: e
                    .title
                    .map(|t| words(&t.content))
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| "Untitled incident".into()),
                impact: None,
                phase,
                started_at: updates.iter().filter_map(|u| u.at).min().or(e.published).or(at),
                updated_at: at,
                link: e.links.first().map(|l| l.href.clone()),
                updates,
            }
        })
        .collect();
    let format = if statuspage_style { "Statuspage-style history feed" } else { "RSS or Atom feed" };
    Ok(Reading { state, components: Vec::new(), incidents, format: Some(format) })
}
