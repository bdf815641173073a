//! The infrastructure area's rules: reading Auth0's IP list into a new version when it changed (and a notice of
//! what changed), the allow-list for the regions in use, and the email provider verdict of every tenant.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use app::infra::{EmailRow, InfraOverview, RangeRow, SourceState, VersionBrief};
use chrono::{DateTime, Utc};
use ipnet::Ipv4Net;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use super::model::{self, IpList, RegionChange};
use super::repo::{self, NewVersion};
use super::{email, firewall};
use crate::notifications::record::Incoming;
use crate::outbound::{Fetched, Fetcher};

/// What one read of the list did.
#[derive(Debug, PartialEq)]
pub enum Polled {
    /// A first version, or one that differs from the last (with what changed).
    NewVersion {
        id: i64,
        changes: usize,
    },
    Unchanged,
    Failed(String),
}

/// Reads the list at `url` (conditionally), stores a version when it changed and records a notice of the change
/// in the same transaction. A list that cannot be read or parsed marks the source in error and keeps the last
/// good version.
pub async fn poll(pool: &PgPool, fetcher: &Fetcher, url: &str, now: DateTime<Utc>) -> Result<Polled, sqlx::Error> {
    let source = {
        let mut conn = pool.acquire().await?;
        repo::ensure_source(&mut conn, url).await?;
        repo::source(&mut conn).await?
    };
    let (etag, modified) = source.map(|s| (s.etag, s.last_modified)).unwrap_or_default();
    let fetched = fetcher.get(url, Some("application/json"), etag.clone(), modified.clone()).await;
    let mut tx = pool.begin().await?;
    let outcome = match fetched {
        Err(e) => fail(&mut tx, &e, now).await?,
        Ok(Fetched::NotModified) => {
            repo::read_ok(&mut tx, etag.as_deref(), modified.as_deref(), now).await?;
            Polled::Unchanged
        }
        Ok(Fetched::Body { etag, modified, body, .. }) => match model::parse(&body) {
            Err(e) => fail(&mut tx, &e, now).await?,
            Ok(list) => {
                let text = String::from_utf8_lossy(&body).into_owned();
                let outcome = store(&mut tx, &list, &text, now).await?;
                repo::read_ok(&mut tx, etag.as_deref(), modified.as_deref(), now).await?;
                outcome
            }
        },
    };
    tx.commit().await?;
    Ok(outcome)
}

async fn fail(conn: &mut sqlx::PgConnection, error: &str, now: DateTime<Utc>) -> Result<Polled, sqlx::Error> {
    let error = crate::text::cut(error, 500);
    repo::read_failed(conn, error, now).await?;
    Ok(Polled::Failed(error.to_string()))
}

async fn store(
    conn: &mut sqlx::PgConnection,
    list: &IpList,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Polled, sqlx::Error> {
    let sha = hex::encode(Sha256::digest(text.as_bytes()));
    let previous = repo::version(conn, None).await?;
    if previous.as_ref().is_some_and(|p| p.sha256 == sha) {
        return Ok(Polled::Unchanged);
    }
    // A stored body parsed when it was stored; one that no longer parses (a stricter reader) compares as empty.
    let before = previous.as_ref().and_then(|p| model::parse(p.body.as_bytes()).ok());
    let changes = before.as_ref().map(|b| model::diff(b, list)).unwrap_or_default();
    if previous.is_some() && changes.is_empty() {
        // The same ranges under a new timestamp or changelog wording: not a new version.
        return Ok(Polled::Unchanged);
    }
    let summary = changes.iter().map(RegionChange::words).collect::<Vec<_>>().join(" · ");
    let ranges = list.regions.values().map(BTreeSet::len).sum::<usize>();
    let id = repo::insert_version(
        conn,
        &NewVersion {
            fetched_at: now,
            last_updated_at: list.last_updated_at,
            sha256: &sha,
            body: text,
            ranges: i32::try_from(ranges).unwrap_or(i32::MAX),
            summary: &summary,
        },
    )
    .await?;
    if let Some(previous) = previous {
        let tenants = repo::tenants(conn).await?;
        let notice = change_notice(previous.id, id, &changes, &tenants, now);
        crate::notifications::record::apply(conn, &notice, now).await?;
    }
    Ok(Polled::NewVersion { id, changes: changes.len() })
}

/// The notice of one new version: a warning when a region a registered tenant runs in changed, else information.
fn change_notice(
    from: i64,
    to: i64,
    changes: &[RegionChange],
    tenants: &[repo::TenantRow],
    now: DateTime<Utc>,
) -> Incoming {
    let regions: Vec<String> = changes.iter().map(|c| c.region.clone()).collect();
    let affected: Vec<String> = tenants
        .iter()
        .filter(|t| t.region.as_ref().is_some_and(|r| regions.contains(r)))
        .map(|t| t.name.clone())
        .collect();
    Incoming {
        origin: format!("infra:ip_ranges:{to}"),
        source: "console",
        kind: "ip_ranges_changed".into(),
        severity: if affected.is_empty() { "info" } else { "warning" },
        title: format!(
            "Auth0's outbound IP ranges changed ({})",
            regions.iter().map(|r| r.to_ascii_uppercase()).collect::<Vec<_>>().join(", ")
        ),
        body: "Auth0 publishes a change before it takes effect. Update the allow-lists of the firewalls in front of \
               the services Auth0 calls (custom databases, Actions' APIs, SMTP, log-stream endpoints) before the \
               dates given."
            .into(),
        link: Some(format!("/infra?from={from}&to={to}")),
        tenants: affected,
        regions,
        at: now,
        update_origin: format!("infra:ip_version:{to}"),
        text: changes.iter().map(RegionChange::words).collect::<Vec<_>>().join("\n"),
    }
}

/// The regions the registered tenants run in (lower case, sorted).
pub fn regions_in_use(tenants: &[repo::TenantRow]) -> BTreeSet<String> {
    tenants.iter().filter_map(|t| t.region.clone()).collect()
}

/// The ranges of `regions` in the latest good version (`None` before the first read).
pub async fn allow_list(
    pool: &PgPool,
    regions: Option<&BTreeSet<String>>,
) -> Result<Option<BTreeMap<String, BTreeSet<Ipv4Net>>>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let Some(latest) = repo::version(&mut conn, None).await? else { return Ok(None) };
    let Ok(list) = model::parse(latest.body.as_bytes()) else { return Ok(None) };
    let wanted = match regions {
        Some(r) => r.clone(),
        None => regions_in_use(&repo::tenants(&mut conn).await?),
    };
    Ok(Some(list.regions.into_iter().filter(|(r, _)| wanted.contains(r)).collect()))
}

/// Everything `/infra` shows; `compare` = two version ids to diff.
pub async fn overview(pool: &PgPool, compare: Option<(i64, i64)>) -> Result<InfraOverview, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let source = repo::source(&mut conn).await?;
    let tenants = repo::tenants(&mut conn).await?;
    let latest = repo::version(&mut conn, None).await?;
    let versions = repo::versions(&mut conn, 50).await?;
    let mail: HashMap<uuid::Uuid, repo::MailRow> =
        repo::mail_rows(&mut conn).await?.into_iter().map(|m| (m.tenant_id, m)).collect();
    let in_use = regions_in_use(&tenants);
    let list = latest.as_ref().and_then(|v| model::parse(v.body.as_bytes()).ok());
    let mut ranges = Vec::new();
    let mut unlisted = Vec::new();
    if let Some(list) = &list {
        for region in &in_use {
            match list.regions.get(region) {
                Some(set) => {
                    ranges.extend(set.iter().map(|n| RangeRow { region: region.clone(), cidr: n.to_string() }))
                }
                None => unlisted.push(region.clone()),
            }
        }
    }
    let diff = match compare {
        Some((from, to)) => {
            let a = repo::version(&mut conn, Some(from)).await?;
            let b = repo::version(&mut conn, Some(to)).await?;
            match (
                a.and_then(|a| model::parse(a.body.as_bytes()).ok()),
                b.and_then(|b| model::parse(b.body.as_bytes()).ok()),
            ) {
                (Some(a), Some(b)) => Some((from, to, model::diff(&a, &b).iter().map(RegionChange::words).collect())),
                _ => None,
            }
        }
        None => None,
    };
    Ok(InfraOverview {
        source: source.map(|s| SourceState {
            url: s.url,
            last_attempt_at: s.last_attempt_at,
            last_good_at: s.last_good_at,
            error: s.error,
        }),
        last_updated_at: list.as_ref().and_then(|l| l.last_updated_at),
        regions: in_use.into_iter().collect(),
        unlisted_regions: unlisted,
        ranges,
        versions: versions
            .into_iter()
            .map(|v| VersionBrief { id: v.id, fetched_at: v.fetched_at, ranges: v.ranges, summary: v.summary })
            .collect(),
        diff,
        email: tenants.iter().map(|t| email::with_mail(email::row(t), mail.get(&t.id))).collect::<Vec<EmailRow>>(),
        firewall: tenants
            .iter()
            .map(|t| {
                let ranges =
                    list.as_ref().zip(t.region.as_ref()).and_then(|(l, r)| l.regions.get(r)).map(BTreeSet::len);
                firewall::guide(t, ranges)
            })
            .collect(),
    })
}

/// One tenant's email row, `None` for an unknown tenant.
pub async fn tenant_email(pool: &PgPool, tenant: uuid::Uuid) -> Result<Option<EmailRow>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let mail = repo::mail_rows(&mut conn).await?.into_iter().find(|m| m.tenant_id == tenant);
    let row = repo::tenants(&mut conn).await?.into_iter().find(|t| t.id == tenant);
    Ok(row.map(|t| email::with_mail(email::row(&t), mail.as_ref())))
}
