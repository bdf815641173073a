//! The reads of the logs pages: the search (filters are dynamic: `QueryBuilder` + `FromRow`), one event, the
//! quarantine and every tenant's progress.

use chrono::{DateTime, Utc};
use ipnet::IpNet;
use sqlx::{PgConnection, Postgres, QueryBuilder};

use crate::logs::model::TenantId;

/// Where a page of results continues: after this event, in the order newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub date: DateTime<Utc>,
    pub tenant: TenantId,
    pub log_id: String,
}

/// A search, every filter optional.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub tenant: Option<TenantId>,
    /// The event codes asked for (one code, or every code of a category).
    pub codes: Option<Vec<String>>,
    /// A user id or a user name, exactly.
    pub user: Option<String>,
    /// A client id or a client name, exactly.
    pub client: Option<String>,
    /// An address or a network.
    pub ip: Option<IpNet>,
    pub connection: Option<String>,
    /// Words in the description.
    pub text: Option<String>,
    /// One log id, exactly.
    pub log_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub after: Option<Cursor>,
}

/// One event as a search lists it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Found {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub log_id: String,
    pub date: DateTime<Utc>,
    pub type_code: String,
    pub description: Option<String>,
    pub client_id: Option<String>,
    pub client_name: Option<String>,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub ip: Option<String>,
    pub connection: Option<String>,
}

/// The `limit` newest events matching `filter` (after its cursor).
pub async fn search(conn: &mut PgConnection, filter: &Filter, limit: i64) -> Result<Vec<Found>, sqlx::Error> {
    query(filter, limit, "").build_query_as::<Found>().fetch_all(conn).await
}

/// A range of dates, `None` where it is open: [from, to).
type Window = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Months read one at a time before the rest is read in one go.
const MONTHS: u32 = 15;

/// `search`, read a month at a time from the newest (this month and anything later first, then each month before,
/// then everything older): a selective filter sorts one month's matches, not every month's, and a page that fills
/// in the newest month reads no other. The same events in the same order as `search`.
pub async fn search_newest(
    conn: &mut PgConnection,
    filter: &Filter,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<Vec<Found>, sqlx::Error> {
    let mut found: Vec<Found> = Vec::new();
    for (lo, hi) in months(now) {
        let from = match (lo, filter.from) {
            (Some(lo), Some(from)) => Some(lo.max(from)),
            (lo, from) => lo.or(from),
        };
        let to = match (hi, filter.to) {
            (Some(hi), Some(to)) => Some(hi.min(to)),
            (hi, to) => hi.or(to),
        };
        let above_cursor = filter.after.as_ref().zip(from).is_some_and(|(after, from)| from > after.date);
        if from.zip(to).is_some_and(|(from, to)| from >= to) || above_cursor {
            continue;
        }
        let window = Filter { from, to, ..filter.clone() };
        found.extend(search(conn, &window, limit - found.len() as i64).await?);
        if found.len() as i64 >= limit || filter.from.zip(from).is_some_and(|(f, w)| w <= f) {
            break;
        }
    }
    Ok(found)
}

/// The windows `search_newest` reads, newest first: [this month, ∞), each of the `MONTHS` months before, and
/// everything older (`None`: unbounded).
fn months(now: DateTime<Utc>) -> Vec<Window> {
    use chrono::{Datelike, Months, TimeZone};
    let first = Utc.with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0).single().unwrap_or(now);
    let mut out = vec![(Some(first), None)];
    let mut hi = first;
    for _ in 0..MONTHS {
        let lo = hi.checked_sub_months(Months::new(1)).unwrap_or(hi);
        out.push((Some(lo), Some(hi)));
        hi = lo;
    }
    out.push((None, Some(hi)));
    out
}

/// An event found, with the payload Auth0 sent (for exports).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FoundWhole {
    #[sqlx(flatten)]
    pub found: Found,
    pub payload: serde_json::Value,
}

/// `search`, each event with its payload.
pub async fn search_whole(
    conn: &mut PgConnection,
    filter: &Filter,
    limit: i64,
) -> Result<Vec<FoundWhole>, sqlx::Error> {
    query(filter, limit, ", e.payload").build_query_as::<FoundWhole>().fetch_all(conn).await
}

fn query(filter: &Filter, limit: i64, more: &str) -> QueryBuilder<'static, Postgres> {
    let mut q = QueryBuilder::<Postgres>::new(
        "SELECT e.tenant_id, t.name AS tenant_name, e.log_id, e.date, e.type_code, e.description, e.client_id, \
         e.client_name, e.user_id, e.user_name, host(e.ip) AS ip, e.connection",
    );
    q.push(more).push(" FROM logs_events e JOIN tenants t ON t.id = e.tenant_id WHERE true");
    if let Some(tenant) = filter.tenant {
        q.push(" AND e.tenant_id = ").push_bind(tenant.0);
    }
    if let Some(codes) = &filter.codes {
        q.push(" AND e.type_code = ANY(").push_bind(codes.clone()).push(")");
    }
    if let Some(user) = &filter.user {
        q.push(" AND (e.user_id = ")
            .push_bind(user.clone())
            .push(" OR e.user_name = ")
            .push_bind(user.clone())
            .push(")");
    }
    if let Some(client) = &filter.client {
        q.push(" AND (e.client_id = ").push_bind(client.clone());
        q.push(" OR e.client_name = ").push_bind(client.clone()).push(")");
    }
    if let Some(ip) = &filter.ip {
        q.push(" AND e.ip <<= ").push_bind(ip.to_string()).push("::inet");
    }
    if let Some(connection) = &filter.connection {
        q.push(" AND e.connection = ").push_bind(connection.clone());
    }
    if let Some(text) = &filter.text {
        let pattern = format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        q.push(" AND e.description ILIKE ").push_bind(pattern);
    }
    if let Some(log_id) = &filter.log_id {
        // With the tenant from the join, each tenant's primary key (tenant_id, log_id, date) finds it.
        q.push(" AND e.log_id = ").push_bind(log_id.clone());
    }
    if let Some(from) = filter.from {
        q.push(" AND e.date >= ").push_bind(from);
    }
    if let Some(to) = filter.to {
        q.push(" AND e.date < ").push_bind(to);
    }
    if let Some(after) = &filter.after {
        q.push(" AND (e.date, e.tenant_id, e.log_id) < (").push_bind(after.date);
        q.push(", ").push_bind(after.tenant.0).push(", ").push_bind(after.log_id.clone()).push(")");
    }
    q.push(" ORDER BY e.date DESC, e.tenant_id DESC, e.log_id DESC LIMIT ").push_bind(limit);
    q
}

/// One stored event with everything Auth0 sent.
pub struct Stored {
    pub tenant_name: String,
    pub log_id: String,
    pub date: DateTime<Utc>,
    pub type_code: String,
    pub description: Option<String>,
    pub client_id: Option<String>,
    pub client_name: Option<String>,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub ip: Option<String>,
    pub connection: Option<String>,
    pub strategy: Option<String>,
    pub hostname: Option<String>,
    pub user_agent: Option<String>,
    pub payload: serde_json::Value,
    pub source: String,
    pub received_at: DateTime<Utc>,
}

/// The event `log_id` of `tenant`.
pub async fn event(conn: &mut PgConnection, tenant: TenantId, log_id: &str) -> Result<Option<Stored>, sqlx::Error> {
    sqlx::query_as!(
        Stored,
        r#"SELECT t.name AS tenant_name, e.log_id, e.date AS "date: DateTime<Utc>", e.type_code, e.description, e.client_id, e.client_name,
                  e.user_id, e.user_name, host(e.ip) AS ip, e.connection, e.strategy, e.hostname, e.user_agent,
                  e.payload, e.source, e.received_at AS "received_at: DateTime<Utc>"
           FROM logs_events e JOIN tenants t ON t.id = e.tenant_id WHERE e.tenant_id = $1 AND e.log_id = $2"#,
        tenant.0,
        log_id
    )
    .fetch_optional(conn)
    .await
}

/// One quarantined item.
pub struct Quarantined {
    pub tenant_id: TenantId,
    pub tenant_name: Option<String>,
    pub id: i64,
    pub received_at: DateTime<Utc>,
    pub source: String,
    pub reason: String,
    pub item: String,
}

/// The newest `limit` quarantined items (items cut at `max_chars` characters).
pub async fn quarantine(conn: &mut PgConnection, limit: i64, max_chars: i32) -> Result<Vec<Quarantined>, sqlx::Error> {
    sqlx::query_as!(
        Quarantined,
        r#"SELECT q.tenant_id AS "tenant_id: TenantId", t.name AS "tenant_name?", q.id, q.received_at AS "received_at: DateTime<Utc>", q.source,
                  q.reason, left(q.item, $2) AS "item!"
           FROM logs_quarantine q LEFT JOIN tenants t ON t.id = q.tenant_id
           ORDER BY q.received_at DESC, q.id DESC LIMIT $1"#,
        limit,
        max_chars
    )
    .fetch_all(conn)
    .await
}

/// A tenant's progress, for the pages.
pub struct Progress {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub events_stored: Option<i64>,
    pub duplicates: Option<i64>,
    pub rejected: Option<i64>,
    pub newest_at: Option<DateTime<Utc>>,
    pub last_pull_at: Option<DateTime<Utc>>,
    pub last_pull_error: Option<String>,
    pub last_delivery_at: Option<DateTime<Utc>>,
    pub retention_days: Option<i32>,
    pub has_token: Option<bool>,
    pub kept_events: Option<i64>,
    pub kept_bytes: Option<i64>,
    pub kept_at: Option<DateTime<Utc>>,
}

/// Every registered tenant with what the logs area has of it.
pub async fn progress(conn: &mut PgConnection) -> Result<Vec<Progress>, sqlx::Error> {
    sqlx::query_as!(
        Progress,
        r#"SELECT t.id AS "tenant_id: TenantId", t.name AS tenant_name, p.events_stored AS "events_stored?",
                  p.duplicates AS "duplicates?", p.rejected AS "rejected?", p.newest_at AS "newest_at?: DateTime<Utc>",
                  p.last_pull_at AS "last_pull_at?: DateTime<Utc>", p.last_pull_error AS "last_pull_error?",
                  p.last_delivery_at AS "last_delivery_at?: DateTime<Utc>", p.retention_days AS "retention_days?",
                  (k.tenant_id IS NOT NULL) AS "has_token?", p.kept_events AS "kept_events?",
                  p.kept_bytes AS "kept_bytes?", p.kept_at AS "kept_at?: DateTime<Utc>"
           FROM tenants t LEFT JOIN logs_progress p ON p.tenant_id = t.id
                LEFT JOIN logs_stream_tokens k ON k.tenant_id = t.id
           ORDER BY t.name"#
    )
    .fetch_all(conn)
    .await
}

/// The newest event Tenantry holds for one tenant (none: it keeps none of its logs).
pub async fn newest_event(conn: &mut PgConnection, tenant: TenantId) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let newest = sqlx::query_scalar!(
        r#"SELECT newest_at AS "newest_at: DateTime<Utc>" FROM logs_progress WHERE tenant_id = $1"#,
        tenant.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(newest.flatten())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_month_windows_are_contiguous_newest_first_and_cover_everything() {
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 14, 0, 0).single().expect("t");
        let w = months(now);
        assert_eq!(w.len(), MONTHS as usize + 2);
        assert_eq!(w[0], (Some(Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).single().expect("t")), None));
        assert_eq!(w[1].1, w[0].0);
        assert!(w.windows(2).all(|p| p[1].1 == p[0].0), "no gap, no overlap");
        assert_eq!(w.last().map(|l| l.0), Some(None), "and everything older");
        assert_eq!(w[2].0, Some(Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).single().expect("t")));
    }
}
