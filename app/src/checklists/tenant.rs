//! `/checklists/:tenant`: one tenant's checklist — grouped by area of the guide, what needs doing first within each
//! — every item with its verdict, evidence and what to do; the sign-off of manual items (ops leads sign, with a
//! comment and the day to review again); and the history of every verdict, sign-off and lapse.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::overview::{count_badges, history_words};
use super::{ItemRow, SignOffItem, Standing, TenantChecklist, load_tenant_checklist};
use crate::accounts::{Role, current_user};
use crate::format::{timestamp, timestamp_or_never as when};
use crate::ids::TenantId;
use crate::pages::{Empty, Notice, Problem, failure, loaded_titled};

/// The evidence of an item, as a table.
fn evidence(item: &ItemRow) -> impl IntoView + use<> {
    (!item.evidence.is_empty()).then(|| {
        let rows = item.evidence.clone();
        view! {
            <table class="table compact evidence" data-testid="evidence">
                <thead><tr><th>"Read from"</th><th>"Field"</th><th>"Value"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|e| view! {
                        <tr><td>{e.endpoint}</td><td><code>{e.field}</code></td><td>{e.value}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    })
}

/// The sign-off form of a manual item (ops lead and up).
fn sign_off_form(tenant: TenantId, item: &ItemRow) -> impl IntoView + use<> {
    let save = ServerAction::<SignOffItem>::new();
    let error = failure(save);
    let default_review = (chrono::Utc::now().date_naive() + chrono::Duration::days(90)).to_string();
    let verb = if item.sign_off.is_some() { "Sign off again" } else { "Sign off" };
    let comment_id = format!("comment-{}", item.id);
    let date_id = format!("review-{}", item.id);
    let id = item.id.clone();
    let open = error.is_some();
    view! {
        <details class="sign-off-details" open=open>
        <summary>{format!("{verb}…")}</summary>
        <ActionForm action=save attr:class="sign-off" attr:data-testid="sign-off-form">
            <input type="hidden" name="tenant" value=tenant.to_string() />
            <input type="hidden" name="item" value=id />
            <label for=comment_id.clone()>"What you checked, and where the proof is"</label>
            <textarea id=comment_id name="comment" rows="2" maxlength="2000" required></textarea>
            <label for=date_id.clone()>"Review again by"</label>
            <input id=date_id type="date" name="review_by" value=default_review required />
            <button type="submit">{verb}</button>
        </ActionForm>
        </details>
        <Problem error=error />
    }
}

/// One item.
fn item_view(tenant: TenantId, item: ItemRow, can_sign: bool) -> impl IntoView {
    let signable = item.manual && item.standing != Standing::NotApplicable && can_sign;
    let sign_off = item.sign_off.clone().map(|s| {
        let words = match &s.lapsed {
            None => format!("Signed off by {} on {} — review by {}.", s.by, timestamp(s.at), s.review_by),
            Some((at, why)) => {
                format!("Lapsed {}: {why}. (Signed off by {} on {}.)", timestamp(*at), s.by, timestamp(s.at))
            }
        };
        view! {
            <div class="sign-off-state" data-testid="sign-off" data-holds=s.holds().to_string()>
                <p>{words}</p>
                <blockquote>{s.comment.clone()}</blockquote>
            </div>
        }
    });
    view! {
        <article class="check-item" id=item.id.clone() data-testid="checklist-item" data-item=item.id.clone()
            data-standing=item.standing.label()>
            <h3>
                <span class=item.standing.class()>{item.standing.label()}</span> " " {item.title.clone()}
                " " <span class="muted">{format!("({}{})", item.severity.label(), if item.manual { ", signed off by an ops lead" } else { "" })}</span>
            </h3>
            <p data-testid="summary">{item.summary.clone()}</p>
            <details>
                <summary>"Why, evidence and what to do"</summary>
                <p>{item.why.clone()}</p>
                {evidence(&item)}
                <p class="muted">{format!("Read from the snapshot of {}; this verdict since {}.", when(item.read_at), when(item.since))}</p>
                <p><strong>"What to do: "</strong>{item.todo.clone()}</p>
            </details>
            {sign_off}
            {signable.then(|| sign_off_form(tenant, &item))}
        </article>
    }
}

fn checklist_view(c: TenantChecklist, signed: bool) -> impl IntoView {
    let older = c.history_more.then(|| c.history.last().map(|h| h.id)).flatten();
    let can_sign = current_user().is_some_and(|u| u.role >= Role::OpsLead);
    let (settled, applies) = c.counts.settled();
    let areas = super::by_area(c.items);
    let tenant = c.tenant;
    let first: Vec<(String, String)> = areas
        .iter()
        .flat_map(|(_, items)| items.iter())
        .filter(|i| i.standing == Standing::Fail && i.severity == super::Severity::Required)
        .map(|i| (i.id.clone(), i.title.clone()))
        .collect();
    view! {
        <Title text=format!("Readiness — {}", c.name) />
        <h1>{format!("Readiness: {}", c.name)}</h1>
        <p class="lead">
            {format!("{} tenant, user domain {}. ", c.environment.label(), c.user_domain)}
            <a href=format!("/tenants/{tenant}")>"Tenant page"</a> " · "
            <a href=format!("/checklists/{tenant}/report") data-testid="report-link">"Printable report"</a> " · "
            <a href=format!("/checklists/{tenant}/export.csv")>"CSV"</a> " · " <a href="/checklists">"All tenants"</a>
        </p>
        {signed.then(|| view! { <Notice tone="ok" testid="signed-notice"><p>"Signed off. The sign-off lapses on its review date, or sooner if its evidence changes."</p></Notice> })}
        <dl class="facts" data-testid="checklist-facts">
            <dt>"Ready"</dt><dd data-testid="ready">{format!("{settled} of {applies} items that apply pass or are signed off")}</dd>
            <dt>"Needs attention"</dt><dd>{count_badges(&c.counts)}</dd>
            <dt>"Snapshot read"</dt><dd>{when(c.snapshot_at)}</dd>
            <dt>"Evaluated"</dt><dd>{when(c.evaluated_at)}</dd>
        </dl>
        {(!first.is_empty()).then(|| view! {
            <Notice tone="error" testid="fix-first">
                <p><strong>"Fix first — required items failing: "</strong>
                    {first.into_iter().enumerate().map(|(n, (id, title))| view! {
                        {(n > 0).then_some(" · ")}<a href=format!("#{id}")>{title}</a>
                    }).collect_view()}
                </p>
            </Notice>
        })}
        {c.snapshot_at.is_none().then(|| view! {
            <Empty>"Auth0 has not been read for this tenant yet, so its items are unknown. Refresh it from the "
                <a href=format!("/tenants/{tenant}")>"tenant page"</a> "."</Empty>
        })}
        {areas.into_iter().map(|(area, items)| view! {
            <section class="check-area" data-testid="checklist-area">
                <h2>{area}</h2>
                {items.into_iter().map(|i| item_view(tenant, i, can_sign)).collect_view()}
            </section>
        }).collect_view()}
        <h2 id="history">"History"</h2>
        {c.history.is_empty().then(|| view! { <Empty>"Nothing recorded yet: the history starts with the first evaluation."</Empty> })}
        {(!c.history.is_empty()).then(|| {
            let history = c.history.clone();
            view! {
                <table class="table" data-testid="checklist-history">
                    <thead><tr><th>"When (UTC)"</th><th>"Item"</th><th>"What happened"</th></tr></thead>
                    <tbody>
                        {history.into_iter().map(|h| view! {
                            <tr><td>{timestamp(h.at)}</td><td><a href=format!("#{}", h.item)>{h.title.clone()}</a></td><td>{history_words(&h)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }
        })}
        <nav class="pager" aria-label="History pages">
            {c.history_before.is_some().then(|| view! { <a href=format!("/checklists/{tenant}#history") data-testid="history-newest">"← Newest"</a> })}
            {older.map(|last| view! { <a href=format!("/checklists/{tenant}?before={last}#history") rel="next" data-testid="history-older">"Older →"</a> })}
        </nav>
    }
}

/// `/checklists/:tenant`.
#[component]
pub fn TenantChecklistPage() -> impl IntoView {
    let tenant = use_params_map().with_untracked(|p| p.get("tenant").unwrap_or_default());
    let (before, signed) = use_query_map()
        .with_untracked(|q| (q.get("before").and_then(|b| b.parse::<i64>().ok()), q.get("signed").is_some()));
    let read = async move { load_tenant_checklist(tenant.parse::<TenantId>()?, before).await };
    loaded_titled("Reading the checklist…", "Readiness checklist", read, move |c| checklist_view(c, signed))
}
