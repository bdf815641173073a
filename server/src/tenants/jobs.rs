//! The snapshot poller: a scheduler job per tenant that reads what Auth0 says about the tenant (settings, custom
//! domains, email provider, log streams, connections, Actions, active users), stores a snapshot when something changed, and records the
//! field-level changes. A failure is recorded with its class; the previous snapshot stays.

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

/// Polls tenants for the scheduler.
pub struct SnapshotJob {
    pub pool: PgPool,
    pub client: Arc<Auth0Client>,
    pub secrets: SecretBox,
}

impl SnapshotJob {
    /// One poll of one tenant at `now`.
    pub async fn poll(&self, tenant_id: Uuid, now: DateTime<Utc>) -> Result<Polled, String> {
        let mut conn = self.pool.acquire().await.map_err(|e| e.to_string())?;
        let Some(tenant) = repo::get(&mut conn, tenant_id).await.map_err(|e| e.to_string())? else {
            return Err("the tenant was removed".into());
        };
        let secret = match self.secrets.decrypt(&tenant.client_secret) {
            Ok(secret) => secret,
            Err(e) => {
                repo::record_poll(&mut conn, tenant_id, now, Err(("secret_unreadable", &e.to_string())))
                    .await
                    .map_err(|e| e.to_string())?;
                return Err(e.to_string());
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
        let mut tx = self.pool.begin().await.map_err(|e| e.to_string())?;
        let outcome = match read {
            Err(error) => {
                let message = error.to_string();
                repo::record_poll(&mut tx, tenant_id, now, Err((error.class(), &message)))
                    .await
                    .map_err(|e| e.to_string())?;
                tx.commit().await.map_err(|e| e.to_string())?;
                tracing::info!(tenant.id = %tenant_id, class = error.class(), "tenant poll failed");
                return Err(message);
            }
            Ok((data, active_users)) => {
                let previous = repo::latest_snapshot(&mut tx, tenant_id).await.map_err(|e| e.to_string())?;
                let stored =
                    repo::store_snapshot_if_changed(&mut tx, tenant_id, now, &data).await.map_err(|e| e.to_string())?;
                let outcome = match (stored, previous) {
                    (None, _) => Polled::Unchanged,
                    (Some(snapshot), None) => Polled::Changed { snapshot, changes: 0 },
                    (Some(snapshot), Some((_, before))) => {
                        let changes = diff::diff(&before, &data);
                        repo::insert_changes(&mut tx, tenant_id, snapshot, now, &changes)
                            .await
                            .map_err(|e| e.to_string())?;
                        Polled::Changed { snapshot, changes: changes.len() }
                    }
                };
                repo::record_poll(&mut tx, tenant_id, now, Ok(active_users)).await.map_err(|e| e.to_string())?;
                if matches!(outcome, Polled::Changed { .. }) {
                    // The custom-domain inventory follows the new snapshot at once.
                    crate::scheduler::run_soon(&mut tx, crate::scheduler::kinds::DOMAINS_SYNC, "all", now)
                        .await
                        .map_err(|e| e.to_string())?;
                }
                outcome
            }
        };
        tx.commit().await.map_err(|e| e.to_string())?;
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
        // Without the scope a part is unknown, recorded as such, never a failed poll.
        let mut missing_scopes = Vec::new();
        let mut optional = |read: Result<Vec<Value>, Auth0Error>, keep: fn(&Value) -> Value| match read {
            Ok(list) => Ok(Value::Array(list.iter().map(keep).collect())),
            Err(Auth0Error::MissingScope { scope }) => {
                missing_scopes.push(Value::String(scope));
                Ok(Value::Null)
            }
            Err(e) => Err(e),
        };
        let connections = optional(self.client.connections(t).await, keep::connection)?;
        let actions = optional(self.client.actions(t).await, keep::action)?;
        let active_users = self.client.active_users(t).await.ok().map(|a| i64::try_from(a.value).unwrap_or(i64::MAX));
        let data = json!({
            "settings": settings,
            "custom_domains": custom_domains,
            "email_provider": email_provider,
            "log_streams": log_streams,
            "connections": connections,
            "actions": actions,
            "missing_scopes": missing_scopes,
        });
        Ok((data, active_users))
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
        self.poll(id, now).await.map(|_| ())
    }
}
