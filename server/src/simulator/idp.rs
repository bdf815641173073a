//! The simulator as an OpenID Connect provider, in Auth0's shapes: discovery, `/authorize` (a small sign-in form for
//! its test users; a session cookie so a second sign-in goes straight through, as Auth0's does), `/oauth/token`
//! (authorization code with PKCE), `/.well-known/jwks.json`, `/userinfo` and `/oidc/logout`. It answers on the
//! simulator's own address (a Host that is no simulated tenant), so a browser reaches it and the issuer is
//! `http://127.0.0.1:PORT/`. ID tokens are RS256 JWTs signed by a key the process makes on first use; a fault makes
//! the tokens wrong in one way (signature, issuer, audience, nonce, expiry) so tests can see the console refuse them.
//! The pages (the sign-in form, the error page) are in `idp_pages`.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::RsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::Simulator;
use super::idp_pages::{error_page, sign_in_page, signed_out_page};
use super::idp_token::{token, userinfo};
use super::routes::json_response;

/// A person the provider signs in.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IdpUser {
    /// The `sub` claim (`auth0|…`).
    pub sub: String,
    pub email: String,
    pub name: String,
    pub password: String,
    #[serde(default = "yes")]
    pub email_verified: bool,
    /// Extra claims in the ID token, as an Auth0 Action adds them (`{"https://tenantry/roles": ["ops"]}`).
    #[serde(default)]
    pub claims: Map<String, Value>,
}

fn yes() -> bool {
    true
}

/// An application registered with the provider.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IdpClient {
    pub client_id: String,
    pub client_secret: String,
    /// Allowed callback URLs (exact match, as Auth0 checks them).
    pub callbacks: Vec<String>,
    /// Allowed logout URLs (`post_logout_redirect_uri`).
    #[serde(default)]
    pub logout_urls: Vec<String>,
}

/// One way the provider's ID tokens go wrong, for tests of the console's checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenFault {
    /// Signed by a key the JWKS does not hold (under the published key id).
    WrongSignature,
    WrongIssuer,
    WrongAudience,
    WrongNonce,
    /// Expired an hour ago.
    Expired,
}

/// A code waiting to be exchanged.
pub(super) struct Grant {
    pub(super) client_id: String,
    pub(super) redirect_uri: String,
    pub(super) sub: String,
    pub(super) nonce: Option<String>,
    /// (challenge, method)
    pub(super) challenge: Option<(String, String)>,
    pub(super) scope: String,
    pub(super) issued: Instant,
}

#[derive(Default)]
pub(super) struct IdpState {
    pub(super) users: Vec<IdpUser>,
    pub(super) clients: Vec<IdpClient>,
    pub(super) codes: HashMap<String, Grant>,
    /// access token → (sub, expires)
    pub(super) access: HashMap<String, (String, Instant)>,
    /// session cookie → sub
    sessions: HashMap<String, String>,
    pub(super) fault: Option<TokenFault>,
}

/// A code is good for this long, once.
pub(super) const CODE_LIFE: Duration = Duration::from_secs(600);
/// ID and access tokens' life, as Auth0's default (10 hours for ID tokens; one day for access tokens).
pub(super) const ID_TOKEN_SECS: i64 = 36_000;
pub(super) const ACCESS_TOKEN_SECS: u64 = 86_400;
/// The provider's session cookie (Auth0 calls its own `auth0`).
const SESSION_COOKIE: &str = "auth0";
pub(super) const KEY_ID: &str = "sim-idp-1";

/// The signing key, made once per process on first use (RSA 2048: a fraction of a second).
pub(super) fn key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("RSA key generation succeeds"))
}

/// A second key, never published: what a forged token is signed with.
pub(super) fn stranger_key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("RSA key generation succeeds"))
}

pub(super) fn random() -> String {
    let mut bytes = [0u8; 24];
    rsa::rand_core::RngCore::fill_bytes(&mut rsa::rand_core::OsRng, &mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

impl Simulator {
    /// The provider's issuer as the console is configured with it: `http://127.0.0.1:PORT/`.
    pub fn idp_issuer(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn idp_add_client(&self, client: IdpClient) {
        let mut state = self.state();
        state.idp.clients.retain(|c| c.client_id != client.client_id);
        state.idp.clients.push(client);
    }

    pub fn idp_add_user(&self, user: IdpUser) {
        let mut state = self.state();
        state.idp.users.retain(|u| u.email != user.email);
        state.idp.users.push(user);
    }

    /// Changes a user in place (claims, password…).
    pub fn idp_update_user(&self, email: &str, change: impl FnOnce(&mut IdpUser)) -> bool {
        let mut state = self.state();
        match state.idp.users.iter_mut().find(|u| u.email == email) {
            Some(user) => {
                change(user);
                true
            }
            None => false,
        }
    }

    /// Makes every ID token from now on wrong in this way (`None`: right again).
    pub fn idp_fault(&self, fault: Option<TokenFault>) {
        self.state().idp.fault = fault;
    }

    /// People signed in at the provider now (sessions its cookie names).
    pub fn idp_sessions(&self) -> usize {
        self.state().idp.sessions.len()
    }
}

/// Whether a path is the provider's (on a Host that is no tenant).
pub(super) fn serves(path: &str) -> bool {
    matches!(
        path,
        "/.well-known/openid-configuration"
            | "/.well-known/jwks.json"
            | "/authorize"
            | "/u/login"
            | "/oauth/token"
            | "/userinfo"
            | "/oidc/logout"
    )
}

/// Answers one request to the provider. `host` is the Host header as sent (with its port).
pub(super) fn handle(
    sim: &Simulator,
    host: &str,
    method: &Method,
    path: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let issuer = format!("http://{host}/");
    match (method, path) {
        (&Method::GET, "/.well-known/openid-configuration") => json_response(StatusCode::OK, discovery(&issuer)),
        (&Method::GET, "/.well-known/jwks.json") => json_response(StatusCode::OK, jwks()),
        (&Method::GET, "/authorize") => authorize(sim, query, session_of(headers)),
        (&Method::POST, "/u/login") => {
            let form: HashMap<String, String> = serde_urlencoded::from_bytes(body).unwrap_or_default();
            login(sim, &form)
        }
        (&Method::POST, "/oauth/token") => token(sim, &issuer, headers, body),
        (&Method::GET, "/userinfo") => userinfo(sim, headers),
        (&Method::GET, "/oidc/logout") => logout(sim, query, session_of(headers)),
        _ => (StatusCode::METHOD_NOT_ALLOWED, "method not allowed").into_response(),
    }
}

/// Auth0's discovery document for a tenant (the fields it publishes, in its order).
fn discovery(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}authorize"),
        "token_endpoint": format!("{issuer}oauth/token"),
        "device_authorization_endpoint": format!("{issuer}oauth/device/code"),
        "userinfo_endpoint": format!("{issuer}userinfo"),
        "mfa_challenge_endpoint": format!("{issuer}mfa/challenge"),
        "jwks_uri": format!("{issuer}.well-known/jwks.json"),
        "registration_endpoint": format!("{issuer}oidc/register"),
        "revocation_endpoint": format!("{issuer}oauth/revoke"),
        "scopes_supported": ["openid", "profile", "offline_access", "name", "given_name", "family_name", "nickname",
            "email", "email_verified", "picture", "created_at", "identities", "phone", "address"],
        "response_types_supported": ["code", "token", "id_token", "code token", "code id_token", "token id_token",
            "code token id_token"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["public"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "claims_supported": ["aud", "auth_time", "created_at", "email", "email_verified", "exp", "family_name",
            "given_name", "iat", "identities", "iss", "name", "nickname", "phone_number", "picture", "sub"],
        "request_uri_parameter_supported": false,
        "request_parameter_supported": false,
        "id_token_signing_alg_values_supported": ["HS256", "RS256", "PS256"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "PS256"],
        "end_session_endpoint": format!("{issuer}oidc/logout")
    })
}

/// The published key set: the signing key's public half, as Auth0 lists it.
fn jwks() -> Value {
    let public = key().to_public_key();
    json!({ "keys": [{
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": KEY_ID,
        "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
        "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
    }]})
}

fn session_of(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|c| {
        let (name, value) = c.trim().split_once('=')?;
        (name == SESSION_COOKIE).then(|| value.to_string())
    })
}

/// The authorization request's parameters a sign-in form carries along.
pub(super) const CARRIED: [&str; 7] =
    ["client_id", "redirect_uri", "state", "nonce", "scope", "code_challenge", "code_challenge_method"];

/// Checks the client and its callback; `Err` is what the page Auth0 shows instead of redirecting says (code, detail).
fn checked_client(sim: &Simulator, params: &HashMap<String, String>) -> Result<IdpClient, (&'static str, String)> {
    let get = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
    let client = sim.state().idp.clients.iter().find(|c| c.client_id == get("client_id")).cloned();
    let Some(client) = client else {
        return Err(("invalid_request", "Unknown client: the client_id is not registered.".into()));
    };
    if !client.callbacks.iter().any(|c| c == get("redirect_uri")) {
        let detail =
            format!("Callback URL mismatch. {} is not in the list of allowed callback URLs.", get("redirect_uri"));
        return Err(("unauthorized_client", detail));
    }
    Ok(client)
}

/// `302` back to the application's callback with these parameters.
fn back_to(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
    let joiner = if redirect_uri.contains('?') { '&' } else { '?' };
    (StatusCode::FOUND, [(header::LOCATION, format!("{redirect_uri}{joiner}{query}"))]).into_response()
}

fn authorize(sim: &Simulator, query: &HashMap<String, String>, session: Option<String>) -> Response {
    let client = match checked_client(sim, query) {
        Ok(client) => client,
        Err((code, detail)) => return error_page(code, &detail),
    };
    let get = |k: &str| query.get(k).map(String::as_str).unwrap_or("");
    let redirect_uri = get("redirect_uri");
    if get("response_type") != "code" {
        let description = "Unsupported response type: this provider plays the authorization code flow";
        return back_to(
            redirect_uri,
            &[("error", "unsupported_response_type"), ("error_description", description), ("state", get("state"))],
        );
    }
    if !get("scope").split(' ').any(|s| s == "openid") {
        let description = "The scope must include openid";
        return back_to(
            redirect_uri,
            &[("error", "invalid_scope"), ("error_description", description), ("state", get("state"))],
        );
    }
    // A session at the provider signs in without the form, unless the application asks for a fresh sign-in.
    let known = session.and_then(|s| sim.state().idp.sessions.get(&s).cloned());
    if let Some(sub) = known.filter(|_| get("prompt") != "login") {
        return issue_code(sim, &client, query, &sub, None);
    }
    let users = sim.state().idp.users.clone();
    sign_in_page(query, &users, None)
}

/// `POST /u/login`: the sign-in form (or its Cancel button).
fn login(sim: &Simulator, form: &HashMap<String, String>) -> Response {
    let client = match checked_client(sim, form) {
        Ok(client) => client,
        Err((code, detail)) => return error_page(code, &detail),
    };
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    if get("action") == "deny" {
        return back_to(
            get("redirect_uri"),
            &[
                ("error", "access_denied"),
                ("error_description", "User did not authorize the request"),
                ("state", get("state")),
            ],
        );
    }
    let (user, users) = {
        let state = sim.state();
        let email = get("username").trim().to_lowercase();
        let user = state.idp.users.iter().find(|u| u.email == email && u.password == get("password")).cloned();
        (user, state.idp.users.clone())
    };
    match user {
        Some(user) => {
            let session = random();
            sim.state().idp.sessions.insert(session.clone(), user.sub.clone());
            issue_code(sim, &client, form, &user.sub, Some(session))
        }
        None => sign_in_page(form, &users, Some("Wrong email or password.")),
    }
}

fn issue_code(
    sim: &Simulator,
    client: &IdpClient,
    params: &HashMap<String, String>,
    sub: &str,
    new_session: Option<String>,
) -> Response {
    let get = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
    let code = random();
    let grant = Grant {
        client_id: client.client_id.clone(),
        redirect_uri: get("redirect_uri").to_string(),
        sub: sub.to_string(),
        nonce: params.get("nonce").filter(|n| !n.is_empty()).cloned(),
        challenge: params
            .get("code_challenge")
            .filter(|c| !c.is_empty())
            .map(|c| (c.clone(), params.get("code_challenge_method").cloned().unwrap_or_else(|| "plain".into()))),
        scope: get("scope").to_string(),
        issued: Instant::now(),
    };
    sim.state().idp.codes.insert(code.clone(), grant);
    let mut pairs = vec![("code", code.as_str())];
    if !get("state").is_empty() {
        pairs.push(("state", get("state")));
    }
    let mut response = back_to(get("redirect_uri"), &pairs);
    if let Some(session) = new_session
        && let Ok(cookie) = format!("{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax").parse()
    {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// `/oidc/logout`: ends the provider's session, then returns to `post_logout_redirect_uri` when the client allows
/// it (Auth0 checks it against the application's allowed logout URLs).
fn logout(sim: &Simulator, query: &HashMap<String, String>, session: Option<String>) -> Response {
    let mut state = sim.state();
    if let Some(session) = session {
        state.idp.sessions.remove(&session);
    }
    let target = query.get("post_logout_redirect_uri").filter(|uri| {
        let client = query.get("client_id");
        state
            .idp
            .clients
            .iter()
            .filter(|c| client.is_none_or(|id| &c.client_id == id))
            .any(|c| c.logout_urls.contains(uri))
    });
    let clear = format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
    let mut response = match target {
        Some(uri) => (StatusCode::FOUND, [(header::LOCATION, uri.clone())]).into_response(),
        None => signed_out_page(),
    };
    if let Ok(cookie) = clear.parse() {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}
