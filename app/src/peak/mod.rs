//! Peak load as pages see it: the report over a range (per tenant or across tenants) — bars of events per minute
//! stacked by outcome, the peak minutes, the rate limits that fired and on what, failures by category, the login
//! success rate — read from the per-minute roll-ups the logs area keeps at ingest. DTOs, the `PeakPort`, the
//! server functions; `page` the report, `chart` its SVG, `card` the tenant page's card.

mod api;
mod card;
pub mod chart;
mod page;

pub use api::*;
pub use card::TenantPeak;
pub use page::PeakPage;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::error::AppError;
use crate::ids::TenantId;

/// The ranges the report offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Range {
    Hour,
    Day,
    Week,
    Month,
    Custom,
}

impl Range {
    pub const ALL: [Range; 5] = [Range::Hour, Range::Day, Range::Week, Range::Month, Range::Custom];

    /// The value in links and forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Range::Hour => "hour",
            Range::Day => "day",
            Range::Week => "week",
            Range::Month => "30d",
            Range::Custom => "custom",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Range::Hour => "Last hour",
            Range::Day => "Last 24 hours",
            Range::Week => "Last 7 days",
            Range::Month => "Last 30 days",
            Range::Custom => "From … to …",
        }
    }

    pub fn parse(text: &str) -> Option<Range> {
        Range::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// How far back a preset range reaches (`None` for a custom one).
    pub fn span(self) -> Option<TimeDelta> {
        match self {
            Range::Hour => Some(TimeDelta::hours(1)),
            Range::Day => Some(TimeDelta::days(1)),
            Range::Week => Some(TimeDelta::days(7)),
            Range::Month => Some(TimeDelta::days(30)),
            Range::Custom => None,
        }
    }
}

/// The minutes a bar of the chart may stand for.
pub const BUCKETS: [i64; 9] = [1, 5, 15, 30, 60, 120, 360, 720, 1440];
/// The most bars a chart draws.
pub const MAX_BARS: i64 = 360;

/// The smallest bucket (in minutes) that draws a span of `minutes` in at most `MAX_BARS` bars.
pub fn bucket_for(minutes: i64) -> i64 {
    BUCKETS.into_iter().find(|b| (minutes + b - 1) / b <= MAX_BARS).unwrap_or(1440)
}

/// The report as the form asks for it: every field optional, parsed by the server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PeakQuery {
    /// A tenant id; empty: every tenant.
    pub tenant: Option<String>,
    /// `hour`, `day` (the default), `week`, `30d`; `custom` or empty with `from`/`to`.
    pub range: Option<String>,
    /// UTC: `YYYY-MM-DD` or `YYYY-MM-DD HH:MM`.
    pub from: Option<String>,
    pub to: Option<String>,
}

impl PeakQuery {
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let v = |o: &Option<String>| o.clone().unwrap_or_default();
        vec![("tenant", v(&self.tenant)), ("range", v(&self.range)), ("from", v(&self.from)), ("to", v(&self.to))]
    }
}

/// One bar of the chart: the events of `minutes` minutes from `start`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    pub start: DateTime<Utc>,
    pub minutes: i64,
    pub total: i64,
    pub successes: i64,
    pub failures: i64,
    pub limits: i64,
    pub login_ok: i64,
    pub login_failed: i64,
}

impl Bar {
    /// Warnings, info and codes Auth0's list does not have.
    pub fn other(&self) -> i64 {
        (self.total - self.successes - self.failures - self.limits).max(0)
    }

    /// Sign-ins that succeeded, in percent (`None`: no sign-in).
    pub fn login_rate(&self) -> Option<f64> {
        let all = self.login_ok + self.login_failed;
        (all > 0).then(|| 100.0 * self.login_ok as f64 / all as f64)
    }
}

/// One of the busiest minutes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeakMinute {
    pub minute: DateTime<Utc>,
    pub total: i64,
    pub failures: i64,
    pub limits: i64,
    /// Failures and limits in percent of the minute's events.
    pub failure_rate: f64,
}

/// The range's typical minute (the median of the minutes with events).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Typical {
    pub events: f64,
    pub failure_rate: f64,
    /// Minutes with events in the range.
    pub busy_minutes: i64,
}

/// Rate-limit, blocking and deprecation events of the range, grouped by what they fired on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LimitFired {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub code: String,
    /// The code in words ("Rate Limit on the Authentication or Management APIs").
    pub name: String,
    /// The `api_limit` bucket, or the deprecated feature.
    pub what: Option<String>,
    /// `POST /oauth/token`.
    pub endpoint: Option<String>,
    pub client: Option<String>,
    pub events: i64,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
    /// Distinct addresses (more when `more_ips`: a minute had more than the 50 kept).
    pub ips: i64,
    pub more_ips: bool,
    pub ip_sample: Vec<String>,
}

/// Events of one failure, warning or limit code in the range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CodeCount {
    pub code: String,
    pub name: String,
    pub category: String,
    pub outcome: String,
    pub events: i64,
}

/// The peak-load report of one range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeakReport {
    /// The tenant reported on (`None`: every tenant).
    pub tenant: Option<(TenantId, String)>,
    pub tenants: Vec<(TenantId, String)>,
    pub range: Range,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Minutes per bar.
    pub bucket: i64,
    pub bars: Vec<Bar>,
    /// The busiest minutes, busiest first.
    pub peaks: Vec<PeakMinute>,
    pub typical: Typical,
    pub total: Bar,
    pub limits: Vec<LimitFired>,
    /// Failures, warnings and limits by code, most first.
    pub codes: Vec<CodeCount>,
    /// Failure and limit events by Auth0's category, most first.
    pub failure_categories: Vec<(String, i64)>,
    /// Whether any event is stored at all (to tell "nothing in this range" from "nothing collected").
    pub anything_stored: bool,
    pub took_ms: u64,
}

/// A tenant's last hour and last day, for the tenant page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeakCard {
    pub tenant: TenantId,
    pub hour: Bar,
    pub day: Bar,
    pub busiest: Option<PeakMinute>,
    /// Limit codes of the last day: (code, events).
    pub limits: Vec<(String, i64)>,
    /// Since when sign-in failures have been spiking, if they are.
    pub spiking_since: Option<DateTime<Utc>>,
}

/// What the peak-load pages need from the engine.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait PeakPort: Send + Sync + 'static {
    async fn report(&self, query: PeakQuery) -> Result<PeakReport, AppError>;
    async fn card(&self, tenant: TenantId) -> Result<PeakCard, AppError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_keep_a_chart_within_its_bars() {
        assert_eq!(bucket_for(60), 1);
        assert_eq!(bucket_for(1440), 5);
        assert_eq!(bucket_for(7 * 1440), 30);
        assert_eq!(bucket_for(30 * 1440), 120);
        assert_eq!(bucket_for(400 * 1440), 1440);
        for r in Range::ALL {
            assert_eq!(Range::parse(r.as_str()), Some(r));
        }
    }
}
