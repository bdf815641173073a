//! What the source changes, the sync (tenants' feeds and the poll jobs) and the poll write.

use app::ids::{IncidentId, SourceId, TenantId};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::status::model::{Component, Incident, Update};

// ------------------------------------------------------------------------------------ managing the sources

/// Inserts a source; `None` when its URL is taken.
#[allow(clippy::too_many_arguments)]
pub async fn insert_source(
    conn: &mut PgConnection,
    name: &str,
    kind: &str,
    category: &str,
    url: &str,
    interval_secs: i32,
    catalog_key: Option<&str>,
) -> Result<Option<SourceId>, sqlx::Error> {
    let inserted = sqlx::query_scalar!(
        r#"INSERT INTO status_sources (name, kind, category, url, interval_secs, catalog_key)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id AS "id: SourceId""#,
        name,
        kind,
        category,
        url,
        interval_secs,
        catalog_key
    )
    .fetch_one(conn)
    .await;
    match inserted {
        Ok(id) => Ok(Some(id)),
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Pauses or resumes a source; its (name, interval) if it exists.
pub async fn set_enabled(
    conn: &mut PgConnection,
    id: SourceId,
    enabled: bool,
) -> Result<Option<(String, i32)>, sqlx::Error> {
    let row = sqlx::query!(
        "UPDATE status_sources SET enabled = $2 WHERE id = $1 RETURNING name, interval_secs",
        id as _,
        enabled
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.name, r.interval_secs)))
}

/// Locks a source to remove it: its (name, tenant) if it exists.
pub async fn lock_source(
    conn: &mut PgConnection,
    id: SourceId,
) -> Result<Option<(String, Option<TenantId>)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT name, tenant_id AS "tenant_id: TenantId" FROM status_sources WHERE id = $1 FOR UPDATE"#,
        id as _,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.name, r.tenant_id)))
}

/// Deletes a source with its components, incidents and updates (foreign keys).
pub async fn delete_source(conn: &mut PgConnection, id: SourceId) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM status_sources WHERE id = $1", id as _).execute(conn).await?;
    Ok(())
}

// ------------------------------------------------------------------------------------------------ the sync

/// Points tenants' feeds whose URL is not `prefix || domain` at it (forgetting the old ETag); the moved ones.
pub async fn move_feeds(conn: &mut PgConnection, prefix: &str) -> Result<Vec<SourceId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"UPDATE status_sources s SET url = $1 || t.domain, name = 'Auth0 · ' || t.domain, etag = NULL,
               last_modified = NULL
           FROM tenants t WHERE s.tenant_id = t.id AND s.url <> $1 || t.domain RETURNING s.id AS "id: SourceId""#,
        prefix
    )
    .fetch_all(conn)
    .await
}

/// Gives every tenant without one its Auth0 feed (or adopts a hand-added source with that URL); how many.
pub async fn add_feeds(conn: &mut PgConnection, prefix: &str, interval_secs: i32) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "INSERT INTO status_sources (name, kind, category, url, interval_secs, tenant_id)
         SELECT 'Auth0 · ' || t.domain, 'auth0_feed', 'auth0', $1 || t.domain, $2, t.id FROM tenants t
         WHERE NOT EXISTS (SELECT 1 FROM status_sources s WHERE s.tenant_id = t.id)
         ON CONFLICT (url) DO UPDATE SET tenant_id = EXCLUDED.tenant_id WHERE status_sources.tenant_id IS NULL",
        prefix,
        interval_secs
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Runs the `kind` jobs of these sources at `now`, with no backoff.
pub async fn run_jobs_now(
    conn: &mut PgConnection,
    kind: &str,
    sources: &[SourceId],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let keys: Vec<String> = sources.iter().map(ToString::to_string).collect();
    sqlx::query!(
        "UPDATE scheduler_jobs SET next_run_at = $3, scheduled_for = $3, attempts = 0
         WHERE kind = $1 AND key = ANY($2)",
        kind,
        &keys[..],
        now as _
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives every enabled source a `kind` job with its interval.
pub async fn ensure_jobs(conn: &mut PgConnection, kind: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO scheduler_jobs (kind, key, interval_secs, scheduled_for, next_run_at)
         SELECT $1, id::text, interval_secs, $2, $2 FROM status_sources WHERE enabled
         ON CONFLICT (kind, key) DO UPDATE SET interval_secs = EXCLUDED.interval_secs
         WHERE scheduler_jobs.interval_secs <> EXCLUDED.interval_secs",
        kind,
        now as _
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes `kind` jobs of sources that are gone or paused; how many.
pub async fn remove_stray_jobs(conn: &mut PgConnection, kind: &str) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "DELETE FROM scheduler_jobs j WHERE j.kind = $1
         AND NOT EXISTS (SELECT 1 FROM status_sources s WHERE s.id::text = j.key AND s.enabled)",
        kind
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

// ------------------------------------------------------------------------------------------------ the poll

/// What a poll needs to know of its source.
pub struct PollTarget {
    pub kind: String,
    pub url: String,
    pub name: String,
    pub state: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub history_etag: Option<String>,
    /// For a tenant's Auth0 feed: the tenant's name and region (for the notices).
    pub tenant: Option<String>,
    pub region: Option<String>,
}

pub async fn poll_target(conn: &mut PgConnection, id: SourceId) -> Result<Option<PollTarget>, sqlx::Error> {
    sqlx::query_as!(
        PollTarget,
        r#"SELECT s.kind, s.url, s.name, s.state, s.etag, s.last_modified, s.history_etag,
                  t.name AS "tenant?", t.region AS "region?"
           FROM status_sources s LEFT JOIN tenants t ON t.id = s.tenant_id WHERE s.id = $1"#,
        id as _,
    )
    .fetch_optional(conn)
    .await
}

/// A failed poll: the reason, while the last good state stays.
pub async fn record_failure(
    conn: &mut PgConnection,
    id: SourceId,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE status_sources SET last_attempt_at = $2, error = $3 WHERE id = $1", id as _, now as _, reason)
        .execute(conn)
        .await?;
    Ok(())
}

/// A good poll that found nothing new (`note`: a problem that did not stop it).
pub async fn record_unchanged(
    conn: &mut PgConnection,
    id: SourceId,
    now: DateTime<Utc>,
    note: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE status_sources SET last_attempt_at = $2, last_good_at = $2, error = $3 WHERE id = $1",
        id as _,
        now as _,
        note
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Locks a source for storing a reading; the state it had.
pub async fn lock_state(conn: &mut PgConnection, id: SourceId) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!("SELECT state FROM status_sources WHERE id = $1 FOR UPDATE", id as _).fetch_one(conn).await
}

pub async fn add_transition(
    conn: &mut PgConnection,
    id: SourceId,
    at: DateTime<Utc>,
    from: &str,
    to: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO status_transitions (source_id, at, from_state, to_state) VALUES ($1, $2, $3, $4)",
        id as _,
        at as _,
        from,
        to
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// What a good read stores on the source row.
pub struct GoodRead<'a> {
    pub state: &'a str,
    pub etag: Option<&'a str>,
    pub modified: Option<&'a str>,
    pub history_etag: Option<&'a str>,
    pub note: Option<&'a str>,
    pub read_as: Option<&'a str>,
}

pub async fn record_read(
    conn: &mut PgConnection,
    id: SourceId,
    now: DateTime<Utc>,
    read: GoodRead<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE status_sources SET state = $2, last_attempt_at = $3, last_good_at = $3, error = $6,
             etag = $4, last_modified = $5, history_etag = $7, read_as = COALESCE($8, read_as) WHERE id = $1",
        id as _,
        read.state,
        now as _,
        read.etag,
        read.modified,
        read.note,
        read.history_etag,
        read.read_as
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn upsert_component(
    conn: &mut PgConnection,
    id: SourceId,
    component: &Component,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO status_components (source_id, component_id, name, state, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (source_id, component_id) DO UPDATE SET name = $3, state = $4, updated_at = $5",
        id as _,
        component.id,
        component.name,
        component.state.as_str(),
        now as _
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Stores an incident as the source now tells it (its first start time kept); its id.
pub async fn upsert_incident(
    conn: &mut PgConnection,
    id: SourceId,
    i: &Incident,
    now: DateTime<Utc>,
) -> Result<IncidentId, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO status_incidents (source_id, external_id, title, impact, phase, started_at, updated_at, link,
                                         first_seen_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (source_id, external_id) DO UPDATE
               SET title = $3, impact = $4, phase = $5, started_at = COALESCE($6, status_incidents.started_at),
                   updated_at = $7, link = $8
           RETURNING id AS "id: IncidentId""#,
        id as _,
        i.id,
        i.title,
        i.impact,
        i.phase.as_str(),
        i.started_at as _,
        i.updated_at as _,
        i.link,
        now as _
    )
    .fetch_one(conn)
    .await
}

/// Stores an update once; `true` when it was new. An update known by its id takes the time, phase and text the
/// provider now gives it (a backfilled update's time, an edited text), without counting as new.
pub async fn insert_update(
    conn: &mut PgConnection,
    incident: IncidentId,
    u: &Update,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let new = sqlx::query_scalar!(
        r#"INSERT INTO status_updates (incident_id, external_id, at, phase, text, seen_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (incident_id, external_id) DO UPDATE
               SET at = COALESCE(EXCLUDED.at, status_updates.at), phase = EXCLUDED.phase, text = EXCLUDED.text
               WHERE (status_updates.at, status_updates.phase, status_updates.text)
                     IS DISTINCT FROM (COALESCE(EXCLUDED.at, status_updates.at), EXCLUDED.phase, EXCLUDED.text)
           RETURNING (xmax = 0) AS "new!""#,
        incident as _,
        u.id,
        u.at as _,
        u.phase.as_str(),
        u.text,
        now as _
    )
    .fetch_optional(conn)
    .await?;
    Ok(new.unwrap_or(false))
}

/// Open incidents of a source that it no longer lists are over.
pub async fn resolve_unlisted(
    conn: &mut PgConnection,
    id: SourceId,
    listed: &[String],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE status_incidents SET phase = 'resolved', updated_at = $3
         WHERE source_id = $1 AND phase NOT IN ('resolved', 'postmortem', 'other')
           AND NOT (external_id = ANY($2))",
        id as _,
        listed,
        now as _
    )
    .execute(conn)
    .await?;
    Ok(())
}
