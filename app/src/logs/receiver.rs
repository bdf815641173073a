//! The tenant page's "Log-stream receiver" section: the address an Auth0 custom-webhook log stream posts to, when
//! the tenant's token was made and what the receiver has had, and for admins a button that makes a new token —
//! shown once, on the page `POST /logs/stream-token/{tenant}` answers (`server::http::logs_token`), as `tenantry
//! logs stream-token TENANT --rotate` prints it (the audit log records it).

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::accounts::{Role, current_user};
use crate::error::AppError;
use crate::format::timestamp_or_never as when;
use crate::ids::TenantId;
use crate::pages::loaded;

#[cfg(feature = "ssr")]
use super::LogsPort;
#[cfg(feature = "ssr")]
use crate::accounts::port_as;

/// A tenant's log-stream receiver.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReceiverInfo {
    /// `https://console.example/hooks/logs/{tenant id}`.
    pub url: String,
    /// When the current token was made (`None`: no token, the receiver refuses every delivery).
    pub token_created_at: Option<DateTime<Utc>>,
    pub last_delivery_at: Option<DateTime<Utc>>,
    pub stream_events: i64,
}

/// The console's address as the browser reached it (used when `public_url` is not set).
#[cfg(feature = "ssr")]
fn origin() -> String {
    let parts = use_context::<http::request::Parts>();
    let host = parts.as_ref().and_then(|p| p.headers.get(http::header::HOST)).and_then(|h| h.to_str().ok());
    format!("http://{}", host.unwrap_or("localhost"))
}

/// The tenant's receiver address and token state.
#[server(endpoint = "logs/receiver")]
pub async fn load_receiver(tenant: TenantId) -> Result<ReceiverInfo, AppError> {
    port_as::<dyn LogsPort>(Role::Developer)?.receiver(tenant, origin()).await
}

/// The receiver section of the tenant page.
#[component]
pub fn TenantReceiver(id: TenantId) -> impl IntoView {
    let admin = current_user().is_some_and(|u| u.role >= Role::Admin);
    loaded("Reading the log-stream receiver…", load_receiver(id), move |r| {
        view! {
            <section class="card" aria-labelledby="receiver-h" data-testid="tenant-receiver">
                <h2 id="receiver-h">"Log-stream receiver"</h2>
                <dl class="facts">
                    <dt>"Receiver URL"</dt><dd><code data-testid="receiver-url">{r.url.clone()}</code></dd>
                    <dt>"Token"</dt><dd>{match r.token_created_at {
                        Some(at) => format!("made {} (kept hashed; it cannot be shown again)", when(Some(at))),
                        None => "none yet: the receiver refuses every delivery until one is made".to_string(),
                    }}</dd>
                    <dt>"Last delivery"</dt><dd>{format!("{} ({} events from the stream)", when(r.last_delivery_at), r.stream_events)}</dd>
                </dl>
                <p class="muted small">
                    "In the Auth0 dashboard: Monitoring → Streams → Create Stream → Custom Webhook; Payload URL = the \
                     receiver URL, Authorization Token = \"Bearer \" and the token, Content Type = application/json, \
                     Content Format = JSON Lines."
                </p>
                {admin.then(|| view! {
                    <form method="post" action=format!("/logs/stream-token/{id}") class="inline">
                        <button type="submit" data-testid="new-stream-token">
                            {if r.token_created_at.is_some() { "Make a new token (the old one stops working)" } else { "Make a token" }}
                        </button>
                    </form>
                })}
            </section>
        }
    })
}
