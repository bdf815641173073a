//! What the accounts pages read and change: DTOs, the `AccountsPort` the server implements, and the server
//! functions the pages' forms post to. Every server function checks the caller's role itself too (defence in
//! depth behind the access policy), and every change is audited by the port.

use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::Role;
#[cfg(feature = "ssr")]
use crate::api::port;
use crate::error::AppError;

/// A user as the Users page lists them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserSummary {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

/// The audit log filters, as the page's query string carries them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// Who acted: an email (exact, case-insensitive) or "command line".
    pub user: Option<String>,
    pub action: Option<String>,
    /// First day included (UTC).
    pub from: Option<NaiveDate>,
    /// Last day included (UTC).
    pub to: Option<NaiveDate>,
    /// 1-based.
    pub page: u32,
}

/// One entry of the audit log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub client_ip: String,
    pub detail: String,
}

/// One page of the audit log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub page: u32,
    pub per_page: u32,
    /// Entries matching the filters, on all pages.
    pub total: i64,
    /// Every action name, for the filter.
    pub actions: Vec<String>,
}

/// Who is acting, for the audit log.
#[derive(Clone, Debug, PartialEq)]
pub struct Acting {
    pub user: super::CurrentUser,
    pub client_ip: String,
}

/// What the accounts pages need from the engine.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait AccountsPort: Send + Sync + 'static {
    async fn list_users(&self) -> Result<Vec<UserSummary>, AppError>;
    async fn create_user(
        &self,
        by: &Acting,
        email: &str,
        display_name: &str,
        role: Role,
        password: &str,
    ) -> Result<(), AppError>;
    async fn set_role(&self, by: &Acting, email: &str, role: Role) -> Result<(), AppError>;
    async fn set_disabled(&self, by: &Acting, email: &str, disabled: bool) -> Result<(), AppError>;
    async fn reset_password(&self, by: &Acting, email: &str, password: &str) -> Result<(), AppError>;
    async fn audit_log(&self, query: AuditQuery) -> Result<AuditPage, AppError>;
    /// The caller's API tokens (an admin: every token).
    async fn tokens(&self, by: &Acting) -> Result<super::tokens::TokenList, AppError>;
    /// Revokes a token: the caller's own, or any for an admin.
    async fn revoke_token(&self, by: &Acting, id: &str) -> Result<(), AppError>;
}

/// The signed-in user and their address, if their role is at least `needed`.
#[cfg(feature = "ssr")]
pub fn acting_as(needed: Role) -> Result<Acting, AppError> {
    let parts = use_context::<http::request::Parts>();
    let user = super::current_user().ok_or_else(|| AppError::Forbidden("sign in first".into()))?;
    if user.role < needed {
        return Err(AppError::Forbidden(format!("this needs the {} role or higher", needed.label())));
    }
    let client_ip =
        parts.and_then(|p| p.extensions.get::<super::ClientAddress>().map(|c| c.0.clone())).unwrap_or_default();
    Ok(Acting { user, client_ip })
}

/// The area port `P` (`dyn XPort`), if the signed-in user's role is at least `needed`: for server functions where
/// who acts does not matter (reads, runs on demand).
#[cfg(feature = "ssr")]
pub fn port_as<P: ?Sized + Send + Sync + 'static>(needed: Role) -> Result<std::sync::Arc<P>, AppError> {
    acting_as(needed)?;
    Ok(port())
}

/// Every user (admin).
#[server(endpoint = "accounts/users")]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    port_as::<dyn AccountsPort>(Role::Admin)?.list_users().await
}

/// Adds a user (admin).
#[server(endpoint = "accounts/create")]
pub async fn create_user(email: String, display_name: String, role: String, password: String) -> Result<(), AppError> {
    let by = acting_as(Role::Admin)?;
    let role = Role::parse(&role).map_err(AppError::Invalid)?;
    port::<dyn AccountsPort>().create_user(&by, &email, &display_name, role, &password).await
}

/// Changes a user's role (admin).
#[server(endpoint = "accounts/role")]
pub async fn change_role(email: String, role: String) -> Result<(), AppError> {
    let by = acting_as(Role::Admin)?;
    let role = Role::parse(&role).map_err(AppError::Invalid)?;
    port::<dyn AccountsPort>().set_role(&by, &email, role).await
}

/// Disables (`disabled = "true"`) or re-enables a user (admin).
#[server(endpoint = "accounts/disabled")]
pub async fn set_user_disabled(email: String, disabled: String) -> Result<(), AppError> {
    let by = acting_as(Role::Admin)?;
    port::<dyn AccountsPort>().set_disabled(&by, &email, disabled == "true").await
}

/// Sets a new password for a user (admin).
#[server(endpoint = "accounts/password")]
pub async fn reset_password(email: String, password: String) -> Result<(), AppError> {
    let by = acting_as(Role::Admin)?;
    port::<dyn AccountsPort>().reset_password(&by, &email, &password).await
}

/// One page of the audit log (ops lead).
#[server(endpoint = "accounts/audit")]
pub async fn audit_log(query: AuditQuery) -> Result<AuditPage, AppError> {
    port_as::<dyn AccountsPort>(Role::OpsLead)?.audit_log(query).await
}
