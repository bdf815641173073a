//! The ports: what the pages need from the engine, one trait per area. The server provides a `Ports` value as
//! context to every page and server function; tests may provide other implementations.

use std::sync::Arc;

use crate::accounts::AccountsPort;
use crate::domains::DomainsPort;
use crate::monitoring::MonitoringPort;
use crate::notifications::NotificationsPort;
use crate::status::StatusPort;
use crate::system::SystemPort;
use crate::tenants::TenantsPort;

/// Every port, as the server provides them.
#[derive(Clone)]
pub struct Ports {
    pub accounts: Arc<dyn AccountsPort>,
    pub domains: Arc<dyn DomainsPort>,
    pub monitoring: Arc<dyn MonitoringPort>,
    pub notifications: Arc<dyn NotificationsPort>,
    pub status: Arc<dyn StatusPort>,
    pub system: Arc<dyn SystemPort>,
    pub tenants: Arc<dyn TenantsPort>,
}
