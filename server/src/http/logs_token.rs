//! `POST /logs/stream-token/{tenant}` (admin): the tenant page's "Make a new token". The console renders on the
//! server without a script, so the new token — shown once — is this response's page; it is never stored in
//! clear, never put in a URL, and the response is not cached. The audit log records who made it.

use app::accounts::{ClientAddress, CurrentUser, Role};
use app::ids::TenantId;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::AppState;
use crate::accounts::audit::Actor;
use crate::logs::{repo, service};

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A database failure in words, with its status (503 when the database is busy or down).
fn failed(e: sqlx::Error) -> Response {
    let error = crate::db::app_error("logs", e);
    let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, error.to_string()).into_response()
}

pub async fn make(State(state): State<AppState>, Path(tenant): Path<String>, req: Request) -> Response {
    let Some(user) = req.extensions().get::<CurrentUser>().cloned() else {
        return (StatusCode::UNAUTHORIZED, "sign in first").into_response();
    };
    if user.role < Role::Admin {
        return (StatusCode::FORBIDDEN, "not allowed: this needs the admin role or higher").into_response();
    }
    let client_ip = req.extensions().get::<ClientAddress>().map(|a| a.0.clone()).unwrap_or_default();
    let Ok(tenant) = tenant.parse::<TenantId>() else {
        return (StatusCode::NOT_FOUND, "no such tenant").into_response();
    };
    let found = match state.pool.acquire().await {
        Ok(mut conn) => repo::find_tenant(&mut conn, &tenant.to_string()).await,
        Err(e) => Err(e),
    };
    let t = match found {
        Ok(Some(t)) => t,
        Ok(None) => return (StatusCode::NOT_FOUND, "no such tenant").into_response(),
        Err(e) => return failed(e),
    };
    let token = match service::new_token(&state.pool, t.id, &Actor::from_current(&user), &client_ip, Utc::now()).await {
        Ok(token) => token,
        Err(e) => return failed(e),
    };
    let name = escape(&t.name);
    let html = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>New receiver token · {name}</title></head>
<body><main><h1>A new log-stream receiver token for {name}</h1>
<p>Authorization Token — shown only now; copy it into the Auth0 stream's settings (Monitoring → Streams → the custom
webhook → Authorization Token):</p>
<p><code data-testid="stream-token">Bearer {token}</code></p>
<p>The earlier token, if there was one, no longer works. The receiver URL is on the tenant page.</p>
<p><a href="/tenants/{id}">Back to {name}</a></p></main></body></html>"#,
        id = t.id,
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], html).into_response()
}
