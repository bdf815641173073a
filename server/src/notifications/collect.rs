//! The collector (`notifications.collect`): reads what the other areas recorded since it last looked — status
//! incident updates, monitoring alert events, custom-domain outcome changes — and turns each into an update of one
//! notification (an incident's ten updates are one notification with a timeline); then compares the watched
//! console state (`watch`). An update more severe than the notification re-opens it if it was acknowledged. Every
//! new update is queued in the outbox for the channels it matches, in the same transaction.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool, Row};

use super::record::{Incoming, apply};
use crate::scheduler::Job;

pub const KIND: &str = crate::scheduler::kinds::NOTIFICATIONS_COLLECT;
pub const INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);
/// Rows read per feed per run.
const BATCH: i64 = 1000;

async fn cursor(conn: &mut PgConnection, name: &str) -> Result<i64, sqlx::Error> {
    let last: Option<i64> = sqlx::query_scalar("SELECT last_id FROM notifications_cursors WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(last.unwrap_or(0))
}

async fn advance(conn: &mut PgConnection, name: &str, last: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO notifications_cursors (name, last_id) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET last_id = GREATEST(notifications_cursors.last_id, $2)",
    )
    .bind(name)
    .bind(last)
    .execute(conn)
    .await?;
    Ok(())
}

fn incident_severity(impact: Option<&str>, phase: &str) -> &'static str {
    match impact {
        Some("critical") | Some("major") => "critical",
        Some("minor") => "warning",
        _ if matches!(phase, "resolved" | "postmortem") => "info",
        _ => "warning",
    }
}

fn outcome_severity(outcome: &str) -> &'static str {
    match outcome {
        "ok" => "info",
        "flattened" | "expiring" | "lookup_error" | "no_answer" => "warning",
        _ => "critical",
    }
}

/// One pass over every feed and the watched console state, acting at `now`; returns how many updates were added.
/// `paid_limit` is the tenants setting the tenant findings are computed with.
pub async fn collect(pool: &PgPool, now: DateTime<Utc>, paid_limit: usize) -> Result<usize, sqlx::Error> {
    let mut tx = pool.begin().await?;
    // One collector at a time (replicas): the others skip this pass.
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(8008)").fetch_one(&mut *tx).await?;
    if !locked {
        return Ok(0);
    }
    let mut added = 0;

    let from = cursor(&mut tx, "status_updates").await?;
    let rows = sqlx::query(
        "SELECT u.id, u.external_id AS update_id, COALESCE(u.at, u.seen_at) AS at, u.phase AS update_phase, u.text,
                i.external_id, i.title, i.impact, i.phase, i.link, s.id AS source_id, s.name AS source_name,
                s.kind AS source_kind, t.name AS tenant, t.region
         FROM status_updates u JOIN status_incidents i ON i.id = u.incident_id
         JOIN status_sources s ON s.id = i.source_id LEFT JOIN tenants t ON t.id = s.tenant_id
         WHERE u.id > $1 ORDER BY u.id LIMIT $2",
    )
    .bind(from)
    .bind(BATCH)
    .fetch_all(&mut *tx)
    .await?;
    let mut last = from;
    for r in &rows {
        last = r.get("id");
        let auth0 = r.get::<String, _>("source_kind") == "auth0_feed";
        let external: String = r.get("external_id");
        // The same Auth0 incident seen through several tenants' feeds is one notification.
        let scope = if auth0 { "auth0".to_string() } else { r.get::<uuid::Uuid, _>("source_id").to_string() };
        let phase: String = r.get("update_phase");
        let impact: Option<String> = r.get("impact");
        let title: String = r.get("title");
        let n = Incoming {
            origin: format!("status:{scope}:{external}"),
            source: if auth0 { "auth0_status" } else { "provider_status" },
            kind: "incident".into(),
            severity: incident_severity(impact.as_deref(), &phase),
            title: if auth0 {
                format!("Auth0: {title}")
            } else {
                format!("{}: {title}", r.get::<String, _>("source_name"))
            },
            body: String::new(),
            link: r.get("link"),
            tenants: r.get::<Option<String>, _>("tenant").into_iter().collect(),
            regions: r.get::<Option<String>, _>("region").into_iter().collect(),
            at: r.get("at"),
            update_origin: format!("status:{scope}:{external}:{}", r.get::<String, _>("update_id")),
            text: format!("{phase}: {}", r.get::<String, _>("text")),
        };
        added += usize::from(apply(&mut tx, &n, now).await?.added);
    }
    advance(&mut tx, "status_updates", last).await?;

    let from = cursor(&mut tx, "monitoring_events").await?;
    let rows = sqlx::query(
        "SELECT e.id, e.alert_id, e.at, e.kind, e.detail, c.id AS check_id, c.name, c.kind AS check_kind, t.name AS tenant,
                t.region
         FROM monitoring_events e JOIN monitoring_checks c ON c.id = e.check_id JOIN tenants t ON t.id = c.tenant_id
         WHERE e.id > $1 ORDER BY e.id LIMIT $2",
    )
    .bind(from)
    .bind(BATCH)
    .fetch_all(&mut *tx)
    .await?;
    let mut last = from;
    for r in &rows {
        last = r.get("id");
        let kind: String = r.get("kind");
        let (name, tenant): (String, String) = (r.get("name"), r.get("tenant"));
        let login = r.get::<String, _>("check_kind") == "login";
        let n = Incoming {
            origin: format!("monitoring:alert:{}", r.get::<Option<i64>, _>("alert_id").unwrap_or_default()),
            source: "console",
            kind: if login { "synthetic_login_alert" } else { "monitoring_alert" }.into(),
            severity: if kind == "alert_resolved" { "info" } else { "critical" },
            title: format!("{name} on {tenant} is failing"),
            body: String::new(),
            link: Some(format!("/monitoring/{}", r.get::<uuid::Uuid, _>("check_id"))),
            tenants: vec![tenant],
            regions: r.get::<Option<String>, _>("region").into_iter().collect(),
            at: r.get("at"),
            update_origin: format!("monitoring:event:{}", r.get::<i64, _>("id")),
            text: format!("{}: {}", kind.replace('_', " "), r.get::<String, _>("detail")),
        };
        added += usize::from(apply(&mut tx, &n, now).await?.added);
    }
    advance(&mut tx, "monitoring_events", last).await?;

    let from = cursor(&mut tx, "domains_events").await?;
    let rows = sqlx::query(
        "SELECT e.id, e.at, e.kind, e.after, e.detail, d.id AS domain_id, d.host, t.name AS tenant, t.region
         FROM domains_events e JOIN domains d ON d.id = e.domain_id JOIN tenants t ON t.id = d.tenant_id
         WHERE e.id > $1 ORDER BY e.id LIMIT $2",
    )
    .bind(from)
    .bind(BATCH)
    .fetch_all(&mut *tx)
    .await?;
    let mut last = from;
    for r in &rows {
        last = r.get("id");
        let kind: String = r.get("kind");
        let what = if kind == "dns_changed" { "DNS" } else { "TLS" };
        let after: String = r.get("after");
        let domain: uuid::Uuid = r.get("domain_id");
        let n = Incoming {
            origin: format!("domains:{domain}:{kind}"),
            source: "console",
            kind: if kind == "dns_changed" { "custom_domain_dns" } else { "custom_domain_tls" }.into(),
            severity: outcome_severity(&after),
            title: format!("Custom domain {}: {what}", r.get::<String, _>("host")),
            body: String::new(),
            link: Some(format!("/domains/{domain}")),
            tenants: r.get::<Option<String>, _>("tenant").into_iter().collect(),
            regions: r.get::<Option<String>, _>("region").into_iter().collect(),
            at: r.get("at"),
            update_origin: format!("domains:event:{}", r.get::<i64, _>("id")),
            text: format!("{what} {}: {}", after.replace('_', " "), r.get::<String, _>("detail")),
        };
        added += usize::from(apply(&mut tx, &n, now).await?.added);
    }
    advance(&mut tx, "domains_events", last).await?;
    added += super::watch::run(pool, &mut tx, now, paid_limit).await?;
    tx.commit().await?;
    Ok(added)
}

/// `notifications.collect` / `all`, every 30 s.
pub struct CollectJob {
    pub pool: PgPool,
    pub paid_limit: usize,
}

#[async_trait::async_trait]
impl Job for CollectJob {
    fn kind(&self) -> &'static str {
        KIND
    }

    async fn run_once(&self, _key: &str, now: DateTime<Utc>) -> Result<(), String> {
        collect(&self.pool, now, self.paid_limit).await.map(|_| ()).map_err(|e| e.to_string())
    }
}
