//! The status area's server functions: resolve the actor, call the port.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::StatusPort;
use super::{Board, IncidentDetail, IncidentList, IncidentQuery, SourceForm, SourceList, SourcesQuery};
use crate::accounts::Role;
use crate::error::AppError;
use crate::ids::{IncidentId, SourceId};

#[cfg(feature = "ssr")]
fn port() -> std::sync::Arc<dyn StatusPort> {
    expect_context::<std::sync::Arc<dyn StatusPort>>()
}

#[cfg(feature = "ssr")]
use crate::accounts::acting_as;

/// The board (helpdesk).
#[server(endpoint = "status/board")]
pub async fn load_board(tenant: Option<String>) -> Result<Board, AppError> {
    acting_as(Role::Helpdesk)?;
    port().board(tenant).await
}

/// The sources and the catalog (helpdesk may look; ops leads change).
#[server(endpoint = "status/sources")]
pub async fn load_sources(query: SourcesQuery) -> Result<SourceList, AppError> {
    acting_as(Role::Helpdesk)?;
    port().sources(query).await
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
    port().add_source(&by, SourceForm { name, kind, category, url, interval_minutes }).await?;
    leptos_axum::redirect("/status/sources");
    Ok(())
}

/// Adds a catalog provider (ops lead).
#[server(endpoint = "status/add-catalog")]
pub async fn add_catalog_source(key: String) -> Result<(), AppError> {
    let by = acting_as(Role::OpsLead)?;
    port().add_from_catalog(&by, &key).await?;
    leptos_axum::redirect("/status/sources");
    Ok(())
}

/// Turns polling of a source on or off (ops lead).
#[server(endpoint = "status/enable")]
pub async fn set_source_enabled(id: SourceId, enabled: String) -> Result<(), AppError> {
    let by = acting_as(Role::OpsLead)?;
    port().set_enabled(&by, id, enabled == "true").await?;
    leptos_axum::redirect("/status/sources");
    Ok(())
}

/// Removes a source and its incidents (ops lead). Tenants' Auth0 feeds go with their tenant instead.
#[server(endpoint = "status/remove")]
pub async fn remove_source(id: SourceId) -> Result<(), AppError> {
    let by = acting_as(Role::OpsLead)?;
    port().remove_source(&by, id).await?;
    leptos_axum::redirect("/status/sources");
    Ok(())
}

/// Polls a source now (ops lead).
#[server(endpoint = "status/poll")]
pub async fn poll_source(id: SourceId) -> Result<(), AppError> {
    acting_as(Role::OpsLead)?;
    port().poll_now(id).await?;
    leptos_axum::redirect("/status/sources");
    Ok(())
}

/// The incident history (helpdesk).
#[server(endpoint = "status/incidents")]
pub async fn load_incidents(query: IncidentQuery) -> Result<IncidentList, AppError> {
    acting_as(Role::Helpdesk)?;
    port().incidents(query).await
}

/// One incident with its timeline (helpdesk).
#[server(endpoint = "status/incident")]
pub async fn load_incident(id: IncidentId) -> Result<IncidentDetail, AppError> {
    acting_as(Role::Helpdesk)?;
    port().incident(id).await
}
