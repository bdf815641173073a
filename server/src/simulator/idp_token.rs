//! The simulated identity provider's token side: `POST /oauth/token` (the authorization code with PKCE, client
//! authentication by HTTP Basic or the form, Auth0's error bodies), the RS256 ID token (wrong in the way a fault
//! says) and `GET /userinfo`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs1v15::SigningKey;
use rsa::sha2::{Digest, Sha256};
use rsa::signature::{SignatureEncoding, Signer};
use serde_json::{Map, Value, json};

use super::Simulator;
use super::idp::{ACCESS_TOKEN_SECS, CODE_LIFE, ID_TOKEN_SECS, IdpUser, KEY_ID, TokenFault, key, random, stranger_key};
use super::routes::json_response;

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(status, json!({ "error": error, "error_description": description }))
}

/// The client's credentials: HTTP Basic (`client_secret_basic`) or the form (`client_secret_post`).
fn client_credentials(headers: &HeaderMap, form: &HashMap<String, String>) -> Option<(String, String)> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            let decode =
                |s: &str| serde_urlencoded::from_str::<HashMap<String, String>>(&format!("v={s}")).ok()?.remove("v");
            Some((decode(id)?, decode(secret)?))
        });
    basic.or_else(|| Some((form.get("client_id")?.clone(), form.get("client_secret")?.clone())))
}

pub(super) fn token(sim: &Simulator, issuer: &str, headers: &HeaderMap, body: &Bytes) -> Response {
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    if get("grant_type") != "authorization_code" {
        return oauth_error(StatusCode::FORBIDDEN, "unsupported_grant_type", "Unsupported grant type");
    }
    let Some((client_id, secret)) = client_credentials(headers, &form) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized");
    };
    let mut state = sim.state();
    let known = state.idp.clients.iter().any(|c| c.client_id == client_id && c.client_secret == secret);
    if !known {
        return oauth_error(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized");
    }
    // A code is used once, whatever happens next.
    let Some(grant) = state.idp.codes.remove(get("code")) else {
        return oauth_error(StatusCode::FORBIDDEN, "invalid_grant", "Invalid authorization code");
    };
    if grant.client_id != client_id || grant.issued.elapsed() > CODE_LIFE {
        return oauth_error(StatusCode::FORBIDDEN, "invalid_grant", "Invalid authorization code");
    }
    if grant.redirect_uri != get("redirect_uri") {
        return oauth_error(StatusCode::FORBIDDEN, "invalid_grant", "redirect_uri mismatch");
    }
    if let Some((challenge, method)) = &grant.challenge {
        let verifier = get("code_verifier");
        let computed = match method.as_str() {
            "S256" => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
            _ => verifier.to_string(),
        };
        if verifier.is_empty() || &computed != challenge {
            return oauth_error(StatusCode::FORBIDDEN, "invalid_grant", "Failed to verify code verifier");
        }
    }
    let Some(user) = state.idp.users.iter().find(|u| u.sub == grant.sub).cloned() else {
        return oauth_error(StatusCode::FORBIDDEN, "invalid_grant", "The user no longer exists");
    };
    let access_token = random();
    let expires = Instant::now() + Duration::from_secs(ACCESS_TOKEN_SECS);
    state.idp.access.insert(access_token.clone(), (user.sub.clone(), expires));
    let fault = state.idp.fault;
    drop(state);
    let id_token = id_token(issuer, &client_id, &user, grant.nonce.as_deref(), fault);
    json_response(
        StatusCode::OK,
        json!({
            "access_token": access_token, "id_token": id_token, "scope": grant.scope,
            "expires_in": ACCESS_TOKEN_SECS, "token_type": "Bearer"
        }),
    )
}

/// An RS256 ID token for `user`, wrong in the way `fault` says.
fn id_token(issuer: &str, audience: &str, user: &IdpUser, nonce: Option<&str>, fault: Option<TokenFault>) -> String {
    let now = chrono::Utc::now().timestamp();
    let mut claims = Map::new();
    for (name, value) in &user.claims {
        claims.insert(name.clone(), value.clone());
    }
    let nickname = user.email.split('@').next().unwrap_or_default();
    let standard = json!({
        "nickname": nickname, "name": user.name, "picture": "https://s.gravatar.com/avatar/0?s=480&r=pg&d=mp",
        "updated_at": "2026-11-30T09:00:00.000Z", "email": user.email, "email_verified": user.email_verified,
        "iss": issuer, "aud": audience, "sub": user.sub, "iat": now, "exp": now + ID_TOKEN_SECS, "sid": random(),
    });
    if let Value::Object(standard) = standard {
        claims.extend(standard);
    }
    if let Some(nonce) = nonce {
        claims.insert("nonce".into(), Value::String(nonce.to_string()));
    }
    match fault {
        Some(TokenFault::WrongIssuer) => claims.insert("iss".into(), json!(format!("{issuer}someone-else/"))),
        Some(TokenFault::WrongAudience) => claims.insert("aud".into(), json!("another-application")),
        Some(TokenFault::WrongNonce) => claims.insert("nonce".into(), json!("a-nonce-this-sign-in-never-sent")),
        Some(TokenFault::Expired) => {
            claims.insert("iat".into(), json!(now - 2 * ID_TOKEN_SECS));
            claims.insert("exp".into(), json!(now - 3600))
        }
        Some(TokenFault::WrongSignature) | None => None,
    };
    let header = json!({ "alg": "RS256", "typ": "JWT", "kid": KEY_ID });
    let signing = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(Value::Object(claims).to_string())
    );
    let key = if fault == Some(TokenFault::WrongSignature) { stranger_key() } else { key() };
    let signature = SigningKey::<Sha256>::new(key.clone()).sign(signing.as_bytes());
    format!("{signing}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

pub(super) fn userinfo(sim: &Simulator, headers: &HeaderMap) -> Response {
    let token =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let state = sim.state();
    let sub = token.and_then(|t| state.idp.access.get(t.trim())).filter(|(_, expires)| *expires > Instant::now());
    let Some(user) = sub.and_then(|(sub, _)| state.idp.users.iter().find(|u| &u.sub == sub)) else {
        return (StatusCode::UNAUTHORIZED, "Unauthorized").into_response();
    };
    let mut body = json!({
        "sub": user.sub, "name": user.name, "nickname": user.email.split('@').next().unwrap_or_default(),
        "email": user.email, "email_verified": user.email_verified, "updated_at": "2026-11-30T09:00:00.000Z",
    });
    for (name, value) in &user.claims {
        body[name] = value.clone();
    }
    json_response(StatusCode::OK, body)
}
