//! The engine behind the status pages (`app::status::StatusPort`), thin: it reads through the repo, asks every
//! area for its board tile, calls the service for changes, and maps errors once.

use std::sync::Arc;

use app::accounts::Acting;
use app::error::AppError;
use app::ids::{IncidentId, SourceId};
use app::status::{
    Board, BoardTile, CatalogEntry, Category, Health, IncidentDetail, IncidentList, IncidentQuery, SourceForm,
    SourceList, SourceRow, SourcesQuery, StatusPort,
};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::adapters::SourceKind;
use super::board::{self, Inputs, OwnTiles, Watched};
use super::model::health_at;
use super::repo::{self, IncidentFilter};
use super::service::{self, SourceError, catalog};
use crate::accounts::audit::Actor;

/// Rows per page of the sources and incident lists.
pub const PER_PAGE: i64 = 50;

/// Status on PostgreSQL.
pub struct PgStatus {
    pub pool: PgPool,
    /// Every area's tile of its own checks, in board order.
    pub tiles: Vec<Arc<dyn BoardTile>>,
    pub allow_private: bool,
    pub refresh_secs: u32,
}

impl From<SourceError> for AppError {
    fn from(error: SourceError) -> Self {
        match error {
            SourceError::NotFound => AppError::NotFound(SourceId::WHAT.into()),
            SourceError::Database(cause) => db(cause),
            other => AppError::Invalid(other.to_string()),
        }
    }
}

fn db(cause: sqlx::Error) -> AppError {
    crate::db::app_error("status", cause)
}

/// Pages of `PER_PAGE` for `total` rows, and the asked page kept within them.
fn paging(total: i64, asked: u32) -> (u32, u32) {
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1) as u32;
    (asked.clamp(1, pages), pages)
}

fn offset(page: u32) -> i64 {
    PER_PAGE * (i64::from(page) - 1)
}

/// The incident history's filters, checked.
fn incident_filter(q: &IncidentQuery) -> Result<IncidentFilter, AppError> {
    let date = crate::db::day_filter;
    let (from, to) = (date("From", &q.from)?, date("To", &q.to)?);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(AppError::Invalid("From is after To; swap the dates".into()));
    }
    let source = match q.source.as_deref() {
        Some(s) => {
            Some(s.parse::<SourceId>().map_err(|_| AppError::Invalid(format!("Source: {s:?} is not a source")))?)
        }
        None => None,
    };
    let state = match q.state.as_deref() {
        None | Some("open") | Some("resolved") | Some("postmortem") => q.state.clone(),
        Some(other) => {
            return Err(AppError::Invalid(format!("State: {other:?} is not open, resolved or postmortem")));
        }
    };
    Ok(IncidentFilter {
        source,
        category: q.category,
        impact: q.impact.clone(),
        state,
        from,
        to,
        before_id: q.before_id,
    })
}

impl PgStatus {
    async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Postgres>, AppError> {
        self.pool.acquire().await.map_err(db)
    }

    /// What the board is made of, read in one go.
    async fn board_inputs(
        conn: &mut PgConnection,
        chosen: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Inputs, sqlx::Error> {
        let watched = repo::watched(conn).await?.into_iter().map(|row| Watched::read(row, now)).collect();
        let incidents = repo::open_incidents(conn, now).await?;
        let components = repo::problem_components(conn)
            .await?
            .into_iter()
            .map(|(source, name, state)| (source, name, Health::parse(&state)))
            .collect();
        let tenants = repo::tenant_choices(conn).await?;
        let chosen = chosen.filter(|c| tenants.iter().any(|(d, _)| d == c));
        let added = repo::added(conn).await?;
        let offered = catalog()
            .iter()
            .filter(|p| p.source_kind().is_some() && !added.iter().any(|(key, _)| key.as_deref() == Some(&p.key)))
            .count();
        Ok(Inputs { watched, incidents, components, tenants, chosen, offered, now, refresh_secs: 0 })
    }

    /// Every area's own tile, for the board and (for the chosen tenant) for its checklist step.
    async fn own_tiles(&self, chosen: Option<&str>, now: DateTime<Utc>) -> Result<OwnTiles, AppError> {
        let mut own = OwnTiles::default();
        for area in &self.tiles {
            let Some(tile) = area.tile(chosen, now).await? else { continue };
            if let Some(slot) = area.step() {
                own.steps.push(board::own_step(slot, tile.chosen.as_ref().unwrap_or(&tile.all)));
            }
            own.tiles.push(tile.all);
        }
        Ok(own)
    }

    async fn build_board(&self, chosen: Option<String>, now: DateTime<Utc>) -> Result<Board, AppError> {
        let mut inputs = Self::board_inputs(&mut *self.conn().await?, chosen, now).await.map_err(db)?;
        inputs.refresh_secs = self.refresh_secs;
        let own = self.own_tiles(inputs.chosen.as_deref(), now).await?;
        Ok(board::assemble(inputs, own))
    }

    async fn list_sources(&self, q: SourcesQuery, now: DateTime<Utc>) -> Result<SourceList, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        let total = repo::count_sources(&mut conn, q.category).await?;
        let (page, pages) = paging(total, q.page);
        let rows = repo::sources_page(&mut conn, q.category, now, PER_PAGE, offset(page))
            .await?
            .into_iter()
            .map(|r| SourceRow {
                id: r.id,
                name: r.name,
                kind_label: SourceKind::parse(&r.kind).map(|k| k.label()).unwrap_or("unknown").to_string(),
                kind: r.kind,
                category: r.category,
                url: r.url,
                enabled: r.enabled,
                health: health_at(&r.state, r.last_good_at, r.interval_secs, now),
                error: r.error,
                last_good_at: r.last_good_at,
                last_attempt_at: r.last_attempt_at,
                interval_secs: r.interval_secs,
                read_as: r.read_as,
                tenant: r.tenant_id.map(|id| (id, r.domain.unwrap_or_default())),
                open_incidents: r.open,
            })
            .collect();
        let added = repo::added(&mut conn).await?;
        let catalog = catalog()
            .iter()
            .map(|p| CatalogEntry {
                key: p.key.clone(),
                name: p.name.clone(),
                category: Category::parse(&p.category).unwrap_or(Category::Other),
                kind_label: p.source_kind().map(|k| k.label()).unwrap_or("no machine-readable status").to_string(),
                url: p.url.clone(),
                page: p.page.clone(),
                note: p.note.clone(),
                added: added
                    .iter()
                    .any(|(k, u)| k.as_deref() == Some(p.key.as_str()) || (!p.url.is_empty() && *u == p.url)),
                readable: p.source_kind().is_some(),
            })
            .collect();
        let kinds = SourceKind::ALL.iter().map(|k| (k.as_str().to_string(), k.label().to_string())).collect();
        Ok(SourceList { rows, total, page, pages, catalog, kinds })
    }

    async fn list_incidents(&self, q: IncidentQuery, now: DateTime<Utc>) -> Result<IncidentList, AppError> {
        let filter = incident_filter(&q)?;
        let mut conn = self.conn().await?;
        if q.before_id.is_some() || q.limit.is_some() {
            let limit = i64::from(q.limit.unwrap_or(PER_PAGE as u32).clamp(1, 1000));
            let rows = repo::incidents_before(&mut conn, &filter, now, limit).await.map_err(db)?;
            let total = rows.len() as i64;
            return Ok(IncidentList { rows, total, page: 1, pages: 1, sources: Vec::new(), impacts: Vec::new() });
        }
        let total = repo::count_incidents(&mut conn, &filter, now).await.map_err(db)?;
        let (page, pages) = paging(total, q.page);
        let rows = repo::incidents_page(&mut conn, &filter, now, PER_PAGE, offset(page)).await.map_err(db)?;
        let sources = repo::source_names(&mut conn).await.map_err(db)?;
        let impacts = repo::impacts(&mut conn).await.map_err(db)?;
        Ok(IncidentList { rows, total, page, pages, sources, impacts })
    }

    async fn load_incident(&self, id: IncidentId) -> Result<IncidentDetail, AppError> {
        let mut conn = self.conn().await?;
        let row = repo::incident(&mut conn, id)
            .await
            .map_err(db)?
            .ok_or_else(|| AppError::NotFound(IncidentId::WHAT.into()))?;
        let updates = repo::updates(&mut conn, id).await.map_err(db)?;
        Ok(IncidentDetail {
            postmortem_link: if row.brief.postmortem { row.link.clone() } else { None },
            brief: row.brief,
            source_id: row.source_id,
            first_seen_at: row.first_seen_at,
            link: row.link,
            updates,
        })
    }
}

#[async_trait::async_trait]
impl StatusPort for PgStatus {
    async fn board(&self, tenant: Option<String>) -> Result<Board, AppError> {
        self.build_board(tenant, Utc::now()).await
    }

    async fn sources(&self, query: SourcesQuery) -> Result<SourceList, AppError> {
        self.list_sources(query, Utc::now()).await.map_err(db)
    }

    async fn add_source(&self, by: &Acting, form: SourceForm) -> Result<(), AppError> {
        let source = service::check(
            &form.name,
            &form.kind,
            &form.category,
            &form.url,
            &form.interval_minutes,
            self.allow_private,
        )
        .await?;
        service::add(&self.pool, &Actor::from_current(&by.user), source, &by.client_ip, Utc::now()).await?;
        Ok(())
    }

    async fn add_from_catalog(&self, by: &Acting, key: &str) -> Result<(), AppError> {
        let source = service::from_catalog(key)?;
        service::add(&self.pool, &Actor::from_current(&by.user), source, &by.client_ip, Utc::now()).await?;
        Ok(())
    }

    async fn set_enabled(&self, by: &Acting, id: SourceId, enabled: bool) -> Result<(), AppError> {
        let actor = Actor::from_current(&by.user);
        service::set_enabled(&self.pool, &actor, id, enabled, &by.client_ip, Utc::now()).await?;
        Ok(())
    }

    async fn remove_source(&self, by: &Acting, id: SourceId) -> Result<(), AppError> {
        service::remove(&self.pool, &Actor::from_current(&by.user), id, &by.client_ip).await?;
        Ok(())
    }

    async fn poll_now(&self, id: SourceId) -> Result<(), AppError> {
        service::poll_now(&self.pool, id, Utc::now()).await?;
        Ok(())
    }

    async fn incidents(&self, query: IncidentQuery) -> Result<IncidentList, AppError> {
        self.list_incidents(query, Utc::now()).await
    }

    async fn incident(&self, id: IncidentId) -> Result<IncidentDetail, AppError> {
        self.load_incident(id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_stay_within_the_rows() {
        assert_eq!(paging(0, 3), (1, 1));
        assert_eq!(paging(50, 1), (1, 1));
        assert_eq!(paging(51, 9), (2, 2));
        assert_eq!(offset(2), 50);
    }

    #[test]
    fn incident_filters_are_checked() {
        let q = |f: fn(&mut IncidentQuery)| {
            let mut q = IncidentQuery::default();
            f(&mut q);
            incident_filter(&q)
        };
        assert!(q(|q| q.state = Some("gone".into())).is_err());
        assert!(q(|q| q.source = Some("nope".into())).is_err());
        assert!(q(|q| (q.from, q.to) = (Some("2026-02-02".into()), Some("2026-02-01".into()))).is_err());
        let ok = q(|q| q.state = Some("open".into())).expect("open");
        assert_eq!(ok.state.as_deref(), Some("open"));
    }
}
