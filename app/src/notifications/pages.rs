//! The notification history and a notification's page with its timeline and the acknowledge form.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::feed_pages::subnav;
use super::{
    AcknowledgeNotice, DeliveryTable, NoticeList, NoticeQuery, SOURCES, load_notice, load_notices, severity_tone,
    source_label,
};
use crate::accounts::{Role, current_user};
use crate::format::timestamp;
use crate::pages::{
    Empty, FilterSelect, Filters, Pager, Problem, failure, loaded, loaded_titled, options, query_string,
};

fn severity(s: &str) -> impl IntoView + use<> {
    view! { <span class=format!("badge state {}", severity_tone(s)) data-severity=s.to_string()>{s.to_string()}</span> }
}

/// `/notifications`.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let query = use_query_map().with_untracked(|q| {
        let text = |k: &str| q.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        NoticeQuery {
            q: text("q"),
            source: text("source"),
            severity: text("severity"),
            state: text("state"),
            tenant: text("tenant"),
            region: text("region"),
            from: text("from"),
            to: text("to"),
            page: text("page").and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(1),
            ..NoticeQuery::default()
        }
    });
    view! {
        <Title text="Notifications" />
        {subnav("/notifications")}
        <h1>"Notifications"</h1>
        <p class="lead">
            "One history of every notice: Auth0 and provider incidents with all their updates, security advisories \
             and change notices, and our own checks' alerts and findings. Ops leads acknowledge them; a later, more \
             severe update opens them again."
        </p>
        {loaded("Reading notifications…", load_notices(query.clone()), move |list| view! { <NoticesView list query=query.clone() /> })}
    }
}

#[component]
fn NoticesView(list: NoticeList, query: NoticeQuery) -> impl IntoView {
    let get = |v: &Option<String>| v.clone().unwrap_or_default();
    let (source, sev, state, tenant, region) =
        (get(&query.source), get(&query.severity), get(&query.state), get(&query.tenant), get(&query.region));
    let pairs: Vec<(&'static str, String)> = vec![
        ("q", get(&query.q)),
        ("source", source.clone()),
        ("severity", sev.clone()),
        ("state", state.clone()),
        ("tenant", tenant.clone()),
        ("region", region.clone()),
        ("from", get(&query.from)),
        ("to", get(&query.to)),
    ];
    let link = move |page: u32| {
        let mut all = pairs.clone();
        all.push(("page", page.to_string()));
        format!("/notifications{}", query_string(&all))
    };
    let empty = list.rows.is_empty();
    view! {
        <Filters action="/notifications">
            <label>"Search" <input type="search" name="q" value=get(&query.q) placeholder="words in title or text" /></label>
            <FilterSelect label="Source" name="source" current=source options=options(SOURCES) />
            <FilterSelect label="Severity" name="severity" current=sev options=options(["critical", "warning", "info"].map(|s| (s, s))) />
            <label>
                "State"
                <select name="state">
                    <option value="">"any"</option>
                    <option value="open" selected=state == "open">"not acknowledged"</option>
                    <option value="acknowledged" selected=state == "acknowledged">"acknowledged"</option>
                </select>
            </label>
            <FilterSelect label="Tenant" name="tenant" current=tenant options=options(list.tenants.iter().map(|t| (t, t))) />
            <FilterSelect label="Region" name="region" current=region options=options(crate::tenants::Region::ALL.map(|r| (r.as_str(), r.label()))) />
            <label>"From (UTC)" <input type="date" name="from" value=get(&query.from) /></label>
            <label>"To (UTC)" <input type="date" name="to" value=get(&query.to) /></label>
        </Filters>
        <p class="muted">{format!("{} notification(s)", list.total)}</p>
        {empty.then(|| view! { <Empty>"No notification matches. Notices arrive from status sources, advisory feeds, monitoring alerts, custom-domain checks, tenant polls and findings."</Empty> })}
        <table class="table" data-testid="notifications">
            <thead><tr><th>"Notice"</th><th>"Severity"</th><th>"Source"</th><th>"Tenants · regions"</th><th>"Last update"</th><th>"Acknowledged"</th></tr></thead>
            <tbody>
                {list.rows.into_iter().map(|n| view! {
                    <tr data-testid="notification">
                        <td><a href=format!("/notifications/{}", n.id)>{n.title.clone()}</a><br /><span class="muted">{format!("{} update(s)", n.updates)}</span></td>
                        <td>{severity(&n.severity)}</td>
                        <td>{source_label(&n.source)}</td>
                        <td>{n.tenants.join(", ")}{(!n.regions.is_empty()).then(|| view! { <br /><span class="muted">{n.regions.join(", ")}</span> })}</td>
                        <td>{timestamp(n.updated_at)}</td>
                        <td>{match n.acknowledged.clone() { Some((at, by)) => format!("{} by {by}", timestamp(at)), None => "no".into() }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <Pager page=list.page pages=list.pages link />
    }
}

/// `/notifications/:id`.
#[component]
pub fn NotificationPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id")).unwrap_or_default();
    let ack = ServerAction::<AcknowledgeNotice>::new();
    let error = failure(ack);
    let ops = current_user().is_some_and(|u| u.role >= Role::OpsLead);
    let read = async move { load_notice(id.parse::<crate::ids::NotificationId>()?).await };
    loaded_titled("Reading the notification…", "Notification", read, move |d| {
        let n = d.row.clone();
        view! {
            <Title text=n.title.clone() />
            <p class="crumbs"><a href="/notifications">"Notifications"</a>" / "{n.title.clone()}</p>
            <h1>{n.title.clone()}</h1>
            <p class="lead">{severity(&n.severity)}" "{source_label(&n.source)}" · "{n.kind.replace('_', " ")}
                {(!n.tenants.is_empty()).then(|| format!(" · tenants {}", n.tenants.join(", ")))}
                {(!n.regions.is_empty()).then(|| format!(" · regions {}", n.regions.join(", ")))}
            </p>
            <Problem error=error.clone() />
            <p>{d.body.clone()}</p>
            {d.link.clone().map(|l| { let text = l.clone(); view! { <p><a href=l>{text}</a></p> } })}
            <section class="card" data-testid="ack-state">
                {match n.acknowledged.clone() {
                    Some((at, by)) => view! { <p>{format!("Acknowledged {} by {by}.", timestamp(at))}</p> }.into_any(),
                    None if ops => view! {
                        <ActionForm action=ack attr:class="form grid">
                            <input type="hidden" name="id" value=n.id.to_string() />
                            <label for="ack-comment">"Comment (optional)"</label>
                            <input id="ack-comment" name="comment" type="text" maxlength="500" placeholder="what was done, who looks at it" />
                            <span></span>
                            <button type="submit" class="primary">"Acknowledge"</button>
                        </ActionForm>
                    }.into_any(),
                    None => view! { <p class="muted">"Not acknowledged yet; ops leads acknowledge notifications."</p> }.into_any(),
                }}
            </section>
            <h2>"Timeline"</h2>
            <ol class="timeline" data-testid="notice-timeline">
                {d.timeline.into_iter().map(|u| view! {
                    <li data-phase=u.kind.clone()>
                        <strong>{u.kind.clone()}</strong>" "{severity(&u.severity)}" "
                        <span class="muted">{timestamp(u.at)}{u.by.map(|b| format!(" · {b}"))}</span>
                        <p>{u.text}</p>
                    </li>
                }).collect_view()}
            </ol>
            <h2>"Deliveries"</h2>
            {d.deliveries.is_empty().then(|| view! { <p class="muted">"Not sent to any channel: no delivery channel matches this notification, or it is older than a week."</p> })}
            <DeliveryTable rows=d.deliveries.clone() show_channel=true />
        }
    })
}
