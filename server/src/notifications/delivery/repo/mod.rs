//! Every SQL statement of delivery: channels (stored with their secrets encrypted) here, the outbox and its leases,
//! the delivery log, channel health and the status board's channel rows in `outbox`. Functions take a connection (a transaction
//! derefs to one), so callers compose them atomically.

use app::ids::ChannelId;
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

mod outbox;
pub use outbox::*;
