//! All of the logs area's SQL: storing events (many rows per statement), the quarantine, per-tenant progress, the
//! receiver's token, the month partitions and retention. Searches are in `search`. Functions take a connection
//! (or a transaction) so callers compose them atomically.

pub mod health;
pub mod minutes;
pub mod search;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::model::{Event, Rejected, Source, TenantId};

/// Rows per INSERT statement.
const CHUNK: usize = 1000;

/// Makes sure the month partition holding `day` exists (events of months without one wait in the default
/// partition and are moved when it is made).
pub async fn ensure_partition(conn: &mut PgConnection, day: DateTime<Utc>) -> Result<String, sqlx::Error> {
    let name = sqlx::query_scalar!(r#"SELECT logs_ensure_partition($1) AS "name!""#, day as _).fetch_one(conn).await?;
    Ok(name)
}

/// A row `insert_events` stored (it was not there before).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    pub date: DateTime<Utc>,
    pub type_code: String,
    pub log_id: String,
}

/// Inserts `events` of `tenant`; one already stored (same tenant and log id) is left as it is. Returns the rows
/// that were new.
pub async fn insert_events(
    conn: &mut PgConnection,
    tenant: TenantId,
    source: Source,
    events: &[Event],
    now: DateTime<Utc>,
) -> Result<Vec<NewEvent>, sqlx::Error> {
    let mut stored = Vec::with_capacity(events.len());
    for chunk in events.chunks(CHUNK) {
        let column = |f: fn(&Event) -> Option<&String>| chunk.iter().map(|e| f(e).cloned()).collect::<Vec<_>>();
        let log_ids: Vec<String> = chunk.iter().map(|e| e.log_id.clone()).collect();
        let dates: Vec<DateTime<Utc>> = chunk.iter().map(|e| e.date).collect();
        let types: Vec<String> = chunk.iter().map(|e| e.type_code.clone()).collect();
        let ips: Vec<Option<String>> = chunk.iter().map(|e| e.ip.map(|ip| ip.to_string())).collect();
        let payloads: Vec<serde_json::Value> = chunk.iter().map(|e| e.payload.clone()).collect();
        let new = sqlx::query_as!(
            NewEvent,
            r#"INSERT INTO logs_events (tenant_id, log_id, date, type_code, description, client_id, client_name,
                                        user_id, user_name, ip, connection, strategy, hostname, user_agent, payload,
                                        source, received_at)
               SELECT $1, l, d, t, de, ci, cn, ui, un, ip::inet, co, st, ho, ua, pa, $16, $17
               FROM UNNEST($2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                           $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::jsonb[])
                    AS x(l, d, t, de, ci, cn, ui, un, ip, co, st, ho, ua, pa)
               ON CONFLICT DO NOTHING
               RETURNING date AS "date: DateTime<Utc>", type_code, log_id"#,
            tenant.0,
            &log_ids,
            &dates as _,
            &types,
            &column(|e| e.description.as_ref()) as &[Option<String>],
            &column(|e| e.client_id.as_ref()) as &[Option<String>],
            &column(|e| e.client_name.as_ref()) as &[Option<String>],
            &column(|e| e.user_id.as_ref()) as &[Option<String>],
            &column(|e| e.user_name.as_ref()) as &[Option<String>],
            &ips as &[Option<String>],
            &column(|e| e.connection.as_ref()) as &[Option<String>],
            &column(|e| e.strategy.as_ref()) as &[Option<String>],
            &column(|e| e.hostname.as_ref()) as &[Option<String>],
            &column(|e| e.user_agent.as_ref()) as &[Option<String>],
            &payloads,
            source.as_str(),
            now as _,
        )
        .fetch_all(&mut *conn)
        .await?;
        stored.extend(new);
    }
    Ok(stored)
}

/// Keeps the items that could not be read, with their reasons.
pub async fn quarantine(
    conn: &mut PgConnection,
    tenant: TenantId,
    source: Source,
    rejected: &[Rejected],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    for chunk in rejected.chunks(CHUNK) {
        let reasons: Vec<String> = chunk.iter().map(|r| r.reason.clone()).collect();
        // PostgreSQL text cannot hold NUL.
        let items: Vec<String> = chunk.iter().map(|r| r.item.replace('\0', "\u{FFFD}")).collect();
        sqlx::query!(
            r#"INSERT INTO logs_quarantine (tenant_id, received_at, source, reason, item)
               SELECT $1, $2, $3, r, i FROM UNNEST($4::text[], $5::text[]) AS x(r, i)"#,
            tenant.0,
            now as _,
            source.as_str(),
            &reasons,
            &items,
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// What one batch did, for the tenant's progress.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub stored: u64,
    pub duplicates: u64,
    pub rejected: u64,
}

/// Adds a batch to the tenant's progress: counts, newest event, and for a pull its checkpoint, for a stream the
/// time of the delivery (and one more delivery, with its new events).
pub async fn record_batch(
    conn: &mut PgConnection,
    tenant: TenantId,
    source: Source,
    counts: &Counts,
    newest: Option<(&str, DateTime<Utc>)>,
    checkpoint: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    sqlx::query!(
        r#"INSERT INTO logs_progress (tenant_id, newest_log_id, newest_at, events_stored, duplicates, rejected,
                                      pull_checkpoint, last_pull_at, last_delivery_at, stream_deliveries, stream_events)
           VALUES ($1, $2, $3, $4::bigint, $5, $6, $7, CASE WHEN $8 = 'pull' THEN $9::timestamptz END,
                   CASE WHEN $8 = 'stream' THEN $9::timestamptz END, CASE WHEN $8 = 'stream' THEN 1 ELSE 0 END,
                   CASE WHEN $8 = 'stream' THEN $4::bigint ELSE 0 END)
           ON CONFLICT (tenant_id) DO UPDATE SET
               newest_log_id = GREATEST(logs_progress.newest_log_id, EXCLUDED.newest_log_id),
               newest_at = GREATEST(logs_progress.newest_at, EXCLUDED.newest_at),
               events_stored = logs_progress.events_stored + EXCLUDED.events_stored,
               duplicates = logs_progress.duplicates + EXCLUDED.duplicates,
               rejected = logs_progress.rejected + EXCLUDED.rejected,
               pull_checkpoint = COALESCE(EXCLUDED.pull_checkpoint, logs_progress.pull_checkpoint),
               last_pull_at = COALESCE(EXCLUDED.last_pull_at, logs_progress.last_pull_at),
               last_delivery_at = COALESCE(EXCLUDED.last_delivery_at, logs_progress.last_delivery_at),
               stream_deliveries = logs_progress.stream_deliveries + EXCLUDED.stream_deliveries,
               stream_events = logs_progress.stream_events + EXCLUDED.stream_events"#,
        tenant.0,
        newest.map(|(id, _)| id),
        newest.map(|(_, at)| at) as _,
        as_i64(counts.stored),
        as_i64(counts.duplicates),
        as_i64(counts.rejected),
        checkpoint,
        source.as_str(),
        now as _,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The pull's checkpoint of a tenant (the newest log id it stored), if it has one.
pub async fn checkpoint(conn: &mut PgConnection, tenant: TenantId) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query_scalar!("SELECT pull_checkpoint FROM logs_progress WHERE tenant_id = $1", tenant.0)
        .fetch_optional(conn)
        .await?;
    Ok(row.flatten())
}

/// Forgets the checkpoint (the next pull starts from the oldest event Auth0 still has).
pub async fn reset_checkpoint(conn: &mut PgConnection, tenant: TenantId) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE logs_progress SET pull_checkpoint = NULL WHERE tenant_id = $1", tenant.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records how the last pull ended (`error` = `None` when it went well).
pub async fn record_pull(
    conn: &mut PgConnection,
    tenant: TenantId,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO logs_progress (tenant_id, last_pull_at, last_pull_error) VALUES ($1, $2, $3)
           ON CONFLICT (tenant_id) DO UPDATE SET last_pull_at = $2, last_pull_error = $3"#,
        tenant.0,
        now as _,
        error,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A registered tenant as the logs area names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantRef {
    pub id: TenantId,
    pub name: String,
    pub domain: String,
}

/// The tenant with this name, domain or id.
pub async fn find_tenant(conn: &mut PgConnection, name: &str) -> Result<Option<TenantRef>, sqlx::Error> {
    sqlx::query_as!(
        TenantRef,
        r#"SELECT id AS "id: TenantId", name, domain FROM tenants WHERE name = $1 OR domain = $1 OR id::text = $1"#,
        name
    )
    .fetch_optional(conn)
    .await
}

/// How the pull reaches a tenant's Management API (the secret still encrypted).
pub struct EndpointRow {
    pub domain: String,
    pub api_base_url: Option<String>,
    pub client_id: String,
    pub client_secret: Vec<u8>,
}

/// The tenant's Management API credentials, if the tenant is still registered.
pub async fn endpoint(conn: &mut PgConnection, tenant: TenantId) -> Result<Option<EndpointRow>, sqlx::Error> {
    sqlx::query_as!(
        EndpointRow,
        "SELECT domain, api_base_url, client_id, client_secret FROM tenants WHERE id = $1",
        tenant.0
    )
    .fetch_optional(conn)
    .await
}

/// The SHA-256 of the tenant's receiver token, if it has one.
pub async fn token_hash(conn: &mut PgConnection, tenant: TenantId) -> Result<Option<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar!("SELECT token_hash FROM logs_stream_tokens WHERE tenant_id = $1", tenant.0)
        .fetch_optional(conn)
        .await
}

/// When the tenant's receiver token was made, if it has one.
pub async fn token_created(conn: &mut PgConnection, tenant: TenantId) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT created_at AS "created_at: DateTime<Utc>" FROM logs_stream_tokens WHERE tenant_id = $1"#,
        tenant.0
    )
    .fetch_optional(conn)
    .await
}

/// The receiver's last delivery for the tenant and the events the stream brought.
pub async fn deliveries(
    conn: &mut PgConnection,
    tenant: TenantId,
) -> Result<(Option<DateTime<Utc>>, i64), sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT last_delivery_at AS "at: DateTime<Utc>", stream_events FROM logs_progress WHERE tenant_id = $1"#,
        tenant.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.at, r.stream_events)).unwrap_or((None, 0)))
}

/// Sets (or replaces) the tenant's receiver token by its hash.
pub async fn set_token(
    conn: &mut PgConnection,
    tenant: TenantId,
    hash: &[u8],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO logs_stream_tokens (tenant_id, token_hash, created_at) VALUES ($1, $2, $3)
           ON CONFLICT (tenant_id) DO UPDATE SET token_hash = $2, created_at = $3"#,
        tenant.0,
        hash,
        now as _,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The month partitions of `logs_events` (not the default one), by name.
pub async fn partitions(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT c.relname AS "name!" FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'logs_events'::regclass AND c.relname <> 'logs_events_default' ORDER BY 1"#
    )
    .fetch_all(conn)
    .await
}

/// Drops one month partition, named as `partitions` gives it (`logs_events_YYYY_MM`; any other name is refused).
pub async fn drop_partition(conn: &mut PgConnection, name: &str) -> Result<(), sqlx::Error> {
    let valid = name.strip_prefix("logs_events_").is_some_and(|rest| {
        rest.len() == 7 && rest.bytes().enumerate().all(|(i, b)| if i == 4 { b == b'_' } else { b.is_ascii_digit() })
    });
    if !valid {
        return Err(sqlx::Error::Protocol(format!("{name:?} is not a month partition of logs_events")));
    }
    // DDL cannot take the name as a parameter; it was checked above.
    sqlx::query(&format!("DROP TABLE {name}")).execute(conn).await?;
    Ok(())
}

/// The longest retention any tenant has (`default` for tenants that did not choose one).
pub async fn longest_retention_days(conn: &mut PgConnection, default: i32) -> Result<i32, sqlx::Error> {
    let days = sqlx::query_scalar!("SELECT max(retention_days) FROM logs_progress").fetch_one(conn).await?;
    Ok(days.unwrap_or(default).max(default))
}

/// Sets how long the tenant's events are kept (`None`: the server's default).
pub async fn set_retention(conn: &mut PgConnection, tenant: TenantId, days: Option<i32>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO logs_progress (tenant_id, retention_days) VALUES ($1, $2)
           ON CONFLICT (tenant_id) DO UPDATE SET retention_days = $2"#,
        tenant.0,
        days
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes events older than their tenant's own retention (shorter than the longest one) and old events waiting
/// in the default partition; at most `limit` rows a call. Returns how many went.
pub async fn delete_expired(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    default_days: i32,
    limit: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        r#"DELETE FROM logs_events e
           WHERE (e.tenant_id, e.log_id, e.date) IN (
               SELECT x.tenant_id, x.log_id, x.date FROM logs_events x JOIN logs_progress p ON p.tenant_id = x.tenant_id
               WHERE x.date < $1::timestamptz - make_interval(days => COALESCE(p.retention_days, $3)) LIMIT $2)"#,
        now as _,
        limit,
        default_days,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Measures what each tenant's events take: the events kept (the roll-ups' counts) and that share of the size of
/// `logs_events` with its indexes. Tenants with nothing kept get zeros.
pub async fn measure_storage(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"WITH total AS (
               SELECT COALESCE(sum(pg_total_relation_size(i.inhrelid)), 0)::numeric AS bytes
               FROM pg_inherits i WHERE i.inhparent = 'logs_events'::regclass),
           counts AS (SELECT tenant_id, sum(total)::bigint AS n FROM logs_minutes GROUP BY tenant_id),
           everyone AS (SELECT COALESCE(sum(n), 0)::numeric AS n FROM counts),
           measured AS (
               SELECT t.id AS tenant_id, COALESCE(c.n, 0) AS n,
                      CASE WHEN e.n > 0 THEN (total.bytes * COALESCE(c.n, 0) / e.n)::bigint ELSE 0 END AS bytes
               FROM tenants t LEFT JOIN counts c ON c.tenant_id = t.id, total, everyone e)
           INSERT INTO logs_progress (tenant_id, kept_events, kept_bytes, kept_at)
           SELECT tenant_id, n, bytes, $1 FROM measured
           ON CONFLICT (tenant_id) DO UPDATE SET
               kept_events = EXCLUDED.kept_events, kept_bytes = EXCLUDED.kept_bytes, kept_at = EXCLUDED.kept_at"#,
        now as _,
    )
    .execute(conn)
    .await?;
    Ok(())
}
