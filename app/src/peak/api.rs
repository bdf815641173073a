//! The peak-load server functions: resolve the actor, call the port.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::PeakPort;
use super::{PeakCard, PeakQuery, PeakReport};
use crate::accounts::Role;
use crate::error::AppError;
use crate::ids::TenantId;

#[cfg(feature = "ssr")]
use crate::accounts::port_as;

/// The report of one range; helpdesk staff read it too ("is it us: are we hitting a limit?").
#[server(endpoint = "peak/report")]
pub async fn load_peak(query: PeakQuery) -> Result<PeakReport, AppError> {
    port_as::<dyn PeakPort>(Role::Helpdesk)?.report(query).await
}

/// The tenant page's peak-load card.
#[server(endpoint = "peak/card")]
pub async fn load_peak_card(tenant: TenantId) -> Result<PeakCard, AppError> {
    port_as::<dyn PeakPort>(Role::Developer)?.card(tenant).await
}
