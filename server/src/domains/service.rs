//! The domains area's rules: copying the inventory from the tenants' snapshots, checking a domain and recording
//! what changed (with its notice, in one transaction), the list and the domain page as pages read them, the ad-hoc
//! check, and the findings the operations guide asks about.

use std::collections::HashSet;
use std::time::Duration;

use app::domains::{DomainDetail, DomainFinding, DomainList, DomainRow, DomainsQuery, Report};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::check::Checker;
use super::hostname::Hostname;
use super::model::{self, DomainId};
use super::notice::{self, ChangeNotice};
use super::repo::{self, DomainRecord, ListFilter};

/// Domains per page of the list.
pub const PER_PAGE: i64 = 50;
/// Events on a domain's timeline.
pub const EVENTS_SHOWN: i64 = 50;

/// What can go wrong in the domains area's rules.
#[derive(Debug, thiserror::Error)]
pub enum DomainsError {
    /// The domain was removed (a newer snapshot no longer lists it), or never existed.
    #[error("the domain is gone")]
    Gone,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Copies custom domains from the latest snapshots and schedules a check of each every `interval`; returns how many
/// domains there are now.
pub async fn sync(pool: &PgPool, interval: Duration, now: DateTime<Utc>) -> Result<i64, DomainsError> {
    let mut tx = pool.begin().await?;
    repo::copy_from_snapshots(&mut tx, now).await?;
    let every = i32::try_from(interval.as_secs().max(60)).unwrap_or(i32::MAX);
    repo::schedule_checks(&mut tx, crate::scheduler::kinds::DOMAINS_CHECK, every, now).await?;
    let n = repo::count_all(&mut tx).await?;
    tx.commit().await?;
    Ok(n)
}

/// Deletes single checks older than `before`; returns how many.
pub async fn prune_checks(pool: &PgPool, before: DateTime<Utc>) -> Result<u64, DomainsError> {
    let mut conn = pool.acquire().await?;
    Ok(repo::prune_checks(&mut conn, before).await?)
}

/// Every CNAME target a registered tenant's domain expects (to tell a dangling CNAME from a wrong one).
pub async fn known_targets(conn: &mut PgConnection) -> Result<HashSet<String>, sqlx::Error> {
    Ok(repo::known_targets(conn).await?.into_iter().collect())
}

/// Checks domain `id` at `now` and records the result. Each outcome that changed writes an event and, in the same
/// transaction, its notification update.
pub async fn check(pool: &PgPool, checker: &Checker, id: DomainId, now: DateTime<Utc>) -> Result<(), DomainsError> {
    let (target, known) = {
        let mut conn = pool.acquire().await?;
        let target = repo::check_target(&mut conn, id).await?.ok_or(DomainsError::Gone)?;
        (target, known_targets(&mut conn).await?)
    };
    let txt = model::txt_record(&target.kind, target.txt_name.as_deref(), target.txt_value.as_deref());
    let report = checker.report(&target.host, target.expected_cname.as_deref(), txt, &known, now).await;
    let mut tx = pool.begin().await?;
    repo::save_check(&mut tx, id, &report, now).await?;
    for (change, detail) in model::changes(target.dns_outcome, target.tls_outcome, &report) {
        let event = repo::insert_event(&mut tx, id, now, change, &detail).await?;
        let notice = notice::incoming(&ChangeNotice {
            domain: id,
            host: &target.host,
            tenant: &target.tenant,
            region: target.region.as_deref(),
            event,
            change,
            detail: &detail,
            at: now,
        });
        crate::notifications::record::apply(&mut tx, &notice, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The `LIKE` pattern a search looks for: lower-cased, anywhere, with the wildcards typed dropped.
pub fn search_pattern(q: &str) -> String {
    format!("%{}%", q.to_lowercase().replace(['%', '_'], ""))
}

/// How many pages `total` domains fill (at least one).
pub fn pages_for(total: i64) -> u32 {
    u32::try_from(((total + PER_PAGE - 1) / PER_PAGE).max(1)).unwrap_or(u32::MAX)
}

fn row(r: DomainRecord) -> DomainRow {
    DomainRow {
        advice: model::advice(r.dns_outcome, r.tls_outcome, r.dns_advice, r.tls_advice),
        id: r.id,
        host: r.host,
        tenant_id: r.tenant_id,
        tenant_name: r.tenant_name,
        environment: r.environment,
        primary: r.is_primary,
        status: r.status,
        kind: r.kind,
        dns_outcome: r.dns_outcome,
        tls_outcome: r.tls_outcome,
        days_left: r.tls_days_left,
        checked_at: r.checked_at,
    }
}

/// The list page: a page of the domains `query` asks for, the ones with a problem first, and the findings.
pub async fn list(pool: &PgPool, query: &DomainsQuery, now: DateTime<Utc>) -> Result<DomainList, DomainsError> {
    let filter = ListFilter { search: query.q.as_deref().map(search_pattern), problems: query.show.is_some() };
    let mut conn = pool.acquire().await?;
    let total = repo::count(&mut conn, &filter).await?;
    let pages = pages_for(total);
    let page = query.page.clamp(1, pages);
    let rows = repo::page(&mut conn, &filter, PER_PAGE, PER_PAGE * (i64::from(page) - 1)).await?;
    Ok(DomainList {
        rows: rows.into_iter().map(row).collect(),
        total,
        page,
        pages,
        findings: findings_at(&mut conn, now).await?,
    })
}

/// The domain page: the domain, its last check as a report, Auth0's view and its timeline.
pub async fn detail(pool: &PgPool, id: DomainId) -> Result<DomainDetail, DomainsError> {
    let mut conn = pool.acquire().await?;
    let record = repo::domain(&mut conn, id).await?.ok_or(DomainsError::Gone)?;
    let facts = repo::facts(&mut conn, id).await?.ok_or(DomainsError::Gone)?;
    let events = repo::events(&mut conn, id, EVENTS_SHOWN).await?;
    let (dns_advice, tls_advice) = (record.dns_advice.clone(), record.tls_advice.clone());
    let row = row(record);
    let report = Report {
        host: row.host.clone(),
        expected: facts.expected_cname,
        dns_outcome: row.dns_outcome,
        chain: facts.dns_chain,
        addresses: Vec::new(),
        dns_advice,
        tls_outcome: row.tls_outcome,
        days_left: row.days_left,
        not_after: facts.tls_not_after,
        issuer: facts.tls_issuer,
        names: facts.tls_names,
        tls_advice,
        checked_at: row.checked_at,
    };
    let txt = facts.txt_name.zip(facts.txt_value);
    Ok(DomainDetail { row, report, txt, cert_status: facts.cert_status, renews_before: facts.renews_before, events })
}

/// The ad-hoc check of `host` at `now`, against `expected`, or else the target a registered domain of that host
/// expects.
pub async fn check_host(
    pool: &PgPool,
    checker: &Checker,
    host: &Hostname,
    expected: Option<&Hostname>,
    now: DateTime<Utc>,
) -> Result<Report, DomainsError> {
    let (known, expected) = {
        let mut conn = pool.acquire().await?;
        let known = known_targets(&mut conn).await?;
        let expected = match expected {
            Some(e) => Some(e.as_str().to_string()),
            None => repo::expected_for_host(&mut conn, host.as_str()).await?,
        };
        (known, expected)
    };
    Ok(checker.report(host.as_str(), expected.as_deref(), None, &known, now).await)
}

/// A finding when it has items.
fn finding(title: &str, reasoning: &str, items: Vec<(String, String)>) -> Option<DomainFinding> {
    (!items.is_empty()).then(|| DomainFinding { title: title.into(), reasoning: reasoning.into(), items })
}

fn tenant_link(id: model::TenantId) -> String {
    format!("/tenants/{id}")
}

/// The custom-domain findings over the inventory (the notification watcher sees them appear and clear).
pub async fn findings(pool: &PgPool) -> Result<Vec<DomainFinding>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    findings_at(&mut conn, Utc::now()).await
}

/// The findings at `now` (a domain pending verification for more than a day is stuck).
pub async fn findings_at(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<Vec<DomainFinding>, sqlx::Error> {
    let several = repo::tenants_with_several(conn).await?;
    let no_dev = repo::production_ahead_of_development(conn).await?;
    let bare = repo::production_without_domain(conn).await?;
    let stuck = repo::failed_or_stuck(conn, now - chrono::Duration::days(1)).await?;
    let named = |tenants: Vec<repo::NamedTenant>| tenants.into_iter().map(|t| (tenant_link(t.id), t.name)).collect();
    Ok([
        finding(
            "Tenants with more than one custom domain",
            "The guide expects one custom domain per tenant; several usually mean the tenant serves more than one \
             user domain, which belongs in tenants of their own.",
            several
                .into_iter()
                .map(|t| (tenant_link(t.id), format!("{}: {} custom domains", t.name, t.domains)))
                .collect(),
        ),
        finding(
            "Production has a custom domain, development does not",
            "Create a custom domain in development too, early: login flows, CORS and cookies behave differently on a \
             custom domain, and problems should show before production.",
            named(no_dev),
        ),
        finding(
            "Production tenants without a custom domain",
            "The guide asks for a custom domain on every tenant: users see your name, not auth0.com, and a login \
             page on your own domain is harder to imitate.",
            named(bare),
        ),
        finding(
            "Domains that failed or are stuck in verification",
            "Auth0 marks a domain failed when its verification record is wrong, and leaves it pending while the \
             CNAME is missing or proxied; a wrong or forgotten CNAME breaks login.",
            stuck
                .into_iter()
                .map(|d| (format!("/domains/{}", d.id), format!("{}: {}", d.host, d.status.replace('_', " "))))
                .collect(),
        ),
    ]
    .into_iter()
    .flatten()
    .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_matches_anywhere_without_wildcards_typed() {
        assert_eq!(search_pattern("Login_%ACME"), "%loginacme%");
    }

    #[test]
    fn pages_round_up_and_there_is_always_one() {
        assert_eq!([0, 1, 50, 51, 100, 101].map(pages_for), [1, 1, 1, 2, 2, 3]);
    }
}
