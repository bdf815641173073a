//! `/api/v1/status/board` and `/api/v1/incidents…`: the status board and the incident history through the status
//! port — "is it Auth0, a provider, or us?" for a dashboard.

use app::ids::IncidentId;
use app::status::{Board, IncidentBrief, IncidentDetail, IncidentQuery, OwnCheck, Step, Tile};
use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::ApiQuery;
use super::problem::Problem;
use super::{Caller, cursor_from, cursor_of, limit};
use crate::http::AppState;

/// A component that is not operational.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ComponentState {
    pub name: String,
    /// `operational`, `maintenance`, `degraded`, `partial_outage`, `major_outage` or `unknown`.
    pub health: String,
}

/// An incident as the board and the history list it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Incident {
    pub id: i64,
    /// The status source's name.
    pub source: String,
    /// `auth0`, `social`, `email`, `sms` or `other`.
    pub category: String,
    pub title: String,
    pub impact: Option<String>,
    /// `investigating`, `identified`, `monitoring`, `resolved`, `postmortem`, …
    pub phase: String,
    pub started_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// The latest update's text.
    pub latest: Option<String>,
    pub updates: i64,
    pub postmortem: bool,
}

impl From<&IncidentBrief> for Incident {
    fn from(i: &IncidentBrief) -> Incident {
        Incident {
            id: i.id.0,
            source: i.source.clone(),
            category: i.category.as_str().to_string(),
            title: i.title.clone(),
            impact: i.impact.clone(),
            phase: i.phase.clone(),
            started_at: i.started_at,
            updated_at: i.updated_at,
            latest: i.latest.clone(),
            updates: i.updates,
            postmortem: i.postmortem,
        }
    }
}

/// One tile of the board: an Auth0 region or a provider.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BoardTile {
    pub title: String,
    pub category: String,
    pub health: String,
    /// For a region: the tenants in it.
    pub tenants: Vec<String>,
    pub components: Vec<ComponentState>,
    /// The oldest good read among the tile's sources; none: never read.
    pub last_updated: Option<DateTime<Utc>>,
    /// Open incidents, newest first.
    pub incidents: Vec<Incident>,
}

impl From<&Tile> for BoardTile {
    fn from(t: &Tile) -> BoardTile {
        BoardTile {
            title: t.title.clone(),
            category: t.category.as_str().to_string(),
            health: t.health.as_str().to_string(),
            tenants: t.tenants.clone(),
            components: t
                .components
                .iter()
                .map(|(name, health)| ComponentState { name: name.clone(), health: health.as_str().to_string() })
                .collect(),
            last_updated: t.last_updated,
            incidents: t.incidents.iter().map(Incident::from).collect(),
        }
    }
}

/// Something of ours that is not passing.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FailingItem {
    pub text: String,
    pub health: String,
    /// Its page in the console.
    pub link: String,
}

/// Our own checks on the board: monitoring, custom domains, reachability, rate limits.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OwnCheckTile {
    pub title: String,
    /// None: not checked by Tenantry.
    pub health: Option<String>,
    pub summary: String,
    pub items: Vec<FailingItem>,
    pub link: String,
}

impl From<&OwnCheck> for OwnCheckTile {
    fn from(c: &OwnCheck) -> OwnCheckTile {
        OwnCheckTile {
            title: c.title.clone(),
            health: c.health.map(|h| h.as_str().to_string()),
            summary: c.summary.clone(),
            items: c
                .items
                .iter()
                .map(|(text, health, link)| FailingItem {
                    text: text.clone(),
                    health: health.as_str().to_string(),
                    link: link.clone(),
                })
                .collect(),
            link: c.link.clone(),
        }
    }
}

/// One step of the troubleshooting checklist.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ChecklistStep {
    pub number: u8,
    pub title: String,
    pub health: Option<String>,
    pub answer: String,
    pub link: String,
}

impl From<&Step> for ChecklistStep {
    fn from(s: &Step) -> ChecklistStep {
        ChecklistStep {
            number: s.number,
            title: s.title.clone(),
            health: s.health.map(|h| h.as_str().to_string()),
            answer: s.answer.clone(),
            link: s.link.clone(),
        }
    }
}

/// The status board: Auth0's regions, the providers, our own checks and the troubleshooting checklist.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StatusBoard {
    /// Worst first.
    pub regions: Vec<BoardTile>,
    /// Worst first.
    pub providers: Vec<BoardTile>,
    pub own_checks: Vec<OwnCheckTile>,
    pub checklist: Vec<ChecklistStep>,
    pub generated_at: DateTime<Utc>,
}

impl From<&Board> for StatusBoard {
    fn from(b: &Board) -> StatusBoard {
        StatusBoard {
            regions: b.regions.iter().map(BoardTile::from).collect(),
            providers: b.providers.iter().map(BoardTile::from).collect(),
            own_checks: b.own_checks.iter().map(OwnCheckTile::from).collect(),
            checklist: b.checklist.iter().map(ChecklistStep::from).collect(),
            generated_at: b.generated_at,
        }
    }
}

/// The board for one tenant's checklist.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// A tenant's domain: the checklist answers for it.
    pub tenant: Option<String>,
}

/// The status board.
#[utoipa::path(get, path = "/api/v1/status/board", tag = "status", params(BoardQuery),
    description = "The status board as helpdesk sees it. Needs the helpdesk role.",
    responses(
        (status = 200, body = StatusBoard),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = [])))]
pub async fn board(
    State(state): State<AppState>,
    _: Caller,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> Result<Json<StatusBoard>, Problem> {
    let board = state.ports.status.board(q.tenant.filter(|t| !t.is_empty())).await?;
    Ok(Json(StatusBoard::from(&board)))
}

/// One page of incidents.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IncidentPage {
    pub items: Vec<Incident>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters and paging of the incident history.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentListQuery {
    /// 1–200; 50 when absent.
    pub limit: Option<usize>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// `open`, `resolved` or `postmortem`.
    pub state: Option<String>,
    /// `auth0`, `social`, `email`, `sms` or `other`.
    pub category: Option<String>,
}

/// The incident history, the most recently recorded first.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "status", params(IncidentListQuery),
    description = "Incidents of Auth0 and the providers, the most recently recorded first. Needs the helpdesk role.",
    responses(
        (status = 200, body = IncidentPage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = [])))]
pub async fn incidents(
    State(state): State<AppState>,
    _: Caller,
    ApiQuery(q): ApiQuery<IncidentListQuery>,
) -> Result<Json<IncidentPage>, Problem> {
    let limit = limit(q.limit)?;
    let after: Option<i64> = cursor_from(q.cursor.as_deref())?;
    let category =
        match q.category.as_deref().filter(|c| !c.is_empty()) {
            Some(raw) => Some(app::status::Category::parse(raw).ok_or_else(|| {
                Problem::invalid(&format!("category {raw:?} is not auth0, social, email, sms or other"))
            })?),
            None => None,
        };
    let query = IncidentQuery {
        state: q.state,
        category,
        before_id: after,
        limit: Some(limit as u32 + 1),
        ..IncidentQuery::default()
    };
    let mut rows = state.ports.status.incidents(query).await?.rows;
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = more.then(|| rows.last().map(|r| cursor_of(&r.id.0))).flatten();
    Ok(Json(IncidentPage { items: rows.iter().map(Incident::from).collect(), next_cursor }))
}

/// One published update of an incident.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IncidentUpdate {
    /// When the source says it happened.
    pub at: Option<DateTime<Utc>>,
    /// When Tenantry first read it.
    pub seen_at: DateTime<Utc>,
    pub phase: String,
    pub text: String,
}

/// An incident with every update.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IncidentWithUpdates {
    pub incident: Incident,
    pub first_seen_at: DateTime<Utc>,
    pub link: Option<String>,
    pub postmortem_link: Option<String>,
    /// Oldest first.
    pub updates: Vec<IncidentUpdate>,
}

impl From<&IncidentDetail> for IncidentWithUpdates {
    fn from(d: &IncidentDetail) -> IncidentWithUpdates {
        IncidentWithUpdates {
            incident: Incident::from(&d.brief),
            first_seen_at: d.first_seen_at,
            link: d.link.clone(),
            postmortem_link: d.postmortem_link.clone(),
            updates: d
                .updates
                .iter()
                .map(|u| IncidentUpdate { at: u.at, seen_at: u.seen_at, phase: u.phase.clone(), text: u.text.clone() })
                .collect(),
        }
    }
}

/// One incident with its updates.
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "status",
    params(("id" = i64, Path, description = "The incident's id")),
    description = "One incident with every update. Needs the helpdesk role.",
    responses(
        (status = 200, body = IncidentWithUpdates),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = [])))]
pub async fn incident(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Json<IncidentWithUpdates>, Problem> {
    let id =
        id.parse::<i64>().map(IncidentId).map_err(|_| Problem::not_found(&format!("no incident has the id {id:?}")))?;
    let detail = state.ports.status.incident(id).await?;
    Ok(Json(IncidentWithUpdates::from(&detail)))
}
