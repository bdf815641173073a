//! All of the checklists area's SQL. Reads the tenant registry and its latest snapshot (the one cross-area read
//! allowed in SQL); facts of other areas come through their repos (`service::facts`).

use app::checklists::Verdict;
use app::ids::TenantId;
use app::tenants::Environment;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sqlx::PgConnection;

/// A tenant as the checklist shows it, with its latest snapshot's id and time.
#[derive(Clone, Debug)]
pub struct TenantRow {
    pub id: TenantId,
    pub name: String,
    pub environment: Environment,
    pub user_domain: String,
    pub snapshot_id: Option<i64>,
    pub snapshot_at: Option<DateTime<Utc>>,
    pub evaluated_at: Option<DateTime<Utc>>,
    pub evaluated_snapshot: Option<i64>,
    /// When the registry entry last changed (its environment decides some verdicts).
    pub updated_at: DateTime<Utc>,
}

/// Every tenant by name, or one.
pub async fn tenants(conn: &mut PgConnection, only: Option<TenantId>) -> Result<Vec<TenantRow>, sqlx::Error> {
    sqlx::query_as!(
        TenantRow,
        r#"SELECT t.id AS "id: TenantId", t.name, t.environment AS "environment: Environment", t.user_domain,
                s.id AS "snapshot_id?", s.taken_at AS "snapshot_at?: DateTime<Utc>",
                e.evaluated_at AS "evaluated_at?: DateTime<Utc>", e.snapshot_id AS "evaluated_snapshot?",
                t.updated_at AS "updated_at: DateTime<Utc>"
           FROM tenants t
           LEFT JOIN LATERAL (SELECT id, taken_at FROM tenants_snapshots
                               WHERE tenant_id = t.id ORDER BY taken_at DESC, id DESC LIMIT 1) s ON true
           LEFT JOIN checklists_evaluated e ON e.tenant_id = t.id
          WHERE $1::uuid IS NULL OR t.id = $1
          ORDER BY t.name"#,
        only.map(|t| t.0)
    )
    .fetch_all(conn)
    .await
}

/// A snapshot's data.
pub async fn snapshot(conn: &mut PgConnection, id: i64) -> Result<Option<Value>, sqlx::Error> {
    sqlx::query_scalar!("SELECT data FROM tenants_snapshots WHERE id = $1", id).fetch_optional(conn).await
}

/// A tenant's current verdict of one item.
#[derive(Clone, Debug)]
pub struct VerdictRow {
    pub tenant_id: TenantId,
    pub item: String,
    pub verdict: Verdict,
    pub summary: String,
    pub evidence: Value,
    pub evidence_hash: String,
    pub read_at: Option<DateTime<Utc>>,
    pub since: DateTime<Utc>,
}

/// The current verdicts of one tenant, or of every tenant.
pub async fn verdicts(conn: &mut PgConnection, tenant: Option<TenantId>) -> Result<Vec<VerdictRow>, sqlx::Error> {
    sqlx::query_as!(
        VerdictRow,
        r#"SELECT tenant_id AS "tenant_id: TenantId", item, verdict AS "verdict: Verdict", summary, evidence,
                  evidence_hash, read_at AS "read_at: DateTime<Utc>", since AS "since: DateTime<Utc>"
             FROM checklists_verdicts WHERE $1::uuid IS NULL OR tenant_id = $1"#,
        tenant.map(|t| t.0)
    )
    .fetch_all(conn)
    .await
}

/// Stores an item's verdict (`since` is kept when the verdict did not change).
pub async fn save_verdict(conn: &mut PgConnection, v: &VerdictRow) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO checklists_verdicts (tenant_id, item, verdict, summary, evidence, evidence_hash, read_at, since)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tenant_id, item) DO UPDATE SET verdict = EXCLUDED.verdict, summary = EXCLUDED.summary,
             evidence = EXCLUDED.evidence, evidence_hash = EXCLUDED.evidence_hash, read_at = EXCLUDED.read_at,
             since = CASE WHEN checklists_verdicts.verdict = EXCLUDED.verdict THEN checklists_verdicts.since
                          ELSE EXCLUDED.since END",
        v.tenant_id.0,
        v.item,
        v.verdict as _,
        v.summary,
        v.evidence,
        v.evidence_hash,
        v.read_at as _,
        v.since as _,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Drops verdicts of items the catalog no longer has.
pub async fn drop_other_items(conn: &mut PgConnection, tenant: TenantId, keep: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM checklists_verdicts WHERE tenant_id = $1 AND NOT (item = ANY($2))", tenant.0, keep)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records which snapshot the tenant was evaluated on.
pub async fn mark_evaluated(
    conn: &mut PgConnection,
    tenant: TenantId,
    snapshot: Option<i64>,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO checklists_evaluated (tenant_id, snapshot_id, evaluated_at) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id) DO UPDATE SET snapshot_id = EXCLUDED.snapshot_id, evaluated_at = EXCLUDED.evaluated_at",
        tenant.0,
        snapshot,
        at as _,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One entry of the history.
pub struct NewHistory<'a> {
    pub tenant: TenantId,
    pub item: &'a str,
    pub at: DateTime<Utc>,
    pub kind: &'a str,
    pub verdict: Option<Verdict>,
    pub summary: &'a str,
    pub actor: Option<&'a str>,
}

pub async fn add_history(conn: &mut PgConnection, h: &NewHistory<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO checklists_history (tenant_id, item, at, kind, verdict, summary, actor)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        h.tenant.0,
        h.item,
        h.at as _,
        h.kind,
        h.verdict as _,
        h.summary,
        h.actor,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A history entry as pages show it.
#[derive(Clone, Debug)]
pub struct HistoryLine {
    pub id: i64,
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub item: String,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub verdict: Option<Verdict>,
    pub summary: String,
    pub actor: Option<String>,
}

/// A page of history, newest first: one tenant's, or every tenant's since `since` (changes only: no first verdicts);
/// `before` = the last entry of the page before (keyset paging).
pub async fn history(
    conn: &mut PgConnection,
    tenant: Option<TenantId>,
    since: Option<DateTime<Utc>>,
    limit: i64,
    before: Option<i64>,
) -> Result<Vec<HistoryLine>, sqlx::Error> {
    sqlx::query_as!(
        HistoryLine,
        r#"SELECT h.id, h.tenant_id AS "tenant_id: TenantId", t.name AS tenant_name, h.item, h.at AS "at: DateTime<Utc>",
                  h.kind, h.verdict AS "verdict: Verdict", h.summary, h.actor
             FROM checklists_history h JOIN tenants t ON t.id = h.tenant_id
            WHERE ($1::uuid IS NULL OR h.tenant_id = $1)
              AND ($2::timestamptz IS NULL OR (h.at >= $2 AND h.kind <> 'first'))
              AND ($4::bigint IS NULL OR (h.at, h.id) < (SELECT b.at, b.id FROM checklists_history b WHERE b.id = $4))
            ORDER BY h.at DESC, h.id DESC LIMIT $3"#,
        tenant.map(|t| t.0),
        since as _,
        limit,
        before,
    )
    .fetch_all(conn)
    .await
}

/// A sign-off as stored.
#[derive(Clone, Debug)]
pub struct SignOffRow {
    pub tenant_id: TenantId,
    pub item: String,
    pub signed_by: String,
    pub signed_at: DateTime<Utc>,
    pub comment: String,
    pub review_by: NaiveDate,
    pub evidence: Value,
    pub evidence_hash: String,
    pub lapsed_at: Option<DateTime<Utc>>,
    pub lapse_reason: Option<String>,
    pub due_noticed: bool,
}

/// The sign-offs of one tenant, or of every tenant.
pub async fn sign_offs(conn: &mut PgConnection, tenant: Option<TenantId>) -> Result<Vec<SignOffRow>, sqlx::Error> {
    sqlx::query_as!(
        SignOffRow,
        r#"SELECT tenant_id AS "tenant_id: TenantId", item, signed_by, signed_at AS "signed_at: DateTime<Utc>", comment,
                  review_by AS "review_by: NaiveDate", evidence, evidence_hash, lapsed_at AS "lapsed_at: DateTime<Utc>", lapse_reason, due_noticed
             FROM checklists_signoffs WHERE $1::uuid IS NULL OR tenant_id = $1"#,
        tenant.map(|t| t.0)
    )
    .fetch_all(conn)
    .await
}

/// Stores a new sign-off of an item (replacing an earlier one).
pub async fn sign_off(conn: &mut PgConnection, s: &SignOffRow) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO checklists_signoffs (tenant_id, item, signed_by, signed_at, comment, review_by, evidence,
                                          evidence_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tenant_id, item) DO UPDATE SET signed_by = EXCLUDED.signed_by, signed_at = EXCLUDED.signed_at,
             comment = EXCLUDED.comment, review_by = EXCLUDED.review_by, evidence = EXCLUDED.evidence,
             evidence_hash = EXCLUDED.evidence_hash, lapsed_at = NULL, lapse_reason = NULL, due_noticed = false",
        s.tenant_id.0,
        s.item,
        s.signed_by,
        s.signed_at as _,
        s.comment,
        s.review_by as _,
        s.evidence,
        s.evidence_hash,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Lapses a sign-off that still holds; `false` when it had lapsed already.
pub async fn lapse(
    conn: &mut PgConnection,
    tenant: TenantId,
    item: &str,
    at: DateTime<Utc>,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE checklists_signoffs SET lapsed_at = $3, lapse_reason = $4
          WHERE tenant_id = $1 AND item = $2 AND lapsed_at IS NULL",
        tenant.0,
        item,
        at as _,
        reason,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Marks that the "review coming due" notice of a sign-off was recorded.
pub async fn due_noticed(conn: &mut PgConnection, tenant: TenantId, item: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE checklists_signoffs SET due_noticed = true WHERE tenant_id = $1 AND item = $2",
        tenant.0,
        item
    )
    .execute(conn)
    .await?;
    Ok(())
}
