//! The checklists server functions: resolve the actor, call the port.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ChecklistsPort;
use super::{Overview, TenantChecklist};
use crate::accounts::Role;
use crate::error::AppError;
use crate::ids::TenantId;
use crate::tenants::Environment;

#[cfg(feature = "ssr")]
use crate::{accounts::port_as, api::redirect};

/// The overview across tenants, optionally of one environment and one user domain (helpdesk and up read).
#[server(endpoint = "checklists/overview")]
pub async fn load_checklists(environment: Option<String>, user_domain: Option<String>) -> Result<Overview, AppError> {
    let environment = match environment.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(raw) => Some(Environment::parse(raw).map_err(AppError::Invalid)?),
        None => None,
    };
    let user_domain = user_domain.map(|u| u.trim().to_lowercase()).filter(|u| !u.is_empty());
    port_as::<dyn ChecklistsPort>(Role::Helpdesk)?.overview(environment, user_domain).await
}

/// One tenant's checklist with a page of its history (the newest, or those older than entry `before`).
#[server(endpoint = "checklists/tenant")]
pub async fn load_tenant_checklist(tenant: TenantId, before: Option<i64>) -> Result<TenantChecklist, AppError> {
    port_as::<dyn ChecklistsPort>(Role::Helpdesk)?.tenant(tenant, before).await
}

/// Signs off a manual item (ops lead and up); back to the item on the tenant's checklist.
#[server(endpoint = "checklists/sign-off")]
pub async fn sign_off_item(tenant: TenantId, item: String, comment: String, review_by: String) -> Result<(), AppError> {
    let actor = crate::accounts::acting_as(Role::OpsLead)?;
    crate::api::port::<dyn ChecklistsPort>().sign_off(&actor, tenant, &item, &comment, &review_by).await?;
    let anchor: String = item.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(60).collect();
    redirect(&format!("/checklists/{tenant}?signed={anchor}#{anchor}"))
}
