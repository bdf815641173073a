//! The inventory as code: `tenantry tenants export > tenants.toml` and `tenantry tenants import tenants.toml`.
//! Secrets never enter the file: each tenant names the environment variable that holds its client secret.
//! Import checks every entry first and changes nothing if one is wrong; it is idempotent and says what it changed.

use std::collections::BTreeMap;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use super::repo;
use super::service::{self, TenantInput};
use crate::accounts::audit::Actor;
use crate::secrets::SecretBox;

/// The file.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InventoryFile {
    #[serde(default, rename = "tenant")]
    pub tenants: Vec<TenantEntry>,
}

/// One tenant in the file.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TenantEntry {
    pub name: String,
    pub domain: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub environment: String,
    pub user_domain: String,
    #[serde(default = "unknown")]
    pub association: String,
    #[serde(default)]
    pub account_name: String,
    #[serde(default)]
    pub paid_features: bool,
    pub client_id: String,
    /// The environment variable holding the client secret.
    pub client_secret_env: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_base_url: Option<String>,
    #[serde(default)]
    pub notes: String,
}

fn unknown() -> String {
    "unknown".into()
}

/// Every variable an import reads starts with this: a file cannot name `DATABASE_URL` or any other variable of
/// the server's environment and have it stored as a tenant's secret (and sent to an address the file chose).
pub const SECRET_ENV_PREFIX: &str = "TENANTRY_IMPORT_";

/// `TENANTRY_IMPORT_ACME_PROD_CLIENT_SECRET` for `acme-prod`.
pub fn secret_env_name(tenant: &str) -> String {
    format!("{SECRET_ENV_PREFIX}{}_CLIENT_SECRET", tenant.to_uppercase().replace(['-', '.'], "_"))
}

/// The registry as a file, by name.
pub async fn export(pool: &PgPool) -> anyhow::Result<String> {
    let tenants = repo::list(&mut *pool.acquire().await?).await?;
    let file = InventoryFile {
        tenants: tenants
            .into_iter()
            .map(|t| TenantEntry {
                client_secret_env: secret_env_name(&t.name),
                name: t.name,
                domain: t.domain,
                region: t.region.map(|r| r.as_str().to_string()),
                environment: t.environment.as_str().into(),
                user_domain: t.user_domain,
                association: t.association.as_str().into(),
                account_name: t.account_name,
                paid_features: t.paid_features,
                client_id: t.client_id,
                api_base_url: t.api_base_url,
                notes: t.notes,
            })
            .collect(),
    };
    let body = toml::to_string(&file)?;
    Ok(format!(
        "# Tenantry inventory, exported {}.\n# Secrets are not in this file: set each client_secret_env variable before importing.\n\n{body}",
        crate::format_now()
    ))
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub added: Vec<String>,
    /// (name, fields changed)
    pub updated: Vec<(String, Vec<String>)>,
    pub unchanged: Vec<String>,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for name in &self.added {
            writeln!(f, "added     {name}")?;
        }
        for (name, fields) in &self.updated {
            writeln!(f, "updated   {name} ({})", fields.join(", "))?;
        }
        write!(f, "{} added, {} updated, {} unchanged", self.added.len(), self.updated.len(), self.unchanged.len())
    }
}

/// Imports the file: adds new tenants, updates changed ones (matched by domain), leaves the rest.
pub async fn import(
    pool: &PgPool,
    secrets: &SecretBox,
    text: &str,
    env: impl Fn(&str) -> Option<String>,
    interval: std::time::Duration,
) -> anyhow::Result<ImportReport> {
    let file: InventoryFile =
        toml::from_str(text).map_err(|e| anyhow::anyhow!("the file is not a Tenantry inventory: {}", e.message()))?;
    let existing: BTreeMap<String, repo::Tenant> =
        repo::list(&mut *pool.acquire().await?).await?.into_iter().map(|t| (t.domain.clone(), t)).collect();
    // Check everything before changing anything.
    let mut problems = Vec::new();
    let mut plan = Vec::new();
    for (i, entry) in file.tenants.iter().enumerate() {
        if !entry.client_secret_env.starts_with(SECRET_ENV_PREFIX) {
            problems.push(format!(
                "tenant {} ({}): client_secret_env must name a variable starting with {SECRET_ENV_PREFIX} (not {:?})",
                i + 1,
                entry.name,
                entry.client_secret_env.chars().take(100).collect::<String>()
            ));
            continue;
        }
        let secret = env(&entry.client_secret_env).unwrap_or_default();
        let input = TenantInput {
            domain: entry.domain.clone(),
            name: entry.name.clone(),
            region: entry.region.clone().unwrap_or_default(),
            environment: entry.environment.clone(),
            user_domain: entry.user_domain.clone(),
            association: entry.association.clone(),
            account_name: entry.account_name.clone(),
            paid_features: entry.paid_features,
            client_id: entry.client_id.clone(),
            client_secret: secret.clone(),
            api_base_url: entry.api_base_url.clone().unwrap_or_default(),
            notes: entry.notes.clone(),
        };
        let known = existing.get(&entry.domain.trim().to_lowercase());
        if known.is_none() && secret.is_empty() {
            problems.push(format!(
                "tenant {} ({}): set {} to its client secret",
                i + 1,
                entry.name,
                entry.client_secret_env
            ));
            continue;
        }
        match service::parse(&input, secrets, false) {
            Ok((parsed, _)) => plan.push((entry.name.clone(), input, parsed, known.cloned(), secret)),
            Err(e) => problems.push(format!("tenant {} ({}): {e}", i + 1, entry.name)),
        }
    }
    anyhow::ensure!(problems.is_empty(), "nothing was imported:\n  {}", problems.join("\n  "));
    let mut report = ImportReport::default();
    let now = Utc::now();
    for (name, input, parsed, known, secret) in plan {
        match known {
            None => {
                service::add(pool, secrets, &Actor::CommandLine, &input, "", now, interval).await?;
                report.added.push(name);
            }
            Some(old) => {
                let mut changed = Vec::new();
                let mut check = |field: &str, same: bool| {
                    if !same {
                        changed.push(field.to_string());
                    }
                };
                check("name", old.name == parsed.name);
                check("region", old.region == parsed.region);
                check("environment", old.environment == parsed.environment);
                check("user_domain", old.user_domain == parsed.user_domain);
                check("association", old.association == parsed.association);
                check("account_name", old.account_name == parsed.account_name);
                check("paid_features", old.paid_features == parsed.paid_features);
                check("client_id", old.client_id == parsed.client_id);
                check("api_base_url", old.api_base_url == parsed.api_base_url);
                check("notes", old.notes == parsed.notes);
                let secret_changed =
                    !secret.is_empty() && secrets.decrypt(&old.client_secret).ok().as_deref() != Some(secret.as_str());
                check("client_secret", !secret_changed);
                if changed.is_empty() {
                    report.unchanged.push(name);
                } else {
                    let input =
                        TenantInput { client_secret: if secret_changed { secret } else { String::new() }, ..input };
                    service::update(pool, secrets, &Actor::CommandLine, old.id, &input, "", now).await?;
                    report.updated.push((name, changed));
                }
            }
        }
    }
    Ok(report)
}
