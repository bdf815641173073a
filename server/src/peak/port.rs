//! The peak pages' port: parses the report's form into a range (bounded), reads the roll-ups and the limit events
//! through the repos, and hands them to `report::assemble`.

use std::time::Instant;

use app::error::AppError;
use app::ids::TenantId;
use app::peak::{Bar, PeakCard, PeakPort, PeakQuery, PeakReport, Range, bucket_for};
use chrono::{DateTime, TimeDelta, Utc};
use sqlx::{PgConnection, PgPool};

use super::repo;
use super::report::{self, Inputs};
use crate::db::app_error;
use crate::logs::repo::minutes;
use crate::logs::rollup::minute_of;

/// The longest custom range.
pub const MAX_DAYS: i64 = 400;
/// Limit groups a report lists.
const LIMIT_ROWS: i64 = 50;

pub struct PgPeak {
    pub pool: PgPool,
}

fn db(e: sqlx::Error) -> AppError {
    app_error("peak", e)
}

/// The range a query asks for at `now`: (range, from, to), `from` on a whole minute.
pub fn resolve(query: &PeakQuery, now: DateTime<Utc>) -> Result<(Range, DateTime<Utc>, DateTime<Utc>), AppError> {
    let asked = query.range.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let given = |t: &Option<String>| t.as_deref().is_some_and(|t| !t.trim().is_empty());
    let preset = match asked {
        Some(text) => Range::parse(text).ok_or_else(|| {
            AppError::Invalid(format!("Range: {text:?} is not one of hour, day, week, 30d or custom"))
        })?,
        None => Range::Day,
    };
    // A From or a To makes the range custom, whatever preset the form still carried.
    let range = if given(&query.from) || given(&query.to) { Range::Custom } else { preset };
    let end = minute_of(now) + TimeDelta::minutes(1);
    let (from, to) = match range.span() {
        Some(span) => (end - span, end),
        None => {
            let to = crate::logs::port::time("To", &query.to, true)?.unwrap_or(end);
            let from = crate::logs::port::time("From", &query.from, false)?.unwrap_or(to - TimeDelta::days(1));
            (from, to)
        }
    };
    let from = minute_of(from);
    if from >= to {
        return Err(AppError::Invalid("From must be before To.".into()));
    }
    if to - from > TimeDelta::days(MAX_DAYS) {
        return Err(AppError::Invalid(format!("A range covers at most {MAX_DAYS} days; choose a shorter one.")));
    }
    Ok((range, from, to))
}

/// The tenant a query names (`None`: every tenant), among `tenants`.
fn chosen(query: &PeakQuery, tenants: &[repo::TenantRow]) -> Result<Option<(TenantId, String)>, AppError> {
    let Some(text) = query.tenant.as_deref().map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    let id: TenantId = text.parse().map_err(|_| AppError::NotFound(TenantId::WHAT.into()))?;
    let t = tenants.iter().find(|t| t.id == id).ok_or_else(|| AppError::NotFound(TenantId::WHAT.into()))?;
    Ok(Some((t.id, t.name.clone())))
}

/// The report of `query` at `now`.
pub async fn report(conn: &mut PgConnection, query: &PeakQuery, now: DateTime<Utc>) -> Result<PeakReport, AppError> {
    let started = Instant::now();
    let (range, from, to) = resolve(query, now)?;
    let tenants = repo::tenants(conn).await.map_err(db)?;
    let tenant = chosen(query, &tenants)?;
    let id = tenant.as_ref().map(|(id, _)| *id);
    let bucket = bucket_for((to - from).num_minutes());
    let series = minutes::series(conn, id, from, to).await.map_err(db)?;
    let codes = minutes::codes(conn, id, from, to).await.map_err(db)?;
    let limits = minutes::limit_events(conn, id, from, to, LIMIT_ROWS).await.map_err(db)?;
    let anything_stored = !series.is_empty() || repo::anything_stored(conn).await.map_err(db)?;
    let mut report = report::assemble(Inputs {
        tenant,
        tenants: tenants.into_iter().map(|t| (t.id, t.name)).collect(),
        range,
        from,
        to,
        bucket,
        series,
        codes,
        limits,
        anything_stored,
    });
    report.took_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// One bar summing every minute of `rows`.
fn sum(rows: &[minutes::MinuteRow], start: DateTime<Utc>) -> Bar {
    rows.iter().fold(Bar { start, ..Bar::default() }, |mut b, m| {
        report::add(&mut b, m);
        b
    })
}

#[async_trait::async_trait]
impl PeakPort for PgPeak {
    async fn report(&self, query: PeakQuery) -> Result<PeakReport, AppError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        report(&mut conn, &query, Utc::now()).await
    }

    async fn card(&self, tenant: TenantId) -> Result<PeakCard, AppError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let now = Utc::now();
        let end = minute_of(now) + TimeDelta::minutes(1);
        let (day_from, hour_from) = (end - TimeDelta::days(1), end - TimeDelta::hours(1));
        let day = minutes::series(&mut conn, Some(tenant), day_from, end).await.map_err(db)?;
        let hour: Vec<minutes::MinuteRow> = day.iter().filter(|m| m.minute >= hour_from).copied().collect();
        let busiest = day.iter().max_by(|a, b| a.total.cmp(&b.total).then(b.minute.cmp(&a.minute))).map(|m| {
            let rate = if m.total == 0 { 0.0 } else { 100.0 * (m.failures + m.limits) as f64 / m.total as f64 };
            app::peak::PeakMinute {
                minute: m.minute,
                total: m.total,
                failures: m.failures,
                limits: m.limits,
                failure_rate: rate,
            }
        });
        let limits = minutes::codes(&mut conn, Some(tenant), day_from, end)
            .await
            .map_err(db)?
            .into_iter()
            .filter(|c| crate::logs::rollup::listed(&c.code))
            .map(|c| (c.code, c.events))
            .collect();
        let spiking_since =
            repo::spikes(&mut conn).await.map_err(db)?.into_iter().find(|s| s.tenant_id == tenant).map(|s| s.since);
        Ok(PeakCard { tenant, hour: sum(&hour, hour_from), day: sum(&day, day_from), busiest, limits, spiking_since })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn ranges_resolve_to_whole_minutes_and_bad_ones_say_why() {
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 14, 37, 20).single().expect("t");
        let q = |range: &str, from: &str, to: &str| PeakQuery {
            tenant: None,
            range: Some(range.into()).filter(|r: &String| !r.is_empty()),
            from: Some(from.into()).filter(|f: &String| !f.is_empty()),
            to: Some(to.into()).filter(|t: &String| !t.is_empty()),
        };
        let (range, from, to) = resolve(&q("hour", "", ""), now).expect("hour");
        assert_eq!(
            (range, from.to_rfc3339(), to.to_rfc3339()),
            (Range::Hour, "2026-12-03T13:38:00+00:00".into(), "2026-12-03T14:38:00+00:00".into())
        );
        assert_eq!(resolve(&q("", "", ""), now).expect("default").0, Range::Day);
        let (range, from, to) = resolve(&q("", "2026-12-01 10:00", "2026-12-01 10:05"), now).expect("custom");
        assert_eq!((range, (to - from).num_minutes()), (Range::Custom, 5));
        assert_eq!(resolve(&q("hour", "2026-12-01 10:00", ""), now).expect("custom").0, Range::Custom, "From wins");
        let err = |q: PeakQuery| resolve(&q, now).expect_err("refused").to_string();
        assert!(err(q("year", "", "")).contains("not one of hour, day, week, 30d or custom"));
        assert!(err(q("custom", "2026-12-02", "2026-12-01")).contains("From must be before To"));
        assert!(err(q("custom", "2020-01-01", "2026-12-01")).contains("at most 400 days"));
        assert!(err(q("custom", "yesterday", "")).contains("is not a time"));
    }
}
