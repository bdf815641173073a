//! Monitoring pages: the list of checks, a check's page (figures, charts, failures, alerts, maintenance), and the
//! add / edit form.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::charts::{latency_chart, sparkline, uptime_bars};
use super::{
    AddCheck, AddMaintenance, CheckDetail, CheckForm, CheckRow, CheckState, MonitoringList, MonitoringQuery,
    RemoveCheck, RunCheck, SetCheckEnabled, UpdateCheck, kind_label, load_check, load_check_form, load_checks,
};
use crate::accounts::{Role, current_user};
use crate::error::AppError;
use crate::format::{timestamp, timestamp_or_never as when};
use crate::ids::{CheckId, TenantId};
use crate::pages::{
    Empty, FilterSelect, Filters, Pager, Problem, failure, loaded, loaded_titled, options, query_string,
};

fn can_change() -> bool {
    current_user().is_some_and(|u| u.role >= Role::OpsLead)
}

fn state_badge(state: CheckState) -> impl IntoView {
    view! {
        <span class=format!("badge state {}", state.tone()) data-state=state.as_str()>
            <span aria-hidden="true">{state.symbol()}" "</span>
            {state.label()}
        </span>
    }
}

fn percent(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.2} %")).unwrap_or_else(|| "—".into())
}

fn ms(v: Option<i32>) -> String {
    v.map(|v| format!("≤ {v} ms")).unwrap_or_else(|| "—".into())
}

/// `/monitoring`: every check, worst first, with filters.
#[component]
pub fn MonitoringPage() -> impl IntoView {
    // A malformed tenant filter is answered as the engine did before ids were typed: not a registered tenant.
    let (query, tenant_error) = use_query_map().with_untracked(|q| {
        let tenant = q.get("tenant").filter(|t| !t.is_empty()).map(|t| t.parse::<TenantId>());
        let query = MonitoringQuery {
            tenant: tenant.clone().and_then(Result::ok),
            state: q.get("state").and_then(|s| CheckState::parse(&s)),
            reach: q.get("what").and_then(|w| match w.as_str() {
                "reach" => Some(true),
                "auth0" => Some(false),
                _ => None,
            }),
            page: q.get("page").and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(1),
        };
        let error = tenant.and_then(Result::err).map(|_| AppError::Invalid("Tenant: not a registered tenant".into()));
        (query, error)
    });
    view! {
        <Title text="Monitoring" />
        <h1>"Monitoring"</h1>
        <p class="lead">
            "Auth0's monitoring endpoints and synthetic logins per tenant — only an end-to-end login proves users can \
             log in — and the reachability of your own endpoints that Auth0 calls. Three failures in a row open an \
             alert; two successes resolve it."
        </p>
        {can_change().then(|| view! { <p class="actions"><a class="button primary" href="/monitoring/new">"Add a check"</a></p> })}
        {loaded(
            "Reading checks…",
            {
                let query = query.clone();
                async move {
                    match tenant_error {
                        Some(e) => Err(e),
                        None => load_checks(query).await,
                    }
                }
            },
            move |list| view! { <ChecksView list query /> },
        )}
    }
}

#[component]
fn ChecksView(list: MonitoringList, query: MonitoringQuery) -> impl IntoView {
    let tenant = query.tenant.map(|t| t.to_string()).unwrap_or_default();
    let state = query.state.map(|s| s.as_str()).unwrap_or("");
    let what = match query.reach {
        Some(true) => "reach",
        Some(false) => "auth0",
        None => "",
    };
    let link = {
        let (tenant, state) = (tenant.clone(), state.to_string());
        move |page: u32| {
            let pairs = [
                ("tenant", tenant.clone()),
                ("state", state.clone()),
                ("what", what.into()),
                ("page", page.to_string()),
            ];
            format!("/monitoring{}", query_string(&pairs))
        }
    };
    let empty = list.rows.is_empty();
    let counts =
        list.counts.iter().map(|(s, n)| format!("{n} {}", s.label().to_lowercase())).collect::<Vec<_>>().join(" · ");
    view! {
        <Filters action="/monitoring">
            <FilterSelect label="Tenant" name="tenant" current=tenant.clone() options=options(list.tenants.iter().map(|(id, name)| (id, name))) />
            <FilterSelect label="State" name="state" current=state options=options([CheckState::Alert, CheckState::Failing, CheckState::Ok, CheckState::Paused, CheckState::Unknown].map(|s| (s.as_str(), s.label()))) />
            <FilterSelect label="What" name="what" current=what options=options([("auth0", "Auth0 endpoints and logins"), ("reach", "Reachability of our endpoints")]) />
        </Filters>
        <p class="muted" data-testid="counts">{format!("{} check(s): {counts}", list.total)}</p>
        {empty.then(|| view! {
            <Empty>"No check matches. Ops leads add a monitoring-endpoint check or a synthetic login per tenant with \"Add a check\"."</Empty>
        })}
        <ChecksTable rows=list.rows />
        <Pager page=list.page pages=list.pages link />
    }
}

/// Checks as a table, one line each: name, kind and endpoint; tenant; state; last run; uptime; latency.
#[component]
pub fn ChecksTable(rows: Vec<CheckRow>) -> impl IntoView {
    view! {
        <table class="table" data-testid="checks">
            <thead><tr><th>"Check"</th><th>"Tenant"</th><th>"State"</th><th>"Last run"</th><th>"Uptime 24 h"</th><th>"Latency"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|row| view! { <CheckLine row /> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn CheckLine(row: CheckRow) -> impl IntoView {
    view! {
        <tr data-testid="check">
            <td><a href=format!("/monitoring/{}", row.id)>{row.name.clone()}</a><br /><span class="muted">{kind_label(&row.kind)}</span>
                {row.target.clone().map(|t| view! { <br /><code class="muted">{t}</code> })}</td>
            <td>{row.tenant_name.clone()}<br /><span class="muted">{row.tenant_domain.clone()}</span></td>
            <td>{state_badge(row.state)}</td>
            <td>{when(row.last_run_at)}<br /><span class="muted">{row.last_outcome.map(|o| o.label()).unwrap_or_default()}</span></td>
            <td>{percent(row.uptime_24h)}</td>
            <td>{sparkline(&row.recent)}</td>
        </tr>
    }
}

const RANGES: [(&str, &str); 4] = [("24h", "24 hours"), ("7d", "7 days"), ("30d", "30 days"), ("90d", "90 days")];

/// `/monitoring/:id`.
#[component]
pub fn CheckPage() -> impl IntoView {
    // The route parameter is parsed once; a malformed one is the check not found.
    let id = use_params_map().with_untracked(|p| p.get("id")).unwrap_or_default().parse::<CheckId>();
    let range = use_query_map().with_untracked(|q| q.get("range")).unwrap_or_else(|| "24h".into());
    let run = ServerAction::<RunCheck>::new();
    let enable = ServerAction::<SetCheckEnabled>::new();
    let maintenance = ServerAction::<AddMaintenance>::new();
    let remove = ServerAction::<RemoveCheck>::new();
    let error = failure(run).or(failure(enable)).or(failure(maintenance)).or(failure(remove));
    let read = async move { load_check(id?, range).await };
    loaded_titled("Reading the check…", "Check", read, move |d| {
        view! { <CheckView d error run enable maintenance remove /> }
    })
}

#[component]
fn CheckView(
    d: CheckDetail,
    error: Option<crate::error::AppError>,
    run: ServerAction<RunCheck>,
    enable: ServerAction<SetCheckEnabled>,
    maintenance: ServerAction<AddMaintenance>,
    remove: ServerAction<RemoveCheck>,
) -> impl IntoView {
    let row = d.row.clone();
    let changer = can_change();
    let id = row.id;
    let range_links = RANGES.map(|(key, label)| {
        let current = key == d.range;
        view! { <a href=format!("/monitoring/{id}?range={key}") aria-current=current.then_some("page")>{label}</a> }
    });
    let recent_failures = d.failures.is_empty();
    let no_alerts = d.alerts.is_empty();
    view! {
        <Title text=row.name.clone() />
        <p class="crumbs"><a href="/monitoring">"Monitoring"</a>" / "{row.name.clone()}</p>
        <h1>{row.name.clone()}</h1>
        <p class="lead">{kind_label(&row.kind)}" · "{row.tenant_name.clone()}" ("{row.tenant_domain.clone()}") · every "{row.interval_secs}" s"</p>
        <Problem error />
        <section class=format!("notice check-state {}", row.state.tone()) data-testid="check-state">
            <h2>{state_badge(row.state)}" "{format!("last run {}", when(row.last_run_at))}</h2>
            {row.last_outcome.map(|o| view! { <p>"Outcome: "<strong>{o.label()}</strong></p> })}
            {d.advice.clone().map(|a| view! { <p data-testid="advice">{a}</p> })}
        </section>
        {changer.then(|| {
            let (a, b, c) = (row.id.to_string(), row.id.to_string(), row.id.to_string());
            let toggle = if d.enabled { "false" } else { "true" };
            view! {
                <p class="actions">
                    <ActionForm action=run attr:class="inline">
                        <input type="hidden" name="id" value=a />
                        <button type="submit" class="primary">"Run now"</button>
                    </ActionForm>
                    <ActionForm action=enable attr:class="inline">
                        <input type="hidden" name="id" value=b />
                        <input type="hidden" name="enabled" value=toggle />
                        <button type="submit">{if d.enabled { "Pause" } else { "Resume" }}</button>
                    </ActionForm>
                    <a class="button" href=format!("/monitoring/{c}/edit")>"Edit"</a>
                </p>
            }
        })}
        <section class="card">
            <h2>"Uptime and latency"</h2>
            <table class="table figures" data-testid="figures">
                <thead><tr><th>"Range"</th><th>"Runs"</th><th>"Uptime"</th><th>"p50"</th><th>"p95"</th><th>"p99"</th></tr></thead>
                <tbody>
                    {d.figures.iter().map(|f| view! {
                        <tr><td>{f.label.clone()}</td><td>{f.runs}</td><td>{percent(f.uptime)}</td><td>{ms(f.p50)}</td><td>{ms(f.p95)}</td><td>{ms(f.p99)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <nav class="subnav" aria-label="Chart range">{range_links}</nav>
            {latency_chart(&d.points)}
            {uptime_bars(&d.points)}
            <p class="help">"Latency is shown as the upper bound of its bucket (25, 50, 100, 200, 300, 500, 750 ms, 1, 1.5, 2, 3, 5, 10 s)."</p>
        </section>
        <section class="card">
            <h2>"Recent failures"</h2>
            {recent_failures.then(|| view! { <p class="muted">"No failed run is stored (raw runs are kept 7 days)."</p> })}
            <table class="table" data-testid="failures">
                <tbody>
                    {d.failures.into_iter().map(|r| view! {
                        <tr>
                            <td>{timestamp(r.at)}</td>
                            <td><strong>{r.outcome.label()}</strong>{r.maintenance.then_some(" (maintenance)")}</td>
                            <td>{r.http_status.map(|s| s.to_string()).unwrap_or_else(|| "—".into())}</td>
                            <td>{format!("{} ms", r.latency_ms)}</td>
                            <td>{r.detail}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card">
            <h2>"Alerts"</h2>
            {no_alerts.then(|| view! { <p class="muted">"No alert so far."</p> })}
            <ul data-testid="alerts">
                {d.alerts.into_iter().map(|a| view! {
                    <li>
                        {format!("Opened {}", timestamp(a.opened_at))}
                        {match a.resolved_at { Some(r) => format!(", resolved {}", timestamp(r)), None => ", open".into() }}
                        <br /><span class="muted">{a.reason}</span>
                    </li>
                }).collect_view()}
            </ul>
        </section>
        <section class="card">
            <h2>"Settings"</h2>
            <dl class="facts">
                {d.settings.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                {d.budget.map(|(this, all, budget)| view! {
                    <dt>"Login budget"</dt>
                    <dd data-testid="budget">{format!("{this:.1} of the tenant's {all:.1} synthetic logins per minute; budget {budget:.0} per minute ({:.0} % used)", if budget > 0.0 { all / budget * 100.0 } else { 0.0 })}</dd>
                })}
            </dl>
        </section>
        <section class="card">
            <h2>"Maintenance windows"</h2>
            <p class="help">"Failures inside a window are recorded but open no alert."</p>
            <ul>
                {d.maintenance.into_iter().map(|m| view! { <li>{format!("{} to {} — {} ({})", timestamp(m.starts_at), timestamp(m.ends_at), m.reason, m.scope)}</li> }).collect_view()}
            </ul>
            {changer.then(|| {
                let id = row.id.to_string();
                view! {
                    <ActionForm action=maintenance attr:class="form grid">
                        <input type="hidden" name="id" value=id />
                        <label for="mw-scope">"Applies to"</label>
                        <select id="mw-scope" name="scope"><option value="check">"this check"</option><option value="tenant">"every check of the tenant"</option></select>
                        <label for="mw-starts">"Starts (UTC)"</label>
                        <input id="mw-starts" name="starts" type="datetime-local" required />
                        <label for="mw-ends">"Ends (UTC)"</label>
                        <input id="mw-ends" name="ends" type="datetime-local" required />
                        <label for="mw-reason">"Reason"</label>
                        <input type="text" id="mw-reason" name="reason" maxlength="200" />
                        <span></span>
                        <button type="submit">"Add window"</button>
                    </ActionForm>
                }
            })}
        </section>
        {changer.then(|| {
            let id = row.id.to_string();
            view! {
                <section class="card">
                    <h2>"Remove"</h2>
                    <p>"Removes the check with its runs, roll-ups and alerts."</p>
                    <ActionForm action=remove>
                        <input type="hidden" name="id" value=id />
                        <button type="submit" class="danger">"Remove check"</button>
                    </ActionForm>
                </section>
            }
        })}
    }
}

#[component]
fn CheckFields(form: CheckForm, tenants: Vec<(TenantId, String)>, editing: bool) -> impl IntoView {
    let kind = form.kind.clone();
    let grant = form.grant_type.clone();
    let starttls = form.starttls.clone();
    let secret_hint = if editing { "leave blank to keep the stored one" } else { "" };
    view! {
        <label for="c-tenant">"Tenant"</label>
        <select id="c-tenant" name="tenant_id" required>
            {tenants.into_iter().map(|(id, name)| { let id = id.to_string(); let selected = id == form.tenant_id; view! { <option value=id selected=selected>{name}</option> } }).collect_view()}
        </select>
        <label for="c-kind">"Check"</label>
        <select id="c-kind" name="kind">
            {[("login", "Synthetic login (Resource Owner Password grant)"), ("testall", "Monitoring endpoint /testall"), ("test", "Monitoring endpoint /test"), ("tcp", "Reachability: TCP connect to host:port"), ("https", "Reachability: HTTPS status and certificate"), ("smtp", "Reachability: SMTP greeting and STARTTLS")].into_iter().map(|(k, l)| view! { <option value=k selected=k == kind>{l}</option> }).collect_view()}
        </select>
        <label for="c-name">"Name"</label>
        <input type="text" id="c-name" name="name" required maxlength="100" value=form.name.clone() placeholder="Customer login" />
        <label for="c-interval">"Every (seconds)"</label>
        <input type="text" id="c-interval" name="interval_secs" inputmode="numeric" value=form.interval_secs.clone() />
        <fieldset class="span">
            <legend>"Synthetic login (only for that kind of check)"</legend>
            <p class="help">"Use a test user with no privileges. Password and client secret are encrypted and never shown again."</p>
            <div class="form grid">
                <label for="c-grant">"Grant"</label>
                <select id="c-grant" name="grant_type">
                    <option value="password" selected=grant != "password_realm">"password (the tenant's default directory)"</option>
                    <option value="password_realm" selected=grant == "password_realm">"password-realm (a named connection)"</option>
                </select>
                <label for="c-realm">"Connection (realm)"</label>
                <input type="text" id="c-realm" name="realm" value=form.realm.clone() placeholder="Username-Password-Authentication" />
                <label for="c-username">"Test user"</label>
                <input type="text" id="c-username" name="username" value=form.username.clone() autocomplete="off" />
                <label for="c-password">"Test user's password"</label>
                <input id="c-password" name="password" type="password" autocomplete="new-password" placeholder=secret_hint />
                <label for="c-client-id">"Application client id"</label>
                <input type="text" id="c-client-id" name="client_id" value=form.client_id.clone() autocomplete="off" />
                <label for="c-client-secret">"Application client secret"</label>
                <input id="c-client-secret" name="client_secret" type="password" autocomplete="new-password" placeholder=secret_hint />
                <label for="c-audience">"Audience (optional)"</label>
                <input type="text" id="c-audience" name="audience" value=form.audience.clone() />
                <label for="c-scope">"Scope (optional)"</label>
                <input type="text" id="c-scope" name="scope" value=form.scope.clone() placeholder="openid" />
            </div>
        </fieldset>
        <fieldset class="span">
            <legend>"Reachability (only for those kinds of check)"</legend>
            <p class="help">"Your endpoint that Auth0 calls, checked from where Tenantry runs, not from Auth0."</p>
            <div class="form grid">
                <label for="c-target">"Endpoint"</label>
                <input type="text" id="c-target" name="target" maxlength="300" value=form.target.clone() placeholder="db-api.example.com:443 or https://hooks.example.com/health" />
                <label for="c-expect">"Expected status (HTTPS)"</label>
                <input type="text" id="c-expect" name="expect_status" inputmode="numeric" value=form.expect_status.clone() placeholder="200" />
                <label for="c-starttls">"STARTTLS (SMTP)"</label>
                <select id="c-starttls" name="starttls">
                    <option value="required" selected=starttls != "no">"required (Auth0 sends over TLS)"</option>
                    <option value="no" selected=starttls == "no">"not checked (greeting only)"</option>
                </select>
            </div>
        </fieldset>
        <label for="c-fail">"Failures in a row to alert"</label>
        <input type="text" id="c-fail" name="fail_threshold" inputmode="numeric" value=form.fail_threshold.clone() />
        <label for="c-success">"Successes in a row to resolve"</label>
        <input type="text" id="c-success" name="success_threshold" inputmode="numeric" value=form.success_threshold.clone() />
        <label for="c-reminder">"Remind every (minutes, 0 = never)"</label>
        <input type="text" id="c-reminder" name="reminder_minutes" inputmode="numeric" value=form.reminder_minutes.clone() />
    }
}

/// `/monitoring/new` (ops lead).
#[component]
pub fn CheckNewPage() -> impl IntoView {
    // `?kind=https` (the Infrastructure page's "Add a reachability check") chooses the kind.
    let chosen_kind = use_query_map().with_untracked(|q| q.get("kind")).filter(|k| kind_label(k) != "Unknown");
    let add = ServerAction::<AddCheck>::new();
    let error = failure(add);
    view! {
        <Title text="Add a check" />
        <p class="crumbs"><a href="/monitoring">"Monitoring"</a>" / Add"</p>
        <h1>"Add a check"</h1>
        <Problem error />
        {loaded("Reading tenants…", load_check_form(None), move |(mut form, tenants)| {
            if let Some(kind) = chosen_kind.clone() {
                form.kind = kind;
            }
            if tenants.is_empty() {
                view! {
                    <Empty>"No tenant is registered yet. "<a href="/tenants/new">"Add a tenant"</a>" first; checks belong to a tenant."</Empty>
                }.into_any()
            } else {
                view! {
                    <section class="card">
                        <ActionForm action=add attr:class="form grid">
                            <CheckFields form tenants editing=false />
                            <span></span>
                            <button type="submit" class="primary">"Add check"</button>
                        </ActionForm>
                    </section>
                }.into_any()
            }
        })}
    }
}

/// `/monitoring/:id/edit` (ops lead).
#[component]
pub fn CheckEditPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id")).unwrap_or_default().parse::<CheckId>();
    let update = ServerAction::<UpdateCheck>::new();
    let error = failure(update);
    view! {
        <Title text="Edit check" />
        <p class="crumbs"><a href="/monitoring">"Monitoring"</a>" / Edit"</p>
        <h1>"Edit check"</h1>
        <Problem error />
        {loaded("Reading the check…", async move {
            let id = id?;
            load_check_form(Some(id)).await.map(|form| (id, form))
        }, move |(id, (form, tenants))| view! {
            <section class="card">
                <ActionForm action=update attr:class="form grid">
                    <input type="hidden" name="id" value=id.to_string() />
                    <CheckFields form tenants editing=true />
                    <span></span>
                    <button type="submit" class="primary">"Save"</button>
                </ActionForm>
            </section>
        })}
    }
}
