//! `/logs/user`: the helpdesk's look-up — a user's last 50 events across tenants, failures first, in words.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{EventRow, load_user_events};
use crate::format::timestamp;
use crate::pages::{Empty, loaded};

/// `/logs/user`.
#[component]
pub fn UserLookupPage() -> impl IntoView {
    let user = use_query_map().with_untracked(|q| q.get("user").map(|u| u.trim().to_string()).unwrap_or_default());
    let asked = !user.is_empty();
    view! {
        <Title text="A user's sign-ins" />
        <h1>"A user's sign-ins"</h1>
        <p class="lead">"The last 50 Auth0 events of one user across every tenant, failures first. Times are UTC."</p>
        <form method="get" action="/logs/user" class="filters card" role="search">
            <label>"User id or email" <input type="search" name="user" value=user.clone() placeholder="auth0|… or ann@example.com" /></label>
            <button type="submit" class="primary">"Look up"</button>
        </form>
        {(!asked).then(|| view! { <Empty>"Enter the user id (auth0|…) or the user name (usually the email) the customer signs in with."</Empty> })}
        {asked.then(|| loaded("Looking the user up…", load_user_events(user.clone()), |rows| view! {
            {blocked(&rows)}
            {rows.is_empty().then(|| view! {
                <Empty>"No stored event names this user. Check the spelling (the id or the exact user name), or ask a developer whether this tenant's logs are collected (Logs → Per tenant)."</Empty>
            })}
            <ul class="sentences" data-testid="user-events">
                {rows.into_iter().map(|r| {
                    let detail = [r.description.clone(), r.ip.clone().map(|ip| format!("from {ip}")), r.client_name.clone().or(r.client_id.clone()).map(|c| format!("in {c}"))]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(", ");
                    view! {
                        <li data-testid="user-event" class=format!("outcome-{}", r.outcome)>
                            {format!("{} — {} — {}{}", timestamp(r.date), r.tenant_name, r.type_name, if detail.is_empty() { String::new() } else { format!(": {detail}") })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }))}
    }
}

/// "Blocked by a limit": when and how often a user's events were rate limits or blocks (a locked account after
/// failed logins, a suspicious IP throttled, an API limit), the newest first.
fn blocked(rows: &[EventRow]) -> Option<impl IntoView + use<>> {
    let limits: Vec<&EventRow> = rows.iter().filter(|r| r.limit).collect();
    let newest = limits.iter().max_by_key(|r| r.date)?;
    let text = format!(
        "Blocked by a limit {}: most recently {} — {} ({}) in {}{}. The block lifts on its own after Auth0's \
         window, or an admin unblocks the user in the Auth0 dashboard (User Management → Users).",
        if limits.len() == 1 { "once".to_string() } else { format!("{} times", limits.len()) },
        timestamp(newest.date),
        newest.type_name,
        newest.type_code,
        newest.tenant_name,
        newest.ip.as_ref().map(|ip| format!(", from {ip}")).unwrap_or_default(),
    );
    Some(view! { <p class="advice" data-testid="user-blocked">{text}</p> })
}
