//! Every SQL statement of delivery: channels (stored with their secrets encrypted), the outbox and its leases, the
//! delivery log, channel health, and the status board's channel rows. Functions take a connection (a transaction
//! derefs to one), so callers compose them atomically.

use app::ids::{ChannelId, NotificationId};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// A channel as the pages show it, with its queue and the last day's deliveries.
pub struct ChannelRecord {
    pub id: ChannelId,
    pub name: String,
    pub kind: String,
    pub target: String,
    pub min_severity: String,
    pub sources: Vec<String>,
    pub tenants: Vec<String>,
    pub regions: Vec<String>,
    pub enabled: bool,
    pub last_success_at: Option<DateTime<Utc>>,
    pub failing_since: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub smtp: Option<serde_json::Value>,
    pub pending: i64,
    pub delivered_day: i64,
}

/// Every channel by name (`only`: just that one), as at `now`.
pub async fn channels(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    only: Option<ChannelId>,
) -> Result<Vec<ChannelRecord>, sqlx::Error> {
    sqlx::query_as!(
        ChannelRecord,
        r#"SELECT c.id AS "id: ChannelId", c.name, c.kind, c.target, c.min_severity, c.sources, c.tenants, c.regions,
                  c.enabled, c.last_success_at AS "last_success_at: DateTime<Utc>",
                  c.failing_since AS "failing_since: DateTime<Utc>", c.last_error, c.smtp,
                  (SELECT count(*) FROM notifications_outbox o WHERE o.channel_id = c.id AND o.state = 'pending')
                      AS "pending!",
                  (SELECT count(*) FROM notifications_deliveries d WHERE d.channel_id = c.id AND d.ok AND NOT d.test
                      AND d.at > $1::timestamptz - interval '1 day') AS "delivered_day!"
           FROM notifications_channels c WHERE ($2::uuid IS NULL OR c.id = $2) ORDER BY c.name"#,
        now as _,
        only.map(|id| id.0),
    )
    .fetch_all(conn)
    .await
}

/// A channel's stored secrets (encrypted) and settings, for sending.
pub struct SecretRecord {
    pub id: ChannelId,
    pub name: String,
    pub kind: String,
    pub url_secret: Option<Vec<u8>>,
    pub signing_secret: Option<Vec<u8>>,
    pub smtp: Option<serde_json::Value>,
}

pub async fn secrets(conn: &mut PgConnection, id: ChannelId) -> Result<Option<SecretRecord>, sqlx::Error> {
    sqlx::query_as!(
        SecretRecord,
        r#"SELECT id AS "id: ChannelId", name, kind, url_secret, signing_secret, smtp
           FROM notifications_channels WHERE id = $1"#,
        id.0,
    )
    .fetch_optional(conn)
    .await
}

/// A channel to store: secrets already encrypted.
pub struct ChannelValues<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub target: &'a str,
    pub url_secret: Option<Vec<u8>>,
    pub signing_secret: Option<Vec<u8>>,
    pub smtp: Option<serde_json::Value>,
    pub min_severity: &'a str,
    pub sources: &'a [String],
    pub tenants: &'a [String],
    pub regions: &'a [String],
}

/// A channel query with the channel's values bound as `$1` … `$10` in the order of `insert_channel`'s column list,
/// then any further arguments: the insert and the update bind the same values the same way.
macro_rules! channel_query {
    ($query:ident, $sql:tt, $c:expr $(, $more:expr)*) => {
        sqlx::$query!(
            $sql,
            $c.name,
            $c.kind,
            $c.target,
            $c.url_secret.as_deref(),
            $c.signing_secret.as_deref(),
            $c.smtp.as_ref(),
            $c.min_severity,
            $c.sources,
            $c.tenants,
            $c.regions,
            $($more,)*
        )
    };
}

pub async fn insert_channel(conn: &mut PgConnection, c: &ChannelValues<'_>) -> Result<ChannelId, sqlx::Error> {
    channel_query!(
        query_scalar,
        r#"INSERT INTO notifications_channels (name, kind, target, url_secret, signing_secret, smtp, min_severity,
                                             sources, tenants, regions)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id AS "id: ChannelId""#,
        c
    )
    .fetch_one(conn)
    .await
}

/// Whether an email channel signs in to its SMTP server (a user name) without a stored password.
pub async fn password_missing(conn: &mut PgConnection, id: ChannelId) -> Result<bool, sqlx::Error> {
    let missing = sqlx::query_scalar!(
        r#"SELECT kind = 'email' AND coalesce(smtp->>'username', '') <> '' AND url_secret IS NULL AS "missing!"
           FROM notifications_channels WHERE id = $1"#,
        id.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(missing.unwrap_or(false))
}

/// Changes a channel: an empty target and absent secrets keep the stored ones while the kind stays — and, for
/// email, while the SMTP host and port stay (a stored password is never sent to another server). Returns whether
/// it exists.
pub async fn update_channel(
    conn: &mut PgConnection,
    id: ChannelId,
    c: &ChannelValues<'_>,
) -> Result<bool, sqlx::Error> {
    let done = channel_query!(
        query,
        "UPDATE notifications_channels SET name = $1, kind = $2,
             target = CASE WHEN $3 = '' THEN target ELSE $3 END,
             url_secret = CASE WHEN $2 = kind AND ($2 <> 'email'
                                   OR ((smtp->>'host') IS NOT DISTINCT FROM ($6::jsonb->>'host')
                                       AND (smtp->>'port') IS NOT DISTINCT FROM ($6::jsonb->>'port')))
                               THEN COALESCE($4, url_secret) ELSE $4 END,
             signing_secret = CASE WHEN $2 = 'webhook' AND kind = 'webhook' THEN COALESCE($5, signing_secret)
                                   WHEN $2 = 'webhook' THEN $5 END,
             smtp = $6, min_severity = $7, sources = $8, tenants = $9, regions = $10
         WHERE id = $11",
        c,
        id.0
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The stored kind of a channel.
pub async fn kind_of(conn: &mut PgConnection, id: ChannelId) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT kind FROM notifications_channels WHERE id = $1", id.0).fetch_optional(conn).await
}

/// A channel's name.
pub async fn name_of(conn: &mut PgConnection, id: ChannelId) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT name FROM notifications_channels WHERE id = $1", id.0).fetch_optional(conn).await
}

/// Pauses or resumes a channel; its name, when it exists.
pub async fn set_enabled(conn: &mut PgConnection, id: ChannelId, enabled: bool) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("UPDATE notifications_channels SET enabled = $2 WHERE id = $1 RETURNING name", id.0, enabled)
        .fetch_optional(conn)
        .await
}

/// Removes a channel (its outbox rows and delivery log go with it); its name, when it existed.
pub async fn delete_channel(conn: &mut PgConnection, id: ChannelId) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("DELETE FROM notifications_channels WHERE id = $1 RETURNING name", id.0)
        .fetch_optional(conn)
        .await
}

/// Registered tenant names (channels filter by them).
pub async fn tenant_names(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT name FROM tenants ORDER BY name").fetch_all(conn).await
}

/// The regions of the registered tenants.
pub async fn tenant_regions(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT DISTINCT region AS "region!" FROM tenants WHERE region IS NOT NULL ORDER BY 1"#)
        .fetch_all(conn)
        .await
}

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
