//! Custom domains pages: the list with findings, a domain's page, and the ad-hoc checker.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    CheckDomainNow, DomainList, DomainsQuery, Outcome, Report, Verdict, check_host, label, load_domain, load_domains,
};
use crate::accounts::{Role, current_user};
use crate::format::{timestamp, timestamp_or_never as when};
use crate::ids::DomainId;
use crate::pages::{Empty, Filters, Pager, Problem, failure, loaded, loaded_titled, query_string};

fn days_left(d: i32) -> String {
    if d < 0 { format!(" expired {} days ago", -d) } else { format!(" {d} days left") }
}

fn badge<O: Outcome>(outcome: Option<O>, testid: &'static str) -> impl IntoView {
    let t = Verdict::of(outcome).tone();
    view! {
        <span class=format!("badge state {t}") data-testid=testid data-outcome=outcome.map(O::as_str).unwrap_or_default()>
            {label(outcome)}
        </span>
    }
}

/// `/domains`.
#[component]
pub fn DomainsPage() -> impl IntoView {
    let query = use_query_map().with_untracked(|q| DomainsQuery {
        q: q.get("q").map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
        show: q.get("show").filter(|s| s == "problems"),
        page: q.get("page").and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(1),
    });
    view! {
        <Title text="Custom domains" />
        <h1>"Custom domains"</h1>
        <p class="lead">
            "Every custom domain of every tenant, as Auth0 last reported it, checked in live DNS (the CNAME Auth0 \
             expects) and TLS (the certificate browsers see) every 10 minutes."
        </p>
        <p class="actions"><a class="button primary" href="/domains/check">"Check a host name"</a></p>
        {loaded("Reading domains…", load_domains(query.clone()), move |list| view! { <DomainsView list query=query.clone() /> })}
    }
}

#[component]
fn DomainsView(list: DomainList, query: DomainsQuery) -> impl IntoView {
    let q = query.q.clone().unwrap_or_default();
    let problems = query.show.is_some();
    let link = {
        let (q, show) = (q.clone(), query.show.clone().unwrap_or_default());
        move |page: u32| {
            format!("/domains{}", query_string(&[("q", q.clone()), ("show", show.clone()), ("page", page.to_string())]))
        }
    };
    let empty = list.rows.is_empty();
    view! {
        {(!list.findings.is_empty()).then(|| view! {
            <section class="card findings" aria-labelledby="findings-h">
                <h2 id="findings-h">"Findings"</h2>
                {list.findings.into_iter().map(|f| view! {
                    <div class="finding" data-testid="domain-finding">
                        <h3>{f.title}</h3>
                        <p class="muted">{f.reasoning}</p>
                        <ul>{f.items.into_iter().map(|(href, text)| view! { <li><a href=href>{text}</a></li> }).collect_view()}</ul>
                    </div>
                }).collect_view()}
            </section>
        })}
        <Filters action="/domains">
            <label>"Search" <input type="search" name="q" value=q placeholder="host or tenant" /></label>
            <label class="check"><input type="checkbox" name="show" value="problems" checked=problems />" only problems"</label>
        </Filters>
        <p class="muted">{format!("{} domain(s)", list.total)}</p>
        {empty.then(|| view! {
            <Empty>"No custom domain matches. Domains appear here from each tenant's latest snapshot (Tenants → a tenant → Refresh now)."</Empty>
        })}
        <table class="table" data-testid="domains">
            <thead><tr><th>"Domain"</th><th>"Tenant"</th><th>"Auth0"</th><th>"DNS"</th><th>"TLS"</th><th>"Last checked"</th></tr></thead>
            <tbody>
                {list.rows.into_iter().map(|r| view! {
                    <tr data-testid="domain">
                        <td>
                            <a href=format!("/domains/{}", r.id)>{r.host.clone()}</a>
                            {r.primary.then_some(" (primary)")}
                            {r.advice.clone().map(|a| view! { <p class="advice">{a}</p> })}
                        </td>
                        <td>{r.tenant_name.clone()}<br /><span class="muted">{r.environment.clone()}</span></td>
                        <td>{r.status.replace('_', " ")}<br /><span class="muted">{r.kind.replace('_', " ")}</span></td>
                        <td>{badge(r.dns_outcome, "dns")}</td>
                        <td>{badge(r.tls_outcome, "tls")}{r.days_left.map(days_left)}</td>
                        <td>{when(r.checked_at)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <Pager page=list.page pages=list.pages link />
    }
}

/// DNS and TLS side by side: what Auth0 expects and what the world answers.
#[component]
pub fn ReportView(report: Report) -> impl IntoView {
    view! {
        <div class="report-grid" data-testid="report">
            <section class="card">
                <h2>"DNS "{badge(report.dns_outcome, "report-dns")}</h2>
                <dl class="facts">
                    <dt>"Expected CNAME"</dt><dd><code>{report.expected.clone().unwrap_or_else(|| "— (not given)".into())}</code></dd>
                    <dt>"CNAME chain"</dt>
                    <dd>{if report.chain.is_empty() { view! { <span class="muted">"no CNAME"</span> }.into_any() } else { view! { <ol class="chain">{report.chain.iter().map(|h| view! { <li><code>{h.clone()}</code></li> }).collect_view()}</ol> }.into_any() }}</dd>
                    {(!report.addresses.is_empty()).then(|| view! { <dt>"Addresses"</dt><dd>{report.addresses.join(", ")}</dd> })}
                </dl>
                {report.dns_advice.clone().map(|a| view! { <p class="advice" data-testid="dns-advice">{a}</p> })}
            </section>
            <section class="card">
                <h2>"TLS "{badge(report.tls_outcome, "report-tls")}</h2>
                <dl class="facts">
                    <dt>"Expires"</dt><dd>{report.not_after.map(timestamp).unwrap_or_else(|| "—".into())}{report.days_left.map(|d| format!(" ({d} days)"))}</dd>
                    <dt>"Issuer"</dt><dd>{report.issuer.clone().unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Names covered"</dt><dd>{if report.names.is_empty() { "—".to_string() } else { report.names.join(", ") }}</dd>
                </dl>
                {report.tls_advice.clone().map(|a| view! { <p class="advice" data-testid="tls-advice">{a}</p> })}
            </section>
        </div>
        <p class="muted">"Checked "{when(report.checked_at)}</p>
    }
}

/// `/domains/:id`.
#[component]
pub fn DomainPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id")).unwrap_or_default();
    let check = ServerAction::<CheckDomainNow>::new();
    let error = failure(check);
    let developer = current_user().is_some_and(|u| u.role >= Role::Developer);
    let read = async move { load_domain(id.parse::<DomainId>()?).await };
    loaded_titled("Reading the domain…", "Custom domain", read, move |d| {
        let row = d.row.clone();
        let check_id = row.id.to_string();
        view! {
            <Title text=row.host.clone() />
            <p class="crumbs"><a href="/domains">"Custom domains"</a>" / "{row.host.clone()}</p>
            <h1>{row.host.clone()}</h1>
            <p class="lead">{format!("{} · Auth0 status {} · {}{}", row.tenant_name, row.status.replace('_', " "), row.kind.replace('_', " "), if row.primary { " · primary" } else { "" })}</p>
            <Problem error=error.clone() />
            {developer.then(|| view! {
                <ActionForm action=check attr:class="inline">
                    <input type="hidden" name="id" value=check_id />
                    <button type="submit" class="primary">"Check now"</button>
                </ActionForm>
            })}
            <ReportView report=d.report.clone() />
            {d.txt.clone().map(|(name, value)| view! {
                <section class="card"><h2>"Verification TXT record"</h2><p><code>{name}</code>" = "<code>{value}</code></p></section>
            })}
            <section class="card">
                <h2>"Certificate at Auth0"</h2>
                <dl class="facts">
                    <dt>"Status"</dt><dd>{d.cert_status.clone().unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Renews before"</dt><dd>{d.renews_before.map(timestamp).unwrap_or_else(|| "—".into())}</dd>
                </dl>
            </section>
            <section class="card">
                <h2>"Timeline"</h2>
                {d.events.is_empty().then(|| view! { <p class="muted">"No change of outcome yet."</p> })}
                <ol class="timeline" data-testid="domain-timeline">
                    {d.events.into_iter().map(|e| view! {
                        <li>
                            <strong>{e.change.summary()}</strong>
                            " "<span class="muted">{timestamp(e.at)}</span>
                            <p>{e.detail}</p>
                        </li>
                    }).collect_view()}
                </ol>
            </section>
        }
    })
}

/// `/domains/check`: the ad-hoc checker. A GET form, so it works without JavaScript and a result can be linked.
#[component]
pub fn DomainCheckPage() -> impl IntoView {
    let (host, expected) =
        use_query_map().with_untracked(|q| (q.get("host").unwrap_or_default(), q.get("expected").unwrap_or_default()));
    let asked = !host.trim().is_empty();
    let (h, e) = (host.clone(), expected.clone());
    view! {
        <Title text="Check a host name" />
        <p class="crumbs"><a href="/domains">"Custom domains"</a>" / Check"</p>
        <h1>"Check a host name"</h1>
        <p class="lead">"The same DNS and TLS checks Tenantry runs on every custom domain, for any host name — for example the one a caller says does not work."</p>
        <form method="get" action="/domains/check" class="form grid card">
            <label for="host">"Host name"</label>
            <input id="host" name="host" type="text" required value=host placeholder="login.example.com" autocomplete="off" />
            <label for="expected">"Expected CNAME target (optional)"</label>
            <input id="expected" name="expected" type="text" value=expected placeholder="acme-cd-….edge.tenants.us.auth0.com" />
            <span></span>
            <button type="submit" class="primary">"Check"</button>
        </form>
        {asked.then(|| view! {
            <Suspense fallback=|| view! { <p class="muted">"Checking…"</p> }>
                {Suspend::new({
                    let (h, e) = (h.clone(), e.clone());
                    async move {
                        match check_host(h, e).await {
                            Ok(report) => view! { <ReportView report /> }.into_any(),
                            Err(err) => view! { <Problem error=Some(err) /> }.into_any(),
                        }
                    }
                })}
            </Suspense>
        })}
    }
}
