//! The checklist pages' port: reads through the repo, assembly in `views`, sign-offs through the service.

use std::collections::HashMap;

use app::accounts::Acting;
use app::checklists::{ChecklistsPort, ItemRow, Overview, OverviewRow, TenantChecklist};
use app::error::AppError;
use app::ids::TenantId;
use app::tenants::Environment;
use chrono::{Duration, Utc};
use sqlx::PgPool;

use super::repo::{self, SignOffRow, VerdictRow};
use super::service::{self, SignOffForm};
use super::views;
use crate::accounts::audit::Actor;

/// History entries per page of a tenant's checklist.
pub const HISTORY_PAGE: i64 = 50;

pub struct PgChecklists {
    pub pool: PgPool,
}

fn group<T>(rows: Vec<T>, key: impl Fn(&T) -> TenantId) -> HashMap<TenantId, Vec<T>> {
    let mut by: HashMap<TenantId, Vec<T>> = HashMap::new();
    for r in rows {
        by.entry(key(&r)).or_default().push(r);
    }
    by
}

#[async_trait::async_trait]
impl ChecklistsPort for PgChecklists {
    async fn overview(
        &self,
        environment: Option<Environment>,
        user_domain: Option<String>,
    ) -> Result<Overview, AppError> {
        let mut conn = self.pool.acquire().await.map_err(db_error)?;
        let tenants = repo::tenants(&mut conn, None).await.map_err(db_error)?;
        let verdicts = group(repo::verdicts(&mut conn, None).await.map_err(db_error)?, |v: &VerdictRow| v.tenant_id);
        let signed = group(repo::sign_offs(&mut conn, None).await.map_err(db_error)?, |s: &SignOffRow| s.tenant_id);
        let week =
            repo::history(&mut conn, None, Some(Utc::now() - Duration::days(7)), 200, None).await.map_err(db_error)?;
        let mut user_domains: Vec<String> = tenants.iter().map(|t| t.user_domain.clone()).collect();
        user_domains.sort();
        user_domains.dedup();
        let mut chosen: Vec<(OverviewRow, Vec<ItemRow>)> = tenants
            .into_iter()
            .filter(|t| environment.is_none_or(|e| e == t.environment))
            .filter(|t| user_domain.as_ref().is_none_or(|u| *u == t.user_domain))
            .map(|t| {
                let items = views::items(
                    verdicts.get(&t.id).map_or(&[][..], Vec::as_slice),
                    signed.get(&t.id).map_or(&[][..], Vec::as_slice),
                );
                let row = OverviewRow {
                    tenant: t.id,
                    name: t.name,
                    environment: t.environment,
                    user_domain: t.user_domain,
                    evaluated_at: t.evaluated_at,
                    counts: views::counts(&items),
                };
                (row, items)
            })
            .collect();
        let matrix = user_domain.map(|u| {
            chosen.sort_by_key(|(r, _)| (r.environment, r.name.clone()));
            views::matrix(u, &chosen)
        });
        let rows: Vec<OverviewRow> = chosen.into_iter().map(|(r, _)| r).collect();
        let shown: Vec<TenantId> = rows.iter().map(|r| r.tenant).collect();
        let this_week = views::history(week.into_iter().filter(|h| shown.contains(&h.tenant_id)).take(50).collect());
        Ok(Overview { rows, this_week, user_domains, matrix })
    }

    async fn tenant(&self, tenant: TenantId, before: Option<i64>) -> Result<TenantChecklist, AppError> {
        let mut conn = self.pool.acquire().await.map_err(db_error)?;
        let t = repo::tenants(&mut conn, Some(tenant))
            .await
            .map_err(db_error)?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound(TenantId::WHAT.into()))?;
        let verdicts = repo::verdicts(&mut conn, Some(tenant)).await.map_err(db_error)?;
        let signed = repo::sign_offs(&mut conn, Some(tenant)).await.map_err(db_error)?;
        let mut lines =
            repo::history(&mut conn, Some(tenant), None, HISTORY_PAGE + 1, before).await.map_err(db_error)?;
        let history_more = lines.len() as i64 > HISTORY_PAGE;
        lines.truncate(HISTORY_PAGE as usize);
        let items = views::items(&verdicts, &signed);
        Ok(TenantChecklist {
            tenant: t.id,
            name: t.name,
            environment: t.environment,
            user_domain: t.user_domain,
            evaluated_at: t.evaluated_at,
            snapshot_at: t.snapshot_at,
            counts: views::counts(&items),
            items,
            history: views::history(lines),
            history_more,
            history_before: before,
        })
    }

    async fn sign_off(
        &self,
        by: &Acting,
        tenant: TenantId,
        item: &str,
        comment: &str,
        review_by: &str,
    ) -> Result<(), AppError> {
        let form = SignOffForm { item, comment, review_by };
        service::sign_off(&self.pool, &Actor::from_current(&by.user), &by.client_ip, tenant, &form, Utc::now()).await
    }
}

fn db_error(e: sqlx::Error) -> AppError {
    crate::db::app_error("checklists", e)
}
