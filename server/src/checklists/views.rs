//! The pure assembly of the checklist pages from the repo's rows: items in the catalog's words with their verdict,
//! evidence and sign-off, grouped by area of the guide (what needs doing first within each), and the counts.

use std::collections::HashMap;

use app::checklists::{Counts, DomainMatrix, HistoryRow, ItemRow, MatrixRow, OverviewRow, SignOff, Standing, Verdict};

use super::catalog;
use super::model::AREAS;
use super::repo::{HistoryLine, SignOffRow, VerdictRow};
use super::service::evidence_of;

/// Where an area of the guide comes in the pages' order.
fn area_rank(area: &str) -> usize {
    AREAS.iter().position(|x| *x == area).unwrap_or(AREAS.len())
}

/// A sign-off as pages show it.
fn sign_off(s: &SignOffRow) -> SignOff {
    SignOff {
        by: s.signed_by.clone(),
        at: s.signed_at,
        comment: s.comment.clone(),
        review_by: s.review_by,
        lapsed: s.lapsed_at.map(|at| (at, s.lapse_reason.clone().unwrap_or_default())),
    }
}

/// Every catalog item of one tenant (an item never evaluated is unknown), by area of the guide, then standing
/// (failures first), then severity.
pub fn items(verdicts: &[VerdictRow], sign_offs: &[SignOffRow]) -> Vec<ItemRow> {
    let verdicts: HashMap<&str, &VerdictRow> = verdicts.iter().map(|v| (v.item.as_str(), v)).collect();
    let signed: HashMap<&str, &SignOffRow> = sign_offs.iter().map(|s| (s.item.as_str(), s)).collect();
    let mut rows: Vec<ItemRow> = catalog::ITEMS
        .iter()
        .map(|item| {
            let v = verdicts.get(item.id);
            let verdict = v.map_or(Verdict::Unknown, |v| v.verdict);
            let sign_off = signed.get(item.id).map(|s| sign_off(s));
            ItemRow {
                id: item.id.to_string(),
                title: item.title.to_string(),
                why: item.why.to_string(),
                area: item.area.to_string(),
                severity: item.severity,
                manual: item.manual,
                verdict,
                standing: Standing::of(verdict, sign_off.as_ref()),
                summary: v.map_or_else(|| "Not evaluated yet.".to_string(), |v| v.summary.clone()),
                evidence: v.map(|v| evidence_of(&v.evidence)).unwrap_or_default(),
                read_at: v.and_then(|v| v.read_at),
                since: v.map(|v| v.since),
                todo: item.todo.to_string(),
                sign_off,
            }
        })
        .collect();
    rows.sort_by_key(|r| (area_rank(&r.area), r.standing.rank(), r.severity));
    rows
}

/// How the items stand.
pub fn counts(items: &[ItemRow]) -> Counts {
    let mut counts = Counts::default();
    for i in items {
        counts.add(i.standing, i.severity);
    }
    counts
}

/// History lines in the catalog's words.
pub fn history(lines: Vec<HistoryLine>) -> Vec<HistoryRow> {
    lines
        .into_iter()
        .map(|h| HistoryRow {
            id: h.id,
            title: catalog::ITEMS
                .iter()
                .find(|i| i.id == h.item)
                .map_or_else(|| h.item.clone(), |i| i.title.to_string()),
            at: h.at,
            tenant: h.tenant_id,
            tenant_name: h.tenant_name,
            item: h.item,
            kind: h.kind,
            verdict: h.verdict,
            summary: h.summary,
            actor: h.actor,
        })
        .collect()
}

/// A user domain's tenants side by side (in the order given), one row per item in catalog order by area.
pub fn matrix(user_domain: String, tenants: &[(OverviewRow, Vec<ItemRow>)]) -> DomainMatrix {
    let mut rows: Vec<MatrixRow> = catalog::ITEMS
        .iter()
        .map(|item| MatrixRow {
            id: item.id.to_string(),
            title: item.title.to_string(),
            area: item.area.to_string(),
            severity: item.severity,
            cells: tenants
                .iter()
                .map(|(_, items)| {
                    items
                        .iter()
                        .find(|i| i.id == item.id)
                        .map_or((Standing::Unknown, "Not evaluated yet.".to_string()), |i| {
                            (i.standing, i.summary.clone())
                        })
                })
                .collect(),
        })
        .collect();
    rows.sort_by_key(|r| (area_rank(&r.area), r.severity));
    DomainMatrix {
        user_domain,
        tenants: tenants.iter().map(|(r, _)| (r.tenant, r.name.clone(), r.environment)).collect(),
        rows,
    }
}
