//! The checklist's rules of record: evaluating a tenant on its latest snapshot (verdict changes into the history,
//! sign-offs whose evidence changed lapse, a required item turning to fail on a production tenant becomes a
//! notice), sign-offs by ops leads, and sign-offs lapsing when their review date passes (with a notice two weeks
//! before). Each writes its audit entry and its notice in the transaction that makes the change.

use std::collections::HashMap;

use app::checklists::{Evidence, Severity, Verdict};
use app::error::AppError;
use app::ids::TenantId;
use app::tenants::Environment;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};

use super::model::{Facts, Finding, LogFacts, SyntheticFacts};
use super::repo::{self, NewHistory, SignOffRow, TenantRow, VerdictRow};
use super::{catalog, rules};
use crate::accounts::audit::{self, Action, Actor};
use crate::notifications::history::record::{self, Incoming};

/// How long before its review date a sign-off's "review due" notice goes out.
pub const DUE_NOTICE_DAYS: i64 = 14;
/// A tenant is evaluated again at least this often (its log and monitoring facts change without a new snapshot).
pub const EVALUATE_EVERY: Duration = Duration::hours(1);
/// The longest sign-off comment.
pub const MAX_COMMENT: usize = 2_000;
/// A sign-off is reviewed again within two years.
pub const MAX_REVIEW_DAYS: i64 = 730;

/// The evidence as stored, and its hash (what a sign-off holds on to).
pub fn stored(evidence: &[Evidence]) -> (Value, String) {
    let value = Value::Array(
        evidence
            .iter()
            .map(|e| serde_json::json!({"endpoint": e.endpoint, "field": e.field, "value": e.value}))
            .collect(),
    );
    let hash = hex::encode(Sha256::digest(value.to_string().as_bytes()));
    (value, hash)
}

/// Evidence as stored, read back (a row Tenantry cannot read is left out).
pub fn evidence_of(value: &Value) -> Vec<Evidence> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some(Evidence {
                endpoint: e["endpoint"].as_str()?.to_string(),
                field: e["field"].as_str()?.to_string(),
                value: e["value"].as_str()?.to_string(),
            })
        })
        .collect()
}

/// What changed between the evidence signed off and the evidence now, in words.
pub fn evidence_change(before: &[Evidence], now: &[Evidence]) -> String {
    let changed = before.iter().zip(now).find(|(b, n)| b != n);
    match changed {
        Some((b, n)) if b.field == n.field => format!("{} was {}, now {}", b.field, b.value, n.value),
        Some((b, n)) => format!("{} ({}) is now {} ({})", b.field, b.value, n.field, n.value),
        None if now.len() > before.len() => {
            let n = &now[before.len()];
            format!("{} ({}) was added", n.field, n.value)
        }
        None => before
            .get(now.len())
            .map_or("the evidence changed".into(), |b| format!("{} ({}) is gone", b.field, b.value)),
    }
}

/// What the logs and monitoring areas know of a tenant.
async fn outside_facts(
    conn: &mut PgConnection,
    tenant: TenantId,
    now: DateTime<Utc>,
) -> Result<(LogFacts, SyntheticFacts), sqlx::Error> {
    let newest_event = crate::logs::repo::search::newest_event(conn, tenant).await?;
    let limits = crate::logs::repo::minutes::limit_events(
        conn,
        Some(tenant),
        now - Duration::days(30),
        now + Duration::minutes(1),
        200,
    )
    .await?;
    let week = now - Duration::days(7);
    let mut by_client: HashMap<&str, i64> = HashMap::new();
    let mut logs = LogFacts { newest_event, ..LogFacts::default() };
    for l in &limits {
        if l.code.starts_with("api_limit") && l.last >= week {
            logs.limit_events_7d += l.events;
            *by_client.entry(l.client.as_str()).or_default() += l.events;
        } else if l.code == "depnote" {
            logs.depnotes_30d += l.events;
        }
    }
    logs.top_limit_client = by_client
        .into_iter()
        .filter(|(c, _)| !c.is_empty())
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(c, _)| c.to_string());
    let s = crate::monitoring::repo::views::synthetic_logins(conn, tenant).await?;
    let synthetic = SyntheticFacts {
        checks: u32::try_from(s.checks).unwrap_or(u32::MAX),
        shortest_interval_s: s.shortest_interval_s.map(i64::from),
        last_success: s.last_success,
    };
    Ok((logs, synthetic))
}

/// What one evaluation did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evaluated {
    /// Items whose verdict changed (every item on the first evaluation).
    pub changed: usize,
    /// Sign-offs that lapsed because their evidence changed.
    pub lapsed: usize,
    /// Notices recorded.
    pub notices: usize,
}

/// Evaluates one tenant on its latest snapshot at `now`.
pub async fn evaluate(pool: &PgPool, t: &TenantRow, now: DateTime<Utc>) -> Result<Evaluated, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let data = match t.snapshot_id {
        Some(id) => repo::snapshot(&mut conn, id).await?,
        None => None,
    };
    let (logs, synthetic) = outside_facts(&mut conn, t.id, now).await?;
    drop(conn);
    let facts = Facts { snapshot: data.as_ref(), environment: t.environment, logs, synthetic, now };
    let findings = rules::evaluate(&facts);
    let mut tx = pool.begin().await?;
    let before: HashMap<String, VerdictRow> =
        repo::verdicts(&mut tx, Some(t.id)).await?.into_iter().map(|v| (v.item.clone(), v)).collect();
    let signed: HashMap<String, SignOffRow> =
        repo::sign_offs(&mut tx, Some(t.id)).await?.into_iter().map(|s| (s.item.clone(), s)).collect();
    let mut done = Evaluated::default();
    for f in &findings {
        let (evidence, evidence_hash) = stored(&f.evidence);
        let previous = before.get(f.item);
        if previous.map(|p| p.verdict) != Some(f.verdict) {
            done.changed += 1;
            let kind = if previous.is_some() { "verdict" } else { "first" };
            let h = NewHistory {
                tenant: t.id,
                item: f.item,
                at: now,
                kind,
                verdict: Some(f.verdict),
                summary: &f.summary,
                actor: None,
            };
            repo::add_history(&mut tx, &h).await?;
            if let Some(p) = previous
                && t.environment == Environment::Production
            {
                done.notices += required_failing(&mut tx, t, f, p, now).await?;
            }
        }
        if let Some(s) = signed.get(f.item).filter(|s| s.lapsed_at.is_none() && s.evidence_hash != evidence_hash) {
            let why = format!(
                "The evidence changed since the sign-off: {}",
                evidence_change(&evidence_of(&s.evidence), &f.evidence)
            );
            if lapse(&mut tx, t, f.item, &why, now).await? {
                done.lapsed += 1;
            }
        }
        let row = VerdictRow {
            tenant_id: t.id,
            item: f.item.to_string(),
            verdict: f.verdict,
            summary: f.summary.clone(),
            evidence,
            evidence_hash,
            read_at: t.snapshot_at,
            since: now,
        };
        repo::save_verdict(&mut tx, &row).await?;
    }
    let items: Vec<String> = findings.iter().map(|f| f.item.to_string()).collect();
    repo::drop_other_items(&mut tx, t.id, &items).await?;
    repo::mark_evaluated(&mut tx, t.id, t.snapshot_id, now).await?;
    tx.commit().await?;
    Ok(done)
}

/// A required item on a production tenant turned to fail (a notice), or stopped failing (its resolution).
async fn required_failing(
    conn: &mut PgConnection,
    t: &TenantRow,
    f: &Finding,
    previous: &VerdictRow,
    now: DateTime<Utc>,
) -> Result<usize, sqlx::Error> {
    let Some(item) = catalog::ITEMS.iter().find(|i| i.id == f.item).filter(|i| i.severity == Severity::Required) else {
        return Ok(0);
    };
    let (origin, state, severity, text) = if f.verdict == Verdict::Fail {
        let origin = format!("checklists:failing:{}:{}:{}", t.id, item.id, now.timestamp());
        (origin, "found", "warning", format!("{} — {}", f.summary, item.todo))
    } else if previous.verdict == Verdict::Fail {
        let origin = format!("checklists:failing:{}:{}:{}", t.id, item.id, previous.since.timestamp());
        (origin, "resolved", "info", format!("Resolved: {}", f.summary))
    } else {
        return Ok(0);
    };
    let notice = Incoming {
        update_origin: format!("{origin}:{state}"),
        origin,
        source: "console",
        kind: "readiness_required_failing".into(),
        severity,
        title: format!("{}: required readiness item failing: {}", t.name, item.title),
        body: String::new(),
        link: Some(format!("/checklists/{}#{}", t.id, item.id)),
        tenants: vec![t.name.clone()],
        regions: Vec::new(),
        at: now,
        text,
    };
    record::apply(conn, &notice, now).await?;
    Ok(1)
}

/// Lapses a sign-off that holds (history and audit log); `false` when there was none.
async fn lapse(
    conn: &mut PgConnection,
    t: &TenantRow,
    item: &str,
    why: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    if !repo::lapse(conn, t.id, item, now, why).await? {
        return Ok(false);
    }
    let h = NewHistory { tenant: t.id, item, at: now, kind: "lapsed", verdict: None, summary: why, actor: None };
    repo::add_history(conn, &h).await?;
    let target = format!("{}/{item}", t.name);
    audit::record(conn, &Actor::Console, Action::ChecklistSignOffLapsed, &target, "", why).await?;
    Ok(true)
}

/// What one pass over the review dates did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reviewed {
    pub lapsed: usize,
    pub due_notices: usize,
}

/// Lapses sign-offs whose review date passed, and records a notice for those coming due within two weeks.
pub async fn review_dates(pool: &PgPool, now: DateTime<Utc>) -> Result<Reviewed, sqlx::Error> {
    let today = now.date_naive();
    let mut conn = pool.acquire().await?;
    let holding: Vec<SignOffRow> =
        repo::sign_offs(&mut conn, None).await?.into_iter().filter(|s| s.lapsed_at.is_none()).collect();
    let tenants: HashMap<TenantId, TenantRow> =
        repo::tenants(&mut conn, None).await?.into_iter().map(|t| (t.id, t)).collect();
    drop(conn);
    let mut done = Reviewed::default();
    for s in holding {
        let Some(t) = tenants.get(&s.tenant_id) else { continue };
        let title = catalog::ITEMS.iter().find(|i| i.id == s.item).map_or(s.item.as_str(), |i| i.title);
        let mut tx = pool.begin().await?;
        if s.review_by < today {
            let why = format!("The review date {} passed", s.review_by);
            if lapse(&mut tx, t, &s.item, &why, now).await? {
                done.lapsed += 1;
            }
        } else if !s.due_noticed && (s.review_by - today).num_days() <= DUE_NOTICE_DAYS {
            let origin = format!("checklists:review:{}:{}:{}", t.id, s.item, s.review_by);
            let notice = Incoming {
                update_origin: format!("{origin}:due"),
                origin,
                source: "console",
                kind: "readiness_review_due".into(),
                severity: "info",
                title: format!("{}: readiness review due by {}: {title}", t.name, s.review_by),
                body: String::new(),
                link: Some(format!("/checklists/{}#{}", t.id, s.item)),
                tenants: vec![t.name.clone()],
                regions: Vec::new(),
                at: now,
                text: format!(
                    "{} signed this item off on {} ({}). Review it and sign it off again by {}, or it lapses.",
                    s.signed_by,
                    s.signed_at.format("%Y-%m-%d"),
                    crate::text::cut(&s.comment, 200),
                    s.review_by
                ),
            };
            record::apply(&mut tx, &notice, now).await?;
            repo::due_noticed(&mut tx, t.id, &s.item).await?;
            done.due_notices += 1;
        }
        tx.commit().await?;
    }
    Ok(done)
}

/// A sign-off as the form sends it.
pub struct SignOffForm<'a> {
    pub item: &'a str,
    pub comment: &'a str,
    pub review_by: &'a str,
}

/// Checks a sign-off form against today and the item's current verdict.
pub fn check_form(
    f: &SignOffForm<'_>,
    verdict: Option<Verdict>,
    today: NaiveDate,
) -> Result<(String, NaiveDate), AppError> {
    let item = catalog::ITEMS
        .iter()
        .find(|i| i.id == f.item)
        .ok_or_else(|| AppError::Invalid(format!("There is no checklist item {:?}.", crate::text::cut(f.item, 80))))?;
    if !item.manual {
        return Err(AppError::Invalid(format!(
            "“{}” is decided by what Auth0 answers; it cannot be signed off.",
            item.title
        )));
    }
    if verdict == Some(Verdict::NotApplicable) {
        return Err(AppError::Invalid(format!(
            "“{}” does not apply to this tenant; there is nothing to sign off.",
            item.title
        )));
    }
    let comment = f.comment.trim();
    if comment.is_empty() {
        return Err(AppError::Invalid("Write a comment: what you checked and where the proof is.".into()));
    }
    if comment.chars().count() > MAX_COMMENT {
        return Err(AppError::Invalid(format!("The comment is longer than {MAX_COMMENT} characters; shorten it.")));
    }
    let review_by = NaiveDate::parse_from_str(f.review_by.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::Invalid(format!(
            "{:?} is not a date: write the review date as YYYY-MM-DD.",
            crate::text::cut(f.review_by, 40)
        ))
    })?;
    if review_by < today || (review_by - today).num_days() > MAX_REVIEW_DAYS {
        return Err(AppError::Invalid(format!(
            "The review date must be between today ({today}) and two years from now."
        )));
    }
    Ok((comment.to_string(), review_by))
}

/// Signs off a manual item with the evidence it shows now.
pub async fn sign_off(
    pool: &PgPool,
    actor: &Actor,
    client_ip: &str,
    tenant: TenantId,
    form: &SignOffForm<'_>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await.map_err(db_error)?;
    let t = repo::tenants(&mut tx, Some(tenant))
        .await
        .map_err(db_error)?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound("the tenant".into()))?;
    let current =
        repo::verdicts(&mut tx, Some(tenant)).await.map_err(db_error)?.into_iter().find(|v| v.item == form.item);
    let (comment, review_by) = check_form(form, current.as_ref().map(|v| v.verdict), now.date_naive())?;
    let (evidence, evidence_hash) = match &current {
        Some(v) => (v.evidence.clone(), v.evidence_hash.clone()),
        None => stored(&[]),
    };
    let row = SignOffRow {
        tenant_id: tenant,
        item: form.item.to_string(),
        signed_by: actor.label(),
        signed_at: now,
        comment: comment.clone(),
        review_by,
        evidence,
        evidence_hash,
        lapsed_at: None,
        lapse_reason: None,
        due_noticed: false,
    };
    repo::sign_off(&mut tx, &row).await.map_err(db_error)?;
    let summary = format!("Signed off until {review_by}: {comment}");
    let label = actor.label();
    let h = NewHistory {
        tenant,
        item: form.item,
        at: now,
        kind: "signed_off",
        verdict: None,
        summary: &summary,
        actor: Some(&label),
    };
    repo::add_history(&mut tx, &h).await.map_err(db_error)?;
    let target = format!("{}/{}", t.name, form.item);
    audit::record(&mut tx, actor, Action::ChecklistSignedOff, &target, client_ip, &format!("review by {review_by}"))
        .await
        .map_err(db_error)?;
    tx.commit().await.map_err(db_error)?;
    Ok(())
}

fn db_error(e: sqlx::Error) -> AppError {
    crate::db::app_error("checklists", e)
}
