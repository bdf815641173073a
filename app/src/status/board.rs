//! The status board — "is it Auth0, a provider, or us?" — and the troubleshooting checklist beside it.
//! `BoardView` is a pure function of `Board`: the page renders it, and so does the fragment
//! (`/status/board.html`) that the page re-fetches every 30 seconds when JavaScript is on.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{Board, Health, IncidentBrief, Step, Tile, load_board};
use crate::format::{timestamp, timestamp_or_never as when};
use crate::pages::{Empty, Problem, answer_status, query_string};

/// `/` and `/status`: the board, complete without JavaScript.
#[component]
pub fn BoardPage() -> impl IntoView {
    let tenant =
        use_query_map().with_untracked(|q| q.get("tenant")).map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty());
    view! {
        <Title text="Status board" />
        <h1>"Status board"</h1>
        <p class="lead">
            "Is it Auth0, a provider, or us? Auth0 for the regions our tenants run in, the providers a login depends \
             on, and our own checks — worst first."
        </p>
        <p class="actions">
            <a class="button" href="/status/incidents">"Incident history"</a>
            <a class="button" href="/status/sources">"Sources"</a>
        </p>
        <Suspense fallback=|| view! { <p class="muted">"Reading the status…"</p> }>
            {Suspend::new(async move {
                let fragment = format!("/status/board.html{}", query_string(&[("tenant", tenant.clone().unwrap_or_default())]));
                match load_board(tenant.clone()).await {
                    Ok(board) => {
                        let refresh = board.refresh_secs.to_string();
                        view! {
                        <div id="board" data-testid="board" data-refresh=refresh data-src=fragment aria-live="polite">
                            <BoardView board />
                        </div>
                        <script src="/assets/board.js" defer></script>
                    }.into_any()
                    }
                    Err(e) => {
                        answer_status(&e);
                        view! { <Problem error=Some(e) /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// A health as a badge: colour, symbol and word.
pub fn badge(health: Health) -> impl IntoView {
    view! {
        <span class=format!("badge state {}", health.tone()) data-state=health.as_str()>
            <span aria-hidden="true">{health.symbol()}" "</span>
            {health.label()}
        </span>
    }
}

/// Beside a badge whose source's last read failed (before the health turns unknown): the health shown is an
/// earlier read's.
pub fn stale_note(health: Health, stale: bool) -> Option<impl IntoView> {
    (stale && health != Health::Unknown).then(|| {
        view! {
            " "
            <span class="badge stale" data-testid="stale" title="The last read failed; this is what the source said before">
                "stale: last read failed"
            </span>
        }
    })
}

#[component]
fn IncidentLine(incident: IncidentBrief) -> impl IntoView {
    let href = format!("/status/incidents/{}", incident.id);
    view! {
        <li class="incident">
            <a href=href>{incident.title.clone()}</a>
            " "
            <span class="muted">{incident.phase.clone()}{incident.impact.clone().map(|i| format!(" · impact {i}"))}</span>
            {incident.latest.clone().map(|text| view! { <p class="latest">{text}" "<span class="muted">"("{when(incident.updated_at)}")"</span></p> })}
        </li>
    }
}

#[component]
fn TileView(tile: Tile) -> impl IntoView {
    let problems: Vec<_> = tile.sources.iter().filter_map(|s| s.error.clone().map(|e| (s.name.clone(), e))).collect();
    view! {
        <article class=format!("tile {}", tile.health.tone()) id=tile.anchor.clone() data-testid="tile" data-state=tile.health.as_str()>
            <header>
                <h3>{tile.title.clone()}</h3>
                {badge(tile.health)}
                {stale_note(tile.health, tile.sources.iter().any(|s| s.stale))}
            </header>
            {(!tile.tenants.is_empty()).then(|| view! {
                <p class="tenants">{format!("Tenants: {}", tile.tenants.join(", "))}</p>
            })}
            {(!tile.components.is_empty()).then(|| view! {
                <ul class="components">
                    {tile.components.iter().map(|(name, health)| view! { <li>{format!("{name}: {}", health.label())}</li> }).collect_view()}
                </ul>
            })}
            {(!tile.incidents.is_empty()).then(|| view! {
                <ul class="incidents">
                    {tile.incidents.iter().cloned().map(|incident| view! { <IncidentLine incident /> }).collect_view()}
                </ul>
            })}
            {problems.into_iter().map(|(name, error)| view! { <p class="problem">{format!("{name}: {error}")}</p> }).collect_view()}
            <p class="updated muted">"Last updated "{when(tile.last_updated)}</p>
        </article>
    }
}

#[component]
fn StepView(step: Step) -> impl IntoView {
    let (tone, word) = match step.health {
        Some(h) => (h.tone(), h.label()),
        None => ("unknown", "Not checked yet"),
    };
    view! {
        <li class=format!("step {tone}") data-testid=format!("step-{}", step.number) data-state=step.health.map(|h| h.as_str()).unwrap_or("not_checked")>
            <h3>{step.title.clone()}</h3>
            <p>
                <span class=format!("badge state {tone}")>{word}</span>
                " "{step.answer.clone()}
            </p>
            <a href=step.link.clone()>{step.link_text.clone()}</a>
        </li>
    }
}

/// Providers grouped by category, the group with the worst tile first (tiles arrive worst first).
fn by_category(tiles: Vec<Tile>) -> Vec<(super::Category, Vec<Tile>)> {
    let mut groups: Vec<(super::Category, Vec<Tile>)> = Vec::new();
    for tile in tiles {
        match groups.iter_mut().find(|(c, _)| *c == tile.category) {
            Some((_, group)) => group.push(tile),
            None => groups.push((tile.category, vec![tile])),
        }
    }
    groups
}

/// The board's content: tiles worst first, our own checks, and the checklist.
#[component]
pub fn BoardView(board: Board) -> impl IntoView {
    let chosen = board.chosen_tenant.clone().unwrap_or_default();
    let no_regions = board.regions.is_empty();
    let no_providers = board.providers.is_empty();
    let offered = board.offered;
    view! {
        <div class="board-grid">
            <div class="board-tiles">
                <section aria-labelledby="regions-h">
                    <h2 id="regions-h">"Auth0 regions"</h2>
                    {no_regions.then(|| view! {
                        <Empty>"No tenant is registered yet, so no Auth0 region is watched. "<a href="/tenants/new">"Add a tenant"</a>" and its region's status appears here."</Empty>
                    })}
                    <div class="tile-grid">
                        {board.regions.into_iter().map(|tile| view! { <TileView tile /> }).collect_view()}
                    </div>
                </section>
                <section aria-labelledby="providers-h">
                    <h2 id="providers-h">"Providers"</h2>
                    {no_providers.then(|| view! {
                        <Empty>{format!("No provider is watched yet. The catalog offers {offered} (Google, Apple, Twilio, SendGrid…): ")}<a href="/status/sources">"add them on Sources"</a>"."</Empty>
                    })}
                    {by_category(board.providers).into_iter().map(|(category, tiles)| view! {
                        <h3 class="group">{category.label()}</h3>
                        <div class="tile-grid">
                            {tiles.into_iter().map(|tile| view! { <TileView tile /> }).collect_view()}
                        </div>
                    }).collect_view()}
                </section>
                <section aria-labelledby="own-h">
                    <h2 id="own-h">"Our own checks"</h2>
                    <div class="tile-grid">
                        {board.own_checks.into_iter().map(|own| {
                            let tone = own.health.map(|h| h.tone()).unwrap_or("unknown");
                            let state = own.health.map(|h| h.as_str()).unwrap_or("not_built");
                            view! {
                                <article class=format!("tile {tone}") id=own.anchor data-testid="own-check" data-state=state>
                                    <header>
                                        <h3>{own.title}</h3>
                                        {match own.health {
                                            Some(h) => badge(h).into_any(),
                                            None => view! { <span class="badge state unknown">"Not built yet"</span> }.into_any(),
                                        }}
                                    </header>
                                    <p>{own.summary}</p>
                                    {(!own.items.is_empty()).then(|| view! {
                                        <ul>{own.items.into_iter().map(|(text, _, link)| view! { <li><a href=link>{text}</a></li> }).collect_view()}</ul>
                                    })}
                                    <a href=own.link>"Open"</a>
                                </article>
                            }
                        }).collect_view()}
                    </div>
                </section>
                <p class="muted generated">
                    "Board read "{timestamp(board.generated_at)}". A source not read successfully for three polling \
                     intervals shows as Unknown, never as operational."
                </p>
            </div>
            <aside class="checklist card" aria-labelledby="checklist-h">
                <h2 id="checklist-h">"Troubleshooting checklist"</h2>
                <form method="get" action="/status" class="inline-form">
                    <label>
                        "Affected tenant "
                        <select name="tenant">
                            <option value="">"any (worst region)"</option>
                            {board.tenants.into_iter().map(|(domain, label)| {
                                let selected = domain == chosen;
                                view! { <option value=domain selected=selected>{label}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    " "
                    <button type="submit">"Show"</button>
                </form>
                <ol class="steps">
                    {board.checklist.into_iter().map(|step| view! { <StepView step /> }).collect_view()}
                </ol>
            </aside>
        </div>
    }
}
