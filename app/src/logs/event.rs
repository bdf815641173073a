//! `/logs/:tenant/:log_id`: one event, its code in words, the payload as Auth0 sent it, and links to searches.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::load_log_event;
use super::search::{filtered, logs_nav};
use crate::format::timestamp;
use crate::ids::TenantId;
use crate::pages::loaded_titled;

fn linked(name: &'static str, value: Option<String>, label: Option<String>) -> impl IntoView {
    match value {
        Some(v) => view! { <a href=filtered(name, &v)>{label.unwrap_or(v.clone())}</a> }.into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    }
}

/// `/logs/:tenant/:log_id`.
#[component]
pub fn LogEventPage() -> impl IntoView {
    let (tenant, log_id) =
        use_params_map().with_untracked(|p| (p.get("tenant").unwrap_or_default(), p.get("log_id").unwrap_or_default()));
    let read = async move { load_log_event(tenant.parse::<TenantId>()?, log_id).await };
    view! {
        {logs_nav("")}
        {loaded_titled("Reading the event…", "Log event", read, |e| {
            let r = e.row;
            let user = r.user_id.clone().or(r.user_name.clone());
            view! {
                <Title text=format!("{} — {}", r.type_name, r.tenant_name) />
                <h1>{format!("{} ({})", r.type_name, r.type_code)}</h1>
                <p class="lead">{e.type_description}</p>
                <dl class="facts" data-testid="log-event-facts">
                    <dt>"Time"</dt><dd>{timestamp(r.date)}</dd>
                    <dt>"Tenant"</dt><dd><a href=filtered("tenant", &r.tenant_id.to_string())>{r.tenant_name.clone()}</a></dd>
                    <dt>"Category"</dt><dd>{format!("{} ({})", r.category, r.outcome)}</dd>
                    <dt>"Description"</dt><dd>{r.description.clone().unwrap_or_else(|| "—".into())}</dd>
                    <dt>"User"</dt><dd data-testid="event-user">{linked("user", user, r.user_name.clone())}</dd>
                    <dt>"Client"</dt><dd data-testid="event-client">{linked("client", r.client_id.clone(), r.client_name.clone())}</dd>
                    <dt>"IP"</dt><dd data-testid="event-ip">{linked("ip", r.ip.clone(), None)}</dd>
                    <dt>"Connection"</dt><dd>{linked("connection", r.connection.clone(), None)}</dd>
                    <dt>"Strategy"</dt><dd>{e.strategy.unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Host name"</dt><dd>{e.hostname.unwrap_or_else(|| "—".into())}</dd>
                    <dt>"User agent"</dt><dd>{e.user_agent.unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Log id"</dt><dd><code>{r.log_id.clone()}</code></dd>
                    <dt>"Received"</dt><dd>{format!("{} by {}", timestamp(e.received_at), e.source)}</dd>
                </dl>
                <h2>"As Auth0 sent it"</h2>
                <pre class="payload" data-testid="payload">{e.payload}</pre>
            }
        })}
    }
}
