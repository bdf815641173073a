//! The engine behind the custom-domain pages (`app::domains::DomainsPort`): parses what pages send, calls the
//! service, maps its errors.

use std::sync::Arc;

use app::domains::{DomainDetail, DomainList, DomainsPort, DomainsQuery, Report};
use app::error::AppError;
use chrono::Utc;
use sqlx::PgPool;

use super::check::Checker;
use super::hostname::Hostname;
use super::model::DomainId;
use super::service::{self, DomainsError};

/// The custom-domain findings (`notifications::watch` watches them appear and clear).
pub use super::service::findings;

pub struct PgDomains {
    pub pool: PgPool,
    pub checker: Arc<Checker>,
}

fn app_error(e: DomainsError) -> AppError {
    match e {
        DomainsError::Gone => AppError::NotFound(DomainId::WHAT.into()),
        DomainsError::Db(cause) => crate::db::app_error("domains", cause),
    }
}

/// `raw` as a host name; `field` names the input in the message.
fn hostname(raw: &str, field: &str) -> Result<Hostname, AppError> {
    Hostname::parse(raw).map_err(|e| AppError::Invalid(format!("{field}: {e}")))
}

#[async_trait::async_trait]
impl DomainsPort for PgDomains {
    async fn list(&self, query: DomainsQuery) -> Result<DomainList, AppError> {
        service::list(&self.pool, &query, Utc::now()).await.map_err(app_error)
    }

    async fn detail(&self, id: DomainId) -> Result<DomainDetail, AppError> {
        service::detail(&self.pool, id).await.map_err(app_error)
    }

    async fn check_now(&self, id: DomainId) -> Result<(), AppError> {
        service::check(&self.pool, &self.checker, id, Utc::now()).await.map_err(app_error)
    }

    async fn check_host(&self, host: &str, expected: &str) -> Result<Report, AppError> {
        let host = hostname(host, "Host name")?;
        let expected = match expected.trim() {
            "" => None,
            raw => Some(hostname(raw, "Expected CNAME target")?),
        };
        service::check_host(&self.pool, &self.checker, &host, expected.as_ref(), Utc::now()).await.map_err(app_error)
    }
}
