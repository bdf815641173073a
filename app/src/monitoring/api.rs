//! The monitoring server functions: thin, each resolves the actor, calls the port and redirects.

use leptos::prelude::*;

use super::{CheckDetail, CheckForm, MonitoringList, MonitoringQuery};
use crate::accounts::Role;
use crate::error::AppError;
use crate::ids::{CheckId, TenantId};

#[cfg(feature = "ssr")]
use super::MonitoringPort;
#[cfg(feature = "ssr")]
use crate::{
    accounts::{acting_as, port_as},
    api::{port, redirect},
};

#[server(endpoint = "monitoring/list")]
pub async fn load_checks(query: MonitoringQuery) -> Result<MonitoringList, AppError> {
    port_as::<dyn MonitoringPort>(Role::Helpdesk)?.list(query).await
}

#[server(endpoint = "monitoring/detail")]
pub async fn load_check(id: CheckId, range: String) -> Result<CheckDetail, AppError> {
    port_as::<dyn MonitoringPort>(Role::Helpdesk)?.detail(id, &range).await
}

/// The form's values and the tenants to choose from (ops lead).
#[server(endpoint = "monitoring/form")]
pub async fn load_check_form(id: Option<CheckId>) -> Result<(CheckForm, Vec<(TenantId, String)>), AppError> {
    port_as::<dyn MonitoringPort>(Role::OpsLead)?.form(id).await
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
    // Reachability fields, absent from forms written before them.
    #[server(default)] target: String,
    #[server(default)] expect_status: String,
    #[server(default)] starttls: String,
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
        target,
        expect_status,
        starttls,
        fail_threshold,
        success_threshold,
        reminder_minutes,
    };
    let id = port::<dyn MonitoringPort>().add(&by, form).await?;
    redirect(&format!("/monitoring/{id}"))
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
    // Reachability fields, absent from forms written before them.
    #[server(default)] target: String,
    #[server(default)] expect_status: String,
    #[server(default)] starttls: String,
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
        target,
        expect_status,
        starttls,
        fail_threshold,
        success_threshold,
        reminder_minutes,
    };
    port::<dyn MonitoringPort>().update(&by, id, form).await?;
    redirect(&format!("/monitoring/{id}"))
}

/// Pauses or resumes a check (ops lead).
#[server(endpoint = "monitoring/enable")]
pub async fn set_check_enabled(id: CheckId, enabled: String) -> Result<(), AppError> {
    let by = acting_as(Role::OpsLead)?;
    port::<dyn MonitoringPort>().set_enabled(&by, id, enabled == "true").await?;
    redirect(&format!("/monitoring/{id}"))
}

/// Removes a check with its history (ops lead).
#[server(endpoint = "monitoring/remove")]
pub async fn remove_check(id: CheckId) -> Result<(), AppError> {
    let by = acting_as(Role::OpsLead)?;
    port::<dyn MonitoringPort>().remove(&by, id).await?;
    redirect("/monitoring")
}

/// Runs a check now (ops lead): "Run now".
#[server(endpoint = "monitoring/run")]
pub async fn run_check(id: CheckId) -> Result<(), AppError> {
    port_as::<dyn MonitoringPort>(Role::OpsLead)?.run_now(id).await?;
    redirect(&format!("/monitoring/{id}"))
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
    port::<dyn MonitoringPort>().add_maintenance(&by, id, &scope, &starts, &ends, &reason).await?;
    redirect(&format!("/monitoring/{id}"))
}
