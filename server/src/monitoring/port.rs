//! The engine behind the monitoring pages (`app::monitoring::MonitoringPort`): parses ids, calls the service or the
//! page reads, maps errors.

use app::accounts::Acting;
use app::error::AppError;
use app::monitoring::{CheckDetail, CheckForm, MonitoringList, MonitoringPort, MonitoringQuery};
use chrono::Utc;
use sqlx::PgPool;
use sqlx::pool::PoolConnection;
use sqlx::postgres::Postgres;

use super::model::{CheckId, TenantId};
use super::service::{self, CheckError};
use super::views;
use crate::accounts::audit::Actor;
use crate::secrets::SecretBox;

/// Monitoring on PostgreSQL.
pub struct PgMonitoring {
    pub pool: PgPool,
    pub secrets: SecretBox,
    /// Synthetic logins per minute a tenant's checks may make together.
    pub login_budget: f64,
}

impl From<CheckError> for AppError {
    fn from(error: CheckError) -> Self {
        match error {
            CheckError::NotFound => AppError::NotFound(CheckId::WHAT.into()),
            CheckError::Database(cause) => crate::db::app_error("monitoring", cause),
            other => AppError::Invalid(other.to_string()),
        }
    }
}

impl PgMonitoring {
    async fn conn(&self) -> Result<PoolConnection<Postgres>, AppError> {
        self.pool.acquire().await.map_err(|e| crate::db::app_error("monitoring", e))
    }
}

#[async_trait::async_trait]
impl MonitoringPort for PgMonitoring {
    async fn list(&self, query: MonitoringQuery) -> Result<MonitoringList, AppError> {
        Ok(views::list(&mut *self.conn().await?, &query, Utc::now()).await?)
    }

    async fn detail(&self, id: CheckId, range: &str) -> Result<CheckDetail, AppError> {
        Ok(views::detail(&mut *self.conn().await?, id, range, self.login_budget, Utc::now()).await?)
    }

    async fn form(&self, id: Option<CheckId>) -> Result<(CheckForm, Vec<(TenantId, String)>), AppError> {
        Ok(views::form(&mut *self.conn().await?, id).await?)
    }

    async fn add(&self, by: &Acting, form: CheckForm) -> Result<CheckId, AppError> {
        let parsed = service::parse(&form, &self.secrets, false)?;
        let actor = Actor::from_current(&by.user);
        let id = service::add(&self.pool, &actor, parsed, self.login_budget, &by.client_ip, Utc::now()).await?;
        Ok(id)
    }

    async fn update(&self, by: &Acting, id: CheckId, form: CheckForm) -> Result<(), AppError> {
        let parsed = service::parse(&form, &self.secrets, true)?;
        let actor = Actor::from_current(&by.user);
        service::update(&self.pool, &actor, id, parsed, self.login_budget, &by.client_ip, Utc::now()).await?;
        Ok(())
    }

    async fn set_enabled(&self, by: &Acting, id: CheckId, enabled: bool) -> Result<(), AppError> {
        let actor = Actor::from_current(&by.user);
        service::set_enabled(&self.pool, &actor, id, enabled, self.login_budget, &by.client_ip, Utc::now()).await?;
        Ok(())
    }

    async fn remove(&self, by: &Acting, id: CheckId) -> Result<(), AppError> {
        service::remove(&self.pool, &Actor::from_current(&by.user), id, &by.client_ip).await?;
        Ok(())
    }

    async fn run_now(&self, id: CheckId) -> Result<(), AppError> {
        service::run_now(&self.pool, id, Utc::now()).await?;
        Ok(())
    }

    async fn add_maintenance(
        &self,
        by: &Acting,
        id: CheckId,
        scope: &str,
        starts: &str,
        ends: &str,
        reason: &str,
    ) -> Result<(), AppError> {
        let actor = Actor::from_current(&by.user);
        let whole_tenant = scope == "tenant";
        service::add_maintenance(&self.pool, &actor, id, whole_tenant, starts, ends, reason, &by.client_ip).await?;
        Ok(())
    }
}
