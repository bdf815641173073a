//! `/checklists/:tenant/report`: one tenant's checklist for the review meeting — a flat, printable page (A4, no
//! console chrome in print, tables that wrap instead of running off the page) with every item, its verdict,
//! evidence and sign-off; and the link to the same as CSV.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::overview::count_badges;
use super::{ItemRow, TenantChecklist, load_tenant_checklist};
use crate::format::{timestamp, timestamp_or_never as when};
use crate::ids::TenantId;
use crate::pages::loaded_titled;

fn sign_off_words(item: &ItemRow) -> String {
    match &item.sign_off {
        None if item.manual => "not signed off".into(),
        None => String::new(),
        Some(s) => match &s.lapsed {
            None => format!("{} on {}, review by {}: {}", s.by, timestamp(s.at), s.review_by, s.comment),
            Some((at, why)) => format!("lapsed {}: {why} (was {} on {})", timestamp(*at), s.by, timestamp(s.at)),
        },
    }
}

fn report_view(c: TenantChecklist) -> impl IntoView {
    let (settled, applies) = c.counts.settled();
    let areas = super::by_area(c.items);
    let tenant = c.tenant;
    view! {
        <Title text=format!("Readiness report — {}", c.name) />
        <div class="report" data-testid="report">
            <h1>{format!("Readiness report: {}", c.name)}</h1>
            <p class="no-print">
                "Print this page or save it as PDF from the browser's print dialog (A4). "
                <a href=format!("/checklists/{tenant}/export.csv") data-testid="report-csv">"Download as CSV"</a>
                " · " <a href=format!("/checklists/{tenant}")>"Back to the checklist"</a>
            </p>
            <dl class="facts">
                <dt>"Tenant"</dt><dd>{format!("{} ({}, user domain {})", c.name, c.environment.label(), c.user_domain)}</dd>
                <dt>"Snapshot read"</dt><dd>{when(c.snapshot_at)}</dd>
                <dt>"Evaluated"</dt><dd>{when(c.evaluated_at)}</dd>
                <dt>"Ready"</dt><dd>{format!("{settled} of {applies} items that apply pass or are signed off")}</dd>
                <dt>"Needs attention"</dt><dd>{count_badges(&c.counts)}</dd>
            </dl>
            {areas.into_iter().map(|(area, items)| view! {
                <h2>{area}</h2>
                <table class="table report-table">
                    <colgroup><col class="c-state" /><col class="c-item" /><col class="c-found" /><col class="c-sign" /></colgroup>
                    <thead><tr><th>"State"</th><th>"Item"</th><th>"Found, with evidence"</th><th>"Sign-off"</th></tr></thead>
                    <tbody>
                        {items.into_iter().map(|i| {
                            let sign = sign_off_words(&i);
                            view! {
                                <tr data-testid="report-item" data-item=i.id.clone()>
                                    <td><span class=i.standing.class()>{i.standing.label()}</span></td>
                                    <td><strong>{i.title.clone()}</strong><br /><span class="muted">{i.severity.label()}</span></td>
                                    <td>
                                        {i.summary.clone()}
                                        {(!i.evidence.is_empty()).then(|| view! {
                                            <ul class="evidence-list">
                                                {i.evidence.iter().map(|e| view! {
                                                    <li><code>{e.field.clone()}</code>" = "{e.value.clone()}</li>
                                                }).collect_view()}
                                            </ul>
                                        })}
                                    </td>
                                    <td>{sign}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }).collect_view()}
        </div>
    }
}

/// `/checklists/:tenant/report`.
#[component]
pub fn ChecklistReportPage() -> impl IntoView {
    let tenant = use_params_map().with_untracked(|p| p.get("tenant").unwrap_or_default());
    let read = async move { load_tenant_checklist(tenant.parse::<TenantId>()?, None).await };
    loaded_titled("Reading the checklist…", "Readiness report", read, report_view)
}
