//! The custom-domain server functions: resolve the actor, call the port.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::DomainsPort;
use super::{DomainDetail, DomainList, DomainsQuery, Report};
use crate::accounts::Role;
use crate::error::AppError;
use crate::ids::DomainId;

#[cfg(feature = "ssr")]
fn port() -> std::sync::Arc<dyn DomainsPort> {
    expect_context::<std::sync::Arc<dyn DomainsPort>>()
}

#[cfg(feature = "ssr")]
use crate::accounts::acting_as;

#[server(endpoint = "domains/list")]
pub async fn load_domains(query: DomainsQuery) -> Result<DomainList, AppError> {
    acting_as(Role::Helpdesk)?;
    port().list(query).await
}

#[server(endpoint = "domains/detail")]
pub async fn load_domain(id: DomainId) -> Result<DomainDetail, AppError> {
    acting_as(Role::Helpdesk)?;
    port().detail(id).await
}

/// Checks a domain now (developer: "checks on demand").
#[server(endpoint = "domains/check-now")]
pub async fn check_domain_now(id: DomainId) -> Result<(), AppError> {
    acting_as(Role::Developer)?;
    port().check_now(id).await?;
    leptos_axum::redirect(&format!("/domains/{id}"));
    Ok(())
}

/// The ad-hoc checker (helpdesk).
#[server(endpoint = "domains/check-host")]
pub async fn check_host(host: String, expected: String) -> Result<Report, AppError> {
    acting_as(Role::Helpdesk)?;
    port().check_host(&host, &expected).await
}
