//! `/tenants`: the inventory as an SDLC matrix, with the guide's findings.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{
    Association, Environment, Finding, Inventory, InventoryQuery, Region, SdlcColumn, TenantCell, load_inventory,
};
use crate::format::timestamp;
use crate::pages::{FilterSelect, Filters, Pager, loaded, options, query_string};

fn column_label(c: SdlcColumn) -> &'static str {
    match c {
        SdlcColumn::Development => "Development",
        SdlcColumn::Testing => "QA / UAT / Staging",
        SdlcColumn::Production => "Production",
        SdlcColumn::Sandbox => "Sandboxes",
    }
}

fn inventory_query() -> InventoryQuery {
    let query = use_query_map();
    query.with_untracked(|q| {
        let text = |k: &str| q.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        InventoryQuery {
            q: text("q"),
            environment: text("environment").and_then(|e| Environment::parse(&e).ok()),
            region: text("region").and_then(|r| Region::parse(&r).ok()),
            association: text("association").and_then(|a| Association::parse(&a).ok()),
            page: text("page").and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(1),
        }
    })
}

/// `/tenants`: every tenant, grouped by user domain, as an SDLC matrix.
#[component]
pub fn TenantsPage() -> impl IntoView {
    let query = inventory_query();
    view! {
        <Title text="Tenants" />
        <h1>"Tenants"</h1>
        <p class="lead">
            "Every Auth0 tenant, by the users it serves and its place in the lifecycle. Read from Auth0 every 15 \
             minutes, or now from a tenant's page."
        </p>
        <p class="actions">
            <a class="button primary" href="/tenants/new">"Add a tenant"</a>
            <a class="button" href="/tenants/drift">"Compare environments (drift)"</a>
            <a class="button" href="/tenants/check-name">"Check a tenant name"</a>
        </p>
        {loaded("Reading tenants…", load_inventory(query.clone()), move |inventory| view! { <InventoryView inventory query /> })}
        <p class="help">
            "Inventory as code: " <code>"tenantry tenants export > tenants.toml"</code> " and "
            <code>"tenantry tenants import tenants.toml"</code> " (secrets are named by environment variable, never written)."
        </p>
    }
}

fn page_link(query: &InventoryQuery, page: u32) -> String {
    let pairs = [
        ("q", query.q.clone().unwrap_or_default()),
        ("environment", query.environment.map(|e| e.as_str().to_string()).unwrap_or_default()),
        ("region", query.region.map(|r| r.as_str().to_string()).unwrap_or_default()),
        ("association", query.association.map(|a| a.as_str().to_string()).unwrap_or_default()),
        ("page", page.to_string()),
    ];
    format!("/tenants{}", query_string(&pairs))
}

#[component]
fn InventoryView(inventory: Inventory, query: InventoryQuery) -> impl IntoView {
    let env = query.environment.map(|e| e.as_str()).unwrap_or("");
    let region = query.region.map(|r| r.as_str()).unwrap_or("");
    let association = query.association.map(|a| a.as_str()).unwrap_or("");
    let pager_query = query.clone();
    view! {
        <Filters action="/tenants">
            <label>"Search" <input name="q" type="search" value=query.q.clone().unwrap_or_default() placeholder="name or domain" /></label>
            <FilterSelect label="Environment" name="environment" current=env options=options(Environment::ALL.map(|e| (e.as_str(), e.label()))) />
            <FilterSelect label="Region" name="region" current=region options=options(Region::ALL.map(|r| (r.as_str(), r.label()))) />
            <label>
                "Association"
                <select name="association">
                    <option value="">"any"</option>
                    <option value="associated" selected=association == "associated">"associated"</option>
                    <option value="not_associated" selected=association == "not_associated">"not associated"</option>
                    <option value="unknown" selected=association == "unknown">"unknown"</option>
                </select>
            </label>
        </Filters>
        <Findings findings=inventory.findings.clone() />
        {if inventory.total == 0 {
            view! {
                <section class="card" data-testid="tenants-empty">
                    <h2>"No tenants yet"</h2>
                    <p>"Add one with the button above: Tenantry reads each tenant with a machine-to-machine application's credentials."</p>
                </section>
            }.into_any()
        } else if inventory.rows.is_empty() {
            view! { <p class="card muted">"No tenant matches these filters. Clear them to see all "{inventory.total}"."</p> }.into_any()
        } else {
            let (page, pages) = (inventory.page, inventory.pages);
            view! {
                <p class="muted" data-testid="tenants-count">{format!("{} of {} tenants", inventory.matching, inventory.total)}</p>
                <div class="matrix-wrap">
                    <table class="table matrix" data-testid="inventory">
                        <thead>
                            <tr>
                                <th scope="col">"User domain"</th>
                                {[SdlcColumn::Development, SdlcColumn::Testing, SdlcColumn::Production, SdlcColumn::Sandbox]
                                    .into_iter().map(|c| view! { <th scope="col">{column_label(c)}</th> }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>
                            {inventory.rows.into_iter().map(|row| view! {
                                <tr>
                                    <th scope="row">{row.user_domain}</th>
                                    {row.columns.into_iter().map(|(_, cells)| view! {
                                        <td>
                                            {if cells.is_empty() {
                                                view! { <span class="muted">"—"</span> }.into_any()
                                            } else {
                                                cells.into_iter().map(|cell| view! { <Cell cell /> }).collect_view().into_any()
                                            }}
                                        </td>
                                    }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <Pager page pages link=move |p| page_link(&pager_query, p) />
            }.into_any()
        }}
    }
}

/// The guide's findings, each with its reasoning, the tenants concerned and the guide's section.
#[component]
pub(super) fn Findings(findings: Vec<Finding>) -> impl IntoView {
    (!findings.is_empty()).then(|| {
        view! {
            <section class="card findings" data-testid="findings">
                <h2>{format!("{} finding(s)", findings.len())}</h2>
                <ul>
                    {findings.into_iter().map(|f| view! {
                        <li data-kind=f.kind.clone()>
                            <strong>{f.title}</strong>
                            <p class="small">{f.reasoning}" "<a href=f.guide rel="noreferrer">"The guide's advice"</a></p>
                            <p class="small">
                                {f.tenants.into_iter().map(|(id, name)| view! { <a href=format!("/tenants/{id}")>{name}</a>" " }).collect_view()}
                            </p>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn Cell(cell: TenantCell) -> impl IntoView {
    let href = format!("/tenants/{}", cell.id);
    let region = cell.region.map(|r| r.label()).unwrap_or("region ?");
    let association = match cell.association {
        Association::Associated => view! { <span class="badge ok">"associated"</span> }.into_any(),
        Association::NotAssociated => view! { <span class="badge bad">"not associated"</span> }.into_any(),
        Association::Unknown => view! { <span class="badge warn">"association unknown"</span> }.into_any(),
    };
    let poll = match (&cell.failure, cell.last_success_at) {
        (Some((class, _)), last) => view! {
            <span class="badge bad" title="the last poll failed">{class.replace('_', " ")}</span>
            " "{last.map(|t| format!("last read {}", timestamp(t))).unwrap_or_else(|| "never read".into())}
        }
        .into_any(),
        (None, Some(t)) => view! { <span class="muted">"read "{timestamp(t)}</span> }.into_any(),
        (None, None) => view! { <span class="muted">"not read yet"</span> }.into_any(),
    };
    let domains = if !cell.has_snapshot {
        "custom domain: ?".to_string()
    } else if cell.custom_domains.is_empty() {
        "no custom domain".to_string()
    } else {
        cell.custom_domains.iter().map(|(d, s)| format!("{d} ({})", s.replace('_', " "))).collect::<Vec<_>>().join(", ")
    };
    let email = if !cell.has_snapshot {
        "email: ?".to_string()
    } else {
        format!("email: {}", cell.email_provider.clone().unwrap_or_else(|| "Auth0 built-in".into()))
    };
    let streams = if !cell.has_snapshot {
        "log streams: ?".to_string()
    } else if cell.log_streams.is_empty() {
        "no log stream".to_string()
    } else {
        cell.log_streams.iter().map(|(n, s)| format!("{n} ({s})")).collect::<Vec<_>>().join(", ")
    };
    view! {
        <div class="tenant-cell" data-tenant=cell.name.clone()>
            <a href=href><strong>{cell.name.clone()}</strong></a>
            " "<span class="muted">{region}" · "{cell.environment.label()}</span>
            <div class="small">{domains}</div>
            <div class="small">{email}" · "{streams}</div>
            <div class="small">{association}" "{poll}</div>
        </div>
    }
}
