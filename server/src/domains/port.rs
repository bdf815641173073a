//! The engine behind the custom-domain pages (`app::domains::DomainsPort`).

use std::sync::Arc;

use app::domains::{
    DomainDetail, DomainEvent, DomainFinding, DomainList, DomainRow, DomainsPort, DomainsQuery, Report,
};
use app::error::AppError;
use chrono::{Duration, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use uuid::Uuid;

use super::check::Checker;
use super::hostname::Hostname;
use super::inventory;

pub const PER_PAGE: i64 = 50;

pub struct PgDomains {
    pub pool: PgPool,
    pub checker: Arc<Checker>,
}

fn db(cause: sqlx::Error) -> AppError {
    crate::db::app_error("domains", cause)
}

const ROW_COLUMNS: &str = "d.id, d.host, d.tenant_id, t.name AS tenant_name, t.environment, d.is_primary, d.status,
        d.kind, d.dns_outcome, d.tls_outcome, d.tls_days_left, d.checked_at, d.dns_advice, d.tls_advice";
const ROW_FROM: &str = "FROM domains d JOIN tenants t ON t.id = d.tenant_id";

fn row_of(r: &PgRow) -> DomainRow {
    let dns: Option<String> = r.get("dns_outcome");
    let tls: Option<String> = r.get("tls_outcome");
    let advice = if dns.as_deref().is_some_and(|o| o != "ok") {
        r.get("dns_advice")
    } else if tls.as_deref().is_some_and(|o| o != "ok") {
        r.get("tls_advice")
    } else {
        None
    };
    DomainRow {
        id: r.get::<Uuid, _>("id").to_string(),
        host: r.get("host"),
        tenant_id: r.get::<Uuid, _>("tenant_id").to_string(),
        tenant_name: r.get("tenant_name"),
        environment: r.get("environment"),
        primary: r.get("is_primary"),
        status: r.get("status"),
        kind: r.get("kind"),
        dns_outcome: dns,
        tls_outcome: tls,
        days_left: r.get("tls_days_left"),
        checked_at: r.get("checked_at"),
        advice,
    }
}

impl PgDomains {
    async fn findings(&self) -> Result<Vec<DomainFinding>, sqlx::Error> {
        findings(&self.pool).await
    }
}

/// The custom-domain findings over the inventory (the notification collector watches them appear and clear).
pub async fn findings(pool: &PgPool) -> Result<Vec<DomainFinding>, sqlx::Error> {
    let mut out = Vec::new();
    let tenant_link = |id: Uuid| format!("/tenants/{id}");
    let several: Vec<(Uuid, String, i64)> = sqlx::query_as(
        "SELECT t.id, t.name, count(*) FROM domains d JOIN tenants t ON t.id = d.tenant_id
             GROUP BY t.id, t.name HAVING count(*) > 1 ORDER BY t.name",
    )
    .fetch_all(pool)
    .await?;
    if !several.is_empty() {
        out.push(DomainFinding {
            title: "Tenants with more than one custom domain".into(),
            reasoning: "The guide expects one custom domain per tenant; several usually mean the tenant serves \
                            more than one user domain, which belongs in tenants of their own."
                .into(),
            items: several
                .into_iter()
                .map(|(id, n, c)| (tenant_link(id), format!("{n}: {c} custom domains")))
                .collect(),
        });
    }
    let no_dev: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT DISTINCT p.id, p.name FROM tenants p JOIN domains pd ON pd.tenant_id = p.id
             JOIN tenants dev ON dev.user_domain = p.user_domain AND dev.environment = 'development'
             WHERE p.environment = 'production' AND NOT EXISTS (SELECT 1 FROM domains dd WHERE dd.tenant_id = dev.id)
             ORDER BY p.name",
    )
    .fetch_all(pool)
    .await?;
    if !no_dev.is_empty() {
        out.push(DomainFinding {
            title: "Production has a custom domain, development does not".into(),
            reasoning: "Create a custom domain in development too, early: login flows, CORS and cookies behave \
                            differently on a custom domain, and problems should show before production."
                .into(),
            items: no_dev.into_iter().map(|(id, n)| (tenant_link(id), n)).collect(),
        });
    }
    let bare: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT t.id, t.name FROM tenants t WHERE t.environment = 'production'
             AND EXISTS (SELECT 1 FROM tenants_snapshots s WHERE s.tenant_id = t.id)
             AND NOT EXISTS (SELECT 1 FROM domains d WHERE d.tenant_id = t.id) ORDER BY t.name",
    )
    .fetch_all(pool)
    .await?;
    if !bare.is_empty() {
        out.push(DomainFinding {
            title: "Production tenants without a custom domain".into(),
            reasoning: "The guide asks for a custom domain on every tenant: users see your name, not auth0.com, \
                            and a login page on your own domain is harder to imitate."
                .into(),
            items: bare.into_iter().map(|(id, n)| (tenant_link(id), n)).collect(),
        });
    }
    let stuck: Vec<(Uuid, String, String)> = sqlx::query_as(
        "SELECT id, host, status FROM domains
             WHERE status = 'failed' OR (status = 'pending_verification' AND status_since < $1) ORDER BY host",
    )
    .bind(Utc::now() - Duration::days(1))
    .fetch_all(pool)
    .await?;
    if !stuck.is_empty() {
        out.push(DomainFinding {
            title: "Domains that failed or are stuck in verification".into(),
            reasoning: "Auth0 marks a domain failed when its verification record is wrong, and leaves it pending \
                            while the CNAME is missing or proxied; a wrong or forgotten CNAME breaks login."
                .into(),
            items: stuck
                .into_iter()
                .map(|(id, host, status)| (format!("/domains/{id}"), format!("{host}: {}", status.replace('_', " "))))
                .collect(),
        });
    }
    Ok(out)
}

#[async_trait::async_trait]
impl DomainsPort for PgDomains {
    async fn list(&self, query: DomainsQuery) -> Result<DomainList, AppError> {
        let search = query.q.as_ref().map(|q| format!("%{}%", q.to_lowercase().replace(['%', '_'], "")));
        let problems = query.show.is_some();
        let filter = "($1::text IS NULL OR d.host LIKE $1 OR lower(t.name) LIKE $1)
             AND (NOT $2 OR d.dns_outcome IS DISTINCT FROM 'ok' OR d.tls_outcome IS DISTINCT FROM 'ok')";
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM domains d JOIN tenants t ON t.id = d.tenant_id WHERE {filter}"
        ))
        .bind(&search)
        .bind(problems)
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1) as u32;
        let page = query.page.clamp(1, pages);
        let rows = sqlx::query(&format!(
            "SELECT {ROW_COLUMNS} {ROW_FROM} WHERE {filter}
             ORDER BY (d.dns_outcome = 'ok' AND d.tls_outcome = 'ok'), d.host LIMIT {PER_PAGE} OFFSET {}",
            PER_PAGE * (page as i64 - 1)
        ))
        .bind(&search)
        .bind(problems)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(DomainList {
            rows: rows.iter().map(row_of).collect(),
            total,
            page,
            pages,
            findings: self.findings().await.map_err(db)?,
        })
    }

    async fn detail(&self, id: &str) -> Result<DomainDetail, AppError> {
        let id: Uuid = id.parse().map_err(|_| AppError::NotFound("the custom domain".into()))?;
        let r = sqlx::query(&format!(
            "SELECT {ROW_COLUMNS}, d.expected_cname, d.dns_chain, d.tls_not_after, d.tls_issuer, d.tls_names,
                 d.txt_name, d.txt_value, d.cert_status, d.renews_before {ROW_FROM} WHERE d.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?
        .ok_or_else(|| AppError::NotFound("the custom domain".into()))?;
        let row = row_of(&r);
        let report = Report {
            host: row.host.clone(),
            expected: r.get("expected_cname"),
            dns_outcome: row.dns_outcome.clone(),
            chain: r.get("dns_chain"),
            addresses: Vec::new(),
            dns_advice: r.get("dns_advice"),
            tls_outcome: row.tls_outcome.clone(),
            days_left: row.days_left,
            not_after: r.get("tls_not_after"),
            issuer: r.get("tls_issuer"),
            names: r.get("tls_names"),
            tls_advice: r.get("tls_advice"),
            checked_at: row.checked_at,
        };
        let txt = match (r.get::<Option<String>, _>("txt_name"), r.get::<Option<String>, _>("txt_value")) {
            (Some(n), Some(v)) => Some((n, v)),
            _ => None,
        };
        let events = sqlx::query_as::<_, (chrono::DateTime<Utc>, String, Option<String>, String, String)>(
            "SELECT at, kind, before, after, detail FROM domains_events WHERE domain_id = $1 ORDER BY at DESC LIMIT 50",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .into_iter()
        .map(|(at, kind, before, after, detail)| DomainEvent { at, kind, before, after, detail })
        .collect();
        Ok(DomainDetail {
            row,
            report,
            txt,
            cert_status: r.get("cert_status"),
            renews_before: r.get("renews_before"),
            events,
        })
    }

    async fn check_now(&self, id: &str) -> Result<(), AppError> {
        let id: Uuid = id.parse().map_err(|_| AppError::NotFound("the custom domain".into()))?;
        inventory::check(&self.pool, &self.checker, id, Utc::now()).await.map_err(|e| {
            if e == "the domain is gone" {
                AppError::NotFound("the custom domain".into())
            } else {
                AppError::Unavailable(e)
            }
        })?;
        Ok(())
    }

    async fn check_host(&self, host: &str, expected: &str) -> Result<Report, AppError> {
        let host = Hostname::parse(host).map_err(|e| AppError::Invalid(format!("Host name: {e}")))?;
        let expected = match expected.trim() {
            "" => None,
            raw => Some(
                Hostname::parse(raw)
                    .map_err(|e| AppError::Invalid(format!("Expected CNAME target: {e}")))?
                    .as_str()
                    .to_string(),
            ),
        };
        let known = inventory::known_targets(&self.pool).await.map_err(db)?;
        // The target a registered domain expects, when the host is one of ours and none was given.
        let expected = match expected {
            Some(e) => Some(e),
            None => sqlx::query_scalar("SELECT expected_cname FROM domains WHERE host = $1 LIMIT 1")
                .bind(host.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?
                .flatten(),
        };
        Ok(self.checker.report(host.as_str(), expected.as_deref(), None, &known, Utc::now()).await)
    }
}
