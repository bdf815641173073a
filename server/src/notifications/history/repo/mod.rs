//! Every SQL statement of the history: notifications and their timelines, acknowledgements, the watched state,
//! the one-time catch-up's reads of the other areas' events, and retention. Functions take a connection (a
//! transaction derefs to one), so callers compose them atomically. The history's list (filters, keyset, counts)
//! is in `list`.

mod list;
pub use list::{NoticeFilter, count_notices, notices, tenant_names};

use std::collections::BTreeMap;

use app::ids::{CheckId, DomainId, NotificationId, SourceId};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::model::Stored;
use super::record::Incoming;

/// A notification as stored, with its count of updates (`body` and `link` only where asked for).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct NoticeRecord {
    pub id: NotificationId,
    pub source: String,
    pub kind: String,
    pub severity: String,
    pub title: String,
    pub tenants: Vec<String>,
    pub regions: Vec<String>,
    pub first_seen_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    pub updates: i64,
    pub body: String,
    pub link: Option<String>,
}

/// What the upsert of a notification found.
pub struct Upserted {
    pub id: NotificationId,
    /// The severity before this update.
    pub severity: String,
    pub acknowledged: bool,
    /// Who acknowledged it (`record::HISTORY` when it was recorded as history).
    pub acknowledged_by: Option<String>,
    pub created: bool,
}

/// Creates the notification of `n.origin`, or brings it up to date (title, body, link, tenants, regions, time).
pub async fn upsert_notification(conn: &mut PgConnection, n: &Incoming) -> Result<Upserted, sqlx::Error> {
    let r = sqlx::query!(
        r#"INSERT INTO notifications (origin, source, kind, severity, title, body, link, tenants, regions, first_seen_at,
                                    updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
         ON CONFLICT (origin) DO UPDATE SET
             title = EXCLUDED.title,
             body = CASE WHEN EXCLUDED.body = '' THEN notifications.body ELSE EXCLUDED.body END,
             link = COALESCE(EXCLUDED.link, notifications.link),
             tenants = ARRAY(SELECT DISTINCT unnest(notifications.tenants || EXCLUDED.tenants) ORDER BY 1),
             regions = ARRAY(SELECT DISTINCT unnest(notifications.regions || EXCLUDED.regions) ORDER BY 1),
             updated_at = GREATEST(notifications.updated_at, EXCLUDED.updated_at)
         RETURNING id AS "id: NotificationId", severity, acknowledged_at IS NOT NULL AS "acknowledged!",
                   acknowledged_by, (xmax = 0) AS "created!""#,
        n.origin,
        n.source,
        n.kind,
        n.severity,
        n.title,
        n.body,
        n.link.as_deref(),
        &n.tenants[..],
        &n.regions[..],
        n.at as _,
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(Upserted {
        id: r.id,
        severity: r.severity,
        acknowledged: r.acknowledged,
        acknowledged_by: r.acknowledged_by,
        created: r.created,
    })
}

/// Adds an update to a notification's timeline once per `origin`; `None` when it was there already.
pub async fn insert_update(
    conn: &mut PgConnection,
    id: NotificationId,
    origin: &str,
    at: DateTime<Utc>,
    severity: &str,
    text: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO notifications_updates (notification_id, origin, at, kind, severity, text)
         VALUES ($1, $2, $3, 'update', $4, $5) ON CONFLICT (origin) DO NOTHING RETURNING id",
        id.0,
        origin,
        at as _,
        severity,
        text,
    )
    .fetch_optional(conn)
    .await
}

/// Raises a notification's severity; `reopen` opens it again (a past update raises it without reopening).
pub async fn raise_severity(
    conn: &mut PgConnection,
    id: NotificationId,
    severity: &str,
    reopen: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE notifications SET severity = $2,
             acknowledged_at = CASE WHEN $3 THEN NULL ELSE acknowledged_at END,
             acknowledged_by = CASE WHEN $3 THEN NULL ELSE acknowledged_by END
         WHERE id = $1",
        id.0,
        severity,
        reopen,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Opens an acknowledged notification again.
pub async fn reopen(conn: &mut PgConnection, id: NotificationId) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE notifications SET acknowledged_at = NULL, acknowledged_by = NULL WHERE id = $1", id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// The timeline entry that says an acknowledged notification is open again.
pub async fn insert_reopened(
    conn: &mut PgConnection,
    id: NotificationId,
    origin: &str,
    at: DateTime<Utc>,
    severity: &str,
    text: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO notifications_updates (notification_id, origin, at, kind, severity, text)
         VALUES ($1, $2, $3, 'reopened', $4, $5)",
        id.0,
        origin,
        at as _,
        severity,
        text,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Warning and critical notifications nobody has acknowledged.
pub async fn open_count(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM notifications WHERE acknowledged_at IS NULL AND severity <> 'info'"#
    )
    .fetch_one(conn)
    .await
}

/// One notification, with its body and link.
pub async fn notice(conn: &mut PgConnection, id: NotificationId) -> Result<Option<NoticeRecord>, sqlx::Error> {
    sqlx::query_as!(
        NoticeRecord,
        r#"SELECT n.id AS "id: NotificationId", n.source, n.kind, n.severity, n.title, n.tenants, n.regions,
                  n.first_seen_at AS "first_seen_at: DateTime<Utc>", n.updated_at AS "updated_at: DateTime<Utc>",
                  n.acknowledged_at AS "acknowledged_at: DateTime<Utc>", n.acknowledged_by, n.body, n.link,
                  (SELECT count(*) FROM notifications_updates u WHERE u.notification_id = n.id AND u.kind = 'update')
                      AS "updates!"
           FROM notifications n WHERE n.id = $1"#,
        id.0,
    )
    .fetch_optional(conn)
    .await
}

/// One timeline entry as stored.
pub struct TimelineRecord {
    pub at: DateTime<Utc>,
    pub kind: String,
    pub severity: String,
    pub text: String,
    pub by_user: Option<String>,
}

/// A notification's timeline, oldest first.
pub async fn timeline(conn: &mut PgConnection, id: NotificationId) -> Result<Vec<TimelineRecord>, sqlx::Error> {
    sqlx::query_as!(
        TimelineRecord,
        r#"SELECT at AS "at: DateTime<Utc>", kind, severity, text, by_user FROM notifications_updates
           WHERE notification_id = $1 ORDER BY at, id"#,
        id.0,
    )
    .fetch_all(conn)
    .await
}

/// Marks an open notification acknowledged; its title, or `None` when it is acknowledged already or gone.
pub async fn acknowledge(
    conn: &mut PgConnection,
    id: NotificationId,
    now: DateTime<Utc>,
    who: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "UPDATE notifications SET acknowledged_at = $2, acknowledged_by = $3
         WHERE id = $1 AND acknowledged_at IS NULL RETURNING title",
        id.0,
        now as _,
        who,
    )
    .fetch_optional(conn)
    .await
}

/// Whether the notification exists.
pub async fn exists(conn: &mut PgConnection, id: NotificationId) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM notifications WHERE id = $1) AS "exists!""#, id.0)
        .fetch_one(conn)
        .await
}

/// The timeline entry of an acknowledgement.
pub async fn insert_acknowledged(
    conn: &mut PgConnection,
    id: NotificationId,
    now: DateTime<Utc>,
    text: &str,
    who: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO notifications_updates (notification_id, origin, at, kind, severity, text, by_user)
         SELECT $1, 'ack:' || $1::bigint || ':' || $2::timestamptz, $2, 'acknowledged', severity, $3, $4
         FROM notifications WHERE id = $1",
        id.0,
        now as _,
        text,
        who,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One collector at a time (replicas): whether this transaction holds the collector's lock.
pub async fn try_collector_lock(conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT pg_try_advisory_xact_lock(8008) AS "locked!""#).fetch_one(conn).await
}

/// What the watch stored per key.
pub async fn watched(conn: &mut PgConnection) -> Result<BTreeMap<String, Stored>, sqlx::Error> {
    let rows = sqlx::query!(r#"SELECT key, state, since AS "since: DateTime<Utc>", title FROM notifications_watch"#)
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| (r.key, (r.state, r.since, r.title))).collect())
}

/// Stores what the watch saw for `key`.
pub async fn store_watched(conn: &mut PgConnection, key: &str, stored: &Stored) -> Result<(), sqlx::Error> {
    let (state, since, title) = stored;
    sqlx::query!(
        "INSERT INTO notifications_watch (key, state, since, title) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key) DO UPDATE SET state = $2, since = $3, title = $4",
        key,
        state,
        since as _,
        title,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets a watched key.
pub async fn forget_watched(conn: &mut PgConnection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM notifications_watch WHERE key = $1", key).execute(conn).await?;
    Ok(())
}

/// The last event id the old collector read of `name` (0: none), or `None` once the catch-up of `name` is done.
pub async fn cursor(conn: &mut PgConnection, name: &str) -> Result<Option<i64>, sqlx::Error> {
    let last = sqlx::query_scalar!("SELECT last_id FROM notifications_cursors WHERE name = $1", name)
        .fetch_optional(conn)
        .await?;
    Ok(match last {
        Some(super::catch_up::DONE) => None,
        other => Some(other.unwrap_or(0)),
    })
}

/// Moves `name`'s cursor forward to `last` (`catch_up::DONE`: nothing left to catch up).
pub async fn advance(conn: &mut PgConnection, name: &str, last: i64) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO notifications_cursors (name, last_id) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET last_id = GREATEST(notifications_cursors.last_id, $2)",
        name,
        last,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A status incident update the old collector had not read yet.
pub struct StatusEvent {
    pub id: i64,
    pub update_id: String,
    pub at: DateTime<Utc>,
    pub update_phase: String,
    pub text: String,
    pub external_id: String,
    pub title: String,
    pub impact: Option<String>,
    pub link: Option<String>,
    pub source_id: SourceId,
    pub source_name: String,
    pub source_kind: String,
    pub tenant: Option<String>,
    pub region: Option<String>,
}

/// Status incident updates after `from`, oldest first.
pub async fn status_events(conn: &mut PgConnection, from: i64, limit: i64) -> Result<Vec<StatusEvent>, sqlx::Error> {
    sqlx::query_as!(
        StatusEvent,
        r#"SELECT u.id, u.external_id AS update_id, COALESCE(u.at, u.seen_at) AS "at!: DateTime<Utc>", u.phase AS update_phase, u.text,
                  i.external_id, i.title, i.impact, i.link, s.id AS "source_id: SourceId", s.name AS source_name,
                  s.kind AS source_kind, t.name AS "tenant?", t.region AS "region?"
           FROM status_updates u JOIN status_incidents i ON i.id = u.incident_id
           JOIN status_sources s ON s.id = i.source_id LEFT JOIN tenants t ON t.id = s.tenant_id
           WHERE u.id > $1 ORDER BY u.id LIMIT $2"#,
        from,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// A monitoring alert event the old collector had not read yet.
pub struct MonitoringEvent {
    pub id: i64,
    pub alert_id: Option<i64>,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub detail: String,
    pub check_id: CheckId,
    pub name: String,
    pub check_kind: String,
    pub tenant: String,
    pub region: Option<String>,
}

/// Monitoring alert events after `from`, oldest first.
pub async fn monitoring_events(
    conn: &mut PgConnection,
    from: i64,
    limit: i64,
) -> Result<Vec<MonitoringEvent>, sqlx::Error> {
    sqlx::query_as!(
        MonitoringEvent,
        r#"SELECT e.id, e.alert_id, e.at AS "at: DateTime<Utc>", e.kind, e.detail, c.id AS "check_id: CheckId", c.name,
                  c.kind AS check_kind, t.name AS tenant, t.region
           FROM monitoring_events e JOIN monitoring_checks c ON c.id = e.check_id JOIN tenants t ON t.id = c.tenant_id
           WHERE e.id > $1 ORDER BY e.id LIMIT $2"#,
        from,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// A custom-domain outcome change the old collector had not read yet.
pub struct DomainEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub after: String,
    pub detail: String,
    pub domain_id: DomainId,
    pub host: String,
    pub tenant: String,
    pub region: Option<String>,
}

/// Custom-domain events after `from`, oldest first.
pub async fn domain_events(conn: &mut PgConnection, from: i64, limit: i64) -> Result<Vec<DomainEvent>, sqlx::Error> {
    sqlx::query_as!(
        DomainEvent,
        r#"SELECT e.id, e.at AS "at: DateTime<Utc>", e.kind, e.after, e.detail, d.id AS "domain_id: DomainId", d.host, t.name AS tenant,
                  t.region
           FROM domains_events e JOIN domains d ON d.id = e.domain_id JOIN tenants t ON t.id = d.tenant_id
           WHERE e.id > $1 ORDER BY e.id LIMIT $2"#,
        from,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// Deletes notifications (with their timelines, deliveries and outbox rows) last updated before `before`.
pub async fn prune_notifications(conn: &mut PgConnection, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!("DELETE FROM notifications WHERE updated_at < $1", before as _)
        .execute(conn)
        .await?
        .rows_affected())
}

/// Deletes outbox rows finished before `before`.
pub async fn prune_outbox(conn: &mut PgConnection, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!("DELETE FROM notifications_outbox WHERE state <> 'pending' AND finished_at < $1", before as _)
        .execute(conn)
        .await?
        .rows_affected())
}

/// Deletes "Send test" attempts made before `before`.
pub async fn prune_tests(conn: &mut PgConnection, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!("DELETE FROM notifications_deliveries WHERE test AND at < $1", before as _)
        .execute(conn)
        .await?
        .rows_affected())
}
