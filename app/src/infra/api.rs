//! The infrastructure server functions: resolve the actor, call the port.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::InfraPort;
use super::{EmailRow, InfraOverview};
use crate::accounts::Role;
use crate::error::AppError;
use crate::ids::TenantId;

#[cfg(feature = "ssr")]
use crate::{accounts::port_as, api::redirect};

/// The page's data; `from` and `to` compare two versions of the IP list.
#[server(endpoint = "infra/overview")]
pub async fn load_infra(from: Option<i64>, to: Option<i64>) -> Result<InfraOverview, AppError> {
    let compare = from.zip(to);
    port_as::<dyn InfraPort>(Role::Helpdesk)?.overview(compare).await
}

/// Reads Auth0's IP list now (ops lead and up change the area).
#[server(endpoint = "infra/read-now")]
pub async fn read_ip_list_now() -> Result<(), AppError> {
    let new = port_as::<dyn InfraPort>(Role::OpsLead)?.read_now().await?;
    redirect(if new { "/infra?read=new" } else { "/infra?read=unchanged" })
}

/// One tenant's email provider and mail records, for the tenant page.
#[server(endpoint = "infra/tenant-email")]
pub async fn load_tenant_email(id: TenantId) -> Result<Option<EmailRow>, AppError> {
    port_as::<dyn InfraPort>(Role::Helpdesk)?.tenant_email(id).await
}

/// Sets the DKIM selectors checked for a tenant and checks its mail records again (ops lead and up).
#[server(endpoint = "infra/selectors")]
pub async fn set_dkim_selectors(tenant: TenantId, selectors: String) -> Result<(), AppError> {
    let actor = crate::accounts::acting_as(Role::OpsLead)?;
    crate::api::port::<dyn InfraPort>().set_selectors(&actor, tenant, &selectors).await?;
    redirect("/infra")
}
