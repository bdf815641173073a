use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    AddTenant, Association, DriftRow, DriftState, Environment, Finding, Inventory, InventoryQuery, RefreshTenant,
    Region, RemoveTenant, SdlcColumn, TenantCell, TenantFields, UpdateTenant, check_tenant_name, load_drift,
    load_inventory, load_tenant, load_tenant_fields,
};
use crate::accounts::{Role, current_user};
use crate::format::timestamp;
use crate::pages::Problem;

fn column_label(c: SdlcColumn) -> &'static str {
    match c {
        SdlcColumn::Development => "Development",
        SdlcColumn::Testing => "QA / UAT / Staging",
        SdlcColumn::Production => "Production",
        SdlcColumn::Sandbox => "Sandboxes",
    }
}

fn is_admin() -> bool {
    current_user().is_some_and(|u| u.role >= Role::Admin)
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
        <Suspense fallback=|| view! { <p class="muted">"Reading tenants…"</p> }>
            {Suspend::new(async move {
                match load_inventory(query.clone()).await {
                    Ok(inventory) => view! { <InventoryView inventory query /> }.into_any(),
                    Err(e) => view! { <Problem error=Some(e) /> }.into_any(),
                }
            })}
        </Suspense>
        <p class="help">
            "Inventory as code: " <code>"tenantry tenants export > tenants.toml"</code> " and "
            <code>"tenantry tenants import tenants.toml"</code> " (secrets are named by environment variable, never written)."
        </p>
    }
}

fn page_link(query: &InventoryQuery, page: u32) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(q) = &query.q {
        pairs.push(("q", q.clone()));
    }
    if let Some(e) = query.environment {
        pairs.push(("environment", e.as_str().into()));
    }
    if let Some(r) = query.region {
        pairs.push(("region", r.as_str().into()));
    }
    if let Some(a) = query.association {
        pairs.push(("association", a.as_str().into()));
    }
    pairs.push(("page", page.to_string()));
    let encoded: Vec<String> = pairs
        .into_iter()
        .map(|(k, v)| {
            let v: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={v}")
        })
        .collect();
    format!("/tenants?{}", encoded.join("&"))
}

#[component]
fn InventoryView(inventory: Inventory, query: InventoryQuery) -> impl IntoView {
    let env = query.environment.map(|e| e.as_str()).unwrap_or("");
    let region = query.region.map(|r| r.as_str()).unwrap_or("");
    let association = query.association.map(|a| a.as_str()).unwrap_or("");
    view! {
        <form method="get" action="/tenants" class="filters card" role="search">
            <label>"Search" <input name="q" type="search" value=query.q.clone().unwrap_or_default() placeholder="name or domain" /></label>
            <label>
                "Environment"
                <select name="environment">
                    <option value="">"any"</option>
                    {Environment::ALL.into_iter().map(|e| view! { <option value=e.as_str() selected=e.as_str() == env>{e.label()}</option> }).collect_view()}
                </select>
            </label>
            <label>
                "Region"
                <select name="region">
                    <option value="">"any"</option>
                    {Region::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=r.as_str() == region>{r.label()}</option> }).collect_view()}
                </select>
            </label>
            <label>
                "Association"
                <select name="association">
                    <option value="">"any"</option>
                    <option value="associated" selected=association == "associated">"associated"</option>
                    <option value="not_associated" selected=association == "not_associated">"not associated"</option>
                    <option value="unknown" selected=association == "unknown">"unknown"</option>
                </select>
            </label>
            <button type="submit" class="primary">"Filter"</button>
            <a href="/tenants">"Clear"</a>
        </form>
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
                <nav class="pager" aria-label="Pages">
                    {(page > 1).then(|| view! { <a href=page_link(&query, page - 1) rel="prev">"← Previous"</a> })}
                    <span>{format!("Page {page} of {pages}")}</span>
                    {(page < pages).then(|| view! { <a href=page_link(&query, page + 1) rel="next">"Next →"</a> })}
                </nav>
            }.into_any()
        }}
    }
}

/// The guide's findings, each with its reasoning, the tenants concerned and the guide's section.
#[component]
fn Findings(findings: Vec<Finding>) -> impl IntoView {
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

/// `/tenants/:id`.
#[component]
pub fn TenantPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id")).unwrap_or_default();
    let refresh = ServerAction::<RefreshTenant>::new();
    let refresh_error = refresh.value().get_untracked().and_then(Result::err);
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Reading the tenant…"</p> }>
            {Suspend::new(async move {
                match load_tenant(id.clone()).await {
                    Err(e) => view! { <Title text="Tenant" /> <h1>"Tenant"</h1> <Problem error=Some(e) /> }.into_any(),
                    Ok(t) => {
                        let cell = t.cell.clone();
                        let edit = format!("/tenants/{}/edit", cell.id);
                        view! {
                            <Title text=cell.name.clone() />
                            <p class="crumbs"><a href="/tenants">"Tenants"</a>" / "{cell.name.clone()}</p>
                            <h1>{cell.name.clone()}</h1>
                            <p class="lead">{cell.domain.clone()}" · "{cell.environment.label()}" · "{cell.user_domain.clone()}</p>
                            <Problem error=refresh_error.clone() />
                            {cell.failure.clone().map(|(class, message)| view! {
                                <section class="notice error" role="alert" data-testid="poll-failure">
                                    <h2>{format!("The last read failed: {}", class.replace('_', " "))}</h2>
                                    <p>{message}</p>
                                    <p>{cell.last_success_at.map(|t| format!("Last good read {}. The data below is from then.", timestamp(t))).unwrap_or_else(|| "Tenantry has never read this tenant.".into())}</p>
                                </section>
                            })}
                            <p class="actions">
                                <ActionForm action=refresh attr:class="inline">
                                    <input type="hidden" name="id" value=cell.id.clone() />
                                    <button type="submit" class="primary">"Refresh now"</button>
                                </ActionForm>
                                {is_admin().then(|| view! { <a class="button" href=edit>"Edit"</a> })}
                            </p>
                            <Findings findings=t.findings.clone() />
                            <section class="card">
                                <h2>"Registry"</h2>
                                <dl class="facts">
                                    <dt>"Region"</dt><dd>{cell.region.map(|r| r.label()).unwrap_or("unknown")}</dd>
                                    <dt>"Environment"</dt><dd>{cell.environment.label()}</dd>
                                    <dt>"User domain"</dt><dd>{cell.user_domain.clone()}</dd>
                                    <dt>"Company account"</dt><dd>{cell.association.as_str().replace('_', " ")}{(!cell.account_name.is_empty()).then(|| format!(" ({})", cell.account_name))}</dd>
                                    <dt>"Paid features"</dt><dd>{if cell.paid_features { "enabled" } else { "no" }}</dd>
                                    <dt>"Client id"</dt><dd><code>{t.client_id.clone()}</code>" (the secret is stored encrypted and never shown)"</dd>
                                    <dt>"API address"</dt><dd>{t.api_base_url.clone().unwrap_or_else(|| format!("https://{}", cell.domain))}</dd>
                                    <dt>"Next read"</dt><dd>{t.next_poll_at.map(timestamp).unwrap_or_else(|| "not scheduled".into())}</dd>
                                    <dt>"Notes"</dt><dd>{if t.notes.is_empty() { "—".to_string() } else { t.notes.clone() }}</dd>
                                </dl>
                            </section>
                            <section class="card" data-testid="snapshot">
                                <h2>"Latest snapshot"</h2>
                                {match t.snapshot_at {
                                    None => view! { <p class="muted">"No snapshot yet: Tenantry has not read this tenant successfully."</p> }.into_any(),
                                    Some(at) => view! {
                                        <p class="muted">"Taken "{timestamp(at)}" (a snapshot is stored only when something changed)."</p>
                                        <dl class="facts">
                                            {t.settings.clone().into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                                            <dt>"Custom domains"</dt><dd>{if cell.custom_domains.is_empty() { "none".to_string() } else { cell.custom_domains.iter().map(|(d, s)| format!("{d} ({s})")).collect::<Vec<_>>().join(", ") }}</dd>
                                            <dt>"Email provider"</dt><dd>{cell.email_provider.clone().unwrap_or_else(|| "none (Auth0's built-in provider)".into())}</dd>
                                            <dt>"Log streams"</dt><dd>{if cell.log_streams.is_empty() { "none".to_string() } else { cell.log_streams.iter().map(|(n, s)| format!("{n} ({s})")).collect::<Vec<_>>().join(", ") }}</dd>
                                            <dt>"Active users (30 days)"</dt><dd>{t.active_users.map(|n| n.to_string()).unwrap_or_else(|| "unknown".into())}</dd>
                                        </dl>
                                    }.into_any(),
                                }}
                            </section>
                            <section class="card">
                                <h2>"History"</h2>
                                {if t.history.is_empty() {
                                    view! { <p class="muted" data-testid="history-empty">"No change seen yet."</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="table" data-testid="history">
                                            <thead><tr><th scope="col">"When (UTC)"</th><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                                            <tbody>
                                                {t.history.clone().into_iter().map(|c| view! {
                                                    <tr>
                                                        <td class="nowrap">{timestamp(c.at)}</td>
                                                        <td><code>{c.field}</code></td>
                                                        <td>{c.before.unwrap_or_else(|| "—".into())}</td>
                                                        <td>{c.after.unwrap_or_else(|| "—".into())}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn TenantFormFields(fields: TenantFields, editing: bool) -> impl IntoView {
    let env = fields.environment.clone();
    let association = if fields.association.is_empty() { "unknown".to_string() } else { fields.association.clone() };
    view! {
        <label for="domain">"Auth0 domain"</label>
        <input id="domain" name="domain" type="text" required value=fields.domain.clone() placeholder="acme-prod.us.auth0.com" spellcheck="false" />
        <label for="name">"Tenant name"</label>
        <input id="name" name="name" type="text" value=fields.name.clone() placeholder="read from the domain" spellcheck="false" />
        <label for="region">"Region"</label>
        <input id="region" name="region" type="text" value=fields.region.clone() placeholder="read from the domain (us, eu, au, jp, ca, uk)" />
        <label for="environment">"Environment"</label>
        <select id="environment" name="environment" required>
            {Environment::ALL.into_iter().map(|e| view! { <option value=e.as_str() selected=e.as_str() == env>{e.label()}</option> }).collect_view()}
        </select>
        <label for="user_domain">"User domain"</label>
        <input id="user_domain" name="user_domain" type="text" required value=fields.user_domain.clone() placeholder="customers, employees, affiliates…" />
        <label for="association">"Company account"</label>
        <select id="association" name="association">
            <option value="associated" selected=association == "associated">"associated"</option>
            <option value="not_associated" selected=association == "not_associated">"not associated"</option>
            <option value="unknown" selected=association == "unknown">"unknown"</option>
        </select>
        <label for="account_name">"Account name"</label>
        <input id="account_name" name="account_name" type="text" value=fields.account_name.clone() />
        <label for="paid_features">"Paid features"</label>
        <input id="paid_features" name="paid_features" type="checkbox" checked=fields.paid_features />
        <label for="client_id">"M2M client id"</label>
        <input id="client_id" name="client_id" type="text" required value=fields.client_id.clone() spellcheck="false" autocomplete="off" />
        <label for="client_secret">"M2M client secret"</label>
        <input id="client_secret" name="client_secret" type="password" required=!editing autocomplete="new-password"
            placeholder=if editing { "leave empty to keep the stored secret" } else { "" } />
        <label for="api_base_url">"API address"</label>
        <input id="api_base_url" name="api_base_url" type="text" value=fields.api_base_url.clone() placeholder="https://DOMAIN (default)" spellcheck="false" />
        <label for="notes">"Notes"</label>
        <textarea id="notes" name="notes" rows="3">{fields.notes.clone()}</textarea>
    }
}

/// `/tenants/new` (developer).
#[component]
pub fn TenantNewPage() -> impl IntoView {
    let add = ServerAction::<AddTenant>::new();
    let error = add.value().get_untracked().and_then(Result::err);
    view! {
        <Title text="Add a tenant" />
        <p class="crumbs"><a href="/tenants">"Tenants"</a>" / Add"</p>
        <h1>"Add a tenant"</h1>
        <p class="lead">
            "Tenantry reads the tenant with a machine-to-machine application that has the read:tenant_settings, \
             read:custom_domains, read:email_provider, read:log_streams and read:stats scopes."
        </p>
        <Problem error />
        <section class="card">
            <ActionForm action=add attr:class="form grid">
                <TenantFormFields fields=TenantFields::default() editing=false />
                <span></span>
                <button type="submit" class="primary">"Add tenant"</button>
            </ActionForm>
        </section>
    }
}

/// `/tenants/:id/edit` (admin).
#[component]
pub fn TenantEditPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id")).unwrap_or_default();
    let update = ServerAction::<UpdateTenant>::new();
    let remove = ServerAction::<RemoveTenant>::new();
    let error =
        update.value().get_untracked().and_then(Result::err).or(remove.value().get_untracked().and_then(Result::err));
    view! {
        <Title text="Edit tenant" />
        <p class="crumbs"><a href="/tenants">"Tenants"</a>" / Edit"</p>
        <h1>"Edit tenant"</h1>
        <Problem error />
        <Suspense fallback=|| view! { <p class="muted">"Reading the tenant…"</p> }>
            {Suspend::new(async move {
                match load_tenant_fields(id.clone()).await {
                    Err(e) => view! { <Problem error=Some(e) /> }.into_any(),
                    Ok(fields) => {
                        let (update_id, remove_id) = (id.clone(), id.clone());
                        view! {
                        <section class="card">
                            <ActionForm action=update attr:class="form grid">
                                <input type="hidden" name="id" value=update_id />
                                <TenantFormFields fields editing=true />
                                <span></span>
                                <button type="submit" class="primary">"Save"</button>
                            </ActionForm>
                        </section>
                        <section class="card">
                            <h2>"Remove"</h2>
                            <p>"Removes the tenant from Tenantry with its snapshots and history. The tenant in Auth0 is not touched."</p>
                            <ActionForm action=remove>
                                <input type="hidden" name="id" value=remove_id />
                                <button type="submit" class="danger">"Remove from Tenantry"</button>
                            </ActionForm>
                        </section>
                    }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `/tenants/check-name`: a proposed tenant name against Auth0's rules, the convention and known tenants.
#[component]
pub fn NameCheckPage() -> impl IntoView {
    let query = use_query_map();
    let (name, company, env) = query.with_untracked(|q| {
        (
            q.get("name").unwrap_or_default(),
            q.get("company").unwrap_or_default(),
            q.get("environment").unwrap_or_default(),
        )
    });
    let asked = !name.trim().is_empty();
    let (n, c, e) = (name.clone(), company.clone(), env.clone());
    view! {
        <Title text="Check a tenant name" />
        <p class="crumbs"><a href="/tenants">"Tenants"</a>" / Check a name"</p>
        <h1>"Check a tenant name"</h1>
        <p class="lead">"An Auth0 tenant name is permanent: it cannot be changed, and cannot be used again after the tenant is deleted. Check it before you create the tenant."</p>
        <form method="get" action="/tenants/check-name" class="form grid card">
            <label for="name">"Proposed name"</label>
            <input id="name" name="name" type="text" required value=name.clone() spellcheck="false" />
            <label for="company">"Company"</label>
            <input id="company" name="company" type="text" value=company.clone() placeholder="acme" />
            <label for="environment">"Environment"</label>
            <select id="environment" name="environment">
                <option value="">"—"</option>
                {Environment::ALL.into_iter().map(|x| view! { <option value=x.as_str() selected=x.as_str() == env>{x.label()}</option> }).collect_view()}
            </select>
            <span></span>
            <button type="submit" class="primary">"Check"</button>
        </form>
        {asked.then(|| view! {
            <Suspense fallback=|| view! { <p class="muted">"Checking…"</p> }>
                {let (n, c, e) = (n.clone(), c.clone(), e.clone());
                Suspend::new(async move {
                    match check_tenant_name(n, c, e).await {
                        Err(e) => view! { <Problem error=Some(e) /> }.into_any(),
                        Ok(v) => view! {
                            <section class=if v.problems.is_empty() && !v.collides_with_known { "card" } else { "notice error" } data-testid="name-verdict">
                                {if v.problems.is_empty() {
                                    view! { <p><strong>{v.name.clone()}</strong>" is a valid tenant name."</p> }.into_any()
                                } else {
                                    view! {
                                        <p><strong>{v.name.clone()}</strong>" cannot be a tenant name:"</p>
                                        <ul>{v.problems.clone().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                                    }.into_any()
                                }}
                                {v.collides_with_known.then(|| view! { <p>"A tenant with this name is already registered in Tenantry."</p> })}
                                {(!v.follows_convention).then(|| view! { <p>"It does not follow the {company}-{env} convention (-dev, -qa, -uat, -staging, -prod, -sandboxN)."</p> })}
                                {v.suggestion.clone().map(|s| view! { <p>"Suggested: "<code>{s}</code></p> })}
                                <p class="help">"Remember: the name is permanent."</p>
                            </section>
                        }.into_any(),
                    }
                })}
            </Suspense>
        })}
    }
}

/// `/tenants/drift`: one user domain's settings side by side across its SDLC tenants.
#[component]
pub fn DriftPage() -> impl IntoView {
    let (user_domain, all) = use_query_map()
        .with_untracked(|q| (q.get("user_domain").unwrap_or_default(), q.get("all").is_some_and(|v| v == "1")));
    view! {
        <Title text="Drift" />
        <p class="crumbs"><a href="/tenants">"Tenants"</a>" / Drift"</p>
        <h1>"Drift between environments"</h1>
        <p class="lead">
            "The settings of one user domain's tenants side by side, development first: what production has that \
             development lacks. Differences that are expected — the tenant's own name, or fields configured as \
             expected — are greyed."
        </p>
        <Suspense fallback=|| view! { <p class="muted">"Comparing…"</p> }>
            {Suspend::new(async move {
                match load_drift(user_domain.clone()).await {
                    Err(e) => view! { <Problem error=Some(e) /> }.into_any(),
                    Ok(d) if d.tenants.is_empty() => view! {
                        <p class="card muted">"No tenants yet: add some, then compare them here."</p>
                    }.into_any(),
                    Ok(d) => {
                        let differing = d.rows.iter().filter(|r| r.state == DriftState::Differs).count();
                        let shown: Vec<DriftRow> = d.rows.into_iter().filter(|r| all || r.state != DriftState::Same).collect();
                        let chosen = d.user_domain.clone();
                        view! {
                            <form method="get" action="/tenants/drift" class="filters card">
                                <label>
                                    "User domain"
                                    <select name="user_domain">
                                        {d.user_domains.into_iter().map(|u| {
                                            let selected = u == chosen;
                                            view! { <option value=u.clone() selected=selected>{u.clone()}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                                <label class="check"><input type="checkbox" name="all" value="1" checked=all />" show equal fields too"</label>
                                <button type="submit" class="primary">"Compare"</button>
                            </form>
                            <p class="muted" data-testid="drift-summary">{format!("{differing} field(s) differ unexpectedly across {} tenant(s).", d.tenants.len())}</p>
                            <div class="matrix-wrap">
                                <table class="table drift" data-testid="drift">
                                    <thead>
                                        <tr>
                                            <th scope="col">"Field"</th>
                                            {d.tenants.iter().map(|(id, name, env, has)| view! {
                                                <th scope="col">
                                                    <a href=format!("/tenants/{id}")>{name.clone()}</a>
                                                    <div class="small">{env.label()}{(!has).then_some(" · not read yet")}</div>
                                                </th>
                                            }).collect_view()}
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {shown.into_iter().map(|row| {
                                            let class = match row.state {
                                                DriftState::Same => "same",
                                                DriftState::Expected => "expected",
                                                DriftState::Differs => "differs",
                                            };
                                            let (field, field_attr, state) = (row.field.clone(), row.field.clone(), row.state);
                                            view! {
                                                <tr class=class data-field=field_attr>
                                                    <th scope="row"><code>{field}</code>{(state == DriftState::Expected).then_some(" (expected)")}</th>
                                                    {row.values.into_iter().map(|v| view! { <td>{v.unwrap_or_else(|| "—".into())}</td> }).collect_view()}
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
