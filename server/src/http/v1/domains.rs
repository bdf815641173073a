//! `/api/v1/domains…`: the tenants' custom domains and their DNS and TLS checks, through the domains port.

use app::domains::{DomainDetail, DomainRow, DomainsQuery};
use app::ids::DomainId;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::extract::ApiQuery;
use super::problem::Problem;
use super::{Caller, cursor_from, every_port_page, limit, page_after};
use crate::http::AppState;

/// A custom domain with its latest DNS and TLS verdicts.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CustomDomain {
    pub id: Uuid,
    pub host: String,
    pub tenant_id: Uuid,
    pub tenant_name: String,
    pub environment: String,
    pub primary: bool,
    /// Auth0's status: `pending_verification`, `ready`, `failed`.
    pub status: String,
    /// `auth0_managed_certs` or `self_managed_certs`.
    pub kind: String,
    /// The CNAME check: `ok`, `wrong_target`, `missing`, `timeout`, …
    pub dns: Option<String>,
    /// The certificate check: `ok`, `expiring`, `expired`, `name_mismatch`, …
    pub tls: Option<String>,
    pub certificate_days_left: Option<i32>,
    pub checked_at: Option<DateTime<Utc>>,
    /// What to do, when something is wrong.
    pub advice: Option<String>,
}

impl From<&DomainRow> for CustomDomain {
    fn from(r: &DomainRow) -> CustomDomain {
        CustomDomain {
            id: r.id.0,
            host: r.host.clone(),
            tenant_id: r.tenant_id.0,
            tenant_name: r.tenant_name.clone(),
            environment: r.environment.clone(),
            primary: r.primary,
            status: r.status.clone(),
            kind: r.kind.clone(),
            dns: r.dns_outcome.map(|o| o.as_str().to_string()),
            tls: r.tls_outcome.map(|o| o.as_str().to_string()),
            certificate_days_left: r.days_left,
            checked_at: r.checked_at,
            advice: r.advice.clone(),
        }
    }
}

/// The whole last check of a domain.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DomainCheck {
    /// The CNAME chain as resolved.
    pub chain: Vec<String>,
    pub addresses: Vec<String>,
    /// The target Auth0 expects.
    pub expected: Option<String>,
    pub dns_advice: Option<String>,
    pub certificate_issuer: Option<String>,
    pub certificate_names: Vec<String>,
    pub certificate_not_after: Option<DateTime<Utc>>,
    pub tls_advice: Option<String>,
}

/// A change of a check's verdict.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DomainEvent {
    pub at: DateTime<Utc>,
    pub detail: String,
}

/// A custom domain with its last check and the changes of its verdicts.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CustomDomainDetail {
    pub domain: CustomDomain,
    pub check: DomainCheck,
    /// Newest first.
    pub events: Vec<DomainEvent>,
}

impl From<&DomainDetail> for CustomDomainDetail {
    fn from(d: &DomainDetail) -> CustomDomainDetail {
        CustomDomainDetail {
            domain: CustomDomain::from(&d.row),
            check: DomainCheck {
                chain: d.report.chain.clone(),
                addresses: d.report.addresses.clone(),
                expected: d.report.expected.clone(),
                dns_advice: d.report.dns_advice.clone(),
                certificate_issuer: d.report.issuer.clone(),
                certificate_names: d.report.names.clone(),
                certificate_not_after: d.report.not_after,
                tls_advice: d.report.tls_advice.clone(),
            },
            events: d.events.iter().map(|e| DomainEvent { at: e.at, detail: e.detail.clone() }).collect(),
        }
    }
}

/// One page of custom domains, by host.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DomainPage {
    pub items: Vec<CustomDomain>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters and paging of the custom domains.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DomainListQuery {
    /// 1–200; 50 when absent.
    pub limit: Option<usize>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// `problems`: only domains whose DNS or TLS check is not ok.
    pub show: Option<String>,
}

/// The custom domains by host.
#[utoipa::path(get, path = "/api/v1/domains", tag = "domains", params(DomainListQuery),
    description = "Every tenant's custom domains with their latest DNS and TLS verdicts, by host. Needs the helpdesk \
                   role.",
    responses(
        (status = 200, body = DomainPage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    _: Caller,
    ApiQuery(q): ApiQuery<DomainListQuery>,
) -> Result<Json<DomainPage>, Problem> {
    let limit = limit(q.limit)?;
    let after: Option<(String, Uuid)> = cursor_from(q.cursor.as_deref())?;
    let show = q.show.filter(|s| !s.is_empty());
    if show.as_deref().is_some_and(|s| s != "problems") {
        return Err(Problem::invalid("show must be `problems` or absent"));
    }
    // The port pages for people; read its pages (a few hundred domains at most) and page by host here.
    let rows = every_port_page(|page| {
        let query = DomainsQuery { show: show.clone(), page, ..DomainsQuery::default() };
        let port = state.ports.domains.clone();
        async move { port.list(query).await.map(|l| (l.rows, l.pages)) }
    })
    .await?;
    let (page, next_cursor) = page_after(rows, |r| (r.host.clone(), r.id.0), after, limit);
    Ok(Json(DomainPage { items: page.iter().map(CustomDomain::from).collect(), next_cursor }))
}

fn domain_id(raw: &str) -> Result<DomainId, Problem> {
    raw.parse::<Uuid>().map(DomainId).map_err(|_| Problem::not_found(&format!("no custom domain has the id {raw:?}")))
}

/// One custom domain with its last check.
#[utoipa::path(get, path = "/api/v1/domains/{id}", tag = "domains",
    params(("id" = Uuid, Path, description = "The custom domain's id")),
    description = "One custom domain with its last DNS and TLS check and the changes of its verdicts. Needs the \
                   helpdesk role.",
    responses(
        (status = 200, body = CustomDomainDetail),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = [])))]
pub async fn read(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Json<CustomDomainDetail>, Problem> {
    let detail = state.ports.domains.detail(domain_id(&id)?).await?;
    Ok(Json(CustomDomainDetail::from(&detail)))
}

/// Checks a custom domain now.
#[utoipa::path(post, path = "/api/v1/domains/{id}/check", tag = "domains",
    params(("id" = Uuid, Path, description = "The custom domain's id")),
    description = "Checks the domain's CNAME and certificate now; the answer comes before the check does. Needs the \
                   developer role.",
    responses(
        (status = 202, description = "The check is scheduled"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = [])))]
pub async fn check(State(state): State<AppState>, _: Caller, Path(id): Path<String>) -> Result<StatusCode, Problem> {
    state.ports.domains.check_now(domain_id(&id)?).await?;
    Ok(StatusCode::ACCEPTED)
}
