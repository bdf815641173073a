//! The engine behind the tenant pages (`app::tenants::TenantsPort`).

use std::collections::BTreeMap;
use std::time::Duration;

use app::accounts::Acting;
use app::error::AppError;
use app::ids::TenantId;
use app::tenants::{
    Association, Drift, DriftRow, DriftState, Environment, Inventory, InventoryQuery, InventoryRow, NameVerdict,
    Region, SdlcColumn, TenantCell, TenantDetail, TenantFields, TenantsPort,
};
use chrono::Utc;
use serde_json::Value;
use sqlx::PgPool;

use super::model::check_name;
use super::repo::{self, CellRow};
use super::service::{self, TenantError};
use crate::accounts::audit::Actor;
use crate::secrets::SecretBox;

/// User domains per inventory page.
pub const GROUPS_PER_PAGE: usize = 25;

/// Tenants on PostgreSQL.
pub struct PgTenants {
    pub pool: PgPool,
    pub secrets: SecretBox,
    pub interval: Duration,
    /// Tenants with all paid features the contract allows (the guide's default: 3).
    pub paid_limit: usize,
    /// Snapshot fields expected to differ between environments (greyed in the drift view).
    pub drift_expected: Vec<String>,
}

impl From<TenantError> for AppError {
    fn from(error: TenantError) -> Self {
        match error {
            TenantError::NotFound => AppError::NotFound("the tenant".into()),
            TenantError::Database(cause) => {
                tracing::error!(error = %cause, "tenants: database error");
                AppError::Unavailable("the database is not answering; try again in a minute".into())
            }
            other => AppError::Invalid(other.to_string()),
        }
    }
}

fn db(error: sqlx::Error) -> AppError {
    AppError::from(TenantError::Database(error))
}

fn cell(r: CellRow) -> TenantCell {
    let snapshot = r.snapshot.unwrap_or(Value::Null);
    let pairs = |list: &Value, a: &str, b: &str| -> Vec<(String, String)> {
        list.as_array()
            .into_iter()
            .flatten()
            .map(|x| (x[a].as_str().unwrap_or("?").to_string(), x[b].as_str().unwrap_or("?").to_string()))
            .collect()
    };
    TenantCell {
        id: TenantId(r.id),
        name: r.name,
        domain: r.domain,
        region: r.region.as_deref().and_then(|x| Region::parse(x).ok()),
        environment: Environment::parse(&r.environment).unwrap_or(Environment::Development),
        user_domain: r.user_domain,
        association: Association::parse(&r.association).unwrap_or(Association::Unknown),
        account_name: r.account_name,
        paid_features: r.paid_features,
        custom_domains: pairs(&snapshot["custom_domains"], "domain", "status"),
        email_provider: snapshot["email_provider"]["name"].as_str().map(str::to_string),
        log_streams: pairs(&snapshot["log_streams"], "name", "status"),
        has_snapshot: !snapshot.is_null(),
        last_success_at: r.last_success_at,
        failure: r.failure_class.map(|c| (c, r.failure.unwrap_or_default())),
    }
}

/// Every tenant with its latest snapshot summary and poll state, by user domain and name.
pub async fn cells(pool: &PgPool) -> Result<Vec<TenantCell>, sqlx::Error> {
    let rows = repo::cell_rows(&mut *pool.acquire().await?).await?;
    Ok(rows
        .into_iter()
        .map(|mut r| {
            // No snapshot: the object holds only nulls.
            if r.snapshot.as_ref().is_some_and(|s| s["custom_domains"].is_null() && s["log_streams"].is_null()) {
                r.snapshot = None;
            }
            cell(r)
        })
        .collect())
}

fn matches(c: &TenantCell, q: &InventoryQuery) -> bool {
    let text = q.q.as_deref().map(str::to_lowercase);
    text.is_none_or(|t| c.name.contains(&t) || c.domain.contains(&t))
        && q.environment.is_none_or(|e| c.environment == e)
        && q.region.is_none_or(|r| c.region == Some(r))
        && q.association.is_none_or(|a| c.association == a)
}

#[async_trait::async_trait]
impl TenantsPort for PgTenants {
    async fn inventory(&self, query: InventoryQuery) -> Result<Inventory, AppError> {
        let all = cells(&self.pool).await.map_err(db)?;
        let total = all.len();
        let findings = super::findings::findings(&all, self.paid_limit);
        let mut groups: BTreeMap<String, Vec<TenantCell>> = BTreeMap::new();
        let mut matching = 0;
        for c in all.into_iter().filter(|c| matches(c, &query)) {
            matching += 1;
            groups.entry(c.user_domain.clone()).or_default().push(c);
        }
        let pages = groups.len().div_ceil(GROUPS_PER_PAGE).max(1) as u32;
        let page = query.page.clamp(1, pages);
        let rows = groups
            .into_iter()
            .skip((page as usize - 1) * GROUPS_PER_PAGE)
            .take(GROUPS_PER_PAGE)
            .map(|(user_domain, cells)| {
                let columns =
                    [SdlcColumn::Development, SdlcColumn::Testing, SdlcColumn::Production, SdlcColumn::Sandbox]
                        .into_iter()
                        .map(|col| (col, cells.iter().filter(|c| c.environment.column() == col).cloned().collect()))
                        .collect();
                InventoryRow { user_domain, columns }
            })
            .collect();
        Ok(Inventory { rows, matching, total, page, pages, findings })
    }

    async fn detail(&self, tenant: TenantId) -> Result<TenantDetail, AppError> {
        let id = tenant.0;
        let all = cells(&self.pool).await.map_err(db)?;
        let findings = super::findings::findings(&all, self.paid_limit)
            .into_iter()
            .filter(|f| f.tenants.iter().any(|(t, _)| *t == tenant))
            .collect();
        let cell = all.into_iter().find(|c| c.id == tenant).ok_or(AppError::NotFound("the tenant".into()))?;
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let row = repo::detail(&mut conn, id).await.map_err(db)?;
        let data = row.data.unwrap_or(Value::Null);
        let (configuration, unknown) = super::summary::configuration(&data);
        let settings = &data["settings"];
        let shown = [
            "friendly_name",
            "support_email",
            "default_directory",
            "session_lifetime",
            "idle_session_lifetime",
            "sandbox_version",
        ];
        let settings = shown
            .iter()
            .filter(|k| !settings[**k].is_null())
            .map(|k| {
                (k.to_string(), settings[*k].as_str().map(str::to_string).unwrap_or_else(|| settings[*k].to_string()))
            })
            .collect();
        let history = repo::history(&mut conn, id).await.map_err(db)?;
        Ok(TenantDetail {
            cell,
            client_id: row.client_id,
            api_base_url: row.api_base_url,
            notes: row.notes,
            snapshot_at: row.snapshot_at,
            settings,
            configuration,
            unknown,
            active_users: row.active_users,
            next_poll_at: row.next_poll_at,
            history,
            findings,
        })
    }

    async fn fields(&self, id: TenantId) -> Result<TenantFields, AppError> {
        let id = id.0;
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let t = super::repo::get(&mut conn, id).await.map_err(db)?.ok_or(AppError::NotFound("the tenant".into()))?;
        Ok(TenantFields {
            domain: t.domain,
            name: t.name,
            region: t.region.map(|r| r.as_str().to_string()).unwrap_or_default(),
            environment: t.environment.as_str().into(),
            user_domain: t.user_domain,
            association: t.association.as_str().into(),
            account_name: t.account_name,
            paid_features: t.paid_features,
            client_id: t.client_id,
            client_secret: String::new(),
            api_base_url: t.api_base_url.unwrap_or_default(),
            notes: t.notes,
        })
    }

    async fn add(&self, by: &Acting, fields: TenantFields) -> Result<TenantId, AppError> {
        let actor = Actor::from_current(&by.user);
        let id =
            service::add(&self.pool, &self.secrets, &actor, &fields, &by.client_ip, Utc::now(), self.interval).await?;
        Ok(TenantId(id))
    }

    async fn update(&self, by: &Acting, id: TenantId, fields: TenantFields) -> Result<(), AppError> {
        let actor = Actor::from_current(&by.user);
        service::update(&self.pool, &self.secrets, &actor, id.0, &fields, &by.client_ip, Utc::now()).await?;
        Ok(())
    }

    async fn remove(&self, by: &Acting, id: TenantId) -> Result<(), AppError> {
        service::remove(&self.pool, &Actor::from_current(&by.user), id.0, &by.client_ip).await?;
        Ok(())
    }

    async fn refresh(&self, id: TenantId) -> Result<(), AppError> {
        service::refresh_now(&self.pool, id.0, Utc::now()).await?;
        Ok(())
    }

    async fn tenants(&self) -> Result<Vec<TenantCell>, AppError> {
        let mut all = cells(&self.pool).await.map_err(db)?;
        all.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.0.cmp(&b.id.0)));
        Ok(all)
    }

    async fn check_name(&self, name: &str, company: &str, environment: &str) -> Result<NameVerdict, AppError> {
        let known = repo::names(&mut *self.pool.acquire().await.map_err(db)?).await.map_err(db)?;
        let env = Environment::parse(environment).ok();
        let c = check_name(name, Some(company), env, &known);
        Ok(NameVerdict {
            name: c.name,
            problems: c.problems,
            suggestion: c.suggestion,
            follows_convention: c.follows_convention,
            collides_with_known: c.collides_with_known,
        })
    }

    async fn drift(&self, user_domain: &str) -> Result<Drift, AppError> {
        let rows = repo::drift_rows(&mut *self.pool.acquire().await.map_err(db)?).await.map_err(db)?;
        let mut user_domains: Vec<String> = rows.iter().map(|r| r.user_domain.clone()).collect();
        user_domains.dedup();
        let chosen = if user_domain.trim().is_empty() {
            user_domains.first().cloned().unwrap_or_default()
        } else {
            user_domain.trim().to_lowercase()
        };
        let mut members: Vec<_> = rows
            .into_iter()
            .filter(|r| r.user_domain == chosen)
            .map(|r| (r.id, r.name, Environment::parse(&r.environment).unwrap_or(Environment::Sandbox), r.data))
            .collect();
        members.sort_by_key(|m| (m.2, m.1.clone()));
        // One flattening per snapshot: what the tenant says, and the same with its own name replaced (a name
        // inside a value, such as a URL, is an expected difference).
        let raw: Vec<BTreeMap<String, String>> = members
            .iter()
            .map(|(_, _, _, data)| {
                let mut out = BTreeMap::new();
                if let Some(data) = data {
                    super::diff::flatten("settings", &data["settings"], &mut out);
                    let count = |v: &Value| v.as_array().map_or(0, Vec::len).to_string();
                    out.insert("custom domains (count)".into(), count(&data["custom_domains"]));
                    out.insert("log streams (count)".into(), count(&data["log_streams"]));
                    out.insert(
                        "email provider".into(),
                        data["email_provider"]["name"].as_str().unwrap_or("Auth0 built-in").to_string(),
                    );
                    // Applications and connections by name (their ids and a social connection's own client id
                    // differ between environments by design).
                    super::diff::flatten_by_name("applications", &data["clients"], &["client_id", "name"], &mut out);
                    super::diff::flatten_by_name(
                        "connections",
                        &data["connections"],
                        &["id", "name", "client_id"],
                        &mut out,
                    );
                }
                out
            })
            .collect();
        let normalised: Vec<BTreeMap<String, String>> = members
            .iter()
            .zip(&raw)
            .map(|((_, name, _, _), values)| {
                values.iter().map(|(k, v)| (k.clone(), v.replace(name.as_str(), "{tenant}"))).collect()
            })
            .collect();
        let mut fields: Vec<&String> = raw.iter().flat_map(|m| m.keys()).collect();
        fields.sort();
        fields.dedup();
        let with_data: Vec<usize> = (0..members.len()).filter(|i| members[*i].3.is_some()).collect();
        // A tenant whose applications or connections were not read (no scope) is left out of their comparison.
        let read = |i: usize, field: &str| {
            let list = field.split(['[', ' ']).next().unwrap_or(field);
            raw[i].get(&format!("{list} (count)")).is_none_or(|n| n != "not read")
        };
        let all_equal = |maps: &[BTreeMap<String, String>], field: &String| {
            let compared: Vec<usize> = with_data.iter().copied().filter(|i| read(*i, field)).collect();
            compared.windows(2).all(|w| maps[w[0]].get(field) == maps[w[1]].get(field))
        };
        let drift_rows = fields
            .into_iter()
            .map(|field| {
                let state = if all_equal(&raw, field) {
                    DriftState::Same
                } else if all_equal(&normalised, field) || self.drift_expected.iter().any(|e| e == field) {
                    DriftState::Expected
                } else {
                    DriftState::Differs
                };
                let values = raw.iter().map(|m| m.get(field).cloned().map(super::diff::cut)).collect();
                DriftRow { field: field.clone(), values, state }
            })
            .collect();
        Ok(Drift {
            user_domain: chosen,
            user_domains,
            tenants: members
                .into_iter()
                .map(|(id, name, env, data)| (TenantId(id), name, env, data.is_some()))
                .collect(),
            rows: drift_rows,
        })
    }
}
