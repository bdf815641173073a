//! Every area's port, as the server provides them to pages and server functions: each one as its own context
//! value (`Arc<dyn XPort>`), so an app area reads only its own port.

use std::sync::Arc;

use app::accounts::AccountsPort;
use app::domains::DomainsPort;
use app::monitoring::MonitoringPort;
use app::notifications::NotificationsPort;
use app::status::StatusPort;
use app::system::SystemPort;
use app::tenants::TenantsPort;
use leptos::prelude::provide_context;

/// Every port the server implements.
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

impl Ports {
    /// Provides each port as context for the page or server function being handled.
    pub fn provide(&self) {
        provide_context(self.accounts.clone());
        provide_context(self.domains.clone());
        provide_context(self.monitoring.clone());
        provide_context(self.notifications.clone());
        provide_context(self.status.clone());
        provide_context(self.system.clone());
        provide_context(self.tenants.clone());
    }
}
