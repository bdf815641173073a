//! The status area's server functions: resolve the actor, call the port.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::StatusPort;
use super::{Board, IncidentDetail, IncidentList, IncidentQuery, SourceForm, SourceList, SourcesQuery};
use crate::accounts::Role;
use crate::error::AppError;
use crate::ids::{IncidentId, SourceId};

#[cfg(feature = "ssr")]
use crate::{
    accounts::{acting_as, port_as},
    api::{port, redirect},
};

/// The board (helpdesk).
#[server(endpoint = "status/board")]
pub async fn load_board(tenant: Option<String>) -> Result<Board, AppError> {
    port_as::<dyn StatusPort>(Role::Helpdesk)?.board(tenant).await
}

/// The sources and the catalog (helpdesk may look; ops leads change).
#[server(endpoint = "status/sources")]
pub async fn load_sources(query: SourcesQuery) -> Result<SourceList, AppError> {
    port_as::<dyn StatusPort>(Role::Helpdesk)?.sources(query).await
}

/// Adds a source by URL and format (ops lead).
#[server(endpoint = "status/add")]
pub async fn add_source(
    name: String,
    kind: String,
    category: String,
    url: String,
    interval_minutes: String,
) -> Result<(), AppError> {
    let by = acting_as(Role::OpsLead)?;
    port::<dyn StatusPort>().add_source(&by, SourceForm { name, kind, category, url, interval_minutes }).await?;
    redirect("/status/sources")
}

/// Adds a catalog provider (ops lead).
#[server(endpoint = "status/add-catalog")]
pub async fn add_catalog_source(key: String) -> Result<(), AppError> {
    let by = acting_as(Role::OpsLead)?;
    port::<dyn StatusPort>().add_from_catalog(&by, &key).await?;
    redirect("/status/sources")
}

/// Turns polling of a source on or off (ops lead).
#[server(endpoint = "status/enable")]
pub async fn set_source_enabled(id: SourceId, enabled: String) -> Result<(), AppError> {
    let by = acting_as(Role::OpsLead)?;
    port::<dyn StatusPort>().set_enabled(&by, id, enabled == "true").await?;
    redirect("/status/sources")
}

/// Removes a source and its incidents (ops lead). Tenants' Auth0 feeds go with their tenant instead.
#[server(endpoint = "status/remove")]
pub async fn remove_source(id: SourceId) -> Result<(), AppError> {
    let by = acting_as(Role::OpsLead)?;
    port::<dyn StatusPort>().remove_source(&by, id).await?;
    redirect("/status/sources")
}

/// Polls a source now (ops lead).
#[server(endpoint = "status/poll")]
pub async fn poll_source(id: SourceId) -> Result<(), AppError> {
    port_as::<dyn StatusPort>(Role::OpsLead)?.poll_now(id).await?;
    redirect("/status/sources")
}

/// The incident history (helpdesk).
#[server(endpoint = "status/incidents")]
pub async fn load_incidents(query: IncidentQuery) -> Result<IncidentList, AppError> {
    port_as::<dyn StatusPort>(Role::Helpdesk)?.incidents(query).await
}

/// One incident with its timeline (helpdesk).
#[server(endpoint = "status/incident")]
pub async fn load_incident(id: IncidentId) -> Result<IncidentDetail, AppError> {
    port_as::<dyn StatusPort>(Role::Helpdesk)?.incident(id).await
}
