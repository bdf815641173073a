//! The peak-load report of one range, assembled by a pure function from what the roll-ups hold: the bars of the
//! chart, the peak minutes against the typical minute, the codes and categories of failures, and the limit
//! events with their tenants and codes in words.

use std::collections::{BTreeMap, HashMap};

use app::ids::TenantId;
use app::peak::{Bar, CodeCount, LimitFired, PeakMinute, PeakReport, Range, Typical};
use chrono::{DateTime, TimeDelta, Utc};

use crate::logs::model::catalog;
use crate::logs::repo::minutes::{CodeRow, LimitRow, MinuteRow};
use crate::logs::rollup::classify;

/// How many peak minutes the report lists.
pub const PEAKS: usize = 5;

/// What a report is made of, as read.
pub struct Inputs {
    pub tenant: Option<(TenantId, String)>,
    pub tenants: Vec<(TenantId, String)>,
    pub range: Range,
    /// The first minute of the range (whole minutes), and its end.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub bucket: i64,
    pub series: Vec<MinuteRow>,
    pub codes: Vec<CodeRow>,
    pub limits: Vec<LimitRow>,
    pub anything_stored: bool,
}

/// Adds a minute's counts to a bar.
pub fn add(bar: &mut Bar, m: &MinuteRow) {
    bar.total += m.total;
    bar.successes += m.successes;
    bar.failures += m.failures;
    bar.limits += m.limits;
    bar.login_ok += m.login_ok;
    bar.login_failed += m.login_failed;
}

/// Failures and limits in percent of `total`.
fn failure_rate(failures: i64, limits: i64, total: i64) -> f64 {
    if total == 0 { 0.0 } else { 100.0 * (failures + limits) as f64 / total as f64 }
}

/// The median of `values` (0 for none).
fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / 2.0 }
}

/// The report of `inputs` (`took_ms` is the caller's).
pub fn assemble(inputs: Inputs) -> PeakReport {
    let Inputs { tenant, tenants, range, from, to, bucket, series, codes, limits, anything_stored } = inputs;
    let span = ((to - from).num_minutes()).max(1);
    let count = ((span + bucket - 1) / bucket).max(1);
    let mut bars: Vec<Bar> = (0..count)
        .map(|i| Bar { start: from + TimeDelta::minutes(i * bucket), minutes: bucket, ..Bar::default() })
        .collect();
    let mut total = Bar { start: from, minutes: span, ..Bar::default() };
    for m in &series {
        let i = (m.minute - from).num_minutes() / bucket;
        if let Some(bar) = usize::try_from(i).ok().and_then(|i| bars.get_mut(i)) {
            add(bar, m);
            add(&mut total, m);
        }
    }
    let mut busiest: Vec<&MinuteRow> = series.iter().filter(|m| m.minute >= from && m.minute < to).collect();
    busiest.sort_by(|a, b| b.total.cmp(&a.total).then(a.minute.cmp(&b.minute)));
    let peaks = busiest
        .iter()
        .take(PEAKS)
        .map(|m| PeakMinute {
            minute: m.minute,
            total: m.total,
            failures: m.failures,
            limits: m.limits,
            failure_rate: failure_rate(m.failures, m.limits, m.total),
        })
        .collect();
    let busy: Vec<&MinuteRow> = busiest.iter().copied().filter(|m| m.total > 0).collect();
    let typical = Typical {
        events: median(busy.iter().map(|m| m.total as f64).collect()),
        failure_rate: median(busy.iter().map(|m| failure_rate(m.failures, m.limits, m.total)).collect()),
        busy_minutes: busy.len() as i64,
    };

    let mut by_code: BTreeMap<String, i64> = BTreeMap::new();
    for c in &codes {
        *by_code.entry(c.code.clone()).or_default() += c.events;
    }
    let mut code_counts: Vec<CodeCount> = by_code
        .into_iter()
        .map(|(code, events)| {
            let t = catalog().get(&code);
            CodeCount {
                name: t.map_or_else(|| "unknown".into(), |t| t.name.clone()),
                category: t.map_or_else(|| "unknown".into(), |t| t.category.replace('_', " ")),
                outcome: match (t, classify(&code).limit) {
                    (_, true) => "limit".into(),
                    (Some(t), false) => t.outcome.clone(),
                    (None, false) => "unknown".into(),
                },
                code,
                events,
            }
        })
        .collect();
    code_counts.sort_by(|a, b| b.events.cmp(&a.events).then(a.code.cmp(&b.code)));
    let mut categories: BTreeMap<String, i64> = BTreeMap::new();
    for c in code_counts.iter().filter(|c| c.outcome == "failure" || c.outcome == "limit") {
        *categories.entry(c.category.clone()).or_default() += c.events;
    }
    let mut failure_categories: Vec<(String, i64)> = categories.into_iter().collect();
    failure_categories.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

    let names: HashMap<TenantId, String> = tenants.iter().cloned().collect();
    let some = |text: String| Some(text).filter(|t| !t.is_empty());
    let limits = limits
        .into_iter()
        .map(|l| LimitFired {
            tenant_name: names.get(&l.tenant_id).cloned().unwrap_or_else(|| format!("removed tenant {}", l.tenant_id)),
            tenant_id: l.tenant_id,
            name: catalog().get(&l.code).map_or_else(|| "unknown".into(), |t| t.name.clone()),
            ips: l.ips.len() as i64,
            more_ips: l.more_ips,
            ip_sample: l.ips.into_iter().take(5).collect(),
            code: l.code,
            what: some(l.what),
            endpoint: some(l.endpoint),
            client: some(l.client),
            events: l.events,
            first: l.first,
            last: l.last,
        })
        .collect();
    PeakReport {
        tenant,
        tenants,
        range,
        from,
        to,
        bucket,
        bars,
        peaks,
        typical,
        total,
        limits,
        codes: code_counts,
        failure_categories,
        anything_stored,
        took_ms: 0,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn minute(m: i64, total: i64, failures: i64, limits: i64) -> MinuteRow {
        let from = Utc.with_ymd_and_hms(2026, 12, 3, 14, 0, 0).single().expect("t");
        MinuteRow {
            minute: from + TimeDelta::minutes(m),
            total,
            successes: total - failures - limits,
            failures,
            limits,
            login_ok: total - failures - limits,
            login_failed: failures,
        }
    }

    fn inputs(series: Vec<MinuteRow>, bucket: i64) -> Inputs {
        let from = Utc.with_ymd_and_hms(2026, 12, 3, 14, 0, 0).single().expect("t");
        Inputs {
            tenant: None,
            tenants: Vec::new(),
            range: Range::Hour,
            from,
            to: from + TimeDelta::hours(1),
            bucket,
            series,
            codes: Vec::new(),
            limits: Vec::new(),
            anything_stored: true,
        }
    }

    #[test]
    fn the_peak_minute_is_named_against_the_typical_minute() {
        let series = vec![minute(1, 10, 0, 0), minute(2, 12, 1, 0), minute(30, 300, 20, 100), minute(31, 11, 0, 0)];
        let r = assemble(inputs(series, 1));
        assert_eq!(r.bars.len(), 60, "one bar per minute of the hour, empty ones too");
        assert_eq!(r.bars[30].limits, 100);
        assert_eq!(r.peaks[0].minute, r.bars[30].start);
        assert!((r.peaks[0].failure_rate - 40.0).abs() < 1e-9, "{}", r.peaks[0].failure_rate);
        assert_eq!(r.typical.busy_minutes, 4);
        assert!((r.typical.events - 11.5).abs() < 1e-9, "the median, not the mean: {}", r.typical.events);
        assert_eq!(r.total.total, 333);
    }

    #[test]
    fn bars_of_five_minutes_sum_their_minutes() {
        let r = assemble(inputs(vec![minute(0, 1, 0, 0), minute(4, 2, 0, 0), minute(5, 4, 0, 0)], 5));
        assert_eq!(r.bars.len(), 12);
        assert_eq!((r.bars[0].total, r.bars[1].total), (3, 4));
    }

    #[test]
    fn codes_are_named_and_failures_grouped_by_category() {
        let at = Utc::now();
        let row = |code: &str, events| CodeRow { tenant_id: None, code: code.into(), events, first: at, last: at };
        let mut i = inputs(Vec::new(), 1);
        i.codes = vec![row("fp", 5), row("fp", 2), row("api_limit", 9), row("api_limit_warning", 3), row("zz", 1)];
        let r = assemble(i);
        let codes: Vec<(&str, &str, i64)> =
            r.codes.iter().map(|c| (c.code.as_str(), c.outcome.as_str(), c.events)).collect();
        assert_eq!(
            codes,
            [
                ("api_limit", "limit", 9),
                ("fp", "failure", 7),
                ("api_limit_warning", "warning", 3),
                ("zz", "unknown", 1)
            ]
        );
        assert_eq!(
            r.failure_categories,
            [("rate limit".to_string(), 9), ("login".to_string(), 7)],
            "a warning is no failure"
        );
    }
}
