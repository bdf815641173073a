//! Sign-in, sign-out and first-run setup as plain HTML form posts, plus the middleware that turns a session into
//! the signed-in user of a request.

use app::accounts::{ClientAddress, CurrentUser, safe_next};
use axum::Form;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use sqlx::PgPool;
use tower_sessions::Session;

use super::AppState;
use crate::accounts::audit::Actor;
use crate::accounts::service::{self, NewUser};
use crate::accounts::{AccountError, UserId, repo};

/// The session key holding the signed-in user's id.
const USER_KEY: &str = "user_id";
/// When the session signed in (milliseconds since 1970): a password reset after it ends the session.
const SIGNED_IN_KEY: &str = "signed_in_ms";
/// When the session last counted as active (seconds since 1970).
const ACTIVE_KEY: &str = "active_s";
/// The ID token of a single sign-on (for the provider's sign-out).
const ID_TOKEN_KEY: &str = "sso_id_token";

/// Signs a session in as `user`: a new session id (one known before sign-in is worthless after it), the user,
/// when, and the provider's ID token after a single sign-on.
pub async fn start_session(
    session: &Session,
    user: UserId,
    id_token: Option<String>,
) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.insert(USER_KEY, user).await?;
    session.insert(SIGNED_IN_KEY, Utc::now().timestamp_millis()).await?;
    session.insert(ACTIVE_KEY, Utc::now().timestamp()).await?;
    if let Some(token) = id_token {
        session.insert(ID_TOKEN_KEY, token).await?;
    }
    Ok(())
}

/// What `load_user` needs: the pool, and how often a used session's idle clock is reset (each reset is one write
/// to the session store: at most once a minute, and often enough that a short idle limit still rolls).
#[derive(Clone)]
pub struct SessionUse {
    pub pool: PgPool,
    pub refresh_after_secs: i64,
}

impl SessionUse {
    pub fn new(pool: PgPool, idle: std::time::Duration) -> SessionUse {
        SessionUse { pool, refresh_after_secs: (idle.as_secs() as i64 / 8).clamp(1, 60) }
    }
}

/// The client's address as the edge settled it (see `edge`).
pub fn client_ip_of(req: &Request) -> String {
    req.extensions().get::<ClientAddress>().map(|a| a.0.clone()).unwrap_or_default()
}

/// Puts the signed-in, enabled user into the request's extensions as `CurrentUser`, and keeps the session alive
/// while it is used (the idle limit counts from the last request, not from sign-in).
pub async fn load_user(State(sessions): State<SessionUse>, session: Session, mut req: Request, next: Next) -> Response {
    let pool = &sessions.pool;
    if super::v1::is_api(req.uri().path()) {
        return token_user(pool, req, next).await;
    }
    let id = match session.get::<UserId>(USER_KEY).await {
        Ok(id) => id,
        Err(error) => {
            tracing::warn!(%error, "session store unavailable");
            return unavailable();
        }
    };
    if let Some(id) = id {
        let found = match pool.acquire().await {
            Ok(mut conn) => repo::active_by_id(&mut conn, id).await,
            Err(e) => Err(e),
        };
        let signed_in_ms = session.get::<i64>(SIGNED_IN_KEY).await.ok().flatten().unwrap_or(0);
        let found = found.map(|user| {
            // A password reset after this session signed in ends it.
            user.filter(|u| u.sessions_revoked_at.is_none_or(|at| at.timestamp_millis() <= signed_in_ms))
        });
        match found {
            Ok(Some(user)) => {
                let now = Utc::now().timestamp();
                let active = session.get::<i64>(ACTIVE_KEY).await.ok().flatten().unwrap_or(0);
                if now - active >= sessions.refresh_after_secs {
                    // A changed session is saved with a fresh expiry: the idle limit starts again.
                    let _ = session.insert(ACTIVE_KEY, now).await;
                }
                req.extensions_mut().insert(user.current());
                // The navigation's count of notices nobody acknowledged.
                if let Ok(open) = crate::notifications::port::open_count(pool).await {
                    req.extensions_mut().insert(app::notifications::OpenNotices(open));
                }
            }
            Ok(None) => {
                // Disabled, deleted or password reset since sign-in: the session ends here.
                let _ = session.flush().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot load the signed-in user");
                return unavailable();
            }
        }
    }
    next.run(req).await
}

/// The JSON API's user: the bearer token's, never the session's. No `Authorization` header: nobody (the access
/// table answers 401 where a role is needed); a token that is not good: 401 with the reason.
async fn token_user(pool: &PgPool, mut req: Request, next: Next) -> Response {
    use super::v1::problem::Problem;
    let Some(header) = req.headers().get(axum::http::header::AUTHORIZATION) else {
        return next.run(req).await;
    };
    let token = header.to_str().ok().and_then(|h| {
        let (scheme, token) = h.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
    });
    let Some(token) = token else {
        return Problem::refused("the Authorization header must be `Bearer` and a token").into_response();
    };
    let ip = client_ip_of(&req);
    match crate::accounts::tokens::service::authenticate(pool, &token, &ip, Utc::now()).await {
        Ok(Ok(user)) => {
            req.extensions_mut().insert(user);
            next.run(req).await
        }
        Ok(Err(refusal)) => Problem::refused(&refusal.to_string()).into_response(),
        Err(error) => {
            tracing::warn!(%error, "cannot check an API token");
            Problem::from(app::error::AppError::Unavailable(
                "the database is not answering; try again in a minute".into(),
            ))
            .into_response()
        }
    }
}

fn unavailable() -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, "the database is not answering; try again in a minute").into_response()
}

/// `/login?error=KEY&…`: back to a form with the reason.
fn back_to(page: &str, error: &AccountError, next: Option<&str>) -> Response {
    if let AccountError::Database(cause) = error {
        tracing::error!(error = %cause, "accounts: database error");
    }
    let mut query = vec![("error", error.key().to_string())];
    if let AccountError::Throttled { seconds } = error {
        query.push(("wait", seconds.to_string()));
    }
    if let Some(next) = next {
        query.push(("next", safe_next(next)));
    }
    let query = serde_urlencoded::to_string(&query).unwrap_or_default();
    Redirect::to(&format!("{page}?{query}")).into_response()
}

#[derive(Default, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// `POST /login`.
pub async fn sign_in(State(state): State<AppState>, session: Session, req: Request) -> Response {
    let ip = client_ip_of(&req);
    let form: SignInForm = read_form(req).await;
    if !state.local_passwords {
        return back_to("/login", &AccountError::PasswordsOff, Some(&form.next));
    }
    match service::sign_in(&state.pool, &form.email, form.password, &ip, Utc::now()).await {
        Ok(user) => {
            if let Err(error) = start_session(&session, user.id, None).await {
                tracing::error!(%error, "cannot store the session");
                return unavailable();
            }
            tracing::info!(user.id = %user.id, "signed in");
            Redirect::to(&safe_next(&form.next)).into_response()
        }
        Err(error) => back_to("/login", &error, Some(&form.next)),
    }
}

/// `POST /logout`.
pub async fn sign_out(State(state): State<AppState>, session: Session, req: Request) -> Response {
    let ip = client_ip_of(&req);
    if let Some(user) = req.extensions().get::<CurrentUser>()
        && let Err(error) = service::signed_out(&state.pool, &Actor::from_current(user), &ip).await
    {
        tracing::warn!(%error, "cannot audit the sign-out");
    }
    let id_token = session.get::<String>(ID_TOKEN_KEY).await.ok().flatten();
    let back = format!("{}/login?signed_out=1", super::sso::console_origin(&state, &req));
    if let Err(error) = session.flush().await {
        tracing::warn!(%error, "cannot delete the session");
    }
    // After a single sign-on, the provider's session ends too when it publishes an end-session endpoint.
    if let (Some(provider), Some(token)) = (state.sso.as_ref(), id_token)
        && let Some(url) = provider.end_session_url(&token, &back).await
    {
        return provider_sign_out(&url);
    }
    Redirect::to("/login?signed_out=1").into_response()
}

/// A page that takes the browser on to the provider's end-session URL. Not a redirect: the sign-out form's page
/// allows form posts to the console only (`form-action 'self'`), and a redirect after a form post counts as one;
/// a refresh (or the link, for a browser that ignores it) is a plain navigation.
fn provider_sign_out(url: &str) -> Response {
    let url = html_escape::encode_double_quoted_attribute(url);
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Signing out</title>\
         <meta http-equiv=\"refresh\" content=\"0;url={url}\"><link rel=\"stylesheet\" href=\"/assets/tenantry.css\">\
         </head><body><main class=\"narrow\"><h1>You are signed out of Tenantry</h1><p>Signing you out of your \
         identity provider too… <a href=\"{url}\" data-testid=\"provider-sign-out\">Continue</a></p></main></body></html>"
    );
    ([(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

#[derive(Default, Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
}

/// `POST /setup`: the first admin.
pub async fn setup(State(state): State<AppState>, req: Request) -> Response {
    let ip = client_ip_of(&req);
    let form: SetupForm = read_form(req).await;
    let new = NewUser {
        email: &form.email,
        display_name: &form.display_name,
        role: app::accounts::Role::Admin,
        password: &form.password,
    };
    match service::complete_setup(&state.pool, &state.setup, &form.token, new, &ip).await {
        Ok(user) => {
            tracing::info!(user.id = %user.id, "first admin created; setup is closed");
            Redirect::to("/login?setup=done").into_response()
        }
        Err(AccountError::SetupDone) => Redirect::to("/login").into_response(),
        Err(error) => back_to("/setup", &error, None),
    }
}

/// Reads a form body; a malformed one reads as empty fields, which the rules then refuse with a clear reason.
pub(super) async fn read_form<T: serde::de::DeserializeOwned + Default>(req: Request) -> T {
    use axum::extract::FromRequest;
    Form::<T>::from_request(req, &()).await.map(|Form(t)| t).unwrap_or_default()
}
