//! The custom-domain server functions: resolve the actor, call the port.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::DomainsPort;
use super::{DomainDetail, DomainList, DomainsQuery, Report};
use crate::accounts::Role;
use crate::error::AppError;
use crate::ids::DomainId;

#[cfg(feature = "ssr")]
use crate::{accounts::port_as, api::redirect};

#[server(endpoint = "domains/list")]
pub async fn load_domains(query: DomainsQuery) -> Result<DomainList, AppError> {
    port_as::<dyn DomainsPort>(Role::Helpdesk)?.list(query).await
}

#[server(endpoint = "domains/detail")]
pub async fn load_domain(id: DomainId) -> Result<DomainDetail, AppError> {
    port_as::<dyn DomainsPort>(Role::Helpdesk)?.detail(id).await
}

/// Checks a domain now (developer: "checks on demand").
#[server(endpoint = "domains/check-now")]
pub async fn check_domain_now(id: DomainId) -> Result<(), AppError> {
    port_as::<dyn DomainsPort>(Role::Developer)?.check_now(id).await?;
    redirect(&format!("/domains/{id}"))
}

/// The ad-hoc checker (helpdesk).
#[server(endpoint = "domains/check-host")]
pub async fn check_host(host: String, expected: String) -> Result<Report, AppError> {
    port_as::<dyn DomainsPort>(Role::Helpdesk)?.check_host(&host, &expected).await
}
