//! The engine behind `/infra` (`app::infra::InfraPort`) and the allow-list download
//! (`GET /infra/allow-list?format=…&regions=…&ports=…`).

use std::collections::BTreeSet;

use app::accounts::Acting;
use app::error::AppError;
use app::ids::TenantId;
use app::infra::{EmailRow, InfraOverview, InfraPort};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use sqlx::PgPool;

use super::exports::{AllowList, Format, ports};
use super::repo;
use super::service::{self, Polled};
use crate::accounts::audit::{self, Action, Actor};
use crate::outbound::Fetcher;

pub struct PgInfra {
    pub pool: PgPool,
    pub fetcher: Fetcher,
    pub url: String,
    pub dns: std::sync::Arc<crate::domains::dns::DnsChecker>,
}

fn db(e: sqlx::Error) -> AppError {
    crate::db::app_error("infra", e)
}

#[async_trait::async_trait]
impl InfraPort for PgInfra {
    async fn overview(&self, compare: Option<(i64, i64)>) -> Result<InfraOverview, AppError> {
        service::overview(&self.pool, compare).await.map_err(|e| crate::db::app_error("infra", e))
    }

    async fn read_now(&self) -> Result<bool, AppError> {
        match service::poll(&self.pool, &self.fetcher, &self.url, Utc::now()).await {
            Ok(Polled::Failed(e)) => {
                Err(AppError::Unavailable(format!("The list could not be read: {e}. The last good version stays.")))
            }
            Ok(Polled::Unchanged) => Ok(false),
            Ok(Polled::NewVersion { .. }) => Ok(true),
            Err(e) => Err(db(e)),
        }
    }

    async fn tenant_email(&self, tenant: TenantId) -> Result<Option<EmailRow>, AppError> {
        service::tenant_email(&self.pool, tenant.0).await.map_err(db)
    }

    async fn set_selectors(&self, by: &Acting, tenant: TenantId, selectors: &str) -> Result<(), AppError> {
        let list =
            super::sender::selectors(selectors).map_err(|e| AppError::Invalid(format!("DKIM selectors: {e}")))?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        if !repo::set_selectors(&mut tx, tenant.0, &list).await.map_err(db)? {
            return Err(AppError::NotFound(TenantId::WHAT.into()));
        }
        let detail = if list.is_empty() { "the provider's usual selectors".to_string() } else { list.join(", ") };
        let actor = Actor::from_current(&by.user);
        audit::record(&mut tx, &actor, Action::DkimSelectorsSet, &tenant.to_string(), &by.client_ip, &detail)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        // Read the records with the new selectors now, so the page shows their verdict.
        super::sender::check_all(&self.pool, &self.dns, Utc::now()).await.map_err(db)?;
        Ok(())
    }
}

#[derive(Deserialize)]
pub struct DownloadQuery {
    format: Option<String>,
    regions: Option<String>,
    ports: Option<String>,
}

fn refuse(status: StatusCode, message: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], message).into_response()
}

/// The allow-list for the chosen regions (default: the regions in use) as a download.
pub async fn download(State(pool): State<PgPool>, Query(q): Query<DownloadQuery>) -> Response {
    let name = q.format.unwrap_or_else(|| "plain".into());
    let Some(format) = Format::parse(&name) else {
        let known: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("format {:?} is not one of {}", crate::text::cut(&name, 20), known.join(", ")),
        );
    };
    let ports = match ports(q.ports.as_deref().unwrap_or("443")) {
        Ok(p) => p,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, format!("ports: {e}")),
    };
    let regions: Option<BTreeSet<String>> = q
        .regions
        .as_deref()
        .map(|r| r.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).take(16).collect())
        .filter(|r: &BTreeSet<String>| !r.is_empty());
    match service::allow_list(&pool, regions.as_ref()).await {
        Err(e) => {
            let message = crate::db::app_error("infra", e).to_string();
            refuse(StatusCode::SERVICE_UNAVAILABLE, message)
        }
        Ok(None) => refuse(
            StatusCode::NOT_FOUND,
            "Auth0's IP list has not been read yet; read it on the Infrastructure page first.".into(),
        ),
        Ok(Some(ranges)) => {
            let body = AllowList { regions: &ranges, ports: &ports }.render(format);
            (
                [
                    (header::CONTENT_TYPE, format.content_type().to_string()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", format.file_name())),
                ],
                body,
            )
                .into_response()
        }
    }
}
