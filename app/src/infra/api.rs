//! The infrastructure server functions: resolve the actor, call the port.

use leptos::prelude::*;

use super::InfraOverview;
#[cfg(feature = "ssr")]
use super::InfraPort;
use crate::accounts::Role;
use crate::error::AppError;

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
    port_as::<dyn InfraPort>(Role::OpsLead)?.read_now().await?;
    redirect("/infra")
}
