//! What the tenant pages read and change: DTOs, the `TenantsPort`, and the server functions.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Association, Environment, Region, SdlcColumn};
use crate::accounts::Role;
use crate::error::AppError;
use crate::ids::TenantId;

/// One tenant as the inventory shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TenantCell {
    pub id: TenantId,
    pub name: String,
    pub domain: String,
    pub region: Option<Region>,
    pub environment: Environment,
    pub user_domain: String,
    pub association: Association,
    pub account_name: String,
    pub paid_features: bool,
    /// Custom domains from the latest snapshot: (host, status).
    pub custom_domains: Vec<(String, String)>,
    /// The email provider's name; `None`: Auth0's built-in provider (none configured). Unknown before a snapshot.
    pub email_provider: Option<String>,
    /// Log streams: (name, status).
    pub log_streams: Vec<(String, String)>,
    pub has_snapshot: bool,
    pub last_success_at: Option<DateTime<Utc>>,
    /// The last poll's failure: (class, message), while it lasts.
    pub failure: Option<(String, String)>,
}

/// Something the operations guide asks that the registry does not meet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// A stable name: `missing_sdlc_companions`, `name_convention`, …
    pub kind: String,
    pub title: String,
    /// Why it matters, after the guide.
    pub reasoning: String,
    /// The guide's section.
    pub guide: String,
    /// The tenants concerned: (id, name).
    pub tenants: Vec<(TenantId, String)>,
}

/// One user domain's tenants, by SDLC column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InventoryRow {
    pub user_domain: String,
    pub columns: Vec<(SdlcColumn, Vec<TenantCell>)>,
}

/// Filters of the inventory, from the query string.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InventoryQuery {
    /// Part of a name or domain.
    pub q: Option<String>,
    pub environment: Option<Environment>,
    pub region: Option<Region>,
    pub association: Option<Association>,
    /// 1-based page of user domains.
    pub page: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub rows: Vec<InventoryRow>,
    /// Tenants matching the filters.
    pub matching: usize,
    /// Tenants registered.
    pub total: usize,
    pub page: u32,
    pub pages: u32,
    /// Findings over the whole registry (not only the page).
    pub findings: Vec<Finding>,
}

/// A change between two snapshots.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeRow {
    pub at: DateTime<Utc>,
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The tenant page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TenantDetail {
    pub cell: TenantCell,
    pub client_id: String,
    pub api_base_url: Option<String>,
    pub notes: String,
    pub snapshot_at: Option<DateTime<Utc>>,
    /// A few settings from the latest snapshot: (field, value).
    pub settings: Vec<(String, String)>,
    /// What the latest snapshot read of the tenant's configuration, in words: (part, summary).
    pub configuration: Vec<(String, String)>,
    /// Parts it could not read and why: "Actions: needs read:actions".
    pub unknown: Vec<String>,
    pub active_users: Option<i64>,
    pub next_poll_at: Option<DateTime<Utc>>,
    /// Newest first.
    pub history: Vec<ChangeRow>,
    /// Findings that concern this tenant.
    pub findings: Vec<Finding>,
}

/// A tenant form's fields, as typed (also the edit form's prefill).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TenantFields {
    pub domain: String,
    pub name: String,
    pub region: String,
    pub environment: String,
    pub user_domain: String,
    pub association: String,
    pub account_name: String,
    pub paid_features: bool,
    pub client_id: String,
    pub client_secret: String,
    pub api_base_url: String,
    pub notes: String,
}

/// The name checker's verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NameVerdict {
    pub name: String,
    pub problems: Vec<String>,
    pub suggestion: Option<String>,
    pub follows_convention: bool,
    pub collides_with_known: bool,
}

/// How a field compares across a user domain's tenants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DriftState {
    Same,
    /// Differs only where a difference is expected (the tenant's own name, or a field configured as expected).
    Expected,
    Differs,
}

/// One field across the tenants of a user domain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DriftRow {
    pub field: String,
    /// One value per tenant, in the order of `Drift::tenants`; `None`: the tenant lacks the field.
    pub values: Vec<Option<String>>,
    pub state: DriftState,
}

/// The drift view of one user domain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    pub user_domain: String,
    /// Every user domain, for the picker.
    pub user_domains: Vec<String>,
    /// (id, name, environment, has a snapshot), development first.
    pub tenants: Vec<(TenantId, String, Environment, bool)>,
    pub rows: Vec<DriftRow>,
}

/// What the tenant pages need from the engine.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait TenantsPort: Send + Sync + 'static {
    async fn inventory(&self, query: InventoryQuery) -> Result<Inventory, AppError>;
    /// Every registered tenant, by name (the JSON API pages through it).
    async fn tenants(&self) -> Result<Vec<TenantCell>, AppError>;
    async fn detail(&self, id: TenantId) -> Result<TenantDetail, AppError>;
    async fn fields(&self, id: TenantId) -> Result<TenantFields, AppError>;
    async fn add(&self, by: &crate::accounts::Acting, fields: TenantFields) -> Result<TenantId, AppError>;
    async fn update(&self, by: &crate::accounts::Acting, id: TenantId, fields: TenantFields) -> Result<(), AppError>;
    async fn remove(&self, by: &crate::accounts::Acting, id: TenantId) -> Result<(), AppError>;
    async fn refresh(&self, id: TenantId) -> Result<(), AppError>;
    async fn check_name(&self, name: &str, company: &str, environment: &str) -> Result<NameVerdict, AppError>;
    /// `user_domain` empty: the first user domain.
    async fn drift(&self, user_domain: &str) -> Result<Drift, AppError>;
}

#[cfg(feature = "ssr")]
use crate::{
    accounts::{acting_as, port_as},
    api::{port, redirect},
};

/// The inventory (developer).
#[server(endpoint = "tenants/inventory")]
pub async fn load_inventory(query: InventoryQuery) -> Result<Inventory, AppError> {
    port_as::<dyn TenantsPort>(Role::Developer)?.inventory(query).await
}

/// One tenant (developer).
#[server(endpoint = "tenants/detail")]
pub async fn load_tenant(id: TenantId) -> Result<TenantDetail, AppError> {
    port_as::<dyn TenantsPort>(Role::Developer)?.detail(id).await
}

/// A tenant's fields for the edit form (admin); the secret is never sent back.
#[server(endpoint = "tenants/fields")]
pub async fn load_tenant_fields(id: TenantId) -> Result<TenantFields, AppError> {
    port_as::<dyn TenantsPort>(Role::Admin)?.fields(id).await
}

#[allow(clippy::too_many_arguments)]
fn fields_of(
    domain: String,
    name: String,
    region: String,
    environment: String,
    user_domain: String,
    association: String,
    account_name: String,
    paid_features: Option<String>,
    client_id: String,
    client_secret: String,
    api_base_url: String,
    notes: String,
) -> TenantFields {
    TenantFields {
        domain,
        name,
        region,
        environment,
        user_domain,
        association,
        account_name,
        paid_features: paid_features.is_some_and(|v| v == "on" || v == "true"),
        client_id,
        client_secret,
        api_base_url,
        notes,
    }
}

/// Registers a tenant (developer: whoever creates a tenant registers it) and opens its page.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "tenants/add")]
pub async fn add_tenant(
    domain: String,
    name: String,
    region: String,
    environment: String,
    user_domain: String,
    association: String,
    account_name: String,
    paid_features: Option<String>,
    client_id: String,
    client_secret: String,
    api_base_url: String,
    notes: String,
) -> Result<(), AppError> {
    let by = acting_as(Role::Developer)?;
    let fields = fields_of(
        domain,
        name,
        region,
        environment,
        user_domain,
        association,
        account_name,
        paid_features,
        client_id,
        client_secret,
        api_base_url,
        notes,
    );
    let id = port::<dyn TenantsPort>().add(&by, fields).await?;
    redirect(&format!("/tenants/{id}"))
}

/// Changes a tenant (admin); an empty secret keeps the stored one.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "tenants/update")]
pub async fn update_tenant(
    id: TenantId,
    domain: String,
    name: String,
    region: String,
    environment: String,
    user_domain: String,
    association: String,
    account_name: String,
    paid_features: Option<String>,
    client_id: String,
    client_secret: String,
    api_base_url: String,
    notes: String,
) -> Result<(), AppError> {
    let by = acting_as(Role::Admin)?;
    let fields = fields_of(
        domain,
        name,
        region,
        environment,
        user_domain,
        association,
        account_name,
        paid_features,
        client_id,
        client_secret,
        api_base_url,
        notes,
    );
    port::<dyn TenantsPort>().update(&by, id, fields).await?;
    redirect(&format!("/tenants/{id}"))
}

/// Removes a tenant (admin).
#[server(endpoint = "tenants/remove")]
pub async fn remove_tenant(id: TenantId) -> Result<(), AppError> {
    let by = acting_as(Role::Admin)?;
    port::<dyn TenantsPort>().remove(&by, id).await?;
    redirect("/tenants")
}

/// Reads the tenant from Auth0 now (developer): "Refresh now".
#[server(endpoint = "tenants/refresh")]
pub async fn refresh_tenant(id: TenantId) -> Result<(), AppError> {
    port_as::<dyn TenantsPort>(Role::Developer)?.refresh(id).await
}

/// The drift view of a user domain (developer).
#[server(endpoint = "tenants/drift")]
pub async fn load_drift(user_domain: String) -> Result<Drift, AppError> {
    port_as::<dyn TenantsPort>(Role::Developer)?.drift(&user_domain).await
}

/// Checks a proposed tenant name (developer).
#[server(endpoint = "tenants/check-name")]
pub async fn check_tenant_name(name: String, company: String, environment: String) -> Result<NameVerdict, AppError> {
    port_as::<dyn TenantsPort>(Role::Developer)?.check_name(&name, &company, &environment).await
}
