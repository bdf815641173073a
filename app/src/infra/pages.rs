//! `/infra`: the email provider of every tenant, Auth0's outbound IP ranges — the allow-list for the regions in
//! use, exports, every version and the difference between two — the reachability of the company's endpoints and
//! the firewall guide.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::firewall::FirewallSection;
use super::reach::ReachSection;
use super::{EXPORTS, EmailRow, InfraOverview, MailCheck, ReadIpListNow, SetDkimSelectors, load_infra};
use crate::accounts::{Role, current_user};
use crate::format::{timestamp, timestamp_or_never as when};
use crate::pages::{Empty, Notice, Problem, failure, loaded};

/// `/infra`.
#[component]
pub fn InfraPage() -> impl IntoView {
    let (from, to, read) = use_query_map().with_untracked(|q| {
        (
            q.get("from").and_then(|v| v.parse::<i64>().ok()),
            q.get("to").and_then(|v| v.parse::<i64>().ok()),
            q.get("read"),
        )
    });
    // After "Read the list now": what the read brought (fixed words, never the query's text).
    let read = match read.as_deref() {
        Some("new") => Some("Auth0's IP list was read: a new version, shown below with what changed."),
        Some("unchanged") => Some("Auth0's IP list was read: unchanged since the last version."),
        _ => None,
    };
    view! {
        <Title text="Infrastructure" />
        <h1>"Infrastructure"</h1>
        <p class="lead">
            "What production email and the firewalls in front of your services need: each tenant's email provider, and \
             the addresses Auth0 calls your network from (custom databases, Actions and Rules calling your APIs, \
             your SMTP server, log-stream endpoints), and whether those endpoints answer."
        </p>
        {read.map(|text| view! { <Notice tone="ok" testid="read-outcome"><p>{text}</p></Notice> })}
        {loaded("Reading infrastructure…", load_infra(from, to), |o| view! { <InfraView o /> })}
    }
}

#[component]
fn InfraView(o: InfraOverview) -> impl IntoView {
    let has_list = !o.versions.is_empty();
    view! {
        <EmailSection rows=o.email.clone() />
        <RangesSection o=o.clone() />
        <ReachSection />
        <FirewallSection rows=o.firewall has_list />
    }
}

#[component]
fn EmailSection(rows: Vec<EmailRow>) -> impl IntoView {
    let empty = rows.is_empty();
    let can_set = current_user().is_some_and(|u| u.role >= Role::OpsLead);
    view! {
        <section class="card" aria-labelledby="email-h">
            <h2 id="email-h">"Email provider"</h2>
            <p class="muted">
                "Auth0's built-in provider is for testing: 10 emails a minute shared by every kind of email, always \
                 from no-reply@auth0user.net, and no custom templates. Production needs your own provider, and its \
                 sender domain needs SPF, DKIM and DMARC (read in live DNS after each new snapshot and every 6 hours)."
            </p>
            {empty.then(|| view! {
                <Empty>"No tenant is registered yet. Add one under Tenants; its email provider shows here after its first snapshot."</Empty>
            })}
            {(!empty).then(|| view! {
                <table class="list" data-testid="email-providers">
                    <thead><tr><th>"Tenant"</th><th>"Environment"</th><th>"Provider"</th><th>"Sender"</th><th>"Verdict"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| view! { <EmailRowView r can_set /> }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

/// One tenant's row, and under it its mail records and the selector form.
#[component]
fn EmailRowView(r: EmailRow, can_set: bool) -> impl IntoView {
    let tenant = r.tenant_id.to_string();
    let selectors = r.selectors.join(", ");
    let domain = r.domain.clone();
    let save = ServerAction::<SetDkimSelectors>::new();
    let error = failure(save);
    view! {
        <tr data-testid="email-row" data-verdict=r.verdict.label()>
            <td><a href=format!("/tenants/{}", r.tenant_id)>{r.tenant.clone()}</a></td>
            <td>{r.environment.clone()}</td>
            <td>{r.provider.clone()}{(r.enabled == Some(false)).then_some(" (turned off)")}</td>
            <td>{r.sender.clone().unwrap_or_else(|| "—".into())}</td>
            <td>
                <span class=r.verdict.class()>{r.verdict.label()}</span>
                <div class="muted small">{r.advice.clone()}</div>
            </td>
        </tr>
        {domain.map(|domain| view! {
            <tr class="sub" data-testid="mail-records" data-tenant=r.tenant.clone()>
                <td colspan="5">
                    <MailChecks checks=r.checks.clone() domain=domain.clone() checked_at=r.checked_at />
                    {can_set.then(|| view! {
                        <ActionForm action=save attr:class="inline">
                            <input type="hidden" name="tenant" value=tenant.clone() />
                            <label>"DKIM selectors for " {domain.clone()} " "
                                <input type="text" name="selectors" value=selectors.clone() size="24" maxlength="200"
                                    placeholder="the provider's usual ones" />
                            </label>
                            <button type="submit">"Save and check"</button>
                        </ActionForm>
                        <Problem error=error.clone() />
                    })}
                </td>
            </tr>
        })}
    }
}

/// SPF, DKIM and DMARC of a sender domain, each with its verdict and what to do.
#[component]
pub fn MailChecks(
    checks: Vec<MailCheck>,
    domain: String,
    checked_at: Option<chrono::DateTime<chrono::Utc>>,
) -> impl IntoView {
    view! {
        <p class="small">{format!("Mail records of {domain} · checked {}", when(checked_at))}</p>
        {checks.is_empty().then(|| view! { <p class="muted small">"Not checked yet: the records are read within a minute."</p> })}
        <ul class="checks">
            {checks.into_iter().map(|c| view! {
                <li data-testid="mail-check" data-record=c.record.clone() data-verdict=c.verdict.label()>
                    <strong>{c.record.clone()}</strong>" "<span class=c.verdict.class()>{c.verdict.label()}</span>
                    {(!c.found.is_empty()).then(|| view! { " " <code>{c.found.clone()}</code> })}
                    <div class="muted small">{c.advice.clone()}</div>
                </li>
            }).collect_view()}
        </ul>
    }
}

#[component]
fn RangesSection(o: InfraOverview) -> impl IntoView {
    let read = ServerAction::<ReadIpListNow>::new();
    let error = failure(read);
    let can_read = current_user().is_some_and(|u| u.role >= Role::OpsLead);
    let regions = o.regions.join(",");
    let region_words = o.regions.iter().map(|r| r.to_ascii_uppercase()).collect::<Vec<_>>().join(", ");
    let source = o.source.clone();
    let versions = o.versions.clone();
    let (newest, older) = (versions.first().map(|v| v.id), versions.get(1).map(|v| v.id));
    view! {
        <section class="card" aria-labelledby="ranges-h">
            <h2 id="ranges-h">"Auth0's outbound IP ranges"</h2>
            <p class="muted">
                "Auth0 calls your network from these addresses (one set per region). Allow them, on the ports your \
                 services listen on (587 or 465 for SMTP, 443 for APIs and log streams), wherever Auth0 reaches in. \
                 Auth0 publishes a change before it takes effect; Tenantry reads the list weekly and notifies changes."
            </p>
            {match source.clone() {
                None => view! {
                    <p data-testid="ranges-source">"The list has not been read yet. It is read at start and weekly; an ops lead can read it now."</p>
                }.into_any(),
                Some(s) => view! {
                    <p data-testid="ranges-source">
                        "Read from " <code>{s.url.clone()}</code> " · last good read " {when(s.last_good_at)}
                        {o.last_updated_at.map(|t| format!(" · the list says it was updated {}", timestamp(t)))}
                    </p>
                    {s.error.clone().map(|e| view! {
                        <p class="problem" role="alert" data-testid="ranges-error">
                            {format!("The last read ({}) failed: {e}. The last good version below stays in use.", when(s.last_attempt_at))}
                        </p>
                    })}
                }.into_any(),
            }}
            {can_read.then(|| view! {
                <ActionForm action=read attr:class="inline">
                    <button type="submit">"Read the list now"</button>
                </ActionForm>
            })}
            <Problem error=error.clone() />
            <h3>{format!("Allow-list for your regions ({})", if region_words.is_empty() { "none yet".into() } else { region_words })}</h3>
            {o.regions.is_empty().then(|| view! {
                <Empty>"No registered tenant has a region yet. Register tenants (Tenants → Add) and the allow-list for their regions shows here."</Empty>
            })}
            {(!o.unlisted_regions.is_empty()).then(|| view! {
                <p class="problem">{format!("The list names no ranges for: {}. Ask Auth0 Support for the addresses of these regions.", o.unlisted_regions.join(", ").to_ascii_uppercase())}</p>
            })}
            {(!o.ranges.is_empty()).then(|| view! {
                <table class="list compact" data-testid="allow-list">
                    <thead><tr><th>"Region"</th><th>"Range"</th></tr></thead>
                    <tbody>
                        {o.ranges.iter().map(|r| view! { <tr><td>{r.region.to_ascii_uppercase()}</td><td><code>{r.cidr.clone()}</code></td></tr> }).collect_view()}
                    </tbody>
                </table>
                <form method="get" action="/infra/allow-list" class="inline" data-testid="export-form">
                    <input type="hidden" name="regions" value=regions.clone() />
                    <label>"Format "
                        <select name="format">
                            {EXPORTS.iter().map(|(v, l)| view! { <option value=*v>{*l}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>" TCP ports " <input type="text" name="ports" value="443" size="12" pattern="[0-9, ]+" /></label>
                    <button type="submit">"Download"</button>
                </form>
            })}
            <h3>"Versions"</h3>
            {versions.is_empty().then(|| view! { <p class="muted">"No version stored yet."</p> })}
            {(!versions.is_empty()).then(|| view! {
                <table class="list compact" data-testid="ip-versions">
                    <thead><tr><th>"Read"</th><th>"Ranges"</th><th>"What changed"</th></tr></thead>
                    <tbody>
                        {versions.iter().map(|v| view! {
                            <tr>
                                <td>{timestamp(v.fetched_at)}</td>
                                <td>{v.ranges}</td>
                                <td>{if v.summary.is_empty() { "first version read".to_string() } else { v.summary.clone() }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <form method="get" action="/infra" class="inline">
                    <label>"Compare " <select name="from">{versions.iter().map(|v| view! { <option value=v.id.to_string() selected=Some(v.id) == older>{timestamp(v.fetched_at)}</option> }).collect_view()}</select></label>
                    <label>" with " <select name="to">{versions.iter().map(|v| view! { <option value=v.id.to_string() selected=Some(v.id) == newest>{timestamp(v.fetched_at)}</option> }).collect_view()}</select></label>
                    <button type="submit">"Compare"</button>
                </form>
            })}
            {o.diff.map(|(from, to, lines)| view! {
                <div class="diff" data-testid="ip-diff">
                    <h3>{format!("Changes from version {from} to {to}")}</h3>
                    {if lines.is_empty() {
                        view! { <p>"The two versions list the same ranges."</p> }.into_any()
                    } else {
                        view! { <ul>{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul> }.into_any()
                    }}
                </div>
            })}
        </section>
    }
}

/// The tenant page's email section: the provider's verdict and the sender domain's mail records.
#[component]
pub fn TenantEmail(id: crate::ids::TenantId) -> impl IntoView {
    loaded("Reading the email provider…", super::load_tenant_email(id), |row| {
        row.map(|r| {
            view! {
                <section class="card" aria-labelledby="email-h" data-testid="tenant-email">
                    <h2 id="email-h">"Email"</h2>
                    <p>
                        {r.provider.clone()}{(r.enabled == Some(false)).then_some(" (turned off)")}
                        {r.sender.clone().map(|s| format!(" · sends as {s}"))}
                        " " <span class=r.verdict.class() data-testid="email-verdict">{r.verdict.label()}</span>
                    </p>
                    <p class="muted small">{r.advice.clone()}</p>
                    {r.domain.clone().map(|domain| view! { <MailChecks checks=r.checks.clone() domain checked_at=r.checked_at /> })}
                    <p class="small"><a href="/infra">"All tenants' email and the firewall allow-list"</a></p>
                </section>
            }
        })
    })
}
