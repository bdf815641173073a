//! `/api/v1/tenants…` and `/api/v1/findings`: the registry through the tenants port, as the pages use it.

use app::ids::TenantId;
use app::tenants::InventoryQuery;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::extract::{ApiJson, ApiQuery};
use super::problem::Problem;
use super::types::{Finding, NewTenant, Tenant, TenantDetail, TenantListQuery, TenantPage};
use super::{Caller, cursor_from, limit, page_after};
use crate::http::AppState;

/// A tenant id from the path; anything else is "not found".
pub(super) fn tenant_id(raw: &str) -> Result<TenantId, Problem> {
    raw.parse::<Uuid>().map(TenantId).map_err(|_| Problem::not_found(&format!("no tenant has the id {raw:?}")))
}

/// Tenants by name, a page at a time.
#[utoipa::path(get, path = "/api/v1/tenants", tag = "tenants", params(TenantListQuery),
    description = "Registered tenants by name, a page at a time. Needs the developer role.",
    responses(
        (status = 200, description = "A page of tenants", body = TenantPage),
        (status = 400, description = "A filter, limit or cursor is not valid", body = Problem,
            content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    _: Caller,
    ApiQuery(q): ApiQuery<TenantListQuery>,
) -> Result<Json<TenantPage>, Problem> {
    let limit = limit(q.limit)?;
    let after: Option<(String, Uuid)> = cursor_from(q.cursor.as_deref())?;
    let environment = match q.environment.as_deref().filter(|e| !e.is_empty()) {
        Some(raw) => Some(app::tenants::Environment::parse(raw).map_err(|e| Problem::invalid(&e))?),
        None => None,
    };
    let cells = state.ports.tenants.tenants().await?;
    let matching = cells.into_iter().filter(|c| environment.is_none_or(|e| c.environment == e)).collect();
    let (page, next_cursor) = page_after(matching, |c| (c.name.clone(), c.id.0), after, limit);
    Ok(Json(TenantPage { items: page.iter().map(Tenant::from).collect(), next_cursor }))
}

/// Registers a tenant, checked as the console's form checks it; the console reads it from Auth0 at once.
#[utoipa::path(post, path = "/api/v1/tenants", tag = "tenants", request_body = NewTenant,
    description = "Registers a tenant with the same checks and messages as the console's form, and reads it from \
                   Auth0 at once. Needs the developer role. The audit log records who (the token's user) did it.",
    responses(
        (status = 201, description = "Registered; `Location` names it", body = Tenant,
            headers(("location" = String, description = "The tenant's URL"))),
        (status = 400, description = "A field is not valid (the detail says which)", body = Problem,
            content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = [])))]
pub async fn add(
    State(state): State<AppState>,
    Caller(by): Caller,
    ApiJson(new): ApiJson<NewTenant>,
) -> Result<Response, Problem> {
    let id = state.ports.tenants.add(&by, new.into()).await?;
    let detail = state.ports.tenants.detail(id).await?;
    let location = format!("/api/v1/tenants/{id}");
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(Tenant::from(&detail.cell))).into_response())
}

/// One tenant with its latest snapshot's facts, recent changes and findings.
#[utoipa::path(get, path = "/api/v1/tenants/{id}", tag = "tenants",
    params(("id" = Uuid, Path, description = "The tenant's id")),
    description = "One tenant with its recent changes and findings. Needs the developer role.",
    responses(
        (status = 200, body = TenantDetail),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = [])))]
pub async fn read(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Json<TenantDetail>, Problem> {
    let detail = state.ports.tenants.detail(tenant_id(&id)?).await?;
    Ok(Json(TenantDetail::from(&detail)))
}

/// Reads the tenant from Auth0 now (the snapshot job runs at once).
#[utoipa::path(post, path = "/api/v1/tenants/{id}/refresh", tag = "tenants",
    params(("id" = Uuid, Path, description = "The tenant's id")),
    description = "Asks for a new snapshot now; the answer comes before the snapshot does. Needs the developer role.",
    responses(
        (status = 202, description = "The snapshot is scheduled"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = [])))]
pub async fn refresh(State(state): State<AppState>, _: Caller, Path(id): Path<String>) -> Result<StatusCode, Problem> {
    state.ports.tenants.refresh(tenant_id(&id)?).await?;
    Ok(StatusCode::ACCEPTED)
}

/// What the operations guide asks that the registry does not meet.
#[utoipa::path(get, path = "/api/v1/findings", tag = "tenants",
    description = "The registry's findings (missing SDLC companions, naming, association, paid-feature limit…). \
                   Needs the developer role.",
    responses(
        (status = 200, body = Vec<Finding>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = [])))]
pub async fn findings(State(state): State<AppState>, _: Caller) -> Result<Json<Vec<Finding>>, Problem> {
    let inventory = state.ports.tenants.inventory(InventoryQuery::default()).await?;
    Ok(Json(inventory.findings.iter().map(Finding::from).collect()))
}
