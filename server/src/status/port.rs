//! The engine behind the status pages (`app::status::StatusPort`): the board, sources, incident history.
//! A source's health is decided here, at read time: a source whose last good read is older than three of its
//! intervals is unknown, whatever it said then.

use std::collections::BTreeMap;

use app::accounts::Acting;
use app::error::AppError;
use app::status::{
    Board, CatalogEntry, Category, Health, IncidentBrief, IncidentDetail, IncidentList, IncidentQuery, OwnCheck,
    SourceBrief, SourceForm, SourceList, SourceRow, SourcesQuery, StatusPort, Step, StepSlot, Tile, UpdateRow,
};
use app::tenants::Region;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use uuid::Uuid;

use super::adapters::SourceKind;
use super::sources::{self, SourceError, catalog};
use crate::accounts::audit::Actor;

/// Rows per page of the sources and incident lists.
pub const PER_PAGE: i64 = 50;
/// Components listed on a tile before "and N more".
const TILE_COMPONENTS: usize = 6;

/// Status on PostgreSQL.
pub struct PgStatus {
    pub pool: PgPool,
    /// Every area's tile of its own checks, in board order.
    pub tiles: Vec<std::sync::Arc<dyn app::status::BoardTile>>,
    pub allow_private: bool,
    pub refresh_secs: u32,
}

impl From<SourceError> for AppError {
    fn from(error: SourceError) -> Self {
        match error {
            SourceError::NotFound => AppError::NotFound("the status source".into()),
            SourceError::Database(cause) => db(cause),
            other => AppError::Invalid(other.to_string()),
        }
    }
}

fn db(cause: sqlx::Error) -> AppError {
    crate::db::app_error("status", cause)
}

fn parse_id(id: &str) -> Result<Uuid, AppError> {
    id.parse().map_err(|_| AppError::NotFound("the status source".into()))
}

/// The effective health of a source row (columns `state`, `last_good_at`, `interval_secs`) at `now`.
const HEALTH_SQL: &str = "CASE WHEN s.last_good_at IS NULL
         OR s.last_good_at < $1 - make_interval(secs => s.interval_secs * 3) THEN 'unknown' ELSE s.state END";

/// Open incidents: not over, and a phase-less entry (a generic feed's) only while it is less than a day old.
const OPEN_SQL: &str = "i.phase NOT IN ('resolved', 'postmortem')
         AND (i.phase <> 'other' OR COALESCE(i.updated_at, i.first_seen_at) > $1 - interval '24 hours')";

/// The columns `brief` reads, for `FROM status_incidents i JOIN status_sources s`.
const BRIEF_COLUMNS: &str =
    "i.id, s.name AS source, s.category, i.title, i.impact, i.phase, i.started_at, i.updated_at,
    (SELECT u.text FROM status_updates u WHERE u.incident_id = i.id ORDER BY u.id DESC LIMIT 1) AS latest,
    (SELECT count(*) FROM status_updates u WHERE u.incident_id = i.id) AS updates,
    (i.phase = 'postmortem'
     OR EXISTS (SELECT 1 FROM status_updates u WHERE u.incident_id = i.id AND u.phase = 'postmortem')) AS postmortem";

fn brief(row: &PgRow) -> IncidentBrief {
    IncidentBrief {
        id: row.get("id"),
        source: row.get("source"),
        category: Category::parse(row.get("category")).unwrap_or(Category::Other),
        title: row.get("title"),
        impact: row.get("impact"),
        phase: row.get("phase"),
        started_at: row.get("started_at"),
        updated_at: row.get("updated_at"),
        latest: row.get("latest"),
        updates: row.get("updates"),
        postmortem: row.get("postmortem"),
    }
}

/// One enabled source as the board reads it.
struct Watched {
    id: Uuid,
    name: String,
    category: Category,
    health: Health,
    error: Option<String>,
    last_good_at: Option<DateTime<Utc>>,
    /// For a tenant's Auth0 feed: (tenant name, domain, region).
    tenant: Option<(String, String, Option<Region>)>,
}

impl Watched {
    fn brief(&self) -> SourceBrief {
        SourceBrief {
            id: self.id.to_string(),
            name: self.name.clone(),
            health: self.health,
            error: self.error.clone(),
            last_good_at: self.last_good_at,
        }
    }
}

/// Worst first, then by title.
fn sort_tiles(tiles: &mut [Tile]) {
    tiles.sort_by(|a, b| b.health.severity().cmp(&a.health.severity()).then_with(|| a.title.cmp(&b.title)));
}

fn oldest_read(sources: &[&Watched]) -> Option<DateTime<Utc>> {
    if sources.iter().any(|s| s.last_good_at.is_none()) {
        return None;
    }
    sources.iter().filter_map(|s| s.last_good_at).min()
}

impl PgStatus {
    async fn watched(&self, now: DateTime<Utc>) -> Result<Vec<Watched>, sqlx::Error> {
        let sql = format!(
            "SELECT s.id, s.name, s.category, s.error, s.last_good_at, t.name AS tenant, t.domain, t.region,
                    {HEALTH_SQL} AS health
             FROM status_sources s LEFT JOIN tenants t ON t.id = s.tenant_id
             WHERE s.enabled ORDER BY s.name"
        );
        let rows = sqlx::query(&sql).bind(now).fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(|r| Watched {
                id: r.get("id"),
                name: r.get("name"),
                category: Category::parse(r.get("category")).unwrap_or(Category::Other),
                health: Health::parse(r.get("health")),
                error: r.get("error"),
                last_good_at: r.get("last_good_at"),
                tenant: r.get::<Option<String>, _>("tenant").map(|name| {
                    let region = r.get::<Option<String>, _>("region").and_then(|x| Region::parse(&x).ok());
                    (name, r.get::<Option<String>, _>("domain").unwrap_or_default(), region)
                }),
            })
            .collect())
    }

    /// Open incidents of enabled sources by source id; the same Auth0 incident seen in several tenants' feeds once.
    async fn open_incidents(
        &self,
        now: DateTime<Utc>,
    ) -> Result<BTreeMap<Uuid, Vec<(String, IncidentBrief)>>, sqlx::Error> {
        let sql = format!(
            "SELECT i.source_id, i.external_id, {BRIEF_COLUMNS}
             FROM status_incidents i JOIN status_sources s ON s.id = i.source_id
             WHERE s.enabled AND {OPEN_SQL}
             ORDER BY COALESCE(i.updated_at, i.first_seen_at) DESC LIMIT 500"
        );
        let rows = sqlx::query(&sql).bind(now).fetch_all(&self.pool).await?;
        let mut by_source: BTreeMap<Uuid, Vec<(String, IncidentBrief)>> = BTreeMap::new();
        for row in &rows {
            by_source.entry(row.get("source_id")).or_default().push((row.get("external_id"), brief(row)));
        }
        Ok(by_source)
    }

    async fn problem_components(&self) -> Result<BTreeMap<Uuid, Vec<(String, Health)>>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT c.source_id, c.name, c.state FROM status_components c JOIN status_sources s ON s.id = c.source_id
             WHERE s.enabled AND c.state <> 'operational' ORDER BY c.name",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out: BTreeMap<Uuid, Vec<(String, Health)>> = BTreeMap::new();
        for r in rows {
            out.entry(r.get("source_id")).or_default().push((r.get("name"), Health::parse(r.get("state"))));
        }
        Ok(out)
    }

    async fn build_board(&self, chosen: Option<String>, now: DateTime<Utc>) -> Result<Board, AppError> {
        let watched = self.watched(now).await.map_err(db)?;
        let mut incidents = self.open_incidents(now).await.map_err(db)?;
        let mut components = self.problem_components().await.map_err(db)?;

        // Regions: the Auth0 feeds of registered tenants, grouped by the tenant's region.
        let mut regions: BTreeMap<Option<Region>, Vec<&Watched>> = BTreeMap::new();
        for w in watched.iter().filter(|w| w.tenant.is_some()) {
            regions.entry(w.tenant.as_ref().and_then(|t| t.2)).or_default().push(w);
        }
        let mut region_tiles: Vec<Tile> = regions
            .into_iter()
            .map(|(region, feeds)| {
                let mut seen = std::collections::HashSet::new();
                let mut open: Vec<IncidentBrief> = Vec::new();
                for f in &feeds {
                    for (external, incident) in incidents.remove(&f.id).unwrap_or_default() {
                        if seen.insert(external) {
                            open.push(incident);
                        }
                    }
                }
                Tile {
                    anchor: format!("region-{}", region.map(|r| r.as_str()).unwrap_or("unset")),
                    title: match region {
                        Some(r) => format!("Auth0 {}", r.label()),
                        None => "Auth0 (region not set)".into(),
                    },
                    category: Category::Auth0,
                    health: feeds.iter().fold(Health::Operational, |h, f| h.worst(f.health)),
                    tenants: feeds.iter().filter_map(|f| f.tenant.as_ref().map(|t| t.0.clone())).collect(),
                    components: Vec::new(),
                    sources: feeds.iter().map(|f| f.brief()).collect(),
                    last_updated: oldest_read(&feeds),
                    incidents: open,
                }
            })
            .collect();
        sort_tiles(&mut region_tiles);

        let mut providers: Vec<Tile> = watched
            .iter()
            .filter(|w| w.tenant.is_none())
            .map(|w| {
                let mut bad = components.remove(&w.id).unwrap_or_default();
                bad.sort_by_key(|(_, h)| std::cmp::Reverse(h.severity()));
                if bad.len() > TILE_COMPONENTS {
                    let more = bad.len() - TILE_COMPONENTS;
                    bad.truncate(TILE_COMPONENTS);
                    bad.push((format!("and {more} more"), Health::Unknown));
                }
                Tile {
                    anchor: format!("source-{}", w.id),
                    title: w.name.clone(),
                    category: w.category,
                    health: w.health,
                    tenants: Vec::new(),
                    components: bad,
                    sources: vec![w.brief()],
                    last_updated: w.last_good_at,
                    incidents: incidents.remove(&w.id).unwrap_or_default().into_iter().map(|(_, i)| i).collect(),
                }
            })
            .collect();
        sort_tiles(&mut providers);

        let tenants: Vec<(String, String)> =
            sqlx::query_as("SELECT domain, name || ' (' || domain || ')' FROM tenants ORDER BY name")
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        let chosen = chosen.filter(|c| tenants.iter().any(|(d, _)| d == c));
        let added: Vec<Option<String>> =
            sqlx::query_scalar("SELECT catalog_key FROM status_sources").fetch_all(&self.pool).await.map_err(db)?;
        let offered =
            catalog().iter().filter(|p| p.source_kind().is_some() && !added.contains(&Some(p.key.clone()))).count();
        // Every area's own tile, for the board and (for the chosen tenant) for its checklist step.
        let mut own_checks = Vec::new();
        let mut steps = Vec::new();
        for area in &self.tiles {
            if let Some(tile) = area.tile(None, now).await? {
                own_checks.push(tile);
            }
            if let Some(slot) = area.step() {
                let chosen_tile = match chosen.as_deref() {
                    Some(t) => area.tile(Some(t), now).await?,
                    None => own_checks.last().cloned(),
                };
                if let Some(tile) = chosen_tile {
                    steps.push(own_step(slot, &tile));
                }
            }
        }
        let checklist = checklist(&watched, &region_tiles, &providers, chosen.as_deref(), &tenants, steps);
        Ok(Board {
            regions: region_tiles,
            providers,
            own_checks,
            checklist,
            tenants,
            chosen_tenant: chosen,
            offered,
            generated_at: now,
            refresh_secs: self.refresh_secs,
        })
    }

    async fn list_sources(&self, q: SourcesQuery, now: DateTime<Utc>) -> Result<SourceList, sqlx::Error> {
        let category = q.category.map(|c| c.as_str().to_string());
        let total: i64 =
            sqlx::query_scalar("SELECT count(*) FROM status_sources WHERE $1::text IS NULL OR category = $1")
                .bind(&category)
                .fetch_one(&self.pool)
                .await?;
        let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1) as u32;
        let page = q.page.clamp(1, pages);
        let sql = format!(
            "SELECT s.id, s.name, s.kind, s.category, s.url, s.enabled, s.error, s.last_good_at, s.last_attempt_at,
                    s.interval_secs, t.id AS tenant_id, t.domain, {HEALTH_SQL} AS health,
                    (SELECT count(*) FROM status_incidents i WHERE i.source_id = s.id AND {OPEN_SQL}) AS open
             FROM status_sources s LEFT JOIN tenants t ON t.id = s.tenant_id
             WHERE $2::text IS NULL OR s.category = $2
             ORDER BY (s.tenant_id IS NOT NULL), s.category, s.name LIMIT $3 OFFSET $4"
        );
        let rows = sqlx::query(&sql)
            .bind(now)
            .bind(&category)
            .bind(PER_PAGE)
            .bind(PER_PAGE * (page as i64 - 1))
            .fetch_all(&self.pool)
            .await?;
        let rows = rows
            .iter()
            .map(|r| {
                let kind: String = r.get("kind");
                SourceRow {
                    id: r.get::<Uuid, _>("id").to_string(),
                    name: r.get("name"),
                    kind_label: SourceKind::parse(&kind).map(|k| k.label()).unwrap_or("unknown").to_string(),
                    kind,
                    category: Category::parse(r.get("category")).unwrap_or(Category::Other),
                    url: r.get("url"),
                    enabled: r.get("enabled"),
                    health: Health::parse(r.get("health")),
                    error: r.get("error"),
                    last_good_at: r.get("last_good_at"),
                    last_attempt_at: r.get("last_attempt_at"),
                    interval_secs: r.get("interval_secs"),
                    tenant: r
                        .get::<Option<Uuid>, _>("tenant_id")
                        .map(|id| (id.to_string(), r.get::<Option<String>, _>("domain").unwrap_or_default())),
                    open_incidents: r.get("open"),
                }
            })
            .collect();
        let added: Vec<(Option<String>, String)> =
            sqlx::query_as("SELECT catalog_key, url FROM status_sources").fetch_all(&self.pool).await?;
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
        let date = crate::db::day_filter;
        let (from, to) = (date("From", &q.from)?, date("To", &q.to)?);
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(AppError::Invalid("From is after To; swap the dates".into()));
        }
        let source = match q.source.as_deref() {
            Some(s) => {
                Some(s.parse::<Uuid>().map_err(|_| AppError::Invalid(format!("Source: {s:?} is not a source")))?)
            }
            None => None,
        };
        let state = match q.state.as_deref() {
            None | Some("open") | Some("resolved") | Some("postmortem") => q.state.clone(),
            Some(other) => {
                return Err(AppError::Invalid(format!("State: {other:?} is not open, resolved or postmortem")));
            }
        };
        // $1 now, $2 source, $3 category, $4 impact, $5 state, $6 from, $7 to.
        let filter = format!(
            "($2::uuid IS NULL OR i.source_id = $2)
             AND ($3::text IS NULL OR s.category = $3)
             AND ($4::text IS NULL OR i.impact = $4)
             AND ($5::text IS NULL
                  OR ($5 = 'open' AND {OPEN_SQL})
                  OR ($5 = 'resolved' AND i.phase IN ('resolved', 'postmortem'))
                  OR ($5 = 'postmortem' AND i.phase = 'postmortem'))
             AND ($6::date IS NULL OR COALESCE(i.started_at, i.first_seen_at) >= $6::date)
             AND ($7::date IS NULL OR COALESCE(i.started_at, i.first_seen_at) < $7::date + 1)
             AND ($2::uuid IS NOT NULL OR s.kind <> 'auth0_feed' OR NOT EXISTS (
                  SELECT 1 FROM status_incidents j JOIN status_sources js ON js.id = j.source_id
                  WHERE js.kind = 'auth0_feed' AND j.external_id = i.external_id AND j.id < i.id))"
        );
        let category = q.category.map(|c| c.as_str().to_string());
        #[allow(clippy::too_many_arguments)]
        fn filtered<'q>(
            sql: &'q str,
            now: DateTime<Utc>,
            source: Option<Uuid>,
            category: &'q Option<String>,
            impact: &'q Option<String>,
            state: &'q Option<String>,
            dates: (Option<NaiveDate>, Option<NaiveDate>),
        ) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
            sqlx::query(sql).bind(now).bind(source).bind(category).bind(impact).bind(state).bind(dates.0).bind(dates.1)
        }
        let count_sql = format!(
            "SELECT count(*) AS n FROM status_incidents i JOIN status_sources s ON s.id = i.source_id WHERE {filter}"
        );
        let total: i64 = filtered(&count_sql, now, source, &category, &q.impact, &state, (from, to))
            .fetch_one(&self.pool)
            .await
            .map_err(db)?
            .get("n");
        let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1) as u32;
        let page = q.page.clamp(1, pages);
        let list_sql = format!(
            "SELECT {BRIEF_COLUMNS} FROM status_incidents i JOIN status_sources s ON s.id = i.source_id
             WHERE {filter} ORDER BY COALESCE(i.started_at, i.first_seen_at) DESC, i.id DESC LIMIT {PER_PAGE} OFFSET {}",
            PER_PAGE * (page as i64 - 1)
        );
        let rows = filtered(&list_sql, now, source, &category, &q.impact, &state, (from, to))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let sources: Vec<(Uuid, String)> = sqlx::query_as("SELECT id, name FROM status_sources ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let impacts: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT impact FROM status_incidents WHERE impact IS NOT NULL ORDER BY impact LIMIT 50",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(IncidentList {
            rows: rows.iter().map(brief).collect(),
            total,
            page,
            pages,
            sources: sources.into_iter().map(|(id, name)| (id.to_string(), name)).collect(),
            impacts,
        })
    }

    async fn load_incident(&self, id: i64) -> Result<IncidentDetail, AppError> {
        let sql = format!(
            "SELECT {BRIEF_COLUMNS}, i.source_id, i.first_seen_at, i.link
             FROM status_incidents i JOIN status_sources s ON s.id = i.source_id WHERE i.id = $1"
        );
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?
            .ok_or_else(|| AppError::NotFound("the incident".into()))?;
        let updates =
            sqlx::query("SELECT at, seen_at, phase, text FROM status_updates WHERE incident_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?
                .iter()
                .map(|u| UpdateRow {
                    at: u.get("at"),
                    seen_at: u.get("seen_at"),
                    phase: u.get("phase"),
                    text: u.get("text"),
                })
                .collect();
        let b = brief(&row);
        let link: Option<String> = row.get("link");
        Ok(IncidentDetail {
            postmortem_link: if b.postmortem { link.clone() } else { None },
            brief: b,
            source_id: row.get::<Uuid, _>("source_id").to_string(),
            first_seen_at: row.get("first_seen_at"),
            link,
            updates,
        })
    }
}

/// The troubleshooting checklist, in the operations guide's order.
fn checklist(
    watched: &[Watched],
    regions: &[Tile],
    providers: &[Tile],
    chosen: Option<&str>,
    tenants: &[(String, String)],
    own_steps: Vec<Step>,
) -> Vec<Step> {
    let region_step = {
        let tile = match chosen {
            Some(domain) => {
                let region = watched.iter().filter_map(|w| w.tenant.as_ref()).find(|t| t.1 == domain).map(|t| t.2);
                region.and_then(|r| {
                    let anchor = format!("region-{}", r.map(|x| x.as_str()).unwrap_or("unset"));
                    regions.iter().find(|t| t.anchor == anchor)
                })
            }
            None => regions.first(),
        };
        match tile {
            Some(t) => {
                let open = match t.incidents.first() {
                    Some(i) => format!("; open incident: {} ({})", i.title, i.phase),
                    None => String::new(),
                };
                let whose = match chosen {
                    Some(domain) => format!("{domain} is in {}", t.title),
                    None => format!("Worst region: {}", t.title),
                };
                Step {
                    number: 1,
                    title: "Auth0 status for the affected tenant's region".into(),
                    health: Some(t.health),
                    answer: format!("{whose}: {}{open}.", t.health.label()),
                    link: format!("#{}", t.anchor),
                    link_text: format!("See {}", t.title),
                }
            }
            None => Step {
                number: 1,
                title: "Auth0 status for the affected tenant's region".into(),
                health: Some(Health::Unknown),
                answer: if tenants.is_empty() {
                    "No tenant is registered, so no region is watched.".into()
                } else {
                    "This tenant's Auth0 feed has not been set up yet; it is added within a minute.".into()
                },
                link: "/status/sources?category=auth0".into(),
                link_text: "Auth0 sources".into(),
            },
        }
    };
    let provider_step = {
        let title = "External services: social, email and SMS providers".to_string();
        match providers.first() {
            None => Step {
                number: 2,
                title,
                health: Some(Health::Unknown),
                answer: "No provider is watched yet; add the ones your logins use from the catalog.".into(),
                link: "/status/sources".into(),
                link_text: "Add providers".into(),
            },
            Some(worst) => {
                let not_ok: Vec<String> = providers
                    .iter()
                    .filter(|p| p.health != Health::Operational)
                    .map(|p| format!("{}: {}", p.title, p.health.label()))
                    .collect();
                let answer = if not_ok.is_empty() {
                    format!("All {} watched providers are operational.", providers.len())
                } else {
                    format!("{}.", not_ok.join("; "))
                };
                Step {
                    number: 2,
                    title,
                    health: Some(worst.health),
                    answer,
                    link: format!("#{}", worst.anchor),
                    link_text: format!("See {}", worst.title),
                }
            }
        }
    };
    let mut steps = vec![region_step, provider_step];
    steps.extend(own_steps);
    steps.extend([Step {
        number: 5,
        title: "Recent rate-limit events".into(),
        health: None,
        answer: "Not checked by Tenantry yet: log retention and the rate-limit search arrive in a later issue.".into(),
        link: "/logs".into(),
        link_text: "Logs".into(),
    }]);
    steps.sort_by_key(|s| s.number);
    steps
}

/// The checklist step an area's tile answers: its first problem (and how many more), else its summary.
fn own_step(slot: StepSlot, tile: &OwnCheck) -> Step {
    Step {
        number: slot.number,
        title: slot.title.into(),
        health: tile.health,
        answer: match tile.items.first() {
            Some((text, _, _)) if tile.items.len() > 1 => format!("{text}; and {} more.", tile.items.len() - 1),
            Some((text, _, _)) => format!("{text}."),
            None => tile.summary.clone(),
        },
        link: tile.items.first().map(|i| i.2.clone()).unwrap_or_else(|| tile.link.clone()),
        link_text: slot.link_text.into(),
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
        let source = sources::check(
            &form.name,
            &form.kind,
            &form.category,
            &form.url,
            &form.interval_minutes,
            self.allow_private,
        )
        .await?;
        sources::add(&self.pool, &Actor::from_current(&by.user), source, &by.client_ip, Utc::now()).await?;
        Ok(())
    }

    async fn add_from_catalog(&self, by: &Acting, key: &str) -> Result<(), AppError> {
        let source = sources::from_catalog(key)?;
        sources::add(&self.pool, &Actor::from_current(&by.user), source, &by.client_ip, Utc::now()).await?;
        Ok(())
    }

    async fn set_enabled(&self, by: &Acting, id: &str, enabled: bool) -> Result<(), AppError> {
        let actor = Actor::from_current(&by.user);
        sources::set_enabled(&self.pool, &actor, parse_id(id)?, enabled, &by.client_ip, Utc::now()).await?;
        Ok(())
    }

    async fn remove_source(&self, by: &Acting, id: &str) -> Result<(), AppError> {
        sources::remove(&self.pool, &Actor::from_current(&by.user), parse_id(id)?, &by.client_ip).await?;
        Ok(())
    }

    async fn poll_now(&self, id: &str) -> Result<(), AppError> {
        sources::poll_now(&self.pool, parse_id(id)?, Utc::now()).await?;
        Ok(())
    }

    async fn incidents(&self, query: IncidentQuery) -> Result<IncidentList, AppError> {
        self.list_incidents(query, Utc::now()).await
    }

    async fn incident(&self, id: i64) -> Result<IncidentDetail, AppError> {
        self.load_incident(id).await
    }
}
