//! Rate limits and deprecations as notices, recorded at ingest in the transaction that stores the events:
//! `api_limit`, `api_limit_warning` and `depnote` are grouped per tenant, code and hour, so a storm is one notice
//! whose title carries the hour's count. The notice gets an update when its count first reaches 1, 10, 100,
//! 1,000… (a growing storm is told as it grows, not once per event); a `depnote` names the deprecated features.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sqlx::PgConnection;

use super::model::{Event, TenantId};
use super::repo::{self, minutes};
use crate::notifications::record::{self, Incoming};

/// The codes told as notices.
pub const TOLD: [&str; 3] = ["api_limit", "api_limit_warning", "depnote"];

/// What a told code is called in a notice, and its severity.
fn words(code: &str) -> (&'static str, &'static str, &'static str) {
    match code {
        "api_limit" => ("rate limit reached", "critical", "rate_limit"),
        "api_limit_warning" => ("close to a rate limit (80 %)", "warning", "rate_limit"),
        _ => ("deprecated feature in use", "warning", "deprecation"),
    }
}

/// The step an hour's count has reached: 1, 10, 100, 1,000…
pub fn step(count: i64) -> i64 {
    let mut step = 1;
    while step <= count / 10 {
        step *= 10;
    }
    step
}

/// Of one code in one hour: the newest event's time and the deprecated features named.
pub type Seen = (DateTime<Utc>, BTreeSet<String>);

/// What a batch brings of the told codes, per (code, hour).
#[derive(Debug, Default, PartialEq)]
pub struct Told {
    pub hours: BTreeMap<(String, DateTime<Utc>), Seen>,
}

impl Told {
    /// The told events of a batch (a duplicate changes no count: counts are read from the roll-ups).
    pub fn of(events: &[Event]) -> Told {
        let mut told = Told::default();
        for e in events.iter().filter(|e| TOLD.contains(&e.type_code.as_str())) {
            let hour = e.date.duration_trunc(TimeDelta::hours(1)).unwrap_or(e.date);
            let entry = told.hours.entry((e.type_code.clone(), hour)).or_insert((e.date, BTreeSet::new()));
            entry.0 = entry.0.max(e.date);
            let feature = e.payload.pointer("/details/feature/name").and_then(|v| v.as_str());
            if let Some(f) = feature.filter(|_| entry.1.len() < 10) {
                entry.1.insert(crate::text::cut_marked(f, 200));
            }
        }
        told
    }
}

/// Records the notices of a batch of `tenant` whose roll-ups are already added in this transaction.
pub async fn record(
    conn: &mut PgConnection,
    tenant: TenantId,
    told: &Told,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    if told.hours.is_empty() {
        return Ok(());
    }
    let Some(t) = repo::find_tenant(&mut *conn, &tenant.to_string()).await? else { return Ok(()) };
    for ((code, hour), (at, features)) in &told.hours {
        let counts = minutes::hour_counts(&mut *conn, tenant, *hour, std::slice::from_ref(code)).await?;
        let count = counts.first().map_or(0, |(_, n)| *n);
        if count == 0 {
            continue;
        }
        let (what, severity, kind) = words(code);
        let origin = format!("logs:limit:{tenant}:{code}:{}", hour.format("%Y-%m-%dT%H"));
        let window = format!("{}–{} UTC", hour.format("%Y-%m-%d %H:%M"), (*hour + TimeDelta::hours(1)).format("%H:%M"));
        let events = if count == 1 { "1 event".to_string() } else { format!("{count} events") };
        let named = if features.is_empty() {
            String::new()
        } else {
            format!(" Feature: {}.", features.iter().cloned().collect::<Vec<_>>().join(", "))
        };
        let reached = step(count);
        let text = if reached == 1 {
            format!("{what}: the first {code} event of the hour {window}.{named}")
        } else {
            format!("{what}: {reached} or more {code} events in the hour {window}.{named}")
        };
        let link = format!(
            "/logs/peak?tenant={tenant}&from={}&to={}",
            hour.format("%Y-%m-%d%%20%H:%M"),
            (*hour + TimeDelta::hours(1)).format("%Y-%m-%d%%20%H:%M")
        );
        let notice = Incoming {
            update_origin: format!("{origin}:{reached}"),
            origin,
            source: "console",
            kind: kind.into(),
            severity,
            title: format!("{}: {what} ({code}, {events} in the hour {window})", t.name),
            body: format!(
                "Auth0 logged {events} of {code} for {} ({}) in the hour {window}.{named} The peak-load report \
                 names the buckets, endpoints and clients behind them.",
                t.name, t.domain
            ),
            link: Some(link),
            tenants: vec![t.name.clone()],
            regions: Vec::new(),
            at: *at,
            text,
        };
        record::apply(&mut *conn, &notice, now).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storm_is_told_at_each_power_of_ten() {
        let steps: Vec<i64> = [1, 2, 9, 10, 11, 99, 100, 999, 1000, 5000].into_iter().map(step).collect();
        assert_eq!(steps, [1, 1, 1, 10, 10, 10, 100, 100, 1000, 1000]);
    }
}
