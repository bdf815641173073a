//! The history's list: its filters, the count, one page (by offset for the page, by keyset for the JSON API)
//! and the tenant names of the filter.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, Postgres, QueryBuilder};

use super::NoticeRecord;

/// The history's filters, checked.
#[derive(Clone, Debug, Default)]
pub struct NoticeFilter {
    pub q: Option<String>,
    pub source: Option<String>,
    pub severity: Option<String>,
    /// `Some(true)`: open only; `Some(false)`: acknowledged only.
    pub open: Option<bool>,
    pub tenant: Option<String>,
    pub region: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Keyset: only rows before this (updated_at, id) in the list's order.
    pub before: Option<(DateTime<Utc>, i64)>,
}

fn push_filter(b: &mut QueryBuilder<'_, Postgres>, f: &NoticeFilter) {
    b.push(" WHERE true");
    if let Some(q) = &f.q {
        b.push(" AND n.search @@ websearch_to_tsquery('english', ").push_bind(q.clone()).push(")");
    }
    if let Some(source) = &f.source {
        b.push(" AND n.source = ").push_bind(source.clone());
    }
    if let Some(severity) = &f.severity {
        b.push(" AND n.severity = ").push_bind(severity.clone());
    }
    match f.open {
        Some(true) => b.push(" AND n.acknowledged_at IS NULL"),
        Some(false) => b.push(" AND n.acknowledged_at IS NOT NULL"),
        None => b,
    };
    if let Some(tenant) = &f.tenant {
        b.push(" AND ").push_bind(tenant.clone()).push(" = ANY(n.tenants)");
    }
    if let Some(from) = f.from {
        b.push(" AND n.updated_at >= ").push_bind(from).push("::date");
    }
    if let Some(to) = f.to {
        b.push(" AND n.updated_at < ").push_bind(to).push("::date + 1");
    }
    if let Some(region) = &f.region {
        b.push(" AND ").push_bind(region.clone()).push(" = ANY(n.regions)");
    }
    if let Some((at, id)) = f.before {
        b.push(" AND (n.updated_at, n.id) < (").push_bind(at).push(", ").push_bind(id).push(")");
    }
}

/// How many notifications match.
pub async fn count_notices(conn: &mut PgConnection, f: &NoticeFilter) -> Result<i64, sqlx::Error> {
    let mut b = QueryBuilder::new("SELECT count(*) FROM notifications n");
    push_filter(&mut b, f);
    b.build_query_scalar().fetch_one(conn).await
}

/// One page of matching notifications, latest update first (`body` left empty, `link` none).
pub async fn notices(
    conn: &mut PgConnection,
    f: &NoticeFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<NoticeRecord>, sqlx::Error> {
    let mut b = QueryBuilder::new(
        "SELECT n.id, n.source, n.kind, n.severity, n.title, n.tenants, n.regions, n.first_seen_at, n.updated_at,
                n.acknowledged_at, n.acknowledged_by, '' AS body, NULL::text AS link,
                (SELECT count(*) FROM notifications_updates u WHERE u.notification_id = n.id AND u.kind = 'update')
                    AS updates
         FROM notifications n",
    );
    push_filter(&mut b, f);
    b.push(" ORDER BY n.updated_at DESC, n.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    b.build_query_as().fetch_all(conn).await
}

/// Registered tenant names, for the history's tenant filter (notifications name tenants by name).
pub async fn tenant_names(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT name FROM tenants ORDER BY name LIMIT 1000").fetch_all(conn).await
}
