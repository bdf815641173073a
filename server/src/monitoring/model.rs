//! Monitoring's typed domain: what a check does (`Kind`), the latency histogram with fixed buckets (so percentiles
//! survive aggregation), and the figures and chart points a check's page draws from its hourly roll-ups.

use std::collections::BTreeMap;

use app::monitoring::{Figures, Point};
use chrono::{DateTime, Duration, DurationRound, Utc};

pub use app::ids::{CheckId, TenantId};
pub use app::monitoring::{CheckState, Outcome};

/// What a check does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Testall,
    Test,
    Login,
    /// Reachability: a TCP connection to `host:port` opens.
    Tcp,
    /// Reachability: an HTTPS GET answers with the expected status over a certificate Auth0 would accept.
    Https,
    /// Reachability: an SMTP server greets with 220 and (when asked) offers STARTTLS with an acceptable certificate.
    Smtp,
}

impl Kind {
    pub fn parse(raw: &str) -> Option<Kind> {
        match raw {
            "testall" => Some(Kind::Testall),
            "test" => Some(Kind::Test),
            "login" => Some(Kind::Login),
            "tcp" => Some(Kind::Tcp),
            "https" => Some(Kind::Https),
            "smtp" => Some(Kind::Smtp),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Testall => "testall",
            Kind::Test => "test",
            Kind::Login => "login",
            Kind::Tcp => "tcp",
            Kind::Https => "https",
            Kind::Smtp => "smtp",
        }
    }

    /// A reachability check (of the company's own endpoint), not one of Auth0.
    pub fn is_reach(self) -> bool {
        app::monitoring::is_reach_kind(self.as_str())
    }
}

/// A checked add/edit form, ready to store (secrets already encrypted; `None` keeps the stored one when editing).
pub struct CheckSpec {
    pub tenant: TenantId,
    pub kind: Kind,
    pub name: String,
    pub interval: i32,
    pub grant_type: Option<&'static str>,
    pub realm: Option<String>,
    pub username: Option<String>,
    pub password: Option<Vec<u8>>,
    pub client_id: Option<String>,
    pub client_secret: Option<Vec<u8>>,
    pub audience: Option<String>,
    pub scope: Option<String>,
    /// Reachability: `host:port` or an https URL.
    pub target: Option<String>,
    pub expect_status: Option<i32>,
    pub starttls: bool,
    pub fail_threshold: i32,
    pub success_threshold: i32,
    pub reminder_minutes: i32,
}

/// Upper bounds (ms) of the latency buckets; a last bucket holds everything slower.
pub const BOUNDS_MS: [i32; 13] = [25, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10_000];
pub const BUCKETS: usize = BOUNDS_MS.len() + 1;

pub fn bucket_of(latency_ms: i32) -> usize {
    BOUNDS_MS.iter().position(|b| latency_ms <= *b).unwrap_or(BOUNDS_MS.len())
}

/// The latency at or under which a share `p` of the runs fell: the upper bound of the bucket that reaches `p`
/// (`None` without runs; the slowest bucket answers with its lower bound, 10 s).
pub fn percentile(histogram: &[i64], p: f64) -> Option<i32> {
    let total: i64 = histogram.iter().sum();
    if total == 0 {
        return None;
    }
    let wanted = (p * total as f64).ceil().max(1.0) as i64;
    let mut seen = 0;
    for (i, n) in histogram.iter().enumerate() {
        seen += n;
        if seen >= wanted {
            return Some(*BOUNDS_MS.get(i).unwrap_or(&BOUNDS_MS[BOUNDS_MS.len() - 1]));
        }
    }
    Some(BOUNDS_MS[BOUNDS_MS.len() - 1])
}

/// Sums histograms element by element.
pub fn merge<T: Copy + Into<i64>>(into: &mut [i64], add: &[T]) {
    for (a, b) in into.iter_mut().zip(add) {
        *a += (*b).into();
    }
}

/// Runs, successes and a latency histogram: one roll-up row, or several added up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    pub runs: i64,
    pub ok: i64,
    pub histogram: Vec<i64>,
}

impl Default for Tally {
    fn default() -> Self {
        Tally { runs: 0, ok: 0, histogram: vec![0; BUCKETS] }
    }
}

impl Tally {
    /// A stored roll-up row's counts.
    pub fn of_row(runs: i32, ok: i32, histogram: &[i32]) -> Tally {
        let mut tally = Tally { runs: i64::from(runs), ok: i64::from(ok), ..Tally::default() };
        merge(&mut tally.histogram, histogram);
        tally
    }

    /// Adds another tally to this one.
    pub fn add(&mut self, other: &Tally) {
        self.runs += other.runs;
        self.ok += other.ok;
        merge(&mut self.histogram, &other.histogram);
    }
}

/// One check's hourly roll-up: (hour, its tally).
pub type Hour = (DateTime<Utc>, Tally);

/// Uptime and latency percentiles over the hours from `from` on.
pub fn figures(label: &str, hours: &[Hour], from: DateTime<Utc>) -> Figures {
    let mut sum = Tally::default();
    for (_, tally) in hours.iter().filter(|h| h.0 >= from) {
        sum.add(tally);
    }
    Figures {
        label: label.into(),
        runs: sum.runs,
        uptime: (sum.runs > 0).then(|| 100.0 * sum.ok as f64 / sum.runs as f64),
        p50: percentile(&sum.histogram, 0.5),
        p95: percentile(&sum.histogram, 0.95),
        p99: percentile(&sum.histogram, 0.99),
    }
}

/// The chart's buckets from `from` to `now`, each `step` long; empty buckets stay (runs 0) so gaps show.
pub fn points(hours: &[Hour], from: DateTime<Utc>, now: DateTime<Utc>, step: Duration) -> Vec<Point> {
    let mut buckets: BTreeMap<DateTime<Utc>, Tally> = BTreeMap::new();
    let mut at = from.duration_trunc(step).unwrap_or(from);
    while at <= now {
        buckets.insert(at, Tally::default());
        at += step;
    }
    for (hour, tally) in hours {
        let key = hour.duration_trunc(step).unwrap_or(*hour);
        if let Some(b) = buckets.get_mut(&key) {
            b.add(tally);
        }
    }
    buckets
        .into_iter()
        .map(|(at, t)| Point {
            at,
            runs: t.runs,
            ok: t.ok,
            p50: percentile(&t.histogram, 0.5),
            p95: percentile(&t.histogram, 0.95),
        })
        .collect()
}

/// A chart range key (`24h`, `7d`, `30d`, `90d`; anything else is `24h`): the key, where it starts, its step.
pub fn chart_range(range: &str, now: DateTime<Utc>) -> (&'static str, DateTime<Utc>, Duration) {
    match range {
        "7d" => ("7d", now - Duration::days(7), Duration::hours(1)),
        "30d" => ("30d", now - Duration::days(30), Duration::days(1)),
        "90d" => ("90d", now - Duration::days(90), Duration::days(1)),
        _ => ("24h", now - Duration::hours(23), Duration::hours(1)),
    }
}

/// The figures of a check's page: the last 24 hours, 7, 30 and 90 days.
pub fn all_figures(hours: &[Hour], now: DateTime<Utc>) -> Vec<Figures> {
    [("24 h", 1), ("7 d", 7), ("30 d", 30), ("90 d", 90)]
        .map(|(label, days)| {
            let from = if days == 1 { now - Duration::hours(24) } else { now - Duration::days(days) };
            figures(label, hours, from)
        })
        .to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn percentiles_come_from_bucket_bounds() {
        let mut h = vec![0i64; BUCKETS];
        h[bucket_of(40)] += 90; // ≤ 50 ms
        h[bucket_of(180)] += 9; // ≤ 200 ms
        h[bucket_of(20_000)] += 1; // slower than 10 s
        assert_eq!(percentile(&h, 0.5), Some(50));
        assert_eq!(percentile(&h, 0.95), Some(200));
        assert_eq!(percentile(&h, 0.999), Some(10_000));
        assert_eq!(percentile(&[0; BUCKETS], 0.5), None);
        assert_eq!((bucket_of(0), bucket_of(25), bucket_of(26), bucket_of(10_001)), (0, 0, 1, 13));
    }

    fn tally(runs: i64, ok: i64, latency: i32) -> Tally {
        let mut t = Tally { runs, ok, ..Tally::default() };
        t.histogram[bucket_of(latency)] = runs;
        t
    }

    #[test]
    fn figures_and_points_add_up_the_hours_in_range_and_keep_gaps() {
        let now = Utc.with_ymd_and_hms(2026, 11, 29, 12, 30, 0).single().expect("date");
        let hours = vec![
            (now - Duration::days(3), tally(4, 2, 40)),
            (now - Duration::hours(2), tally(2, 2, 180)),
            (now - Duration::hours(1), tally(2, 1, 180)),
        ];
        let day = figures("24 h", &hours, now - Duration::hours(24));
        assert_eq!((day.runs, day.uptime, day.p50), (4, Some(75.0), Some(200)));
        let week = figures("7 d", &hours, now - Duration::days(7));
        assert_eq!((week.runs, week.uptime, week.p50), (8, Some(62.5), Some(50)));
        assert_eq!(all_figures(&hours, now).iter().map(|f| f.runs).collect::<Vec<_>>(), [4, 8, 8, 8]);
        let (key, from, step) = chart_range("nonsense", now);
        assert_eq!(key, "24h");
        let points = points(&hours, from, now, step);
        assert_eq!(points.len(), 24, "one point an hour, empty ones included");
        assert_eq!(points.iter().map(|p| p.runs).sum::<i64>(), 4);
        assert_eq!(points.iter().filter(|p| p.runs == 0).count(), 22);
    }

    #[test]
    fn kinds_round_trip() {
        for kind in [Kind::Testall, Kind::Test, Kind::Login] {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::parse("ping"), None);
    }
}
