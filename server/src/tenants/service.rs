//! The rules of the tenant registry: every field checked with a message that names it, secrets encrypted, a
//! snapshot job per tenant, every change audited.

use std::time::Duration;

use app::tenants::{Association, Environment, Region};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::jobs;
use super::model::{TenantDomain, TenantName, UserDomain};
use super::repo::{self, NewTenant};
use crate::accounts::audit::{self, Action, Actor};
use crate::scheduler;
use crate::secrets::SecretBox;

/// A tenant as typed (form, import): the form's fields. Empty `name`/`region` are read from an Auth0 domain; an
/// empty `client_secret` keeps the stored one when editing.
pub type TenantInput = app::tenants::TenantFields;

/// Why a tenant could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    #[error("{}", .0.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<(&'static str, String)>),
    #[error("a tenant named {0} is already registered")]
    NameTaken(String),
    #[error("a tenant with the domain {0} is already registered")]
    DomainTaken(String),
    #[error("no such tenant")]
    NotFound,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Checks every field; returns all problems at once.
pub fn parse(
    input: &TenantInput,
    secrets: &SecretBox,
    secret_required: bool,
) -> Result<(NewTenant, bool), TenantError> {
    let mut problems: Vec<(&'static str, String)> = Vec::new();
    let domain = TenantDomain::parse(&input.domain).map_err(|e| problems.push(("domain", e))).ok();
    let name = if input.name.trim().is_empty() {
        match domain.as_ref().and_then(|d| d.name.clone()) {
            Some(name) => Some(name),
            None => {
                if domain.is_some() {
                    problems.push(("name", "give the tenant's name: it cannot be read from a custom host".into()));
                }
                None
            }
        }
    } else {
        TenantName::parse(&input.name).map_err(|p| problems.push(("name", p.join("; ")))).ok()
    };
    let region = if input.region.trim().is_empty() {
        domain.as_ref().and_then(|d| d.region)
    } else {
        Region::parse(&input.region).map_err(|e| problems.push(("region", e))).ok()
    };
    let environment = Environment::parse(&input.environment).map_err(|e| problems.push(("environment", e))).ok();
    let user_domain = UserDomain::parse(&input.user_domain).map_err(|e| problems.push(("user_domain", e))).ok();
    let association = Association::parse(&input.association).map_err(|e| problems.push(("association", e))).ok();
    let client_id = input.client_id.trim();
    if client_id.is_empty() || client_id.len() > 200 || client_id.chars().any(char::is_whitespace) {
        problems.push(("client_id", "the machine-to-machine application's client id (no spaces)".into()));
    }
    let secret = input.client_secret.trim();
    if secret_required && secret.is_empty() {
        problems.push(("client_secret", "the application's client secret is needed to read the tenant".into()));
    }
    let api_base_url = input.api_base_url.trim().trim_end_matches('/');
    let api_ok = api_base_url.is_empty()
        || api_base_url
            .strip_prefix("https://")
            .or_else(|| api_base_url.strip_prefix("http://"))
            .is_some_and(|rest| !rest.is_empty() && !rest.contains('/') && !rest.contains(char::is_whitespace));
    if !api_ok {
        problems.push((
            "api_base_url",
            "scheme and host only, e.g. http://127.0.0.1:4000 (leave empty for https://DOMAIN)".into(),
        ));
    }
    if input.notes.chars().count() > 2000 {
        problems.push(("notes", "at most 2,000 characters".into()));
    }
    if !problems.is_empty() {
        return Err(TenantError::Invalid(problems));
    }
    let (Some(domain), Some(name), Some(environment), Some(user_domain), Some(association)) =
        (domain, name, environment, user_domain, association)
    else {
        return Err(TenantError::Invalid(vec![("tenant", "incomplete".into())]));
    };
    let tenant = NewTenant {
        name: name.as_str().to_string(),
        domain: domain.host,
        region,
        environment,
        user_domain: user_domain.as_str().to_string(),
        association,
        account_name: input.account_name.trim().chars().take(200).collect(),
        paid_features: input.paid_features,
        client_id: client_id.to_string(),
        client_secret: if secret.is_empty() { Vec::new() } else { secrets.encrypt(secret) },
        api_base_url: (!api_base_url.is_empty()).then(|| api_base_url.to_string()),
        notes: input.notes.trim().to_string(),
    };
    Ok((tenant, !secret.is_empty()))
}

fn unique_violation(error: sqlx::Error, tenant: &NewTenant) -> TenantError {
    match &error {
        sqlx::Error::Database(db) if db.constraint() == Some("tenants_name") => {
            TenantError::NameTaken(tenant.name.clone())
        }
        sqlx::Error::Database(db) if db.constraint() == Some("tenants_domain") => {
            TenantError::DomainTaken(tenant.domain.clone())
        }
        _ => TenantError::Database(error),
    }
}

/// Registers a tenant and schedules its first snapshot now.
pub async fn add(
    pool: &PgPool,
    secrets: &SecretBox,
    actor: &Actor,
    input: &TenantInput,
    client_ip: &str,
    now: DateTime<Utc>,
    interval: Duration,
) -> Result<Uuid, TenantError> {
    let (tenant, _) = parse(input, secrets, true)?;
    let mut tx = pool.begin().await?;
    let id = repo::insert(&mut tx, &tenant).await.map_err(|e| unique_violation(e, &tenant))?;
    scheduler::ensure(&mut tx, jobs::KIND, &id.to_string(), interval, now).await?;
    // The tenant's Auth0 status feed and custom domains are added by the registry's followers, asked for now.
    scheduler::registry_changed(&mut tx, now).await?;
    let detail = format!("{} {} for {}", tenant.environment, tenant.domain, tenant.user_domain);
    audit::record(&mut tx, actor, Action::TenantAdded, &tenant.name, client_ip, &detail).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a tenant; an empty secret keeps the stored one. The next snapshot is taken now.
pub async fn update(
    pool: &PgPool,
    secrets: &SecretBox,
    actor: &Actor,
    id: Uuid,
    input: &TenantInput,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<(), TenantError> {
    let (tenant, new_secret) = parse(input, secrets, false)?;
    let mut tx = pool.begin().await?;
    let stored = repo::get(&mut tx, id).await?.ok_or(TenantError::NotFound)?;
    let moved = stored.domain != tenant.domain
        || stored.api_base_url != tenant.api_base_url
        || stored.client_id != tenant.client_id;
    if moved && !new_secret {
        // The stored secret goes only where it was entered for: a new address or application needs it again.
        return Err(TenantError::Invalid(vec![(
            "client_secret",
            "the domain, API URL or client id changed: enter the client secret again (a stored secret is only sent \
             to the tenant and application it was entered for)"
                .into(),
        )]));
    }
    let found = repo::update(&mut tx, id, &tenant, new_secret).await.map_err(|e| unique_violation(e, &tenant))?;
    if !found {
        return Err(TenantError::NotFound);
    }
    scheduler::run_soon(&mut tx, jobs::KIND, &id.to_string(), now).await?;
    scheduler::registry_changed(&mut tx, now).await?;
    let detail = if new_secret { "client secret replaced" } else { "" };
    audit::record(&mut tx, actor, Action::TenantUpdated, &tenant.name, client_ip, detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a tenant, its snapshots, history and job.
pub async fn remove(pool: &PgPool, actor: &Actor, id: Uuid, client_ip: &str) -> Result<(), TenantError> {
    let mut tx = pool.begin().await?;
    let name = repo::delete(&mut tx, id).await?.ok_or(TenantError::NotFound)?;
    scheduler::remove(&mut tx, jobs::KIND, &id.to_string()).await?;
    scheduler::registry_changed(&mut tx, Utc::now()).await?;
    audit::record(&mut tx, actor, Action::TenantRemoved, &name, client_ip, "").await?;
    tx.commit().await?;
    Ok(())
}

/// Asks for a snapshot now ("Refresh now").
pub async fn refresh_now(pool: &PgPool, id: Uuid, now: DateTime<Utc>) -> Result<(), TenantError> {
    let mut conn = pool.acquire().await?;
    if scheduler::run_soon(&mut conn, jobs::KIND, &id.to_string(), now).await? {
        Ok(())
    } else {
        Err(TenantError::NotFound)
    }
}
