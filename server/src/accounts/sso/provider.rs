//! The console as an OpenID Connect relying party, through the `openidconnect` crate: discovery (cached for five
//! minutes, fetched again when a token names a key the cache does not hold), the authorization URL with PKCE, state
//! and nonce, the code exchange, and the ID token's checks (signature through the provider's JWKS, issuer, audience,
//! expiry, nonce). Every request goes through the outbound client under the SSO policy, following no redirects.

use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreIdToken};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, EndSessionUrl, HttpRequest,
    HttpResponse, IssuerUrl, LogoutRequest, Nonce, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, RequestTokenError, Scope, SignatureVerificationError, TokenResponse,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Identity, SsoError, SsoSettings};
use crate::outbound::{self, Policy};

/// How long discovery and the key set are kept.
const METADATA_LIFE: Duration = Duration::from_secs(300);
/// The largest answer read from the provider.
const MAX_ANSWER: usize = 1 << 20;
/// How long a sign-in may take between leaving for the provider and coming back.
pub const PENDING_LIFE_SECS: i64 = 600;

/// What the console keeps in the browser's session while the person is at the provider.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pending {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    pub redirect_uri: String,
    /// Where to go after sign-in (already made safe).
    pub next: String,
    /// When it started (seconds since 1970).
    pub started: i64,
}

/// The outcome of a good sign-in: who, and the ID token (kept for the provider's sign-out).
pub struct SignedIn {
    pub identity: Identity,
    pub id_token: String,
}

/// An error of the HTTP adapter, in words.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpFailure(String);

/// The configured provider.
pub struct Provider {
    options: SsoSettings,
    http: outbound::Client,
    metadata: tokio::sync::Mutex<Option<(Instant, Arc<ProviderMetadataWithLogout>)>>,
}

impl Provider {
    pub fn new(options: SsoSettings) -> Result<Provider, String> {
        let policy = Policy::private_allowed(options.allow_private);
        let client_options = outbound::Options { redirects: 0, ..outbound::Options::default() };
        let http = outbound::Client::new(policy, client_options)?;
        Ok(Provider { options, http, metadata: tokio::sync::Mutex::new(None) })
    }

    pub fn options(&self) -> &SsoSettings {
        &self.options
    }

    /// Sends one request of the `openidconnect` crate through the outbound client.
    async fn send(http: outbound::Client, request: HttpRequest) -> Result<HttpResponse, HttpFailure> {
        let (parts, body) = request.into_parts();
        let builder = http.request(parts.method, &parts.uri.to_string()).map_err(HttpFailure)?;
        let response = builder
            .headers(parts.headers)
            .body(body)
            .send()
            .await
            .map_err(|e| HttpFailure(outbound::root_cause(&e)))?;
        let (status, headers) = (response.status(), response.headers().clone());
        let body = outbound::read_limited(response, MAX_ANSWER).await.map_err(|e| HttpFailure(e.to_string()))?;
        let mut answer = HttpResponse::new(body);
        *answer.status_mut() = status;
        *answer.headers_mut() = headers;
        Ok(answer)
    }

    /// The provider's metadata and keys: cached, or discovered now (`fresh` skips the cache).
    async fn metadata(&self, fresh: bool) -> Result<Arc<ProviderMetadataWithLogout>, SsoError> {
        let mut cached = self.metadata.lock().await;
        if let Some((at, metadata)) = cached.as_ref()
            && !fresh
            && at.elapsed() < METADATA_LIFE
        {
            return Ok(metadata.clone());
        }
        let issuer = IssuerUrl::new(self.options.issuer.clone()).map_err(|e| SsoError::BadAnswer(e.to_string()))?;
        let http = self.http.clone();
        let call = move |request: HttpRequest| Provider::send(http.clone(), request);
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &call).await.map_err(|e| {
            use openidconnect::DiscoveryError;
            match e {
                DiscoveryError::Request(failure) => SsoError::Unreachable(failure.0),
                other => SsoError::BadAnswer(error_chain(&other)),
            }
        })?;
        let metadata = Arc::new(metadata);
        *cached = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    fn client(&self, metadata: &ProviderMetadataWithLogout, redirect_uri: &str) -> Result<ClientFor, SsoError> {
        let redirect = RedirectUrl::new(redirect_uri.to_string()).map_err(|e| SsoError::BadAnswer(e.to_string()))?;
        Ok(CoreClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(self.options.client_id.clone()),
            Some(ClientSecret::new(self.options.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// Where to send the browser, and what to keep in its session until it comes back.
    pub async fn begin(&self, redirect_uri: &str, next: &str, now: i64) -> Result<(String, Pending), SsoError> {
        let metadata = self.metadata(false).await?;
        let client = self.client(&metadata, redirect_uri)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        let pending = Pending {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
            redirect_uri: redirect_uri.to_string(),
            next: next.to_string(),
            started: now,
        };
        Ok((url.to_string(), pending))
    }

    /// Exchanges the code and checks the ID token; the identity it names, or why not.
    pub async fn finish(&self, pending: &Pending, code: &str) -> Result<SignedIn, SsoError> {
        let metadata = self.metadata(false).await?;
        let client = self.client(&metadata, &pending.redirect_uri)?;
        let http = self.http.clone();
        let call = move |request: HttpRequest| Provider::send(http.clone(), request);
        let answer = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| SsoError::BadAnswer(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&call)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(refusal) => {
                    let said = refusal.error_description().cloned().unwrap_or_default();
                    SsoError::Denied(format!("{}: {said}", refusal.error()))
                }
                RequestTokenError::Request(failure) => SsoError::Unreachable(failure.0),
                other => SsoError::BadAnswer(error_chain(&other)),
            })?;
        let id_token = answer.id_token().ok_or_else(|| SsoError::BadAnswer("the answer holds no ID token".into()))?;
        let nonce = Nonce::new(pending.nonce.clone());
        let checked = match id_token.claims(&client.id_token_verifier(), &nonce) {
            // A key the cache does not hold: the provider may have rotated its keys; look again once.
            Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)) => {
                let metadata = self.metadata(true).await?;
                let client = self.client(&metadata, &pending.redirect_uri)?;
                id_token.claims(&client.id_token_verifier(), &nonce).map(|c| c.subject().to_string())
            }
            other => other.map(|c| c.subject().to_string()),
        };
        let subject = checked.map_err(|e| SsoError::Token(token_refusal(&e)))?;
        let raw = id_token.to_string();
        let claims = payload(&raw).ok_or_else(|| SsoError::BadAnswer("the ID token's claims are not JSON".into()))?;
        let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_string);
        let identity = Identity {
            issuer: self.options.issuer.clone(),
            subject,
            email: text("email").map(|e| e.trim().to_lowercase()),
            email_verified: claims.get("email_verified").and_then(Value::as_bool).unwrap_or(false),
            name: text("name"),
            claim_values: super::roles::claim_values(claims.get(&self.options.roles_claim)),
        };
        Ok(SignedIn { identity, id_token: raw })
    }

    /// The provider's end-session URL for this ID token, when it publishes one.
    pub async fn end_session_url(&self, id_token: &str, back_to: &str) -> Option<String> {
        let metadata = self.metadata(false).await.ok()?;
        let endpoint: &EndSessionUrl = metadata.additional_metadata().end_session_endpoint.as_ref()?;
        let mut request = LogoutRequest::from(endpoint.clone())
            .set_client_id(ClientId::new(self.options.client_id.clone()))
            .set_post_logout_redirect_uri(PostLogoutRedirectUrl::new(back_to.to_string()).ok()?);
        if let Ok(token) = CoreIdToken::from_str(id_token) {
            request = request.set_id_token_hint(&token);
        }
        Some(request.http_get_url().to_string())
    }
}

/// The client type `from_provider_metadata` gives (endpoints known from discovery).
type ClientFor = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// Why a token was refused, in words an admin can act on.
fn token_refusal(error: &ClaimsVerificationError) -> String {
    match error {
        ClaimsVerificationError::SignatureVerification(e) => {
            format!("its signature does not verify with the provider's published keys ({e})")
        }
        ClaimsVerificationError::InvalidIssuer(e) => format!("it names another issuer ({e})"),
        ClaimsVerificationError::InvalidAudience(e) => format!("it is for another application (audience: {e})"),
        ClaimsVerificationError::Expired(e) => format!("it has expired ({e}); check the server's clock"),
        ClaimsVerificationError::InvalidNonce(e) => format!("its nonce is not this sign-in's ({e})"),
        other => other.to_string(),
    }
}

/// The claims of a JWT whose signature has been checked, as JSON.
fn payload(jwt: &str) -> Option<serde_json::Map<String, Value>> {
    let part = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// An error and its causes on one line.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut words = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        words.push_str(": ");
        words.push_str(&inner.to_string());
        cause = inner.source();
    }
    crate::text::cut(&words, 500).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jwt_payload_is_read_as_json() {
        let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"sub":"auth0|1","roles":["ops"]}"#);
        let claims = payload(&format!("e30.{body}.c2ln")).expect("claims");
        assert_eq!(claims["sub"], "auth0|1");
        assert!(payload("not a jwt").is_none());
        assert!(payload("e30.!!!.x").is_none());
    }
}
