//! The per-minute series of a report as CSV (`GET /logs/peak/export.csv`, the report's query string): every
//! minute of a range up to 31 days, zeros included, so a spreadsheet draws it as it is; for a longer range only
//! the minutes with events.

use std::fmt::Write;

use app::error::AppError;
use app::peak::PeakQuery;
use chrono::{DateTime, TimeDelta, Utc};
use sqlx::PgConnection;

use super::port::resolve;
use crate::db::app_error;
use crate::logs::repo::minutes::{self, MinuteRow};

/// The header line.
pub const HEADER: &str = "minute_utc,events,successes,failures,rate_limits_and_blocks,other,login_ok,login_failed\n";
/// Ranges up to this long list every minute.
const EVERY_MINUTE_DAYS: i64 = 31;

/// The CSV of `query` at `now`.
pub async fn csv(conn: &mut PgConnection, query: &PeakQuery, now: DateTime<Utc>) -> Result<String, AppError> {
    let (_, from, to) = resolve(query, now)?;
    let tenant = match query.tenant.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => Some(text.parse().map_err(|_| AppError::NotFound(app::ids::TenantId::WHAT.into()))?),
        None => None,
    };
    let rows = minutes::series(conn, tenant, from, to).await.map_err(|e| app_error("peak", e))?;
    Ok(write(&rows, from, to, to - from <= TimeDelta::days(EVERY_MINUTE_DAYS)))
}

/// The CSV text of `rows` (oldest first), with the empty minutes of [from, to) when `every_minute`.
pub fn write(rows: &[MinuteRow], from: DateTime<Utc>, to: DateTime<Utc>, every_minute: bool) -> String {
    let mut out = String::with_capacity(HEADER.len() + rows.len() * 48);
    out.push_str(HEADER);
    let line = |out: &mut String, m: &MinuteRow| {
        let other = (m.total - m.successes - m.failures - m.limits).max(0);
        let _ = writeln!(
            out,
            "{},{},{},{},{},{other},{},{}",
            m.minute.format("%Y-%m-%dT%H:%MZ"),
            m.total,
            m.successes,
            m.failures,
            m.limits,
            m.login_ok,
            m.login_failed
        );
    };
    if !every_minute {
        rows.iter().for_each(|m| line(&mut out, m));
        return out;
    }
    let mut next = rows.iter().peekable();
    let mut at = from;
    while at < to {
        match next.peek() {
            Some(m) if m.minute == at => {
                line(&mut out, m);
                next.next();
            }
            _ => line(
                &mut out,
                &MinuteRow { minute: at, total: 0, successes: 0, failures: 0, limits: 0, login_ok: 0, login_failed: 0 },
            ),
        }
        at += TimeDelta::minutes(1);
    }
    out
}

/// `GET /logs/peak/export.csv`: the download, or the reason there is none (a bad range is a 400 with the message).
pub async fn download(
    axum::extract::State(pool): axum::extract::State<sqlx::PgPool>,
    axum::extract::Query(query): axum::extract::Query<PeakQuery>,
) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let answer = match pool.acquire().await {
        Ok(mut conn) => csv(&mut conn, &query, Utc::now()).await,
        Err(e) => Err(app_error("peak", e)),
    };
    match answer {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"auth0-peak-load.csv\""),
            ],
            body,
        )
            .into_response(),
        Err(e) => {
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], e.to_string()).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn every_minute_is_a_line_and_empty_ones_are_zeros() {
        let from = Utc.with_ymd_and_hms(2026, 12, 3, 14, 0, 0).single().expect("t");
        let m = MinuteRow {
            minute: from + TimeDelta::minutes(1),
            total: 9,
            successes: 5,
            failures: 2,
            limits: 1,
            login_ok: 4,
            login_failed: 2,
        };
        let text = write(&[m], from, from + TimeDelta::minutes(3), true);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[1], "2026-12-03T14:00Z,0,0,0,0,0,0,0");
        assert_eq!(lines[2], "2026-12-03T14:01Z,9,5,2,1,1,4,2");
        assert_eq!(write(&[m], from, from + TimeDelta::minutes(3), false).lines().count(), 2);
    }
}
