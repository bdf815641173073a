//! Console accounts as pages see them: roles, the signed-in user, sign-in, first-run setup and the page shown when
//! a role is too low.

mod api;
mod pages;
pub mod tokens;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use api::*;
pub use pages::{DeniedPage, SetupPage, SignInPage};
pub use tokens::TokensPage;

/// What a user may do. Ordered: each role may do everything the roles before it may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Reads the status board, custom domains, notifications and monitoring.
    Helpdesk,
    /// + tenant details, drift, log search, checks on demand.
    Developer,
    /// + sign-offs, acknowledgements, managing checks and status sources, the audit log.
    OpsLead,
    /// + users, tenant credentials, delivery channels, settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Helpdesk, Role::Developer, Role::OpsLead, Role::Admin];

    /// The name used in forms, the database and the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Helpdesk => "helpdesk",
            Role::Developer => "developer",
            Role::OpsLead => "ops_lead",
            Role::Admin => "admin",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Role::Helpdesk => "Helpdesk",
            Role::Developer => "Developer",
            Role::OpsLead => "Ops lead",
            Role::Admin => "Admin",
        }
    }

    pub fn parse(raw: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| format!("unknown role {raw:?}; expected one of helpdesk, developer, ops_lead, admin"))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The signed-in user of the current request. The server puts it into the request's extensions; pages read it
/// with [`current_user`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// Set when a service token (not a person) is acting: its name.
    #[serde(default)]
    pub service_token: Option<String>,
}

/// A demo account, shown on the sign-in page in demo mode only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoAccount {
    pub email: String,
    pub role: Role,
    pub password: String,
}

/// The demo accounts of this server; empty unless it runs as `tenantry demo`.
#[derive(Clone, Debug, Default)]
pub struct DemoAccounts(pub std::sync::Arc<Vec<DemoAccount>>);

/// How people may sign in on this server: single sign-on (the button's words) and passwords.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInChoices {
    pub sso_label: Option<String>,
    pub passwords: bool,
}

impl Default for SignInChoices {
    fn default() -> Self {
        SignInChoices { sso_label: None, passwords: true }
    }
}

/// The client's address as the server saw it; the server puts it into the request's extensions for the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub String);

/// The signed-in user, if any, for the page being rendered.
#[cfg(feature = "ssr")]
pub fn current_user() -> Option<CurrentUser> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CurrentUser>().cloned())
}

/// A same-site path to return to after sign-in; anything else (other sites, `//host`, `/\host`) becomes `/`.
pub fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control());
    if ok { next.to_string() } else { "/".to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_from_helpdesk_to_admin() {
        assert!(Role::Helpdesk < Role::Developer && Role::Developer < Role::OpsLead && Role::OpsLead < Role::Admin);
        assert_eq!(Role::parse("ops_lead"), Ok(Role::OpsLead));
        assert!(Role::parse("root").is_err());
    }

    #[test]
    fn only_same_site_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/tenants?env=prod"), "/tenants?env=prod");
        for bad in ["https://evil.example/", "//evil.example", "/\\evil.example", "evil", "", "/a\nb"] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }
}
