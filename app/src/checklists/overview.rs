//! `/checklists`: readiness across tenants — per tenant and environment, how many items pass, fail, wait for a
//! sign-off or cannot be read — and what changed in the last seven days.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{Counts, DomainMatrix, HistoryRow, load_checklists};
use crate::format::{timestamp, timestamp_or_never as when};
use crate::pages::{Empty, FilterSelect, Filters, loaded, options, query_string};
use crate::tenants::Environment;

/// The counts as badges, the worst first; nothing for zero.
pub fn count_badges(c: &Counts) -> impl IntoView + use<> {
    let parts = [
        (c.required_failing, "required failing", "badge bad"),
        (c.fail - c.required_failing.min(c.fail), "other failing", "badge bad"),
        (c.warn, "warning", "badge warn"),
        (c.needs_sign_off, "need sign-off", "badge warn"),
        (c.unknown, "unknown", "badge unknown"),
    ];
    parts
        .into_iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, what, class)| view! { <span class=class>{format!("{n} {what}")}</span> " " })
        .collect_view()
}

/// One history entry in words.
pub fn history_words(h: &HistoryRow) -> String {
    match (h.kind.as_str(), h.verdict) {
        ("signed_off", _) => format!("Signed off by {}: {}", h.actor.clone().unwrap_or_default(), h.summary),
        ("lapsed", _) => format!("Sign-off lapsed: {}", h.summary),
        (_, Some(v)) => format!("Now {}: {}", v.label(), h.summary),
        _ => h.summary.clone(),
    }
}

/// A user domain's tenants side by side, item by item (printable: the user domain's report).
fn matrix_view(m: DomainMatrix) -> impl IntoView {
    let tenants = m.tenants.clone();
    view! {
        <div class="report" data-testid="domain-matrix">
            <h2>{format!("User domain {}: every item across its tenants", m.user_domain)}</h2>
            <p class="muted no-print">
                "Development first. Print this page for the user domain's review (A4, landscape fits more tenants), or "
                <a href=format!("/checklists/export.csv{}", query_string(&[("user_domain", m.user_domain.clone())])) data-testid="domain-csv">"download every tenant's items as CSV"</a>"."
            </p>
            <div class="matrix-wrap">
                <table class="table check-matrix">
                    <thead>
                        <tr>
                            <th scope="col">"Item"</th>
                            {tenants.iter().map(|(id, name, env)| view! {
                                <th scope="col"><a href=format!("/checklists/{id}")>{name.clone()}</a><div class="small">{env.label()}</div></th>
                            }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {m.rows.into_iter().map(|r| {
                            let tenants = tenants.clone();
                            view! {
                                <tr data-testid="matrix-row" data-item=r.id.clone()>
                                    <th scope="row">{r.title.clone()}<div class="small">{format!("{} · {}", r.area, r.severity.label())}</div></th>
                                    {r.cells.into_iter().zip(tenants).map(|((standing, why), (id, _, _))| view! {
                                        <td title=why>
                                            <a href=format!("/checklists/{id}#{}", r.id) class=standing.class()>{standing.label()}</a>
                                        </td>
                                    }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </div>
    }
}

/// `/checklists`.
#[component]
pub fn ChecklistsPage() -> impl IntoView {
    let (environment, user_domain) = use_query_map()
        .with_untracked(|q| (q.get("environment").unwrap_or_default(), q.get("user_domain").unwrap_or_default()));
    let envs = options(Environment::ALL.map(|e| (e.as_str(), e.label())));
    let (chosen_env, chosen_domain) = (environment.clone(), user_domain.clone());
    view! {
        <Title text="Checklists" />
        <h1>"Checklists"</h1>
        <p class="lead">"Auth0's operations-readiness checklist for every tenant: each item read from the tenant's latest snapshot with its evidence, or signed off by an ops lead where no API can decide it. Open a tenant for its items, or choose a user domain to see its tenants side by side."</p>
        {loaded("Reading the checklists…", load_checklists(Some(environment), Some(user_domain)), move |o| view! {
            <Filters action="/checklists">
                <FilterSelect label="Environment" name="environment" current=chosen_env options=envs />
                <FilterSelect label="User domain" name="user_domain" current=chosen_domain options=options(o.user_domains.iter().map(|u| (u, u))) />
            </Filters>
            {o.rows.is_empty().then(|| view! {
                <Empty>"No tenant to show. " <a href="/tenants/new">"Register a tenant"</a> " (or clear the filter); its checklist is read with its first snapshot."</Empty>
            })}
            {(!o.rows.is_empty()).then(|| view! {
                <table class="table" data-testid="checklists-overview">
                    <thead><tr><th>"Tenant"</th><th>"Environment"</th><th>"User domain"</th><th>"Ready"</th><th>"Needs attention"</th><th>"Evaluated"</th></tr></thead>
                    <tbody>
                        {o.rows.into_iter().map(|r| {
                            let (settled, applies) = r.counts.settled();
                            view! {
                                <tr data-testid="checklist-tenant" data-tenant=r.name.clone()>
                                    <td><a href=format!("/checklists/{}", r.tenant)>{r.name.clone()}</a></td>
                                    <td>{r.environment.label()}</td>
                                    <td><a href=format!("/checklists{}", query_string(&[("user_domain", r.user_domain.clone())]))>{r.user_domain.clone()}</a></td>
                                    <td data-testid="ready">{format!("{settled} of {applies}")}</td>
                                    <td>{count_badges(&r.counts)}</td>
                                    <td>{when(r.evaluated_at)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {o.matrix.map(matrix_view)}
            <h2>"This week"</h2>
            {o.this_week.is_empty().then(|| view! { <Empty>"No verdict changed and nothing was signed off or lapsed in the last seven days."</Empty> })}
            {(!o.this_week.is_empty()).then(|| view! {
                <table class="table" data-testid="checklists-week">
                    <thead><tr><th>"When (UTC)"</th><th>"Tenant"</th><th>"Item"</th><th>"What happened"</th></tr></thead>
                    <tbody>
                        {o.this_week.into_iter().map(|h| view! {
                            <tr>
                                <td>{timestamp(h.at)}</td>
                                <td><a href=format!("/checklists/{}", h.tenant)>{h.tenant_name.clone()}</a></td>
                                <td><a href=format!("/checklists/{}#{}", h.tenant, h.item)>{h.title.clone()}</a></td>
                                <td>{history_words(&h)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        })}
    }
}
