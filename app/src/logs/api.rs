//! The logs server functions: resolve the actor, call the port.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::LogsPort;
use super::{EventDetail, EventRow, LogsQuery, LogsResults, QuarantineRow};
use crate::accounts::Role;
use crate::error::AppError;
use crate::ids::TenantId;

#[cfg(feature = "ssr")]
use crate::accounts::port_as;

#[server(endpoint = "logs/search")]
pub async fn search_logs(query: LogsQuery) -> Result<LogsResults, AppError> {
    port_as::<dyn LogsPort>(Role::Developer)?.search(query).await
}

#[server(endpoint = "logs/event")]
pub async fn load_log_event(tenant: TenantId, log_id: String) -> Result<EventDetail, AppError> {
    port_as::<dyn LogsPort>(Role::Developer)?.event(tenant, log_id).await
}

#[server(endpoint = "logs/quarantine")]
pub async fn load_quarantine() -> Result<Vec<QuarantineRow>, AppError> {
    port_as::<dyn LogsPort>(Role::Developer)?.quarantine().await
}

/// The helpdesk's look-up: one user's last events across tenants.
#[server(endpoint = "logs/user")]
pub async fn load_user_events(user: String) -> Result<Vec<EventRow>, AppError> {
    port_as::<dyn LogsPort>(Role::Helpdesk)?.user_events(user).await
}

/// Sets how many days a tenant's events are kept (empty: the server's default); admins.
#[server(endpoint = "logs/retention")]
pub async fn set_logs_retention(tenant: TenantId, days: String) -> Result<(), AppError> {
    let actor = crate::accounts::acting_as(Role::Admin)?;
    crate::api::port::<dyn LogsPort>().set_retention(&actor, tenant, &days).await?;
    crate::api::redirect("/logs")
}
