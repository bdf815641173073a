//! The status board, assembled: a pure function from what the repo read (sources with their health, open
//! incidents, components not operational, tenants) and the tiles other areas gave, to the `Board` pages show.

use std::collections::{BTreeMap, HashSet};

use app::ids::SourceId;
use app::status::{Board, Category, Health, IncidentBrief, OwnCheck, SourceBrief, Step, StepSlot, Tile};
use app::tenants::Region;
use chrono::{DateTime, Utc};

use super::model::health_at;
use super::repo::{OpenIncident, WatchedRow};

/// Components listed on a tile before "and N more".
const TILE_COMPONENTS: usize = 6;

/// One enabled source as the board reads it, its health decided.
#[derive(Clone, Debug, PartialEq)]
pub struct Watched {
    pub id: SourceId,
    pub name: String,
    pub category: Category,
    pub health: Health,
    pub error: Option<String>,
    pub last_good_at: Option<DateTime<Utc>>,
    pub stale: bool,
    /// For a tenant's Auth0 feed: (tenant name, domain, region).
    pub tenant: Option<(String, String, Option<Region>)>,
}

impl Watched {
    /// The source as the repo read it, with its health at `now`.
    pub fn read(row: WatchedRow, now: DateTime<Utc>) -> Watched {
        let WatchedRow { id, name, category, state, interval_secs, error, last_good_at, stale, tenant, domain, region } =
            row;
        Watched {
            id,
            name,
            category,
            health: health_at(&state, last_good_at, interval_secs, now),
            error,
            last_good_at,
            stale,
            tenant: tenant.map(|name| (name, domain.unwrap_or_default(), region.and_then(|r| Region::parse(&r).ok()))),
        }
    }

    fn brief(&self) -> SourceBrief {
        SourceBrief {
            id: self.id,
            name: self.name.clone(),
            health: self.health,
            error: self.error.clone(),
            last_good_at: self.last_good_at,
            stale: self.stale,
        }
    }
}

/// What the board is made of, as read.
pub struct Inputs {
    /// Enabled sources, by name.
    pub watched: Vec<Watched>,
    /// Open incidents, most recently updated first.
    pub incidents: Vec<OpenIncident>,
    /// Components not operational: (source, name, health), by name.
    pub components: Vec<(SourceId, String, Health)>,
    /// Registered tenants: (domain, label).
    pub tenants: Vec<(String, String)>,
    /// The tenant domain the checklist is about (one of `tenants`).
    pub chosen: Option<String>,
    /// Catalog entries not added yet.
    pub offered: usize,
    pub now: DateTime<Utc>,
    pub refresh_secs: u32,
}

/// Every area's own tile, and the checklist steps they answer.
#[derive(Default)]
pub struct OwnTiles {
    pub tiles: Vec<OwnCheck>,
    pub steps: Vec<Step>,
}

/// The board: Auth0 regions (the tenants' feeds grouped by region, the same Auth0 incident once) and providers,
/// each worst first, our own checks, and the troubleshooting checklist.
pub fn assemble(inputs: Inputs, own: OwnTiles) -> Board {
    let Inputs { watched, incidents, components, tenants, chosen, offered, now, refresh_secs } = inputs;
    let mut open: BTreeMap<SourceId, Vec<(String, IncidentBrief)>> = BTreeMap::new();
    for i in incidents {
        open.entry(i.source_id).or_default().push((i.external_id, i.brief));
    }
    let mut bad: BTreeMap<SourceId, Vec<(String, Health)>> = BTreeMap::new();
    for (source, name, health) in components {
        bad.entry(source).or_default().push((name, health));
    }

    let mut regions: BTreeMap<Option<Region>, Vec<&Watched>> = BTreeMap::new();
    for w in watched.iter().filter(|w| w.tenant.is_some()) {
        regions.entry(w.tenant.as_ref().and_then(|t| t.2)).or_default().push(w);
    }
    let mut region_tiles: Vec<Tile> =
        regions.into_iter().map(|(region, feeds)| region_tile(region, &feeds, &mut open)).collect();
    sort_tiles(&mut region_tiles);

    let mut providers: Vec<Tile> = watched
        .iter()
        .filter(|w| w.tenant.is_none())
        .map(|w| provider_tile(w, bad.remove(&w.id).unwrap_or_default(), open.remove(&w.id).unwrap_or_default()))
        .collect();
    sort_tiles(&mut providers);

    let checklist = checklist(&watched, &region_tiles, &providers, chosen.as_deref(), &tenants, own.steps);
    Board {
        regions: region_tiles,
        providers,
        own_checks: own.tiles,
        checklist,
        tenants,
        chosen_tenant: chosen,
        offered,
        generated_at: now,
        refresh_secs,
    }
}

fn region_anchor(region: Option<Region>) -> String {
    format!("region-{}", region.map(|r| r.as_str()).unwrap_or("unset"))
}

fn region_tile(
    region: Option<Region>,
    feeds: &[&Watched],
    open: &mut BTreeMap<SourceId, Vec<(String, IncidentBrief)>>,
) -> Tile {
    let mut seen = HashSet::new();
    let mut incidents: Vec<IncidentBrief> = Vec::new();
    for f in feeds {
        for (external, incident) in open.remove(&f.id).unwrap_or_default() {
            if seen.insert(external) {
                incidents.push(incident);
            }
        }
    }
    Tile {
        anchor: region_anchor(region),
        title: match region {
            Some(r) => format!("Auth0 {}", r.label()),
            None => "Auth0 (region not set)".into(),
        },
        category: Category::Auth0,
        health: feeds.iter().fold(Health::Operational, |h, f| h.worst(f.health)),
        tenants: feeds.iter().filter_map(|f| f.tenant.as_ref().map(|t| t.0.clone())).collect(),
        components: Vec::new(),
        sources: feeds.iter().map(|f| f.brief()).collect(),
        last_updated: oldest_read(feeds),
        incidents,
    }
}

fn provider_tile(w: &Watched, mut bad: Vec<(String, Health)>, open: Vec<(String, IncidentBrief)>) -> Tile {
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
        incidents: open.into_iter().map(|(_, i)| i).collect(),
    }
}

/// Worst first, then by title.
fn sort_tiles(tiles: &mut [Tile]) {
    tiles.sort_by(|a, b| b.health.severity().cmp(&a.health.severity()).then_with(|| a.title.cmp(&b.title)));
}

/// The oldest good read of the sources; `None` when one was never read well.
fn oldest_read(sources: &[&Watched]) -> Option<DateTime<Utc>> {
    if sources.iter().any(|s| s.last_good_at.is_none()) {
        return None;
    }
    sources.iter().filter_map(|s| s.last_good_at).min()
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
    let mut steps = vec![region_step(watched, regions, chosen, tenants), provider_step(providers)];
    steps.extend(own_steps);
    steps.sort_by_key(|s| s.number);
    steps
}

fn region_step(watched: &[Watched], regions: &[Tile], chosen: Option<&str>, tenants: &[(String, String)]) -> Step {
    let title = "Auth0 status for the affected tenant's region".to_string();
    let tile = match chosen {
        Some(domain) => {
            let region = watched.iter().filter_map(|w| w.tenant.as_ref()).find(|t| t.1 == domain).map(|t| t.2);
            region.and_then(|r| regions.iter().find(|t| t.anchor == region_anchor(r)))
        }
        None => regions.first(),
    };
    let Some(t) = tile else {
        return Step {
            number: 1,
            title,
            health: Some(Health::Unknown),
            answer: if tenants.is_empty() {
                "No tenant is registered, so no region is watched.".into()
            } else {
                "This tenant's Auth0 feed has not been set up yet; it is added within a minute.".into()
            },
            link: "/status/sources?category=auth0".into(),
            link_text: "Auth0 sources".into(),
        };
    };
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
        title,
        health: Some(t.health),
        answer: format!("{whose}: {}{open}.", t.health.label()),
        link: format!("#{}", t.anchor),
        link_text: format!("See {}", t.title),
    }
}

fn provider_step(providers: &[Tile]) -> Step {
    let title = "External services: social, email and SMS providers".to_string();
    let Some(worst) = providers.first() else {
        return Step {
            number: 2,
            title,
            health: Some(Health::Unknown),
            answer: "No provider is watched yet; add the ones your logins use from the catalog.".into(),
            link: "/status/sources".into(),
            link_text: "Add providers".into(),
        };
    };
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

/// The checklist step an area's tile answers: its first problem (and how many more), else its summary.
pub fn own_step(slot: StepSlot, tile: &OwnCheck) -> Step {
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

#[cfg(test)]
mod tests {
    use app::ids::IncidentId;
    use uuid::Uuid;

    use super::*;

    fn source(name: &str, health: Health, tenant: Option<(&str, Region)>) -> Watched {
        Watched {
            id: SourceId(Uuid::new_v4()),
            name: name.into(),
            category: if tenant.is_some() { Category::Auth0 } else { Category::Email },
            health,
            error: None,
            last_good_at: Some(Utc::now()),
            stale: false,
            tenant: tenant.map(|(t, r)| (t.to_string(), format!("{t}.auth0.com"), Some(r))),
        }
    }

    fn incident(source: &Watched, external: &str, id: i64) -> OpenIncident {
        OpenIncident {
            source_id: source.id,
            external_id: external.into(),
            brief: IncidentBrief {
                id: IncidentId(id),
                source: source.name.clone(),
                category: source.category,
                title: format!("incident {external}"),
                impact: Some("major".into()),
                phase: "investigating".into(),
                started_at: None,
                updated_at: None,
                latest: None,
                updates: 1,
                postmortem: false,
            },
        }
    }

    fn inputs(watched: Vec<Watched>, incidents: Vec<OpenIncident>, chosen: Option<&str>) -> Inputs {
        let tenants = watched
            .iter()
            .filter_map(|w| w.tenant.as_ref())
            .map(|t| (t.1.clone(), format!("{} ({})", t.0, t.1)))
            .collect();
        Inputs {
            watched,
            incidents,
            components: Vec::new(),
            tenants,
            chosen: chosen.map(str::to_string),
            offered: 3,
            now: Utc::now(),
            refresh_secs: 30,
        }
    }

    #[test]
    fn regions_group_tenant_feeds_worst_first_and_an_auth0_incident_seen_twice_is_listed_once() {
        let us1 = source("Auth0 · a", Health::Operational, Some(("a", Region::Us)));
        let us2 = source("Auth0 · b", Health::Operational, Some(("b", Region::Us)));
        let eu = source("Auth0 · c", Health::PartialOutage, Some(("c", Region::Eu)));
        let incidents = vec![incident(&us1, "x", 1), incident(&us2, "x", 2)];
        let board = assemble(inputs(vec![us1, us2, eu], incidents, None), OwnTiles::default());
        let titles: Vec<&str> = board.regions.iter().map(|t| t.anchor.as_str()).collect();
        assert_eq!(titles, ["region-eu", "region-us"]);
        assert_eq!(board.regions[1].incidents.len(), 1, "one Auth0 incident, two feeds");
        assert_eq!(board.regions[1].tenants, ["a", "b"]);
        assert_eq!(board.checklist[0].health, Some(Health::PartialOutage));
        assert!(board.checklist[0].answer.starts_with("Worst region: Auth0"), "{}", board.checklist[0].answer);
        assert_eq!(
            board.checklist.iter().map(|s| s.number).collect::<Vec<_>>(),
            [1, 2],
            "steps 3 to 5 are the areas' own"
        );
    }

    #[test]
    fn the_chosen_tenant_answers_step_one_with_its_own_region() {
        let us = source("Auth0 · a", Health::Operational, Some(("a", Region::Us)));
        let eu = source("Auth0 · c", Health::MajorOutage, Some(("c", Region::Eu)));
        let board = assemble(inputs(vec![us, eu], Vec::new(), Some("a.auth0.com")), OwnTiles::default());
        assert_eq!(board.checklist[0].health, Some(Health::Operational));
        assert_eq!(board.checklist[0].link, "#region-us");
        assert!(board.checklist[0].answer.starts_with("a.auth0.com is in Auth0"), "{}", board.checklist[0].answer);
    }

    #[test]
    fn a_provider_shows_its_worst_components_first_and_at_most_six() {
        let mail = source("SendGrid", Health::PartialOutage, None);
        let mut i = inputs(vec![mail.clone(), source("Twilio", Health::Operational, None)], Vec::new(), None);
        i.components = (0..8)
            .map(|n| (mail.id, format!("c{n}"), if n == 7 { Health::MajorOutage } else { Health::Degraded }))
            .collect();
        let board = assemble(i, OwnTiles::default());
        assert_eq!(board.providers[0].title, "SendGrid");
        assert_eq!(board.providers[0].components.len(), 7);
        assert_eq!(board.providers[0].components[0], ("c7".to_string(), Health::MajorOutage));
        assert_eq!(board.providers[0].components[6], ("and 2 more".to_string(), Health::Unknown));
        assert_eq!(board.checklist[1].answer, "SendGrid: Partial outage.");
        assert_eq!(board.checklist[1].link, "#source-".to_string() + &mail.id.to_string());
    }

    #[test]
    fn with_nothing_watched_the_checklist_says_what_to_do() {
        let board = assemble(inputs(Vec::new(), Vec::new(), None), OwnTiles::default());
        assert_eq!(board.checklist[0].answer, "No tenant is registered, so no region is watched.");
        assert_eq!(board.checklist[1].link, "/status/sources");
        assert_eq!(board.offered, 3);
    }

    #[test]
    fn an_areas_tile_answers_its_step_with_its_first_problem() {
        let slot = StepSlot { number: 3, title: "Our checks", link_text: "Monitoring" };
        let mut tile = OwnCheck {
            anchor: "own".into(),
            title: "Monitoring".into(),
            health: Some(Health::MajorOutage),
            summary: "2 checks".into(),
            items: vec![("login fails".into(), Health::MajorOutage, "/m/1".into())],
            link: "/monitoring".into(),
        };
        assert_eq!((own_step(slot, &tile).answer, own_step(slot, &tile).link), ("login fails.".into(), "/m/1".into()));
        tile.items.push(("testall fails".into(), Health::MajorOutage, "/m/2".into()));
        assert_eq!(own_step(slot, &tile).answer, "login fails; and 1 more.");
        tile.items.clear();
        assert_eq!(
            (own_step(slot, &tile).answer, own_step(slot, &tile).link),
            ("2 checks".into(), "/monitoring".into())
        );
    }
}
