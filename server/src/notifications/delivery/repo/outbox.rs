//! The outbox and its leases, the delivery log, channel health and the status board's channel rows.

use app::ids::{ChannelId, NotificationId};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// Queues update `update` of notification `id` at `now` for every enabled channel whose filters match the
/// notification as it now stands. Returns the rows queued.
pub async fn enqueue(
    conn: &mut PgConnection,
    id: NotificationId,
    update: i64,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "INSERT INTO notifications_outbox (channel_id, notification_id, update_id, due_at, created_at)
         SELECT c.id, n.id, $2, $3, $3 FROM notifications n JOIN notifications_channels c ON c.enabled
         WHERE n.id = $1
           AND array_position(ARRAY['info', 'warning', 'critical'], n.severity)
               >= array_position(ARRAY['info', 'warning', 'critical'], c.min_severity)
           AND (cardinality(c.sources) = 0 OR n.source = ANY(c.sources))
           AND (cardinality(c.tenants) = 0 OR n.tenants && c.tenants)
           AND (cardinality(c.regions) = 0 OR n.regions && c.regions)
         ON CONFLICT (channel_id, update_id) DO NOTHING",
        id.0,
        update,
        now as _,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// One attempt in a delivery log.
pub struct DeliveryRecord {
    pub at: DateTime<Utc>,
    pub channel_id: ChannelId,
    pub channel_name: String,
    pub notification_id: Option<NotificationId>,
    pub title: Option<String>,
    pub attempt: i32,
    pub ok: bool,
    pub status: Option<i32>,
    pub duration_ms: i32,
    pub error: Option<String>,
    pub update_text: Option<String>,
}

/// Delivery attempts with their channel, notification and update, then `$rest` of the query (which attempts, in
/// what order) and its arguments.
macro_rules! delivery_records {
    ($rest:tt $(, $args:expr)*) => {
        sqlx::query_as!(
            DeliveryRecord,
            r#"SELECT d.at AS "at: DateTime<Utc>", d.channel_id AS "channel_id: ChannelId", c.name AS channel_name,
                      d.notification_id AS "notification_id?: NotificationId", n.title AS "title?", d.attempt, d.ok,
                      d.status, d.duration_ms, d.error, u.text AS "update_text?"
               FROM notifications_deliveries d JOIN notifications_channels c ON c.id = d.channel_id
               LEFT JOIN notifications n ON n.id = d.notification_id
               LEFT JOIN notifications_updates u ON u.id = d.update_id "# + $rest
            $(, $args)*
        )
    };
}

/// How many attempts a channel's delivery log holds.
pub async fn count_channel_deliveries(conn: &mut PgConnection, channel: ChannelId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM notifications_deliveries WHERE channel_id = $1"#, channel.0)
        .fetch_one(conn)
        .await
}

/// A page of a channel's delivery log, newest first.
pub async fn channel_deliveries(
    conn: &mut PgConnection,
    channel: ChannelId,
    limit: i64,
    offset: i64,
) -> Result<Vec<DeliveryRecord>, sqlx::Error> {
    delivery_records!(
        "WHERE d.channel_id = $1 ORDER BY d.at DESC, d.id DESC LIMIT $2 OFFSET $3",
        channel.0,
        limit,
        offset
    )
    .fetch_all(conn)
    .await
}

/// Every delivery attempt of one notification, oldest first.
pub async fn notification_deliveries(
    conn: &mut PgConnection,
    id: NotificationId,
) -> Result<Vec<DeliveryRecord>, sqlx::Error> {
    delivery_records!("WHERE d.notification_id = $1 ORDER BY d.at, d.id", id.0).fetch_all(conn).await
}

/// What one update of one notification says, for its message.
pub struct MessageRecord {
    pub id: i64,
    pub source: String,
    pub kind: String,
    pub severity: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub tenants: Vec<String>,
    pub regions: Vec<String>,
    pub first_seen_at: DateTime<Utc>,
    pub update_id: i64,
    pub at: DateTime<Utc>,
    pub update_kind: String,
    pub update_severity: String,
    pub text: String,
}

pub async fn message(
    conn: &mut PgConnection,
    id: NotificationId,
    update: i64,
) -> Result<Option<MessageRecord>, sqlx::Error> {
    sqlx::query_as!(
        MessageRecord,
        r#"SELECT n.id, n.source, n.kind, n.severity, n.title, n.body, n.link, n.tenants, n.regions,
                n.first_seen_at AS "first_seen_at: DateTime<Utc>", u.id AS update_id, u.at AS "at: DateTime<Utc>", u.kind AS update_kind, u.severity AS update_severity, u.text
         FROM notifications n JOIN notifications_updates u ON u.notification_id = n.id
         WHERE n.id = $1 AND u.id = $2"#,
        id.0,
        update,
    )
    .fetch_optional(conn)
    .await
}

/// Records a success in a channel's health, only when it changes it or its timestamp is more than 10 s old.
pub async fn record_success(
    conn: &mut PgConnection,
    channel: ChannelId,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE notifications_channels SET last_success_at = $2, failing_since = NULL, last_error = NULL
         WHERE id = $1 AND (failing_since IS NOT NULL OR last_success_at IS NULL
                            OR last_success_at < $2::timestamptz - interval '10 seconds')",
        channel.0,
        now as _,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a failure in a channel's health, only when it changes it or its timestamp is more than 10 s old.
pub async fn record_failure(
    conn: &mut PgConnection,
    channel: ChannelId,
    now: DateTime<Utc>,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE notifications_channels SET last_failure_at = $2, failing_since = COALESCE(failing_since, $2),
             last_error = $3
         WHERE id = $1 AND (failing_since IS NULL OR last_error IS DISTINCT FROM $3 OR last_failure_at IS NULL
                            OR last_failure_at < $2::timestamptz - interval '10 seconds')",
        channel.0,
        now as _,
        error,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One attempt for the delivery log.
pub struct AttemptValues<'a> {
    pub channel: ChannelId,
    pub notification: Option<NotificationId>,
    pub update: Option<i64>,
    pub outbox: Option<i64>,
    pub at: DateTime<Utc>,
    pub attempt: i32,
    pub ok: bool,
    pub status: Option<i32>,
    pub duration_ms: i32,
    pub error: Option<&'a str>,
    pub test: bool,
}

pub async fn log_attempt(conn: &mut PgConnection, a: &AttemptValues<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO notifications_deliveries (channel_id, notification_id, update_id, outbox_id, at, attempt, ok,
                                               status, duration_ms, error, test)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        a.channel.0,
        a.notification.map(|n| n.0),
        a.update,
        a.outbox,
        a.at as _,
        a.attempt,
        a.ok,
        a.status,
        a.duration_ms,
        a.error,
        a.test,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives up on pending rows created before `created_before` that nobody holds; how many.
pub async fn expire(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    created_before: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "UPDATE notifications_outbox SET state = 'failed', finished_at = $1,
             last_error = COALESCE(last_error || '; ', '') || 'gave up: not delivered within 3 days'
         WHERE state = 'pending' AND created_at < $2 AND (lease_until IS NULL OR lease_until < $1)",
        now as _,
        created_before as _,
    )
    .execute(conn)
    .await?
    .rows_affected())
}

/// A leased outbox row.
pub struct Lease {
    pub id: i64,
    pub channel: ChannelId,
    pub notification: NotificationId,
    pub update: i64,
    pub attempts: i32,
}

/// Leases up to `limit` due rows of enabled channels for `worker` until `until` (`FOR UPDATE SKIP LOCKED`).
pub async fn lease(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    worker: &str,
    limit: i64,
) -> Result<Vec<Lease>, sqlx::Error> {
    sqlx::query_as!(
        Lease,
        r#"UPDATE notifications_outbox SET lease_until = $2, leased_by = $3
           WHERE id IN (
               SELECT o.id FROM notifications_outbox o JOIN notifications_channels c ON c.id = o.channel_id
               WHERE o.state = 'pending' AND o.due_at <= $1 AND (o.lease_until IS NULL OR o.lease_until < $1)
                 AND c.enabled
               ORDER BY o.due_at, o.id
               FOR UPDATE OF o SKIP LOCKED
               LIMIT $4)
           RETURNING id, channel_id AS "channel: ChannelId", notification_id AS "notification: NotificationId",
                     update_id AS update, attempts"#,
        now as _,
        until as _,
        worker,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// Records an attempt's outcome on its outbox row while `worker` still holds the lease; whether it did.
#[allow(clippy::too_many_arguments)]
pub async fn finish(
    conn: &mut PgConnection,
    id: i64,
    worker: &str,
    state: &str,
    attempts: i32,
    due: DateTime<Utc>,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE notifications_outbox SET state = $3, attempts = $4, due_at = $5, last_error = $6,
             lease_until = NULL, leased_by = NULL,
             finished_at = CASE WHEN $3 = 'delivered' THEN $7 ELSE finished_at END
         WHERE id = $1 AND leased_by = $2",
        id,
        worker,
        state,
        attempts,
        due as _,
        error,
        now as _,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An enabled channel for the status board: (id, name, failing since, last error).
pub struct TileRecord {
    pub id: ChannelId,
    pub name: String,
    pub failing_since: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// The enabled channels, failing first.
pub async fn tile_channels(conn: &mut PgConnection) -> Result<Vec<TileRecord>, sqlx::Error> {
    sqlx::query_as!(
        TileRecord,
        r#"SELECT id AS "id: ChannelId", name, failing_since AS "failing_since: DateTime<Utc>", last_error
           FROM notifications_channels WHERE enabled
           ORDER BY failing_since NULLS LAST, name"#
    )
    .fetch_all(conn)
    .await
}

/// Deliveries waiting and when the oldest was queued, for `/metrics`.
pub async fn backlog(conn: &mut PgConnection) -> Result<(i64, Option<DateTime<Utc>>), sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT count(*) AS "waiting!", min(created_at) AS "oldest: DateTime<Utc>"
             FROM notifications_outbox WHERE state = 'pending'"#
    )
    .fetch_one(conn)
    .await?;
    Ok((row.waiting, row.oldest))
}
