//! The console's areas as the navigation shows them: one list, used by the layout, the access policy and the
//! tests that open every page.

use crate::accounts::Role;

/// One entry of the main navigation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    Overview,
    Tenants,
    Domains,
    Status,
    Monitoring,
    Notifications,
    Logs,
    Infra,
    Checklists,
    Settings,
    System,
}

impl Area {
    /// Every area, in navigation order.
    pub const ALL: [Area; 11] = [
        Area::Overview,
        Area::Tenants,
        Area::Domains,
        Area::Status,
        Area::Monitoring,
        Area::Notifications,
        Area::Logs,
        Area::Infra,
        Area::Checklists,
        Area::Settings,
        Area::System,
    ];

    /// The URL path of the area's page.
    pub fn path(self) -> &'static str {
        match self {
            Area::Overview => "/",
            Area::Tenants => "/tenants",
            Area::Domains => "/domains",
            Area::Status => "/status",
            Area::Monitoring => "/monitoring",
            Area::Notifications => "/notifications",
            Area::Logs => "/logs",
            Area::Infra => "/infra",
            Area::Checklists => "/checklists",
            Area::Settings => "/settings",
            Area::System => "/system",
        }
    }

    /// The label in the navigation and the page title.
    pub fn label(self) -> &'static str {
        match self {
            Area::Overview => "Overview",
            Area::Tenants => "Tenants",
            Area::Domains => "Custom domains",
            Area::Status => "Status",
            Area::Monitoring => "Monitoring",
            Area::Notifications => "Notifications",
            Area::Logs => "Logs",
            Area::Infra => "Infrastructure",
            Area::Checklists => "Checklists",
            Area::Settings => "Settings",
            Area::System => "About / System",
        }
    }

    /// What the area is for, in one sentence a newcomer understands.
    pub fn purpose(self) -> &'static str {
        match self {
            Area::Overview => {
                "The status board: is it Auth0, a provider, or us? Auth0 regions, the providers a login depends on, \
                 and our own checks, worst first, beside the troubleshooting checklist."
            }
            Area::Tenants => {
                "Every Auth0 tenant across development, QA/UAT, production and sandboxes: whom it serves, whether it \
                 is associated with the company account, how it changed, and how environments drift apart."
            }
            Area::Domains => {
                "The custom domain of every tenant, checked in live DNS (CNAME) and TLS, with what to fix when \
                 it is wrong."
            }
            Area::Status => {
                "Auth0's status for the regions we use and the status of the social, email and SMS providers a \
                 login depends on, with incident history."
            }
            Area::Monitoring => {
                "Auth0 monitoring endpoints and synthetic logins per tenant: uptime, latency and alerts."
            }
            Area::Notifications => {
                "One history of every notice — incidents, security bulletins, change notices and our own \
                 alerts — with acknowledgements and delivery to the places teams look."
            }
            Area::Logs => {
                "Auth0 logs kept longer than Auth0 keeps them, searchable, with the rate limits hit at peak load."
            }
            Area::Infra => {
                "The email provider of each tenant and Auth0's outbound IP addresses to open in the firewall, \
                 with every change of them."
            }
            Area::Checklists => "Readiness checklists with evidence and sign-off, for ops leads.",
            Area::Settings => "Users and roles, tenant credentials, delivery channels and the audit log.",
            Area::System => "Version, database, migrations and uptime of this Tenantry server.",
        }
    }

    /// The lowest role that may open the area's page (the server's access policy reads it from here).
    pub fn min_role(self) -> Role {
        match self {
            Area::Tenants | Area::Logs => Role::Developer,
            Area::Settings => Role::OpsLead,
            _ => Role::Helpdesk,
        }
    }

    /// Where the area's navigation entry leads a user of `role`: the area's page when the role may open it, else a
    /// page of the area open to that role (the helpdesk's logs entry is the user look-up, `/logs/user`), else
    /// nowhere (no entry).
    pub fn entry_for(self, role: Role) -> Option<&'static str> {
        if role >= self.min_role() {
            return Some(self.path());
        }
        match self {
            Area::Logs if role >= Role::Helpdesk => Some("/logs/user"),
            _ => None,
        }
    }
}
