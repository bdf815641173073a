//! All of the status area's SQL. Static statements are `query!`-checked; the incident history's filters are built
//! with `QueryBuilder`. Every function takes `&mut PgConnection` (a transaction derefs to one), so a caller can
//! compose several in one transaction. Joining `tenants` (the registry) for a feed's tenant is the only read outside
//! `status_*`.
//!
//! This file holds what the pages read (board, sources, incidents); `store` what the source changes, the sync and
//! the poll write.

mod store;

pub use store::*;

use app::ids::{IncidentId, SourceId, TenantId};
use app::status::{Category, IncidentBrief, UpdateRow};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, Postgres, QueryBuilder};

/// Incidents with their source: the columns of an `IncidentBrief`, then the `$more` columns, then `$rest` of the
/// query (which incidents, in what order) and its arguments. `brief!(row)` makes a row's brief.
macro_rules! incidents {
    ($more:tt, $rest:tt $(, $args:expr)* $(,)?) => {
        sqlx::query!(
            r#"SELECT i.id AS "id: IncidentId", s.name AS source, s.category AS "category: Category", i.title,
                      i.impact, i.phase, i.started_at AS "started_at: DateTime<Utc>",
                      i.updated_at AS "updated_at: DateTime<Utc>",
                      (SELECT u.text FROM status_updates u WHERE u.incident_id = i.id ORDER BY u.id DESC LIMIT 1)
                          AS "latest?",
                      (SELECT count(*) FROM status_updates u WHERE u.incident_id = i.id) AS "updates!",
                      (i.phase = 'postmortem' OR EXISTS (SELECT 1 FROM status_updates u
                           WHERE u.incident_id = i.id AND u.phase = 'postmortem')) AS "postmortem!", "#
                + $more
                + " FROM status_incidents i JOIN status_sources s ON s.id = i.source_id "
                + $rest
            $(, $args)*
        )
    };
}

/// The brief of a row read with `incidents!`.
macro_rules! brief {
    ($r:ident) => {
        IncidentBrief {
            id: $r.id,
            source: $r.source,
            category: $r.category,
            title: $r.title,
            impact: $r.impact,
            phase: $r.phase,
            started_at: $r.started_at,
            updated_at: $r.updated_at,
            latest: $r.latest,
            updates: $r.updates,
            postmortem: $r.postmortem,
        }
    };
}

// ---------------------------------------------------------------------------------------------- the board

/// One enabled source as the board reads it (its health is decided from these at read time).
pub struct WatchedRow {
    pub id: SourceId,
    pub name: String,
    pub category: Category,
    pub state: String,
    pub interval_secs: i32,
    pub error: Option<String>,
    pub last_good_at: Option<DateTime<Utc>>,
    /// The last poll failed: what the source says is from an earlier read.
    pub stale: bool,
    /// For a tenant's Auth0 feed: the tenant's name, domain and region.
    pub tenant: Option<String>,
    pub domain: Option<String>,
    pub region: Option<String>,
}

/// Every enabled source, by name.
pub async fn watched(conn: &mut PgConnection) -> Result<Vec<WatchedRow>, sqlx::Error> {
    sqlx::query_as!(
        WatchedRow,
        r#"SELECT s.id AS "id: SourceId", s.name, s.category AS "category: Category", s.state, s.interval_secs,
                  s.error, s.last_good_at AS "last_good_at: DateTime<Utc>",
                  COALESCE(s.last_attempt_at > s.last_good_at, false) AS "stale!",
                  t.name AS "tenant?", t.domain AS "domain?", t.region AS "region?"
           FROM status_sources s LEFT JOIN tenants t ON t.id = s.tenant_id
           WHERE s.enabled ORDER BY s.name"#
    )
    .fetch_all(conn)
    .await
}

/// An open incident of an enabled source, with the source's id and the incident's id at the source.
pub struct OpenIncident {
    pub source_id: SourceId,
    pub external_id: String,
    pub brief: IncidentBrief,
}

/// Open incidents of enabled sources, most recently updated first (at most 500). Open: not over, and a phase-less
/// entry (a generic feed's) only while it is less than a day old.
pub async fn open_incidents(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<Vec<OpenIncident>, sqlx::Error> {
    let rows = incidents!(
        r#"i.source_id AS "source_id: SourceId", i.external_id"#,
        "WHERE s.enabled AND i.phase NOT IN ('resolved', 'postmortem')
           AND (i.phase NOT IN ('other', 'scheduled') OR COALESCE(i.updated_at, i.first_seen_at) > $1::timestamptz - interval '24 hours')
         ORDER BY COALESCE(i.updated_at, i.first_seen_at) DESC LIMIT 500",
        now as _
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| OpenIncident { source_id: r.source_id, external_id: r.external_id, brief: brief!(r) })
        .collect())
}

/// Components of enabled sources that are not operational: (source, name, state), by name.
pub async fn problem_components(conn: &mut PgConnection) -> Result<Vec<(SourceId, String, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT c.source_id AS "source_id: SourceId", c.name, c.state
           FROM status_components c JOIN status_sources s ON s.id = c.source_id
           WHERE s.enabled AND c.state <> 'operational' ORDER BY c.name"#
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.source_id, r.name, r.state)).collect())
}

/// Registered tenants for the checklist's picker: (domain, "name (domain)"), by name.
pub async fn tenant_choices(conn: &mut PgConnection) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query!(r#"SELECT domain, name || ' (' || domain || ')' AS "label!" FROM tenants ORDER BY name"#)
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| (r.domain, r.label)).collect())
}

/// Every source's catalog key and URL, to tell which catalog entries are added.
pub async fn added(conn: &mut PgConnection) -> Result<Vec<(Option<String>, String)>, sqlx::Error> {
    let rows = sqlx::query!("SELECT catalog_key, url FROM status_sources").fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| (r.catalog_key, r.url)).collect())
}

// -------------------------------------------------------------------------------------------- the sources

/// A source as Status → Sources lists it, before its health is decided.
pub struct SourceListRow {
    pub id: SourceId,
    pub name: String,
    pub kind: String,
    pub category: Category,
    pub url: String,
    pub enabled: bool,
    pub state: String,
    pub error: Option<String>,
    pub last_good_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub interval_secs: i32,
    pub read_as: Option<String>,
    pub tenant_id: Option<TenantId>,
    pub domain: Option<String>,
    pub open: i64,
}

/// How many sources there are (of one category).
pub async fn count_sources(conn: &mut PgConnection, category: Option<Category>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM status_sources WHERE $1::text IS NULL OR category = $1"#,
        category as _,
    )
    .fetch_one(conn)
    .await
}

/// One page of sources (of one category): tenants' feeds last, then by category and name.
pub async fn sources_page(
    conn: &mut PgConnection,
    category: Option<Category>,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> Result<Vec<SourceListRow>, sqlx::Error> {
    sqlx::query_as!(
        SourceListRow,
        r#"SELECT s.id AS "id: SourceId", s.name, s.kind, s.category AS "category: Category", s.url, s.enabled,
                  s.state, s.error, s.last_good_at AS "last_good_at: DateTime<Utc>",
                  s.last_attempt_at AS "last_attempt_at: DateTime<Utc>", s.interval_secs, s.read_as,
                  t.id AS "tenant_id?: TenantId", t.domain AS "domain?",
                  (SELECT count(*) FROM status_incidents i WHERE i.source_id = s.id
                       AND i.phase NOT IN ('resolved', 'postmortem')
                       AND (i.phase NOT IN ('other', 'scheduled') OR COALESCE(i.updated_at, i.first_seen_at) > $1::timestamptz - interval '24 hours'))
                      AS "open!"
           FROM status_sources s LEFT JOIN tenants t ON t.id = s.tenant_id
           WHERE $2::text IS NULL OR s.category = $2
           ORDER BY (s.tenant_id IS NOT NULL), s.category, s.name LIMIT $3 OFFSET $4"#,
        now as _,
        category as _,
        limit,
        offset
    )
    .fetch_all(conn)
    .await
}

// ------------------------------------------------------------------------------------------- the incidents

/// The incident history's filters, checked.
#[derive(Clone, Debug, Default)]
pub struct IncidentFilter {
    pub source: Option<SourceId>,
    pub category: Option<Category>,
    pub impact: Option<String>,
    /// `open`, `resolved` or `postmortem`.
    pub state: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Keyset (the JSON API): only incidents recorded before this id.
    pub before_id: Option<i64>,
}

/// `FROM … WHERE …` of the incident history. Without a source filter, the same Auth0 incident seen in several
/// tenants' feeds is listed once (its first row).
fn filtered<'a>(select: &str, f: &'a IncidentFilter, now: DateTime<Utc>) -> QueryBuilder<'a, Postgres> {
    let mut q = QueryBuilder::new(select);
    q.push(" FROM status_incidents i JOIN status_sources s ON s.id = i.source_id WHERE true");
    if let Some(source) = f.source {
        q.push(" AND i.source_id = ").push_bind(source);
    }
    if let Some(category) = f.category {
        q.push(" AND s.category = ").push_bind(category);
    }
    if let Some(impact) = &f.impact {
        q.push(" AND i.impact = ").push_bind(impact);
    }
    match f.state.as_deref() {
        Some("open") => {
            q.push(" AND i.phase NOT IN ('resolved', 'postmortem') AND (i.phase NOT IN ('other', 'scheduled') OR ")
                .push("COALESCE(i.updated_at, i.first_seen_at) > ")
                .push_bind(now)
                .push(" - interval '24 hours')");
        }
        Some("resolved") => {
            q.push(" AND i.phase IN ('resolved', 'postmortem')");
        }
        Some("postmortem") => {
            q.push(" AND i.phase = 'postmortem'");
        }
        _ => {}
    }
    if let Some(from) = f.from {
        q.push(" AND COALESCE(i.started_at, i.first_seen_at) >= ").push_bind(from).push("::date");
    }
    if let Some(to) = f.to {
        q.push(" AND COALESCE(i.started_at, i.first_seen_at) < ").push_bind(to).push("::date + 1");
    }
    if let Some(id) = f.before_id {
        q.push(" AND i.id < ").push_bind(id);
    }
    if f.source.is_none() {
        q.push(
            " AND (s.kind <> 'auth0_feed' OR NOT EXISTS (
                  SELECT 1 FROM status_incidents j JOIN status_sources js ON js.id = j.source_id
                  WHERE js.kind = 'auth0_feed' AND j.external_id = i.external_id AND j.id < i.id))",
        );
    }
    q
}

/// How many incidents match.
pub async fn count_incidents(
    conn: &mut PgConnection,
    f: &IncidentFilter,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    filtered("SELECT count(*)", f, now).build_query_scalar::<i64>().fetch_one(conn).await
}

/// The columns of an `IncidentBrief`.
const BRIEF: &str = "SELECT i.id, s.name AS source, s.category, i.title, i.impact, i.phase, i.started_at, i.updated_at,
    (SELECT u.text FROM status_updates u WHERE u.incident_id = i.id ORDER BY u.id DESC LIMIT 1) AS latest,
    (SELECT count(*) FROM status_updates u WHERE u.incident_id = i.id) AS updates,
    (i.phase = 'postmortem' OR EXISTS (SELECT 1 FROM status_updates u
         WHERE u.incident_id = i.id AND u.phase = 'postmortem')) AS postmortem";

/// One page of matching incidents, newest first.
pub async fn incidents_page(
    conn: &mut PgConnection,
    f: &IncidentFilter,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> Result<Vec<IncidentBrief>, sqlx::Error> {
    let mut q = filtered(BRIEF, f, now as _);
    q.push(" ORDER BY COALESCE(i.started_at, i.first_seen_at) DESC, i.id DESC LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    q.build_query_as::<IncidentBrief>().fetch_all(conn).await
}

/// Matching incidents by keyset, the most recently recorded first (the JSON API).
pub async fn incidents_before(
    conn: &mut PgConnection,
    f: &IncidentFilter,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<IncidentBrief>, sqlx::Error> {
    let mut q = filtered(BRIEF, f, now as _);
    q.push(" ORDER BY i.id DESC LIMIT ").push_bind(limit);
    q.build_query_as::<IncidentBrief>().fetch_all(conn).await
}

/// Every source, for the history's filter: (id, name), by name.
pub async fn source_names(conn: &mut PgConnection) -> Result<Vec<(SourceId, String)>, sqlx::Error> {
    let rows =
        sqlx::query!(r#"SELECT id AS "id: SourceId", name FROM status_sources ORDER BY name"#).fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

/// The impacts seen, for the history's filter.
pub async fn impacts(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT DISTINCT impact AS "impact!" FROM status_incidents WHERE impact IS NOT NULL ORDER BY 1 LIMIT 50"#
    )
    .fetch_all(conn)
    .await
}

/// One incident with what its page adds to the brief.
pub struct IncidentRow {
    pub brief: IncidentBrief,
    pub source_id: SourceId,
    pub first_seen_at: DateTime<Utc>,
    pub link: Option<String>,
}

pub async fn incident(conn: &mut PgConnection, id: IncidentId) -> Result<Option<IncidentRow>, sqlx::Error> {
    let row = incidents!(
        r#"i.source_id AS "source_id: SourceId", i.first_seen_at AS "first_seen_at: DateTime<Utc>", i.link"#,
        "WHERE i.id = $1",
        id as _,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| IncidentRow {
        source_id: r.source_id,
        first_seen_at: r.first_seen_at,
        link: r.link,
        brief: brief!(r),
    }))
}

/// An incident's updates, oldest first.
pub async fn updates(conn: &mut PgConnection, id: IncidentId) -> Result<Vec<UpdateRow>, sqlx::Error> {
    sqlx::query_as!(
        UpdateRow,
        r#"SELECT at AS "at: DateTime<Utc>", seen_at AS "seen_at: DateTime<Utc>", phase, text
           FROM status_updates WHERE incident_id = $1 ORDER BY id"#,
        id as _,
    )
    .fetch_all(conn)
    .await
}

/// A status source's state, for `/metrics`.
pub struct SourceMetric {
    pub id: SourceId,
    pub category: String,
    pub enabled: bool,
    pub state: String,
    /// The last read failed (the last good state is still shown).
    pub failing: bool,
}

/// Every status source's state, for `/metrics`.
pub async fn source_metrics(conn: &mut PgConnection) -> Result<Vec<SourceMetric>, sqlx::Error> {
    sqlx::query_as!(
        SourceMetric,
        r#"SELECT id AS "id: SourceId", category, enabled, state, (error IS NOT NULL) AS "failing!"
             FROM status_sources ORDER BY id"#
    )
    .fetch_all(conn)
    .await
}
