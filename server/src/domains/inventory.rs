//! The domain inventory and its jobs: `domains.sync` copies every tenant's custom domains from its latest snapshot
//! (and schedules a check for each), `domains.check` checks one domain and records the result, writing an event
//! when an outcome changes.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row};
use uuid::Uuid;

use super::check::Checker;
use crate::scheduler::{self, Job};

pub const SYNC_KIND: &str = crate::scheduler::kinds::DOMAINS_SYNC;
pub const CHECK_KIND: &str = crate::scheduler::kinds::DOMAINS_CHECK;
pub const SYNC_INTERVAL: Duration = crate::scheduler::kinds::SYNC_INTERVAL;

/// Copies custom domains from the latest snapshots; returns how many domains there are now.
pub async fn sync(pool: &PgPool, interval: Duration, now: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query(
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
    )
    .bind(now)
    .execute(&mut *tx)
    .await?;
    // Domains a tenant's latest snapshot no longer lists are gone.
    sqlx::query(
        "DELETE FROM domains x WHERE NOT EXISTS (
             SELECT 1 FROM (SELECT DISTINCT ON (tenant_id) tenant_id, data FROM tenants_snapshots
                            ORDER BY tenant_id, taken_at DESC) l,
                  jsonb_array_elements(COALESCE(l.data->'custom_domains', '[]')) d
             WHERE l.tenant_id = x.tenant_id AND lower(d->>'domain') = x.host)",
    )
    .execute(&mut *tx)
    .await?;
    let every = i32::try_from(interval.as_secs().max(60)).unwrap_or(i32::MAX);
    sqlx::query(
        "INSERT INTO scheduler_jobs (kind, key, interval_secs, scheduled_for, next_run_at)
         SELECT $1, id::text, $2, $3, $3 FROM domains
         ON CONFLICT (kind, key) DO UPDATE SET interval_secs = EXCLUDED.interval_secs
         WHERE scheduler_jobs.interval_secs <> EXCLUDED.interval_secs",
    )
    .bind(CHECK_KIND)
    .bind(every)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "DELETE FROM scheduler_jobs j WHERE j.kind = $1 AND NOT EXISTS (SELECT 1 FROM domains d WHERE d.id::text = j.key)",
    )
    .bind(CHECK_KIND)
    .execute(&mut *tx)
    .await?;
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM domains").fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(n)
}

/// Every CNAME target a registered tenant's domain expects (to tell a dangling CNAME from a wrong one).
pub async fn known_targets(pool: &PgPool) -> Result<HashSet<String>, sqlx::Error> {
    let targets: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT lower(expected_cname) FROM domains WHERE expected_cname IS NOT NULL")
            .fetch_all(pool)
            .await?;
    Ok(targets.into_iter().collect())
}

/// Checks one domain at `now` and records it; an outcome that changed writes an event.
pub async fn check(pool: &PgPool, checker: &Checker, id: Uuid, now: DateTime<Utc>) -> Result<(), String> {
    let row = sqlx::query(
        "SELECT host, expected_cname, kind, txt_name, txt_value, dns_outcome, tls_outcome FROM domains WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(|e| e.to_string())?
    .ok_or("the domain is gone")?;
    let host: String = row.get("host");
    let expected: Option<String> = row.get("expected_cname");
    let self_managed = row.get::<String, _>("kind") == "self_managed_certs";
    let (txt_name, txt_value): (Option<String>, Option<String>) = (row.get("txt_name"), row.get("txt_value"));
    let txt = match (self_managed, &txt_name, &txt_value) {
        (true, Some(n), Some(v)) => Some((n.as_str(), v.as_str())),
        _ => None,
    };
    let known = known_targets(pool).await.map_err(|e| e.to_string())?;
    let report = checker.report(&host, expected.as_deref(), txt, &known, now).await;
    let (before_dns, before_tls): (Option<String>, Option<String>) = (row.get("dns_outcome"), row.get("tls_outcome"));
    let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
    sqlx::query(
        "UPDATE domains SET dns_outcome = $2, dns_chain = $3, dns_advice = $4, tls_outcome = $5, tls_days_left = $6,
             tls_not_after = $7, tls_issuer = $8, tls_names = $9, tls_advice = $10, checked_at = $11 WHERE id = $1",
    )
    .bind(id)
    .bind(&report.dns_outcome)
    .bind(&report.chain)
    .bind(&report.dns_advice)
    .bind(&report.tls_outcome)
    .bind(report.days_left)
    .bind(report.not_after)
    .bind(&report.issuer)
    .bind(&report.names)
    .bind(&report.tls_advice)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(|e| e.to_string())?;
    sqlx::query(
        "INSERT INTO domains_checks (domain_id, at, dns_outcome, tls_outcome, days_left) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(now)
    .bind(report.dns_outcome.as_deref().unwrap_or("unknown"))
    .bind(report.tls_outcome.as_deref().unwrap_or("unknown"))
    .bind(report.days_left)
    .execute(&mut *tx)
    .await
    .map_err(|e| e.to_string())?;
    for (kind, before, after, detail) in [
        ("dns_changed", before_dns, report.dns_outcome.clone(), report.dns_advice.clone()),
        ("tls_changed", before_tls, report.tls_outcome.clone(), report.tls_advice.clone()),
    ] {
        let Some(after) = after else { continue };
        let first_and_fine = before.is_none() && after == "ok";
        if before.as_deref() != Some(after.as_str()) && !first_and_fine {
            sqlx::query(
                "INSERT INTO domains_events (domain_id, at, kind, before, after, detail) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(now)
            .bind(kind)
            .bind(before)
            .bind(&after)
            .bind(detail.unwrap_or_default())
            .execute(&mut *tx)
            .await
            .map_err(|e| e.to_string())?;
        }
    }
    tx.commit().await.map_err(|e| e.to_string())
}

/// `domains.sync` / `all`.
pub struct SyncJob {
    pub pool: PgPool,
    pub interval: Duration,
}

#[async_trait::async_trait]
impl Job for SyncJob {
    fn kind(&self) -> &'static str {
        SYNC_KIND
    }

    async fn run_once(&self, _key: &str, now: DateTime<Utc>) -> Result<(), String> {
        sync(&self.pool, self.interval, now).await.map_err(|e| e.to_string())?;
        prune_checks(&self.pool, now - CHECKS_KEPT).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

/// How long each single check is kept (one row per domain per interval: 144 a day at 10 minutes). The latest state
/// is on the domain and every change is an event, both kept.
pub const CHECKS_KEPT: chrono::TimeDelta = chrono::TimeDelta::days(30);

/// Deletes single checks older than `before`; returns how many.
pub async fn prune_checks(pool: &PgPool, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM domains_checks WHERE at < $1").bind(before).execute(pool).await?;
    Ok(done.rows_affected())
}

/// `domains.check` / domain id.
pub struct CheckJob {
    pub pool: PgPool,
    pub checker: Arc<Checker>,
}

#[async_trait::async_trait]
impl Job for CheckJob {
    fn kind(&self) -> &'static str {
        CHECK_KIND
    }

    async fn run_once(&self, key: &str, now: DateTime<Utc>) -> Result<(), String> {
        let id = key.parse::<Uuid>().map_err(|_| format!("{key:?} is not a domain id"))?;
        check(&self.pool, &self.checker, id, now).await
    }
}

/// Makes sure the sync job exists (called at start).
pub async fn ensure_sync(pool: &PgPool, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    scheduler::ensure(&mut conn, SYNC_KIND, "all", SYNC_INTERVAL, now).await
}
