//! `/logs`: the search across tenants (a plain GET form, so it works without JavaScript), keyset pages, and every
//! tenant's progress.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{EventRow, LogsQuery, LogsResults, StreamHealth, search_logs};
use crate::format::{timestamp, timestamp_or_never as when};
use crate::pages::{Empty, FilterSelect, Filters, loaded, query_string, subnav};

/// The sub-navigation of the logs area.
pub fn logs_nav(current: &'static str) -> impl IntoView {
    subnav(
        "Logs",
        current,
        vec![
            ("/logs", "Search"),
            ("/logs/peak", "Peak load"),
            ("/logs/user", "A user's sign-ins"),
            ("/logs/quarantine", "Quarantine"),
        ],
    )
}

/// A link to the search with one more filter.
pub fn filtered(name: &str, value: &str) -> String {
    format!("/logs{}", query_string(&[(name, value.to_string())]))
}

/// `/logs`.
#[component]
pub fn LogsPage() -> impl IntoView {
    let query = use_query_map().with_untracked(|q| {
        let get = |name: &str| q.get(name).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        LogsQuery {
            tenant: get("tenant"),
            kind: get("kind"),
            user: get("user"),
            client: get("client"),
            ip: get("ip"),
            connection: get("connection"),
            q: get("q"),
            from: get("from"),
            to: get("to"),
            after: get("after"),
        }
    });
    view! {
        <Title text="Logs" />
        <h1>"Logs"</h1>
        {logs_nav("/logs")}
        <p class="lead">
            "Auth0 log events of every tenant, kept longer than Auth0 keeps them (1 to 30 days by plan), newest first."
        </p>
        {loaded("Searching logs…", search_logs(query.clone()), move |results| view! { <Results results query=query.clone() /> })}
    }
}

#[component]
fn Results(results: LogsResults, query: LogsQuery) -> impl IntoView {
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let tenants = results.tenants.iter().map(|(id, name)| (id.to_string(), name.clone())).collect();
    let next = results.next.clone().map(|after| {
        let mut pairs = query.pairs();
        pairs.push(("after", after));
        format!("/logs{}", query_string(&pairs))
    });
    let pairs = query_string(&query.pairs());
    let download = move |ext: &str| format!("/logs/export.{ext}{pairs}");
    let first = query.after.is_some().then(|| format!("/logs{}", query_string(&query.pairs())));
    let empty = results.rows.is_empty();
    let nothing_stored = results.progress.iter().all(|p| p.events_stored == 0);
    view! {
        <Filters action="/logs">
            <FilterSelect label="Tenant" name="tenant" current=v(&query.tenant) options=tenants />
            <FilterSelect label="Event type" name="kind" current=v(&query.kind) options=results.kinds.clone() />
            <label>"User" <input type="search" name="user" value=v(&query.user) placeholder="user id or name" /></label>
            <label>"Client" <input type="search" name="client" value=v(&query.client) placeholder="client id or name" /></label>
            <label>"IP or network" <input type="search" name="ip" value=v(&query.ip) placeholder="203.0.113.0/24" /></label>
            <label>"Connection" <input type="search" name="connection" value=v(&query.connection) /></label>
            <label>"Text" <input type="search" name="q" value=v(&query.q) placeholder="description or log id" /></label>
            <label>"From (UTC)" <input type="text" name="from" value=v(&query.from) placeholder="YYYY-MM-DD HH:MM" /></label>
            <label>"To (UTC)" <input type="text" name="to" value=v(&query.to) placeholder="YYYY-MM-DD HH:MM" /></label>
        </Filters>
        <p class="muted">
            "Times are UTC. " {format!("{} event(s) on this page, found in {} ms. ", results.rows.len(), results.took_ms)}
            "Download this search: "<a href=download("csv") data-testid="export-csv">"CSV"</a>" · "
            <a href=download("jsonl") data-testid="export-jsonl">"JSON Lines"</a>
        </p>
        {(empty && nothing_stored).then(|| view! {
            <Empty>
                "No events are stored yet. Pull a tenant's logs with "<code>"tenantry logs pull TENANT"</code>
                ", point an Auth0 log stream (custom webhook) at the receiver ("<code>"tenantry logs stream-token TENANT"</code>
                " prints its address and token), or import files with "<code>"tenantry logs import --tenant NAME FILE"</code>"."
            </Empty>
        })}
        {(empty && !nothing_stored).then(|| view! {
            <Empty>"No event matches these filters. Widen the time range or "<a href="/logs">"clear the filters"</a>"."</Empty>
        })}
        {(!empty).then(|| view! { <EventTable rows=results.rows.clone() /> })}
        <nav class="pager" aria-label="Pages">
            {first.map(|href| view! { <a href=href>"← Newest"</a> })}
            {next.map(|href| view! { <a href=href rel="next" data-testid="next-page">"Older →"</a> })}
        </nav>
        <StreamHealth rows=results.health />
        <Progress rows=results.progress />
    }
}

#[component]
fn EventTable(rows: Vec<EventRow>) -> impl IntoView {
    view! {
        <table class="table logs" data-testid="log-events">
            <thead><tr><th>"Time (UTC)"</th><th>"Tenant"</th><th>"Event"</th><th>"User"</th><th>"Client"</th><th>"IP"</th><th>"Description"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let href = format!("/logs/{}/{}", r.tenant_id, r.log_id);
                    let user = r.user_name.clone().or(r.user_id.clone()).unwrap_or_default();
                    let client = r.client_name.clone().or(r.client_id.clone()).unwrap_or_default();
                    view! {
                        <tr data-testid="log-event" data-log-id=r.log_id.clone() class=format!("outcome-{}", r.outcome)>
                            <td><a href=href>{timestamp(r.date)}</a></td>
                            <td>{r.tenant_name.clone()}</td>
                            <td><span class="badge">{r.type_code.clone()}</span>" "{r.type_name.clone()}</td>
                            <td>{user}</td>
                            <td>{client}</td>
                            <td>{r.ip.clone().unwrap_or_default()}</td>
                            <td>{r.description.clone().unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// An admin's form for how long a tenant's events are kept.
#[component]
fn RetentionForm(tenant: crate::ids::TenantId, days: i32) -> impl IntoView {
    let save = ServerAction::<super::SetLogsRetention>::new();
    let error = crate::pages::failure(save);
    view! {
        <ActionForm action=save attr:class="inline" attr:data-testid="retention-form">
            <input type="hidden" name="tenant" value=tenant.to_string() />
            <label class="small">"Days kept "
                <input type="number" name="days" value=days.to_string() min="1" max="3650" size="5" />
            </label>
            <button type="submit">"Set"</button>
        </ActionForm>
        <crate::pages::Problem error=error />
    }
}

#[component]
fn Progress(rows: Vec<ProgressRowList>) -> impl IntoView {
    let admin = crate::accounts::current_user().is_some_and(|u| u.role >= crate::accounts::Role::Admin);
    view! {
        <section class="card" aria-labelledby="progress-h">
            <h2 id="progress-h">"Per tenant"</h2>
            {rows.is_empty().then(|| view! { <Empty>"No tenant is registered yet: add one under "<a href="/tenants">"Tenants"</a>"."</Empty> })}
            <table class="table" data-testid="logs-progress">
                <thead><tr><th>"Tenant"</th><th>"Events stored"</th><th>"Newest event"</th><th>"Last pull"</th><th>"Last stream delivery"</th><th>"Receiver token"</th><th>"Kept"</th><th>"Storage"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|p| view! {
                        <tr data-testid="logs-tenant">
                            <td><a href=filtered("tenant", &p.tenant_id.to_string())>{p.tenant_name.clone()}</a></td>
                            <td>{p.events_stored}{(p.rejected > 0).then(|| format!(" ({} quarantined)", p.rejected))}</td>
                            <td>{when(p.newest_at)}{p.lag_minutes.map(|m| view! {
                                <br /><span class="muted" data-testid="behind">{format!("behind Auth0 by {}", super::lag_text(m))}</span>
                            })}</td>
                            <td>{when(p.last_pull_at)}{p.last_pull_error.clone().map(|e| view! { <p class="advice">{e}</p> })}</td>
                            <td>{when(p.last_delivery_at)}</td>
                            <td>{if p.has_token { "set" } else { "none" }}</td>
                            <td>{format!("{} days", p.retention_days)}{admin.then(|| view! { <RetentionForm tenant=p.tenant_id days=p.retention_days /> })}</td>
                            <td data-testid="storage">{storage(p.storage)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

type ProgressRowList = super::ProgressRow;

/// "≈ 1.2 GB for 5,000,000 events (measured 2026-12-03 14:00:00 UTC)": the tenant's share of the logs table.
fn storage(measured: Option<(i64, i64, chrono::DateTime<chrono::Utc>)>) -> String {
    let Some((events, bytes, at)) = measured else { return "not measured yet (hourly)".into() };
    let size = match bytes {
        b if b >= 1 << 30 => format!("{:.1} GB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1u64 << 20) as f64),
        b => format!("{:.0} kB", b as f64 / 1024.0),
    };
    format!("≈ {size} for {events} events (measured {})", timestamp(at))
}
