//! The per-minute roll-ups' SQL: adding a batch's counts (in the storing transaction), rebuilding them from the
//! events, retention, and the reads of the peak-load report, the board's step 5 and the spike watch.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::logs::model::TenantId;
use crate::logs::rollup::Rollup;

/// Adds one batch's roll-ups to the tenant's (rows in key order, so concurrent batches never deadlock).
pub async fn add(conn: &mut PgConnection, tenant: TenantId, r: &Rollup) -> Result<(), sqlx::Error> {
    if r.is_empty() {
        return Ok(());
    }
    let minutes: Vec<DateTime<Utc>> = r.minutes.keys().copied().collect();
    let col = |f: fn(&crate::logs::rollup::Minute) -> i32| r.minutes.values().map(f).collect::<Vec<i32>>();
    // The tenant's minutes and the every-tenant sums in one statement (both in key order).
    sqlx::query!(
        r#"WITH batch AS (
               SELECT * FROM UNNEST($2::timestamptz[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[])
                   AS x(minute, total, successes, failures, limits, login_ok, login_failed)),
           each_tenant AS (
               INSERT INTO logs_minutes (tenant_id, minute, total, successes, failures, limits, login_ok, login_failed)
               SELECT $1, * FROM batch
               ON CONFLICT (tenant_id, minute) DO UPDATE SET
                   (total, successes, failures, limits, login_ok, login_failed) =
                   (logs_minutes.total + EXCLUDED.total, logs_minutes.successes + EXCLUDED.successes,
                    logs_minutes.failures + EXCLUDED.failures, logs_minutes.limits + EXCLUDED.limits,
                    logs_minutes.login_ok + EXCLUDED.login_ok, logs_minutes.login_failed + EXCLUDED.login_failed))
           INSERT INTO logs_minutes_all (minute, total, successes, failures, limits, login_ok, login_failed)
           SELECT * FROM batch
           ON CONFLICT (minute) DO UPDATE SET
               (total, successes, failures, limits, login_ok, login_failed) =
               (logs_minutes_all.total + EXCLUDED.total, logs_minutes_all.successes + EXCLUDED.successes,
                logs_minutes_all.failures + EXCLUDED.failures, logs_minutes_all.limits + EXCLUDED.limits,
                logs_minutes_all.login_ok + EXCLUDED.login_ok, logs_minutes_all.login_failed + EXCLUDED.login_failed)"#,
        tenant.0,
        &minutes as _,
        &col(|m| m.total),
        &col(|m| m.successes),
        &col(|m| m.failures),
        &col(|m| m.limits),
        &col(|m| m.login_ok),
        &col(|m| m.login_failed),
    )
    .execute(&mut *conn)
    .await?;
    if r.codes.is_empty() {
        return Ok(());
    }
    let code_minutes: Vec<DateTime<Utc>> = r.codes.keys().map(|(m, _)| *m).collect();
    let codes: Vec<String> = r.codes.keys().map(|(_, c)| c.clone()).collect();
    let events: Vec<i32> = r.codes.values().copied().collect();
    sqlx::query!(
        r#"WITH batch AS (SELECT * FROM UNNEST($2::timestamptz[], $3::text[], $4::int[]) AS x(minute, code, events)),
           each_tenant AS (
               INSERT INTO logs_minute_codes (tenant_id, minute, code, events) SELECT $1, * FROM batch
               ON CONFLICT (tenant_id, minute, code) DO UPDATE SET events = logs_minute_codes.events + EXCLUDED.events)
           INSERT INTO logs_minute_codes_all (minute, code, events) SELECT * FROM batch
           ON CONFLICT (minute, code) DO UPDATE SET events = logs_minute_codes_all.events + EXCLUDED.events"#,
        tenant.0,
        &code_minutes as _,
        &codes,
        &events,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Counts the listed events (rate limits, blocks, warnings, deprecations) among the tenant's stored `log_ids` by
/// minute and what they fired on (a batch's, or every stored one's when the roll-ups are rebuilt).
pub async fn add_limits(conn: &mut PgConnection, tenant: TenantId, log_ids: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO logs_limit_minutes (tenant_id, minute, code, what, endpoint, client, events, first_at, last_at, ips)
           SELECT tenant_id, date_trunc('minute', date), type_code,
                  COALESCE(payload #>> '{details,limit,bucket}', payload #>> '{details,feature,name}', ''),
                  concat_ws(' ', upper(payload #>> '{details,request,method}'), payload #>> '{details,request,path}'),
                  COALESCE(NULLIF(client_name, ''), client_id, ''), count(*), min(date), max(date),
                  logs_merge_ips(COALESCE(array_agg(DISTINCT ip) FILTER (WHERE ip IS NOT NULL), '{}'), '{}')
           FROM logs_events WHERE tenant_id = $1 AND log_id = ANY($2)
           GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
           ON CONFLICT (tenant_id, minute, code, what, endpoint, client) DO UPDATE SET
               events = logs_limit_minutes.events + EXCLUDED.events,
               first_at = LEAST(logs_limit_minutes.first_at, EXCLUDED.first_at),
               last_at = GREATEST(logs_limit_minutes.last_at, EXCLUDED.last_at),
               ips = logs_merge_ips(logs_limit_minutes.ips, EXCLUDED.ips)"#,
        tenant.0,
        log_ids,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// When there are events but no roll-ups (events stored before roll-ups existed), counts every stored event once.
/// Returns the minutes written (0 when nothing was missing).
pub async fn rebuild_if_missing(conn: &mut PgConnection) -> Result<usize, sqlx::Error> {
    let missing = sqlx::query_scalar!(
        r#"SELECT (NOT EXISTS (SELECT 1 FROM logs_minutes) AND EXISTS (SELECT 1 FROM logs_events)) AS "missing!""#
    )
    .fetch_one(&mut *conn)
    .await?;
    if !missing {
        return Ok(0);
    }
    // The every-tenant sums are rebuilt with the tenants' counts.
    sqlx::query!(
        "WITH a AS (DELETE FROM logs_minutes_all), b AS (DELETE FROM logs_limit_minutes) DELETE FROM logs_minute_codes_all"
    )
    .execute(&mut *conn)
    .await?;
    // The listed events, by the same statement as at ingest.
    let listed = sqlx::query!(
        r#"SELECT tenant_id AS "tenant: TenantId", array_agg(log_id) AS "log_ids!" FROM logs_events
           WHERE type_code = ANY($1) GROUP BY tenant_id"#,
        &crate::logs::rollup::listed_codes(),
    )
    .fetch_all(&mut *conn)
    .await?;
    for l in &listed {
        add_limits(conn, l.tenant, &l.log_ids).await?;
    }
    let counted = sqlx::query!(
        r#"SELECT tenant_id AS "tenant: TenantId", date_trunc('minute', date) AS "minute!: DateTime<Utc>",
                  type_code, count(*)::int AS "n!"
           FROM logs_events GROUP BY 1, 2, 3 ORDER BY 1, 2"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut by_tenant: std::collections::BTreeMap<uuid::Uuid, Rollup> = Default::default();
    for c in &counted {
        by_tenant.entry(c.tenant.0).or_default().add(c.minute, &c.type_code, c.n);
    }
    let mut written = 0;
    for (tenant, rollup) in &by_tenant {
        written += rollup.minutes.len();
        add(conn, TenantId(*tenant), rollup).await?;
    }
    Ok(written)
}

/// Removes every roll-up before `end` (a month partition before it was dropped).
pub async fn delete_before(conn: &mut PgConnection, end: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"WITH a AS (DELETE FROM logs_minutes WHERE minute < $1),
                b AS (DELETE FROM logs_minute_codes WHERE minute < $1),
                c AS (DELETE FROM logs_minutes_all WHERE minute < $1),
                d AS (DELETE FROM logs_limit_minutes WHERE minute < $1)
           DELETE FROM logs_minute_codes_all WHERE minute < $1"#,
        end as _
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes the minutes wholly past their tenant's own retention (as `delete_expired` does the events), and takes
/// their counts off the every-tenant sums.
pub async fn delete_expired(conn: &mut PgConnection, now: DateTime<Utc>, default_days: i32) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"WITH cutoff AS (
               SELECT tenant_id,
                      date_trunc('minute', $1::timestamptz - make_interval(days => COALESCE(retention_days, $2))) AS at
               FROM logs_progress),
           gone AS (
               DELETE FROM logs_minutes m USING cutoff c WHERE c.tenant_id = m.tenant_id AND m.minute < c.at
               RETURNING m.*),
           gone_codes AS (
               DELETE FROM logs_minute_codes m USING cutoff c WHERE c.tenant_id = m.tenant_id AND m.minute < c.at
               RETURNING m.*),
           gone_limits AS (
               DELETE FROM logs_limit_minutes m USING cutoff c WHERE c.tenant_id = m.tenant_id AND m.minute < c.at),
           codes AS (
               UPDATE logs_minute_codes_all a SET events = a.events - g.events
               FROM (SELECT minute, code, sum(events) AS events FROM gone_codes GROUP BY 1, 2) g
               WHERE a.minute = g.minute AND a.code = g.code)
           UPDATE logs_minutes_all a SET total = a.total - g.total, successes = a.successes - g.successes,
                  failures = a.failures - g.failures, limits = a.limits - g.limits, login_ok = a.login_ok - g.login_ok,
                  login_failed = a.login_failed - g.login_failed
           FROM (SELECT minute, sum(total) AS total, sum(successes) AS successes, sum(failures) AS failures,
                        sum(limits) AS limits, sum(login_ok) AS login_ok, sum(login_failed) AS login_failed
                 FROM gone GROUP BY 1) g
           WHERE a.minute = g.minute"#,
        now as _,
        default_days,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One minute of the report's series (one tenant's, or every tenant's summed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MinuteRow {
    pub minute: DateTime<Utc>,
    pub total: i64,
    pub successes: i64,
    pub failures: i64,
    pub limits: i64,
    pub login_ok: i64,
    pub login_failed: i64,
}

/// The minutes with events in [from, to), oldest first: the tenant's, or (`None`) every tenant's summed.
pub async fn series(
    conn: &mut PgConnection,
    tenant: Option<TenantId>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<MinuteRow>, sqlx::Error> {
    match tenant {
        Some(t) => sqlx::query_as!(
            MinuteRow,
            r#"SELECT minute AS "minute: DateTime<Utc>", total::bigint AS "total!", successes::bigint AS "successes!",
                          failures::bigint AS "failures!", limits::bigint AS "limits!", login_ok::bigint AS "login_ok!",
                          login_failed::bigint AS "login_failed!"
                   FROM logs_minutes WHERE tenant_id = $1 AND minute >= $2 AND minute < $3 ORDER BY minute"#,
            t.0,
            from as _,
            to as _,
        )
        .fetch_all(conn)
        .await,
        None => sqlx::query_as!(
            MinuteRow,
            r#"SELECT minute AS "minute: DateTime<Utc>", total::bigint AS "total!", successes::bigint AS "successes!",
                          failures::bigint AS "failures!", limits::bigint AS "limits!", login_ok::bigint AS "login_ok!",
                          login_failed::bigint AS "login_failed!"
                   FROM logs_minutes_all WHERE minute >= $1 AND minute < $2 AND total > 0 ORDER BY minute"#,
            from as _,
            to as _,
        )
        .fetch_all(conn)
        .await,
    }
}

/// A named code's events in a range: how many, and its first and last minute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeRow {
    /// `None`: summed over every tenant.
    pub tenant_id: Option<TenantId>,
    pub code: String,
    pub events: i64,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
}

/// The named codes of [from, to): the tenant's, or (`None`) every tenant's summed; most events first.
pub async fn codes(
    conn: &mut PgConnection,
    tenant: Option<TenantId>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<CodeRow>, sqlx::Error> {
    match tenant {
        Some(t) => {
            sqlx::query_as!(
                CodeRow,
                r#"SELECT tenant_id AS "tenant_id: TenantId", code, sum(events)::bigint AS "events!",
                          min(minute) AS "first!: DateTime<Utc>", max(minute) AS "last!: DateTime<Utc>"
                   FROM logs_minute_codes WHERE tenant_id = $1 AND minute >= $2 AND minute < $3
                   GROUP BY tenant_id, code ORDER BY 3 DESC, 2"#,
                t.0,
                from as _,
                to as _,
            )
            .fetch_all(conn)
            .await
        }
        None => {
            sqlx::query_as!(
                CodeRow,
                r#"SELECT NULL::uuid AS "tenant_id: TenantId", code, sum(events)::bigint AS "events!",
                          min(minute) AS "first!: DateTime<Utc>", max(minute) AS "last!: DateTime<Utc>"
                   FROM logs_minute_codes_all WHERE minute >= $1 AND minute < $2 AND events > 0
                   GROUP BY code ORDER BY 3 DESC, 2"#,
                from as _,
                to as _,
            )
            .fetch_all(conn)
            .await
        }
    }
}

/// The named codes of [from, to) of each tenant (a short range: the board's last hour).
pub async fn codes_by_tenant(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<CodeRow>, sqlx::Error> {
    sqlx::query_as!(
        CodeRow,
        r#"SELECT tenant_id AS "tenant_id: TenantId", code, sum(events)::bigint AS "events!",
                  min(minute) AS "first!: DateTime<Utc>", max(minute) AS "last!: DateTime<Utc>"
           FROM logs_minute_codes WHERE minute >= $1 AND minute < $2
           GROUP BY tenant_id, code ORDER BY 3 DESC, 2"#,
        from as _,
        to as _,
    )
    .fetch_all(conn)
    .await
}

/// Limit events of a range, grouped by what they fired on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitRow {
    pub tenant_id: TenantId,
    pub code: String,
    /// `details.limit.bucket` (api_limit), or the deprecated feature's name (depnote); '' when not said.
    pub what: String,
    /// `METHOD /path` of `details.request`; '' when not said.
    pub endpoint: String,
    pub client: String,
    pub events: i64,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
    /// The distinct addresses, and whether a minute had more than the 50 kept (so there are more).
    pub ips: Vec<String>,
    pub more_ips: bool,
}

/// The listed events of [from, to) (the tenant's, or every tenant's), grouped by tenant, code, what they fired on,
/// endpoint and client, with their addresses; the `limit` largest groups. Reads the roll-up only.
pub async fn limit_events(
    conn: &mut PgConnection,
    tenant: Option<TenantId>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<LimitRow>, sqlx::Error> {
    sqlx::query_as!(
        LimitRow,
        r#"WITH rows AS (
               SELECT * FROM logs_limit_minutes
               WHERE ($1::uuid IS NULL OR tenant_id = $1) AND minute >= $2 AND minute < $3),
           groups AS (
               SELECT tenant_id, code, what, endpoint, client, sum(events)::bigint AS events, min(first_at) AS first,
                      max(last_at) AS last, bool_or(cardinality(ips) >= 50) AS more_ips
               FROM rows GROUP BY 1, 2, 3, 4, 5 ORDER BY 6 DESC, 2, 1 LIMIT $4)
           SELECT g.tenant_id AS "tenant_id: TenantId", g.code, g.what, g.endpoint, g.client, g.events AS "events!",
                  g.first AS "first!: DateTime<Utc>", g.last AS "last!: DateTime<Utc>",
                  ARRAY(SELECT DISTINCT host(x) FROM rows r, unnest(r.ips) AS x
                        WHERE (r.tenant_id, r.code, r.what, r.endpoint, r.client)
                              = (g.tenant_id, g.code, g.what, g.endpoint, g.client)
                        ORDER BY 1) AS "ips!",
                  g.more_ips AS "more_ips!"
           FROM groups g ORDER BY g.events DESC, g.code, g.tenant_id"#,
        tenant.map(|t| t.0),
        from as _,
        to as _,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// Per tenant: sign-in failures in [recent, to) and in [usual, recent).
pub async fn login_failures(
    conn: &mut PgConnection,
    usual: DateTime<Utc>,
    recent: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(TenantId, i64, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT tenant_id AS "tenant: TenantId",
                  COALESCE(sum(login_failed) FILTER (WHERE minute >= $2), 0)::bigint AS "recent!",
                  COALESCE(sum(login_failed) FILTER (WHERE minute < $2), 0)::bigint AS "usual!"
           FROM logs_minutes WHERE minute >= $1 AND minute < $3 GROUP BY tenant_id"#,
        usual as _,
        recent as _,
        to as _,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.tenant, r.recent, r.usual)).collect())
}

/// The named codes of `tenant` in one hour starting at `hour`, for the notices of a batch: (code, events).
pub async fn hour_counts(
    conn: &mut PgConnection,
    tenant: TenantId,
    hour: DateTime<Utc>,
    codes: &[String],
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT code, sum(events)::bigint AS "events!" FROM logs_minute_codes
           WHERE tenant_id = $1 AND minute >= $2 AND minute < $2 + interval '1 hour' AND code = ANY($3)
           GROUP BY code"#,
        tenant.0,
        hour as _,
        codes,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.code, r.events)).collect())
}

/// Per tenant with events in [from, to): (tenant, events, failures, limits).
pub async fn totals(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(TenantId, i64, i64, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT tenant_id AS "tenant: TenantId", sum(total)::bigint AS "total!", sum(failures)::bigint AS "failures!",
                  sum(limits)::bigint AS "limits!"
           FROM logs_minutes WHERE minute >= $1 AND minute < $2 GROUP BY tenant_id"#,
        from as _,
        to as _,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.tenant, r.total, r.failures, r.limits)).collect())
}
