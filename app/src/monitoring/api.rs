//! The monitoring server functions: thin, each resolves the actor, calls the port and redirects.

use leptos::prelude::*;

use super::{CheckDetail, CheckForm, MonitoringList, MonitoringQuery};
use crate::accounts::Role;
use crate::error::AppError;
use crate::ids::{CheckId, TenantId};

#[cfg(feature = "ssr")]
fn port() -> std::sync::Arc<dyn super::MonitoringPort> {
    expect_context::<std::sync::Arc<dyn super::MonitoringPort>>()
}

#[cfg(feature = "ssr")]
use crate::accounts::acting_as;

#[server(endpoint = "monitoring/list")]
pub async fn load_checks(query: MonitoringQuery) -> Result<MonitoringList, AppError> {
    acting_as(Role::Helpdesk)?;
    port().list(query).await
}

#[server(endpoint = "monitoring/detail")]
pub async fn load_check(id: CheckId, range: String) -> Result<CheckDetail, AppError> {
    acting_as(Role::Helpdesk)?;
    port().detail(id, &range).await
}

/// The form's values and the tenants to choose from (ops lead).
#[server(endpoint = "monitoring/form")]
pub async fn load_check_form(id: Option<CheckId>) -> Result<(CheckForm, Vec<(TenantId, String)>), AppError> {
    acting_as(Role::OpsLead)?;
    port().form(id).await
}

#[allow(clippy::too_many_arguments)]
#[server(endpoint = "monitoring/add")]
pub async fn add_check(
    tenant_id: String,
    kind: String,
    name: String,
    interval_secs: String,
    grant_type: String,
    realm: String,
    username: String,
    password: String,
    client_id: String,
    client_secret: String,
    audience: String,
    scope: String,
    fail_threshold: String,
    success_threshold: String,
    reminder_minutes: String,
) -> Result<(), AppError> {
    let by = acting_as(Role::OpsLead)?;
    let form = CheckForm {
        tenant_id,
        kind,
        name,
        interval_secs,
        grant_type,
        realm,
        username,
        password,
        client_id,
        client_secret,
        audience,
        scope,
        fail_threshold,
        success_threshold,
        reminder_minutes,
    };
    let id = port().add(&by, form).await?;
    leptos_axum::redirect(&format!("/monitoring/{id}"));
    Ok(())
}

#[allow(clippy::too_many_arguments)]
#[server(endpoint = "monitoring/update")]
pub async fn update_check(
    id: CheckId,
    tenant_id: String,
    kind: String,
    name: String,
    interval_secs: String,
    grant_type: String,
    realm: String,
    username: String,
    password: String,
    client_id: String,
    client_secret: String,
    audience: String,
    scope: String,
    fail_threshold: String,
    success_threshold: String,
    reminder_minutes: String,
) -> Result<(), AppError> {
    let by = acting_as(Role::OpsLead)?;
    let form = CheckForm {
        tenant_id,
        kind,
        name,
        interval_secs,
        grant_type,
        realm,
        username,
        password,
        client_id,
        client_secret,
        audience,
        scope,
        fail_threshold,
        success_threshold,
        reminder_minutes,
    };
    port().update(&by, id, form).await?;
    leptos_axum::redirect(&format!("/monitoring/{id}"));
    Ok(())
}

/// Pauses or resumes a check (ops lead).
#[server(endpoint = "monitoring/enable")]
pub async fn set_check_enabled(id: CheckId, enabled: String) -> Result<(), AppError> {
    let by = acting_as(Role::OpsLead)?;
    port().set_enabled(&by, id, enabled == "true").await?;
    leptos_axum::redirect(&format!("/monitoring/{id}"));
    Ok(())
}

/// Removes a check with its history (ops lead).
#[server(endpoint = "monitoring/remove")]
pub async fn remove_check(id: CheckId) -> Result<(), AppError> {
    let by = acting_as(Role::OpsLead)?;
    port().remove(&by, id).await?;
    leptos_axum::redirect("/monitoring");
    Ok(())
}

/// Runs a check now (ops lead): "Run now".
#[server(endpoint = "monitoring/run")]
pub async fn run_check(id: CheckId) -> Result<(), AppError> {
    acting_as(Role::OpsLead)?;
    port().run_now(id).await?;
    leptos_axum::redirect(&format!("/monitoring/{id}"));
    Ok(())
}

/// Adds a maintenance window (ops lead).
#[server(endpoint = "monitoring/maintenance")]
pub async fn add_maintenance(
    id: CheckId,
    scope: String,
    starts: String,
    ends: String,
    reason: String,
) -> Result<(), AppError> {
    let by = acting_as(Role::OpsLead)?;
    port().add_maintenance(&by, id, &scope, &starts, &ends, &reason).await?;
    leptos_axum::redirect(&format!("/monitoring/{id}"));
    Ok(())
}
