//! Every SQL statement of the advisory feeds: the feeds with their read state, adding, pausing, removing, and what
//! a read records. Functions take a connection (a transaction derefs to one).

use app::ids::FeedId;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// A feed as the feeds page shows it.
pub struct FeedRecord {
    pub id: FeedId,
    pub name: String,
    pub kind: String,
    pub classify: String,
    pub url: String,
    pub keywords: Vec<String>,
    pub interval_secs: i32,
    pub enabled: bool,
    pub last_good_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub items: i32,
    pub catalog_key: Option<String>,
}

/// Every feed, by name.
pub async fn feeds(conn: &mut PgConnection) -> Result<Vec<FeedRecord>, sqlx::Error> {
    sqlx::query_as!(
        FeedRecord,
        r#"SELECT id AS "id: FeedId", name, kind, classify, url, keywords, interval_secs, enabled,
                  last_good_at AS "last_good_at: DateTime<Utc>", last_attempt_at AS "last_attempt_at: DateTime<Utc>", error, items, catalog_key
           FROM notifications_feeds ORDER BY name"#
    )
    .fetch_all(conn)
    .await
}

/// A feed to store.
pub struct FeedValues<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub classify: &'a str,
    pub url: &'a str,
    pub keywords: &'a [String],
    pub interval_secs: i32,
    pub catalog_key: Option<&'a str>,
}

pub async fn insert(conn: &mut PgConnection, f: &FeedValues<'_>) -> Result<FeedId, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO notifications_feeds (name, kind, classify, url, keywords, interval_secs, catalog_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id AS "id: FeedId""#,
        f.name,
        f.kind,
        f.classify,
        f.url,
        f.keywords,
        f.interval_secs,
        f.catalog_key,
    )
    .fetch_one(conn)
    .await
}

/// Pauses or resumes a feed; its (name, interval in seconds), when it exists.
pub async fn set_enabled(
    conn: &mut PgConnection,
    id: FeedId,
    enabled: bool,
) -> Result<Option<(String, i32)>, sqlx::Error> {
    let row = sqlx::query!(
        "UPDATE notifications_feeds SET enabled = $2 WHERE id = $1 RETURNING name, interval_secs",
        id.0,
        enabled,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.name, r.interval_secs)))
}

/// Removes a feed; its name, when it existed.
pub async fn delete(conn: &mut PgConnection, id: FeedId) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("DELETE FROM notifications_feeds WHERE id = $1 RETURNING name", id.0).fetch_optional(conn).await
}

/// What reading a feed needs.
pub struct ReadRecord {
    pub kind: String,
    pub classify: String,
    pub url: String,
    pub keywords: Vec<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

pub async fn for_read(conn: &mut PgConnection, id: FeedId) -> Result<Option<ReadRecord>, sqlx::Error> {
    sqlx::query_as!(
        ReadRecord,
        "SELECT kind, classify, url, keywords, etag, last_modified FROM notifications_feeds WHERE id = $1",
        id.0,
    )
    .fetch_optional(conn)
    .await
}

/// Marks a read that failed at `now`, with the reason.
pub async fn failed(conn: &mut PgConnection, id: FeedId, now: DateTime<Utc>, reason: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE notifications_feeds SET last_attempt_at = $2, error = $3 WHERE id = $1",
        id.0,
        now as _,
        reason
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks a read that found nothing new at `now`.
pub async fn not_modified(conn: &mut PgConnection, id: FeedId, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE notifications_feeds SET last_attempt_at = $2, last_good_at = $2, error = NULL WHERE id = $1",
        id.0,
        now as _,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks a read that was stored at `now`: its validators, `new` more notifications, and the error of items that
/// could not be recorded (`None`: every item was).
pub async fn read(
    conn: &mut PgConnection,
    id: FeedId,
    now: DateTime<Utc>,
    etag: Option<&str>,
    modified: Option<&str>,
    new: i32,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE notifications_feeds SET last_attempt_at = $2, last_good_at = $2, error = $6, etag = $3,
             last_modified = $4, items = items + $5 WHERE id = $1",
        id.0,
        now as _,
        etag,
        modified,
        new,
        error,
    )
    .execute(conn)
    .await?;
    Ok(())
}
