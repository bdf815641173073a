//! Single sign-on's two stops: `GET /login/sso` sends the browser to the identity provider (keeping state, nonce
//! and the PKCE verifier in the session), `GET /login/sso/callback` takes it back, checks everything and signs the
//! person in (or sends them to `/login` with the reason; the audit log keeps the whole of it).

use std::collections::HashMap;

use app::accounts::safe_next;
use axum::extract::{Query, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use tower_sessions::Session;

use super::AppState;
use super::auth::{client_ip_of, start_session};
use crate::accounts::password::constant_time_eq;
use crate::accounts::sso::provider::{PENDING_LIFE_SECS, Pending};
use crate::accounts::sso::{Identity, SsoError, service};

/// The session key of a sign-in waiting for the provider's answer.
const PENDING_KEY: &str = "sso_pending";

/// The console's own origin for the provider's redirects: the public URL, or the Host the edge allowed.
pub fn console_origin(state: &AppState, req: &Request) -> String {
    match &state.public_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => {
            let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
            format!("http://{host}")
        }
    }
}

/// `/login?error=KEY`, after logging and auditing the refusal.
async fn refused(state: &AppState, error: SsoError, identity: Option<&Identity>, ip: &str) -> Response {
    match &error {
        SsoError::Database(cause) => tracing::error!(error = %cause, "single sign-on: database error"),
        other => tracing::warn!(reason = %other, "single sign-on refused"),
    }
    service::refused(&state.pool, identity, &error, ip).await;
    Redirect::to(&format!("/login?error={}", error.key())).into_response()
}

/// `GET /login/sso?next=…`.
pub async fn begin(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<HashMap<String, String>>,
    req: Request,
) -> Response {
    let ip = client_ip_of(&req);
    let Some(provider) = state.sso.clone() else {
        return Redirect::to("/login?error=sso_off").into_response();
    };
    let next = safe_next(query.get("next").map(String::as_str).unwrap_or("/"));
    let callback = format!("{}/login/sso/callback", console_origin(&state, &req));
    match provider.begin(&callback, &next, Utc::now().timestamp()).await {
        Ok((url, pending)) => match session.insert(PENDING_KEY, pending).await {
            Ok(()) => Redirect::to(&url).into_response(),
            Err(error) => {
                tracing::error!(%error, "cannot store the session");
                Redirect::to("/login?error=unavailable").into_response()
            }
        },
        Err(error) => refused(&state, error, None, &ip).await,
    }
}

/// `GET /login/sso/callback?code=…&state=…` (or `?error=…&error_description=…`).
pub async fn callback(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<HashMap<String, String>>,
    req: Request,
) -> Response {
    let ip = client_ip_of(&req);
    let Some(provider) = state.sso.clone() else {
        return refused(&state, SsoError::NotConfigured, None, &ip).await;
    };
    // The pending sign-in is used once, whatever happens.
    let pending = session.remove::<Pending>(PENDING_KEY).await.ok().flatten();
    let now = Utc::now();
    let said = |k: &str| query.get(k).map(String::as_str).unwrap_or("");
    let Some(pending) = pending
        .filter(|p| now.timestamp() - p.started <= PENDING_LIFE_SECS && constant_time_eq(&p.state, said("state")))
    else {
        return refused(&state, SsoError::State, None, &ip).await;
    };
    if !said("error").is_empty() {
        let reason = crate::text::cut(&format!("{}: {}", said("error"), said("error_description")), 300).to_string();
        return refused(&state, SsoError::Denied(reason), None, &ip).await;
    }
    if said("code").is_empty() {
        return refused(&state, SsoError::BadAnswer("the provider sent back no code".into()), None, &ip).await;
    }
    let signed = match provider.finish(&pending, said("code")).await {
        Ok(signed) => signed,
        Err(error) => return refused(&state, error, None, &ip).await,
    };
    match service::sign_in(&state.pool, provider.options(), &signed.identity, &ip, now).await {
        Ok(user) => match start_session(&session, user.id, Some(signed.id_token)).await {
            Ok(()) => {
                tracing::info!(user.id = %user.id, "signed in through single sign-on");
                Redirect::to(&pending.next).into_response()
            }
            Err(error) => {
                tracing::error!(%error, "cannot store the session");
                Redirect::to("/login?error=unavailable").into_response()
            }
        },
        Err(error) => refused(&state, error, Some(&signed.identity), &ip).await,
    }
}
