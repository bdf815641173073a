//! The snapshot poller: a scheduler job per tenant that reads what Auth0 says about the tenant (settings, custom
//! domains, email provider, log streams, connections, Actions, applications, APIs, rules and hooks, MFA factors,
//! attack protection, prompts, the SMS provider, signing keys, email templates, active users), stores a snapshot
//! when something changed, and records the field-level changes. A failure is recorded with its class; the previous
//! snapshot stays.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use super::{diff, keep, repo};
use crate::auth0::{Auth0Client, Auth0Error, TenantEndpoint};
use crate::scheduler::Job;
use crate::secrets::SecretBox;

/// The scheduler job kind.
pub const KIND: &str = crate::scheduler::kinds::TENANTS_SNAPSHOT;
/// Default poll interval.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// What one poll did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Polled {
    /// A snapshot was stored, with this many changed fields (0 for the first one).
    Changed {
        snapshot: i64,
        changes: usize,
    },
    Unchanged,
}

/// Why a poll did not complete. A failed Auth0 read is also recorded on the tenant (its class shows on the page).
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error("the tenant was removed")]
    Removed,
    #[error("the client secret cannot be read: {0}")]
    Secret(String),
    #[error(transparent)]
    Auth0(#[from] Auth0Error),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// Polls tenants for the scheduler.
pub struct SnapshotJob {
    pub pool: PgPool,
    pub client: Arc<Auth0Client>,
    pub secrets: SecretBox,
}

impl SnapshotJob {
    /// One poll of one tenant at `now`.
    pub async fn poll(&self, tenant_id: Uuid, now: DateTime<Utc>) -> Result<Polled, PollError> {
        let mut conn = self.pool.acquire().await?;
        let Some(tenant) = repo::get(&mut conn, tenant_id).await? else {
            return Err(PollError::Removed);
        };
        let secret = match self.secrets.decrypt(&tenant.client_secret) {
            Ok(secret) => secret,
            Err(e) => {
                repo::record_poll(&mut conn, tenant_id, now, Err(("secret_unreadable", &e.to_string()))).await?;
                return Err(PollError::Secret(e.to_string()));
            }
        };
        drop(conn);
        let endpoint = TenantEndpoint {
            domain: tenant.domain.clone(),
            base_url: tenant.api_base_url.clone(),
            client_id: tenant.client_id.clone(),
            client_secret: secret,
        };
        let read = self.read(&endpoint).await;
        let mut tx = self.pool.begin().await?;
        let outcome = match read {
            Err(error) => {
                let message = error.to_string();
                repo::record_poll(&mut tx, tenant_id, now, Err((error.class(), &message))).await?;
                tx.commit().await?;
                tracing::info!(tenant.id = %tenant_id, class = error.class(), "tenant poll failed");
                return Err(PollError::Auth0(error));
            }
            Ok((data, active_users)) => {
                let previous = repo::latest_snapshot(&mut tx, tenant_id).await?;
                let stored = repo::store_snapshot_if_changed(&mut tx, tenant_id, now, &data).await?;
                let outcome = match (stored, previous) {
                    (None, _) => Polled::Unchanged,
                    (Some(snapshot), None) => Polled::Changed { snapshot, changes: 0 },
                    (Some(snapshot), Some((_, before))) => {
                        let changes = diff::diff(&before, &data);
                        repo::insert_changes(&mut tx, tenant_id, snapshot, now, &changes).await?;
                        Polled::Changed { snapshot, changes: changes.len() }
                    }
                };
                repo::record_poll(&mut tx, tenant_id, now, Ok(active_users)).await?;
                if matches!(outcome, Polled::Changed { .. }) {
                    // The custom-domain inventory and the readiness checklist follow the new snapshot at once.
                    for kind in [crate::scheduler::kinds::DOMAINS_SYNC, crate::scheduler::kinds::CHECKLISTS_EVALUATE] {
                        crate::scheduler::run_soon(&mut tx, kind, "all", now).await?;
                    }
                }
                outcome
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Reads everything a snapshot holds, keeping what `keep` says (never a secret). Connections and Actions need
    /// scopes a console may not have been given: without them they are `null` and the scope is in `missing_scopes`.
    async fn read(&self, t: &TenantEndpoint) -> Result<(Value, Option<i64>), Auth0Error> {
        let settings = self.client.tenant_settings(t).await?.raw;
        let custom_domains = match self.client.custom_domains(t).await?.raw {
            Value::Object(mut page) => page.remove("custom_domains").unwrap_or(Value::Array(Vec::new())),
            list => list,
        };
        let email_provider = self.client.email_provider(t).await?.map(|p| keep::email_provider(p.raw));
        let log_streams = keep::log_streams(self.client.log_streams(t).await?.raw);
        // The parts the readiness checklist and the firewall guide read: without the scope a part is unknown (and
        // the scope named), never a failed poll; a part Auth0 does not serve this tenant is unknown with its answer.
        let mut gaps = Gaps::default();
        let each = |list: Vec<Value>, keep: fn(&Value) -> Value| Value::Array(list.iter().map(keep).collect());
        let c = &self.client;
        let connections = gaps.part("connections", c.connections(t).await.map(|l| each(l, keep::connection)))?;
        let actions = gaps.part("actions", c.actions(t).await.map(|l| each(l, keep::action)))?;
        let clients_path = format!("/api/v2/clients?fields={}&include_fields=true&", keep::CLIENT_FIELDS);
        let clients = c.all_pages(t, &clients_path, "read:clients", None).await.map(|l| each(l, keep::client));
        let clients = gaps.part("clients", clients)?;
        let apis = c.all_pages(t, "/api/v2/resource-servers?", "read:resource_servers", None).await;
        let resource_servers = gaps.part("resource_servers", apis.map(|l| each(l, keep::resource_server)))?;
        let list = |raw: Value, keep: fn(&Value) -> Value| each(raw.as_array().cloned().unwrap_or_default(), keep);
        let rules = c.get::<Value>(t, "/api/v2/rules", "read:rules").await.map(|f| list(f.raw, keep::rule));
        let rules = gaps.part("rules", rules)?;
        let hooks = c.get::<Value>(t, "/api/v2/hooks", "read:hooks").await.map(|f| list(f.raw, keep::hook));
        let hooks = gaps.part("hooks", hooks)?;
        let factors = c.get::<Value>(t, "/api/v2/guardian/factors", "read:guardian_factors").await;
        let guardian_factors = gaps.part("guardian_factors", factors.map(|f| list(f.raw, keep::factor)))?;
        let mut attack_protection = serde_json::Map::new();
        for (key, path) in [
            ("brute_force", "/api/v2/attack-protection/brute-force-protection"),
            ("breached_passwords", "/api/v2/attack-protection/breached-password-detection"),
            ("suspicious_ip_throttling", "/api/v2/attack-protection/suspicious-ip-throttling"),
        ] {
            let read = c.get::<Value>(t, path, "read:attack_protection").await.map(|f| keep::attack_protection(&f.raw));
            attack_protection.insert(key.into(), gaps.part(key, read)?);
        }
        let prompts = c.get::<Value>(t, "/api/v2/prompts", "read:prompts").await.map(|f| keep::prompts(&f.raw));
        let prompts = gaps.part("prompts", prompts)?;
        let sms = c.get::<Value>(t, "/api/v2/guardian/factors/phone/selected-provider", "read:guardian_factors").await;
        let sms_provider =
            gaps.part("sms_provider", sms.map(|f| f.raw.get("provider").cloned().unwrap_or(Value::Null)))?;
        let keys = c.get::<Value>(t, "/api/v2/keys/signing", "read:signing_keys").await;
        let signing_keys = gaps.part("signing_keys", keys.map(|f| list(f.raw, keep::signing_key)))?;
        let mut templates = Vec::new();
        for name in keep::EMAIL_TEMPLATES {
            let read = match c.get::<Value>(t, &format!("/api/v2/email-templates/{name}"), "read:email_templates").await
            {
                Ok(found) => Ok(keep::email_template(&found.raw)),
                // Never customized: Auth0 sends its default text.
                Err(Auth0Error::NotFound(_)) => Ok(json!({"template": name, "customized": false})),
                Err(e) => Err(e),
            };
            let template = gaps.part("email_templates", read)?;
            if template.is_null() {
                break;
            }
            templates.push(template);
        }
        let active_users = self.client.active_users(t).await.ok().map(|a| i64::try_from(a.value).unwrap_or(i64::MAX));
        let data = json!({
            "settings": settings,
            "custom_domains": custom_domains,
            "email_provider": email_provider,
            "log_streams": log_streams,
            "connections": connections,
            "actions": actions,
            "clients": clients,
            "resource_servers": resource_servers,
            "rules": rules,
            "hooks": hooks,
            "guardian_factors": guardian_factors,
            "attack_protection": attack_protection,
            "prompts": prompts,
            "sms_provider": sms_provider,
            "signing_keys": signing_keys,
            "email_templates": if templates.is_empty() { Value::Null } else { Value::Array(templates) },
            "missing_scopes": gaps.missing_scopes,
            "unavailable": gaps.unavailable,
        });
        Ok((data, active_users))
    }
}

/// What a snapshot could not read of its optional parts.
#[derive(Default)]
struct Gaps {
    missing_scopes: Vec<Value>,
    /// Part → what Auth0 answered (a 404, or a 403 that is not about a scope).
    unavailable: serde_json::Map<String, Value>,
}

impl Gaps {
    /// The part as read, or `null` with the reason recorded; a transient failure (rate limit, timeout, 5xx) still
    /// fails the poll, so the last good snapshot stays.
    fn part(&mut self, key: &str, read: Result<Value, Auth0Error>) -> Result<Value, Auth0Error> {
        match read {
            Ok(value) => Ok(value),
            Err(Auth0Error::MissingScope { scope }) => {
                if !self.missing_scopes.iter().any(|s| s.as_str() == Some(scope.as_str())) {
                    self.missing_scopes.push(Value::String(scope));
                }
                Ok(Value::Null)
            }
            Err(e @ (Auth0Error::NotFound(_) | Auth0Error::BadCredentials(_) | Auth0Error::Unexpected(_))) => {
                self.unavailable.insert(key.into(), Value::String(crate::text::one_line(&e.to_string())));
                Ok(Value::Null)
            }
            Err(e) => Err(e),
        }
    }
}

#[async_trait::async_trait]
impl Job for SnapshotJob {
    fn kind(&self) -> &'static str {
        KIND
    }

    /// A snapshot is several Management API reads, each with its own timeout and rate-limit wait.
    fn time_limit(&self) -> std::time::Duration {
        std::time::Duration::from_secs(100)
    }

    async fn run_once(&self, key: &str, now: DateTime<Utc>) -> Result<(), String> {
        let id = key.parse::<Uuid>().map_err(|_| format!("{key:?} is not a tenant id"))?;
        self.poll(id, now).await.map(|_| ()).map_err(|e| e.to_string())
    }
}
