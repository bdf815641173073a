//! All of the domains area's SQL, checked at compile time. Functions take a connection (or a transaction: `&mut tx`)
//! so callers compose them atomically, and return typed rows.

use app::domains::{Change, DnsOutcome, DomainEvent, Report, TlsOutcome};
use app::ids::{DomainId, TenantId};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// One custom domain as the board sees it: its host, tenant and latest DNS and TLS outcomes.
pub struct BoardDomain {
    pub id: DomainId,
    pub host: String,
    pub tenant_domain: String,
    pub dns_outcome: Option<DnsOutcome>,
    pub tls_outcome: Option<TlsOutcome>,
}

/// Every custom domain with its tenant's domain and latest outcomes, by host.
pub async fn board_domains(conn: &mut PgConnection) -> Result<Vec<BoardDomain>, sqlx::Error> {
    sqlx::query_as!(
        BoardDomain,
        r#"SELECT d.id AS "id: DomainId", d.host, t.domain AS tenant_domain,
                  d.dns_outcome AS "dns_outcome: DnsOutcome", d.tls_outcome AS "tls_outcome: TlsOutcome"
           FROM domains d JOIN tenants t ON t.id = d.tenant_id ORDER BY d.host"#
    )
    .fetch_all(conn)
    .await
}

/// One custom domain with its tenant, as the list and the domain page read it.
pub struct DomainRecord {
    pub id: DomainId,
    pub host: String,
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub environment: String,
    pub is_primary: bool,
    pub status: String,
    pub kind: String,
    pub dns_outcome: Option<DnsOutcome>,
    pub tls_outcome: Option<TlsOutcome>,
    pub tls_days_left: Option<i32>,
    pub checked_at: Option<DateTime<Utc>>,
    pub dns_advice: Option<String>,
    pub tls_advice: Option<String>,
}

/// The list's filter: `search` a `LIKE` pattern over host and tenant name, `problems` only DNS or TLS not ok.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub search: Option<String>,
    pub problems: bool,
}

/// How many domains `filter` lets through.
pub async fn count(conn: &mut PgConnection, filter: &ListFilter) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM domains d JOIN tenants t ON t.id = d.tenant_id
           WHERE ($1::text IS NULL OR d.host LIKE $1 OR lower(t.name) LIKE $1)
             AND (NOT $2 OR d.dns_outcome IS DISTINCT FROM 'ok' OR d.tls_outcome IS DISTINCT FROM 'ok')"#,
        filter.search.as_deref(),
        filter.problems,
    )
    .fetch_one(conn)
    .await
}

/// `query_as!` into `DomainRecord` (a domain joined with its tenant), the SQL continued by `$rest`.
macro_rules! domain_records {
    ($rest:tt, $($args:tt)*) => {
        sqlx::query_as!(
            DomainRecord,
            r#"SELECT d.id AS "id: DomainId", d.host, d.tenant_id AS "tenant_id: TenantId", t.name AS tenant_name,
                      t.environment, d.is_primary, d.status, d.kind, d.dns_outcome AS "dns_outcome: DnsOutcome",
                      d.tls_outcome AS "tls_outcome: TlsOutcome", d.tls_days_left,
                      d.checked_at AS "checked_at: DateTime<Utc>", d.dns_advice, d.tls_advice
               FROM domains d JOIN tenants t ON t.id = d.tenant_id "# + $rest,
            $($args)*
        )
    };
}

/// A page of the domains `filter` lets through, the ones with a problem first, then by host.
pub async fn page(
    conn: &mut PgConnection,
    filter: &ListFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<DomainRecord>, sqlx::Error> {
    domain_records!(
        "WHERE ($1::text IS NULL OR d.host LIKE $1 OR lower(t.name) LIKE $1)
           AND (NOT $2 OR d.dns_outcome IS DISTINCT FROM 'ok' OR d.tls_outcome IS DISTINCT FROM 'ok')
         ORDER BY (d.dns_outcome = 'ok' AND d.tls_outcome = 'ok'), d.host LIMIT $3 OFFSET $4",
        filter.search.as_deref(),
        filter.problems,
        limit,
        offset,
    )
    .fetch_all(conn)
    .await
}

/// One domain, if it exists.
pub async fn domain(conn: &mut PgConnection, id: DomainId) -> Result<Option<DomainRecord>, sqlx::Error> {
    domain_records!("WHERE d.id = $1", id as DomainId).fetch_optional(conn).await
}

/// What the domain page shows beyond the list's row: the expectations, the last check's details, Auth0's view.
pub struct DomainFacts {
    pub expected_cname: Option<String>,
    pub dns_chain: Vec<String>,
    pub tls_not_after: Option<DateTime<Utc>>,
    pub tls_issuer: Option<String>,
    pub tls_names: Vec<String>,
    pub txt_name: Option<String>,
    pub txt_value: Option<String>,
    pub cert_status: Option<String>,
    pub renews_before: Option<DateTime<Utc>>,
}

/// The facts of domain `id`, if it exists.
pub async fn facts(conn: &mut PgConnection, id: DomainId) -> Result<Option<DomainFacts>, sqlx::Error> {
    sqlx::query_as!(
        DomainFacts,
        r#"SELECT expected_cname, dns_chain, tls_not_after AS "tls_not_after: DateTime<Utc>", tls_issuer, tls_names,
                  txt_name, txt_value, cert_status, renews_before AS "renews_before: DateTime<Utc>"
           FROM domains WHERE id = $1"#,
        id as DomainId,
    )
    .fetch_optional(conn)
    .await
}

/// The latest `limit` changes of domain `id`, newest first.
pub async fn events(conn: &mut PgConnection, id: DomainId, limit: i64) -> Result<Vec<DomainEvent>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT at AS "at: DateTime<Utc>", kind, before, after, detail FROM domains_events
           WHERE domain_id = $1 ORDER BY at DESC LIMIT $2"#,
        id as DomainId,
        limit,
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let change = Change::parse(&r.kind, r.before.as_deref(), &r.after).ok_or_else(|| {
                sqlx::Error::Decode(
                    format!("domains_events: {} {:?} → {} is no change", r.kind, r.before, r.after).into(),
                )
            })?;
            Ok(DomainEvent { at: r.at, change, detail: r.detail })
        })
        .collect()
}

/// The CNAME target the domain registered as `host` expects, if there is one.
pub async fn expected_for_host(conn: &mut PgConnection, host: &str) -> Result<Option<String>, sqlx::Error> {
    let found = sqlx::query_scalar!("SELECT expected_cname FROM domains WHERE host = $1 LIMIT 1", host)
        .fetch_optional(conn)
        .await?;
    Ok(found.flatten())
}

/// Every CNAME target a registered tenant's domain expects, lower-cased.
pub async fn known_targets(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT DISTINCT lower(expected_cname) AS "target!" FROM domains WHERE expected_cname IS NOT NULL"#
    )
    .fetch_all(conn)
    .await
}

/// A tenant by id and name (for findings).
pub struct NamedTenant {
    pub id: TenantId,
    pub name: String,
}

/// A tenant with how many custom domains it has.
pub struct TenantDomains {
    pub id: TenantId,
    pub name: String,
    pub domains: i64,
}

/// Tenants with more than one custom domain, by name.
pub async fn tenants_with_several(conn: &mut PgConnection) -> Result<Vec<TenantDomains>, sqlx::Error> {
    sqlx::query_as!(
        TenantDomains,
        r#"SELECT t.id AS "id: TenantId", t.name, count(*) AS "domains!"
           FROM domains d JOIN tenants t ON t.id = d.tenant_id
           GROUP BY t.id, t.name HAVING count(*) > 1 ORDER BY t.name"#
    )
    .fetch_all(conn)
    .await
}

/// Production tenants with a custom domain whose development tenant (same user domain) has none, by name.
pub async fn production_ahead_of_development(conn: &mut PgConnection) -> Result<Vec<NamedTenant>, sqlx::Error> {
    sqlx::query_as!(
        NamedTenant,
        r#"SELECT DISTINCT p.id AS "id: TenantId", p.name FROM tenants p JOIN domains pd ON pd.tenant_id = p.id
           JOIN tenants dev ON dev.user_domain = p.user_domain AND dev.environment = 'development'
           WHERE p.environment = 'production' AND NOT EXISTS (SELECT 1 FROM domains dd WHERE dd.tenant_id = dev.id)
           ORDER BY p.name"#
    )
    .fetch_all(conn)
    .await
}

/// Production tenants with a snapshot but no custom domain, by name.
pub async fn production_without_domain(conn: &mut PgConnection) -> Result<Vec<NamedTenant>, sqlx::Error> {
    sqlx::query_as!(
        NamedTenant,
        r#"SELECT t.id AS "id: TenantId", t.name FROM tenants t WHERE t.environment = 'production'
           AND EXISTS (SELECT 1 FROM tenants_snapshots s WHERE s.tenant_id = t.id)
           AND NOT EXISTS (SELECT 1 FROM domains d WHERE d.tenant_id = t.id) ORDER BY t.name"#
    )
    .fetch_all(conn)
    .await
}

/// A domain with Auth0's status for it.
pub struct DomainStatus {
    pub id: DomainId,
    pub host: String,
    pub status: String,
}

/// Domains Auth0 failed, or left pending verification since before `since`, by host.
pub async fn failed_or_stuck(conn: &mut PgConnection, since: DateTime<Utc>) -> Result<Vec<DomainStatus>, sqlx::Error> {
    sqlx::query_as!(
        DomainStatus,
        r#"SELECT id AS "id: DomainId", host, status FROM domains
           WHERE status = 'failed' OR (status = 'pending_verification' AND status_since < $1) ORDER BY host"#,
        since as _,
    )
    .fetch_all(conn)
    .await
}

/// Copies custom domains from each tenant's latest snapshot (inserting new ones, updating known ones; a status
/// change restarts `status_since` at `now`) and deletes the ones a latest snapshot no longer lists.
pub async fn copy_from_snapshots(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "WITH latest AS (
             SELECT DISTINCT ON (tenant_id) tenant_id, data FROM tenants_snapshots ORDER BY tenant_id, taken_at DESC),
         items AS (
             SELECT l.tenant_id, d FROM latest l, jsonb_array_elements(COALESCE(l.data->'custom_domains', '[]')) d
             WHERE d ? 'domain')
         INSERT INTO domains (tenant_id, host, custom_domain_id, is_primary, status, kind, expected_cname, txt_name,
                              txt_value, cert_status, renews_before, status_since)
         SELECT tenant_id, lower(d->>'domain'), d->>'custom_domain_id', COALESCE((d->>'primary')::boolean, false),
                COALESCE(d->>'status', 'unknown'), COALESCE(d->>'type', 'auth0_managed_certs'),
                (SELECT m->>'record' FROM jsonb_array_elements(d->'verification'->'methods') m
                 WHERE lower(m->>'name') = 'cname' LIMIT 1),
                (SELECT m->>'domain' FROM jsonb_array_elements(d->'verification'->'methods') m
                 WHERE lower(m->>'name') = 'txt' LIMIT 1),
                (SELECT m->>'record' FROM jsonb_array_elements(d->'verification'->'methods') m
                 WHERE lower(m->>'name') = 'txt' LIMIT 1),
                d->'certificate'->>'status', (d->'certificate'->>'renews_before')::timestamptz,
                COALESCE((d->>'created_at')::timestamptz, $1)
         FROM items
         ON CONFLICT (tenant_id, host) DO UPDATE SET
             custom_domain_id = EXCLUDED.custom_domain_id, is_primary = EXCLUDED.is_primary,
             status = EXCLUDED.status, kind = EXCLUDED.kind, expected_cname = EXCLUDED.expected_cname,
             txt_name = EXCLUDED.txt_name, txt_value = EXCLUDED.txt_value, cert_status = EXCLUDED.cert_status,
             renews_before = EXCLUDED.renews_before,
             status_since = CASE WHEN domains.status <> EXCLUDED.status THEN $1 ELSE domains.status_since END",
        now as _,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "DELETE FROM domains x WHERE NOT EXISTS (
             SELECT 1 FROM (SELECT DISTINCT ON (tenant_id) tenant_id, data FROM tenants_snapshots
                            ORDER BY tenant_id, taken_at DESC) l,
                  jsonb_array_elements(COALESCE(l.data->'custom_domains', '[]')) d
             WHERE l.tenant_id = x.tenant_id AND lower(d->>'domain') = x.host)"
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives every domain a `kind` job keyed by its id, every `every_secs` from `now` (a changed interval is updated),
/// and removes the `kind` jobs of domains that are gone.
pub async fn schedule_checks(
    conn: &mut PgConnection,
    kind: &str,
    every_secs: i32,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO scheduler_jobs (kind, key, interval_secs, scheduled_for, next_run_at)
         SELECT $1, id::text, $2, $3, $3 FROM domains
         ON CONFLICT (kind, key) DO UPDATE SET interval_secs = EXCLUDED.interval_secs
         WHERE scheduler_jobs.interval_secs <> EXCLUDED.interval_secs",
        kind,
        every_secs,
        now as _,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "DELETE FROM scheduler_jobs j WHERE j.kind = $1 AND NOT EXISTS (SELECT 1 FROM domains d WHERE d.id::text = j.key)",
        kind,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// How many custom domains there are.
pub async fn count_all(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM domains"#).fetch_one(conn).await
}

/// What a check of one domain needs: what to look up, what Auth0 expects, what the last check found, and the
/// tenant a notice names.
pub struct CheckTarget {
    pub host: String,
    pub expected_cname: Option<String>,
    pub kind: String,
    pub txt_name: Option<String>,
    pub txt_value: Option<String>,
    pub dns_outcome: Option<DnsOutcome>,
    pub tls_outcome: Option<TlsOutcome>,
    pub tenant: String,
    pub region: Option<String>,
}

/// The check target of domain `id`, if it exists.
pub async fn check_target(conn: &mut PgConnection, id: DomainId) -> Result<Option<CheckTarget>, sqlx::Error> {
    sqlx::query_as!(
        CheckTarget,
        r#"SELECT d.host, d.expected_cname, d.kind, d.txt_name, d.txt_value,
                  d.dns_outcome AS "dns_outcome: DnsOutcome", d.tls_outcome AS "tls_outcome: TlsOutcome",
                  t.name AS tenant, t.region
           FROM domains d JOIN tenants t ON t.id = d.tenant_id WHERE d.id = $1"#,
        id as DomainId,
    )
    .fetch_optional(conn)
    .await
}

/// Stores `report` as domain `id`'s latest state and as one single check at `now`.
pub async fn save_check(
    conn: &mut PgConnection,
    id: DomainId,
    report: &Report,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE domains SET dns_outcome = $2, dns_chain = $3, dns_advice = $4, tls_outcome = $5, tls_days_left = $6,
             tls_not_after = $7, tls_issuer = $8, tls_names = $9, tls_advice = $10, checked_at = $11 WHERE id = $1",
        id as DomainId,
        report.dns_outcome as Option<DnsOutcome>,
        &report.chain[..],
        report.dns_advice.as_deref(),
        report.tls_outcome as Option<TlsOutcome>,
        report.days_left,
        report.not_after as _,
        report.issuer.as_deref(),
        &report.names[..],
        report.tls_advice.as_deref(),
        now as _,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO domains_checks (domain_id, at, dns_outcome, tls_outcome, days_left) VALUES ($1, $2, $3, $4, $5)",
        id as DomainId,
        now as _,
        report.dns_outcome.map_or("unknown", DnsOutcome::as_str),
        report.tls_outcome.map_or("unknown", TlsOutcome::as_str),
        report.days_left,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a change of domain `id`'s outcome at `at`; returns the event's id.
pub async fn insert_event(
    conn: &mut PgConnection,
    id: DomainId,
    at: DateTime<Utc>,
    change: Change,
    detail: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO domains_events (domain_id, at, kind, before, after, detail) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id",
        id as DomainId,
        at as _,
        change.part().event_kind(),
        change.before_str(),
        change.after_str(),
        detail,
    )
    .fetch_one(conn)
    .await
}

/// Deletes single checks older than `before`; returns how many.
pub async fn prune_checks(conn: &mut PgConnection, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!("DELETE FROM domains_checks WHERE at < $1", before as _).execute(conn).await?;
    Ok(done.rows_affected())
}

/// A custom domain's verdicts, for `/metrics`.
pub struct DomainMetric {
    pub id: DomainId,
    pub dns_outcome: Option<String>,
    pub tls_outcome: Option<String>,
    pub tls_not_after: Option<DateTime<Utc>>,
}

/// Every custom domain's verdicts, for `/metrics`.
pub async fn domain_metrics(conn: &mut PgConnection) -> Result<Vec<DomainMetric>, sqlx::Error> {
    sqlx::query_as!(
        DomainMetric,
        r#"SELECT id AS "id: DomainId", dns_outcome, tls_outcome, tls_not_after AS "tls_not_after: DateTime<Utc>"
             FROM domains ORDER BY id"#
    )
    .fetch_all(conn)
    .await
}
