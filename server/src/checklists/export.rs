//! A tenant's checklist as CSV (`GET /checklists/{tenant}/export.csv`), or a user domain's (`GET
//! /checklists/export.csv?user_domain=…`, its tenants development first): one line per tenant and item with its
//! standing, verdict, evidence and sign-off, for the review meeting's spreadsheet.

use app::checklists::{ChecklistsPort, ItemRow, TenantChecklist};
use app::error::AppError;
use app::ids::TenantId;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;

use super::port::PgChecklists;
use super::repo;
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
        Ok(id) => PgChecklists { pool }.tenant(id, None).await,
        Err(e) => Err(e),
    };
    let name = answer.as_ref().map(|c| c.name.clone()).unwrap_or_default();
    respond(answer.map(|c| csv(&c)), &file_name(&name))
}

fn file_name(of: &str) -> String {
    let name: String = of.chars().filter(|ch| ch.is_ascii_alphanumeric() || *ch == '-').collect();
    format!("readiness-{name}.csv")
}

/// The CSV as a download, or the reason there is none with its status.
fn respond(answer: Result<String, AppError>, file_name: &str) -> Response {
    match answer {
        Ok(body) => {
            let disposition = format!("attachment; filename=\"{file_name}\"");
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                body,
            )
                .into_response()
        }
        Err(e) => {
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], e.to_string()).into_response()
        }
    }
}

/// The user domain a domain export is for.
#[derive(serde::Deserialize)]
pub struct DomainQuery {
    pub user_domain: Option<String>,
}

/// `GET /checklists/export.csv?user_domain=…`: every tenant of a user domain, development first, one line per
/// tenant and item.
pub async fn download_domain(State(pool): State<PgPool>, Query(q): Query<DomainQuery>) -> Response {
    let user_domain = q.user_domain.unwrap_or_default().trim().to_lowercase();
    let answer = async {
        if user_domain.is_empty() {
            return Err(AppError::Invalid("Choose a user domain: /checklists/export.csv?user_domain=NAME".into()));
        }
        let mut conn = pool.acquire().await.map_err(|e| crate::db::app_error("checklists", e))?;
        let mut tenants: Vec<_> = repo::tenants(&mut conn, None)
            .await
            .map_err(|e| crate::db::app_error("checklists", e))?
            .into_iter()
            .filter(|t| t.user_domain == user_domain)
            .collect();
        drop(conn);
        if tenants.is_empty() {
            return Err(AppError::NotFound(format!("the user domain {:?}", crate::text::cut(&user_domain, 60))));
        }
        tenants.sort_by_key(|t| (t.environment, t.name.clone()));
        let port = PgChecklists { pool: pool.clone() };
        let mut out = String::from(HEADER);
        for t in tenants {
            let c = port.tenant(t.id, None).await?;
            for i in &c.items {
                line(&mut out, &c, i);
            }
        }
        Ok(out)
    }
    .await;
    respond(answer, &file_name(&user_domain))
}
