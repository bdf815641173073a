//! Status → Sources (what Tenantry polls, the catalog, adding by URL) and the incident history with its detail page.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::board::{badge, stale_note};
use super::{
    AddCatalogSource, AddSource, Category, IncidentList, IncidentQuery, PollSource, RemoveSource, SetSourceEnabled,
    SourceList, SourceRow, SourcesQuery, load_incident, load_incidents, load_sources,
};
use crate::accounts::{Role, current_user};
use crate::format::{timestamp, timestamp_or_never as when};
use crate::ids::IncidentId;
use crate::pages::{
    Empty, FilterSelect, Filters, Pager, Problem, failure, loaded, loaded_titled, options, query_string,
};

fn can_change() -> bool {
    current_user().is_some_and(|u| u.role >= Role::OpsLead)
}

fn every(secs: i32) -> String {
    if secs % 60 == 0 { format!("{} min", secs / 60) } else { format!("{secs} s") }
}

fn subnav(current: &'static str) -> impl IntoView {
    crate::pages::subnav(
        "Status",
        current,
        vec![("/status", "Board"), ("/status/incidents", "Incident history"), ("/status/sources", "Sources")],
    )
}

/// `/status/sources`: every source with its state and last problem, the catalog, and adding by URL.
#[component]
pub fn SourcesPage() -> impl IntoView {
    let query = use_query_map().with_untracked(|q| SourcesQuery {
        category: q.get("category").and_then(|c| Category::parse(&c)),
        page: q.get("page").and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(1),
    });
    let add = ServerAction::<AddSource>::new();
    let catalog = ServerAction::<AddCatalogSource>::new();
    let enable = ServerAction::<SetSourceEnabled>::new();
    let remove = ServerAction::<RemoveSource>::new();
    let poll = ServerAction::<PollSource>::new();
    let error = failure(add).or(failure(catalog)).or(failure(enable)).or(failure(remove)).or(failure(poll));
    view! {
        <Title text="Status sources" />
        {subnav("/status/sources")}
        <h1>"Status sources"</h1>
        <p class="lead">
            "What Tenantry polls: Auth0's status feed for every registered tenant (added and removed with the tenant) \
             and the providers you add. Each is read every 2 minutes by default."
        </p>
        <Problem error />
        {loaded("Reading sources…", load_sources(query.clone()), move |list| view! { <SourcesView list query=query.clone() add catalog enable remove poll /> })}
    }
}

#[component]
fn SourcesView(
    list: SourceList,
    query: SourcesQuery,
    add: ServerAction<AddSource>,
    catalog: ServerAction<AddCatalogSource>,
    enable: ServerAction<SetSourceEnabled>,
    remove: ServerAction<RemoveSource>,
    poll: ServerAction<PollSource>,
) -> impl IntoView {
    let changer = can_change();
    let category = query.category.map(|c| c.as_str()).unwrap_or("");
    let link = {
        let category = category.to_string();
        move |page: u32| {
            format!("/status/sources{}", query_string(&[("category", category.clone()), ("page", page.to_string())]))
        }
    };
    let empty = list.rows.is_empty();
    view! {
        <Filters action="/status/sources">
            <FilterSelect label="Category" name="category" current=category options=options(Category::ALL.map(|c| (c.as_str(), c.label()))) />
        </Filters>
        <p class="muted">{format!("{} source(s)", list.total)}</p>
        {empty.then(|| view! {
            <Empty>"No source matches. Register a tenant to watch its Auth0 region, or add a provider from the catalog below."</Empty>
        })}
        <table class="table" data-testid="sources">
            <thead>
                <tr><th>"Source"</th><th>"State"</th><th>"Last good read"</th><th>"Problem"</th><th>"Every"</th>{changer.then(|| view! { <th>"Actions"</th> })}</tr>
            </thead>
            <tbody>
                {list.rows.into_iter().map(|row| view! { <SourceLine row changer enable remove poll /> }).collect_view()}
            </tbody>
        </table>
        <Pager page=list.page pages=list.pages link />
        <section class="card" aria-labelledby="catalog-h">
            <h2 id="catalog-h">"Provider catalog"</h2>
            <p>"Common providers a login depends on, offered — not enabled — until someone adds them."</p>
            <table class="table" data-testid="catalog">
                <thead><tr><th>"Provider"</th><th>"Category"</th><th>"Format"</th><th>"Note"</th><th></th></tr></thead>
                <tbody>
                    {list.catalog.into_iter().map(|entry| {
                        let action = if entry.added {
                            view! { <span class="muted">"added"</span> }.into_any()
                        } else if !entry.readable {
                            view! { <a href=entry.page.clone()>"status page"</a> }.into_any()
                        } else if changer {
                            let label = format!("Add {}", entry.name);
                            view! {
                                <ActionForm action=catalog attr:class="inline">
                                    <input type="hidden" name="key" value=entry.key.clone() />
                                    <button type="submit">{label}</button>
                                </ActionForm>
                            }.into_any()
                        } else {
                            view! { <span class="muted">"offered"</span> }.into_any()
                        };
                        view! {
                            <tr>
                                <td><a href=entry.page.clone()>{entry.name.clone()}</a><br /><code class="url">{entry.url.clone()}</code></td>
                                <td>{entry.category.label()}</td>
                                <td>{entry.kind_label.clone()}</td>
                                <td>{entry.note.clone()}</td>
                                <td>{action}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        {changer.then(|| view! {
            <section class="card" aria-labelledby="add-h">
                <h2 id="add-h">"Add a source by URL"</h2>
                <p class="help">"http(s) only. Addresses on this machine or a private network are refused unless the server allows them (status.allow_private_targets)."</p>
                <ActionForm action=add attr:class="form grid">
                    <label for="src-name">"Name"</label>
                    <input type="text" id="src-name" name="name" required maxlength="100" placeholder="Okta Verify push" />
                    <label for="src-kind">"Format"</label>
                    <select id="src-kind" name="kind">
                        {list.kinds.iter().map(|(k, label)| view! { <option value=k.clone()>{label.clone()}</option> }).collect_view()}
                    </select>
                    <label for="src-category">"Category"</label>
                    <select id="src-category" name="category">
                        {Category::ALL.into_iter().map(|c| view! { <option value=c.as_str() selected=c == Category::Other>{c.label()}</option> }).collect_view()}
                    </select>
                    <label for="src-url">"URL"</label>
                    <input id="src-url" name="url" type="url" required placeholder="https://status.example.com/api/v2/summary.json" />
                    <label for="src-interval">"Minutes between polls"</label>
                    <input type="text" id="src-interval" name="interval_minutes" inputmode="numeric" placeholder="2" />
                    <span></span>
                    <button type="submit" class="primary">"Add source"</button>
                </ActionForm>
            </section>
        })}
    }
}

#[component]
fn SourceLine(
    row: SourceRow,
    changer: bool,
    enable: ServerAction<SetSourceEnabled>,
    remove: ServerAction<RemoveSource>,
    poll: ServerAction<PollSource>,
) -> impl IntoView {
    let incidents = format!("/status/incidents?source={}", row.id);
    let actions = changer.then(|| {
        let (a, b, c) = (row.id.to_string(), row.id.to_string(), row.id.to_string());
        let toggle = if row.enabled { "false" } else { "true" };
        view! {
            <td class="actions">
                <ActionForm action=poll attr:class="inline">
                    <input type="hidden" name="id" value=a />
                    <button type="submit">"Poll now"</button>
                </ActionForm>
                <ActionForm action=enable attr:class="inline">
                    <input type="hidden" name="id" value=b />
                    <input type="hidden" name="enabled" value=toggle />
                    <button type="submit">{if row.enabled { "Pause" } else { "Resume" }}</button>
                </ActionForm>
                {row.tenant.is_none().then(|| view! {
                    <ActionForm action=remove attr:class="inline">
                        <input type="hidden" name="id" value=c />
                        <button type="submit" class="danger">"Remove"</button>
                    </ActionForm>
                })}
            </td>
        }
    });
    view! {
        <tr data-testid="source" class:paused=!row.enabled>
            <td>
                <a href=incidents>{row.name.clone()}</a>
                <br />
                <span class="muted">
                    {row.category.label()}" · "{row.kind_label.clone()}
                    {row.read_as.clone().map(|f| format!(" · read as {f}"))}
                    {(!row.enabled).then_some(" · paused")}
                </span>
                <br />
                <code class="url">{row.url.clone()}</code>
            </td>
            <td>
                {badge(row.health)}
                {stale_note(row.health, row.error.is_some() && row.last_attempt_at > row.last_good_at)}
                {(row.open_incidents > 0).then(|| format!(" {} open incident(s)", row.open_incidents))}
            </td>
            <td>{when(row.last_good_at)}</td>
            <td>{row.error.clone().unwrap_or_default()}</td>
            <td>{every(row.interval_secs)}</td>
            {actions}
        </tr>
    }
}

fn incident_query() -> IncidentQuery {
    use_query_map().with_untracked(|q| {
        let text = |k: &str| q.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        IncidentQuery {
            source: text("source"),
            category: text("category").and_then(|c| Category::parse(&c)),
            impact: text("impact"),
            state: text("state"),
            from: text("from"),
            to: text("to"),
            page: text("page").and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(1),
            ..IncidentQuery::default()
        }
    })
}

fn incident_pairs(q: &IncidentQuery) -> Vec<(&'static str, String)> {
    vec![
        ("source", q.source.clone().unwrap_or_default()),
        ("category", q.category.map(|c| c.as_str().to_string()).unwrap_or_default()),
        ("impact", q.impact.clone().unwrap_or_default()),
        ("state", q.state.clone().unwrap_or_default()),
        ("from", q.from.clone().unwrap_or_default()),
        ("to", q.to.clone().unwrap_or_default()),
    ]
}

/// `/status/incidents`: every incident from every source, newest first, with filters.
#[component]
pub fn IncidentsPage() -> impl IntoView {
    let query = incident_query();
    view! {
        <Title text="Incident history" />
        {subnav("/status/incidents")}
        <h1>"Incident history"</h1>
        <p class="lead">"Every incident any source has published, with every update Tenantry saw. Resolved incidents stay watched for their postmortem."</p>
        {loaded("Reading incidents…", load_incidents(query.clone()), move |list| view! { <IncidentsView list query=query.clone() /> })}
    }
}

#[component]
fn IncidentsView(list: IncidentList, query: IncidentQuery) -> impl IntoView {
    let source = query.source.clone().unwrap_or_default();
    let category = query.category.map(|c| c.as_str()).unwrap_or("");
    let impact = query.impact.clone().unwrap_or_default();
    let state = query.state.clone().unwrap_or_default();
    let pairs = incident_pairs(&query);
    let link = move |page: u32| {
        let mut all = pairs.clone();
        all.push(("page", page.to_string()));
        format!("/status/incidents{}", query_string(&all))
    };
    let empty = list.rows.is_empty();
    view! {
        <Filters action="/status/incidents">
            <FilterSelect label="Source" name="source" current=source options=options(list.sources.iter().map(|(id, name)| (id, name))) />
            <FilterSelect label="Category" name="category" current=category options=options(Category::ALL.map(|c| (c.as_str(), c.label()))) />
            <FilterSelect label="Impact" name="impact" current=impact options=options(list.impacts.iter().map(|i| (i, i))) />
            <FilterSelect label="State" name="state" current=state options=options([("open", "Open"), ("resolved", "Resolved"), ("postmortem", "Postmortem published")]) />
            <label>"From (UTC)" <input type="date" name="from" value=query.from.clone().unwrap_or_default() /></label>
            <label>"To (UTC)" <input type="date" name="to" value=query.to.clone().unwrap_or_default() /></label>
        </Filters>
        <p class="muted">{format!("{} incident(s)", list.total)}</p>
        {empty.then(|| view! {
            <Empty>"No incident matches. Sources record incidents as they publish them; check "<a href="/status/sources">"Sources"</a>" if you expected one."</Empty>
        })}
        <table class="table" data-testid="incidents">
            <thead><tr><th>"Incident"</th><th>"Source"</th><th>"Impact"</th><th>"State"</th><th>"Started"</th><th>"Last update"</th></tr></thead>
            <tbody>
                {list.rows.into_iter().map(|i| view! {
                    <tr data-testid="incident">
                        <td><a href=format!("/status/incidents/{}", i.id)>{i.title.clone()}</a>{i.postmortem.then_some(" · postmortem")}</td>
                        <td>{i.source.clone()}<br /><span class="muted">{i.category.label()}</span></td>
                        <td>{i.impact.clone().unwrap_or_else(|| "—".into())}</td>
                        <td>{i.phase.clone()}</td>
                        <td>{when(i.started_at)}</td>
                        <td>{when(i.updated_at)}<br /><span class="muted">{format!("{} update(s)", i.updates)}</span></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <Pager page=list.page pages=list.pages link />
    }
}

/// `/status/incidents/:id`: the update timeline, and the postmortem once published.
#[component]
pub fn IncidentPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id")).unwrap_or_default();
    let read = async move { load_incident(id.parse::<IncidentId>()?).await };
    loaded_titled("Reading the incident…", "Incident", read, |d| {
        let b = d.brief.clone();
        view! {
            <Title text=b.title.clone() />
            {subnav("")}
            <p class="crumbs"><a href="/status/incidents">"Incident history"</a>" / "{b.title.clone()}</p>
            <h1>{b.title.clone()}</h1>
            <p class="lead">
                <a href=format!("/status/incidents?source={}", d.source_id)>{b.source.clone()}</a>
                " · "{b.category.label()}" · "{b.phase.clone()}
                {b.impact.clone().map(|i| format!(" · impact {i}"))}
            </p>
            {match d.postmortem_link.clone() {
                Some(link) => {
                    let text = link.clone();
                    view! {
                        <section class="notice" data-testid="postmortem"><h2>"Postmortem published"</h2><p><a href=link>{text}</a></p></section>
                    }.into_any()
                }
                None if b.phase == "resolved" => view! {
                    <p class="help">"Resolved. Tenantry keeps watching this source for the RCA / postmortem, which can take weeks, and links it here when it is published."</p>
                }.into_any(),
                None => ().into_any(),
            }}
            <dl class="facts">
                <dt>"Started"</dt><dd>{when(b.started_at)}</dd>
                <dt>"Last update"</dt><dd>{when(b.updated_at)}</dd>
                <dt>"First seen by Tenantry"</dt><dd>{timestamp(d.first_seen_at)}</dd>
                <dt>"At the source"</dt><dd>{d.link.clone().map(|l| { let text = l.clone(); view! { <a href=l>{text}</a> }.into_any() }).unwrap_or_else(|| "—".into_any())}</dd>
            </dl>
            <h2>"Timeline"</h2>
            <ol class="timeline" data-testid="timeline">
                {d.updates.into_iter().map(|u| view! {
                    <li data-phase=u.phase.clone()>
                        <strong>{u.phase.clone()}</strong>" "
                        <span class="muted">{u.at.map(timestamp).unwrap_or_else(|| format!("seen {}", timestamp(u.seen_at)))}</span>
                        <p>{u.text}</p>
                    </li>
                }).collect_view()}
            </ol>
        }
    })
}
