//! `POST /settings/tokens`: makes an API token from the form on `/settings/tokens` and answers with a page that
//! shows it once (never stored in clear, never in a URL, not cached). A bad form goes back to the page with the
//! reason. The audit log records who made which token.

use app::accounts::{ClientAddress, CurrentUser};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use super::AppState;
use crate::accounts::UserId;
use crate::accounts::audit::Actor;
use crate::accounts::tokens::service::{self, Viewer};
use crate::accounts::tokens::{NewToken, TokenError};

#[derive(Default, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    days: String,
}

fn escape(text: &str) -> String {
    html_escape::encode_text(text).into_owned()
}

pub async fn make(State(state): State<AppState>, req: Request) -> Response {
    let Some(user) = req.extensions().get::<CurrentUser>().cloned() else {
        return (StatusCode::UNAUTHORIZED, "sign in first").into_response();
    };
    let Ok(id) = user.id.parse::<uuid::Uuid>() else {
        return (StatusCode::FORBIDDEN, "a service token cannot make tokens").into_response();
    };
    let client_ip = req.extensions().get::<ClientAddress>().map(|a| a.0.clone()).unwrap_or_default();
    let form: TokenForm = super::auth::read_form(req).await;
    let new = match NewToken::parse(&form.kind, &form.name, &form.role, &form.days, user.role) {
        Ok(new) => new,
        Err(error) => return back(&error),
    };
    let viewer = Viewer { id: UserId(id), role: user.role };
    let made = match service::make(&state.pool, &Actor::from_current(&user), viewer, new, &client_ip, Utc::now()).await
    {
        Ok(made) => made,
        Err(error) => return back(&error),
    };
    let name = escape(&made.name);
    let html = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>New API token · {name}</title>
<link rel="stylesheet" href="/assets/tenantry.css"></head>
<body><main class="narrow"><h1>Your new API token “{name}”</h1>
<p>Shown only now: copy it into your script or dashboard. Tenantry keeps only its hash.</p>
<p><code data-testid="api-token">{token}</code></p>
<p>A {kind} token with the role <strong>{role}</strong>, until {expires}. Send it as
<code>Authorization: Bearer {token}</code> to the JSON API (<a href="/api/v1/docs">reference</a>).</p>
<p><a href="/settings/tokens">Back to your API tokens</a></p></main></body></html>"#,
        token = made.secret.expose(),
        kind = made.kind.as_str(),
        role = made.role.label(),
        expires = made.expires_at.format("%Y-%m-%d %H:%M UTC"),
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], html).into_response()
}

/// Back to the tokens page with the reason's key (`?error=KEY`; the page says it in words, so a link cannot make
/// the console say something it did not).
fn back(error: &TokenError) -> Response {
    if let TokenError::Database(cause) = error {
        tracing::error!(error = %cause, "tokens: database error");
    }
    Redirect::to(&format!("/settings/tokens?error={}", error.key())).into_response()
}
