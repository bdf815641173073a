//! A tenant's checklist as CSV (`GET /checklists/{tenant}/export.csv`): one line per item with its standing,
//! verdict, evidence and sign-off, for the review meeting's spreadsheet.

use app::checklists::{ChecklistsPort, ItemRow, TenantChecklist};
use app::error::AppError;
use app::ids::TenantId;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;

use super::port::PgChecklists;
use crate::text::csv_field;

/// The header line.
pub const HEADER: &str = "tenant,environment,area,item,title,severity,standing,verdict,summary,evidence,read_at,\
verdict_since,signed_off_by,signed_off_at,review_by,comment,lapsed_at,lapse_reason\n";

fn line(out: &mut String, c: &TenantChecklist, i: &ItemRow) {
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
    let evidence: Vec<String> =
        i.evidence.iter().map(|e| format!("{} {} = {}", e.endpoint, e.field, e.value)).collect();
    let s = i.sign_off.as_ref();
    let values = [
        c.name.clone(),
        c.environment.as_str().to_string(),
        i.area.clone(),
        i.id.clone(),
        i.title.clone(),
        i.severity.label().to_string(),
        i.standing.label().to_string(),
        i.verdict.as_str().to_string(),
        i.summary.clone(),
        evidence.join("; "),
        time(i.read_at),
        time(i.since),
        s.map(|s| s.by.clone()).unwrap_or_default(),
        time(s.map(|s| s.at)),
        s.map(|s| s.review_by.to_string()).unwrap_or_default(),
        s.map(|s| s.comment.clone()).unwrap_or_default(),
        time(s.and_then(|s| s.lapsed.as_ref().map(|l| l.0))),
        s.and_then(|s| s.lapsed.as_ref().map(|l| l.1.clone())).unwrap_or_default(),
    ];
    for (n, v) in values.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        csv_field(out, v);
    }
    out.push('\n');
}

/// The CSV text of a checklist.
pub fn csv(c: &TenantChecklist) -> String {
    let mut out = String::from(HEADER);
    for i in &c.items {
        line(&mut out, c, i);
    }
    out
}

/// `GET /checklists/{tenant}/export.csv`.
pub async fn download(State(pool): State<PgPool>, Path(tenant): Path<String>) -> Response {
    let answer = match tenant.parse::<TenantId>() {
        Ok(id) => PgChecklists { pool }.tenant(id, 1).await,
        Err(e) => Err(e),
    };
    match answer {
        Ok(c) => {
            let name: String = c.name.chars().filter(|ch| ch.is_ascii_alphanumeric() || *ch == '-').collect();
            let disposition = format!("attachment; filename=\"readiness-{name}.csv\"");
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                csv(&c),
            )
                .into_response()
        }
        Err(e) => {
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let e: AppError = e;
            (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], e.to_string()).into_response()
        }
    }
}
