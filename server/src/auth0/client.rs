//! The Management and Authentication API client: cached client-credentials tokens (one renewal at a time per
//! tenant), rate-limit aware sends, timeouts, and errors classified for people.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HOST};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::ratelimit::{Group, Limiter};
use super::types::{
    CustomDomainList, DailyStats, EmailProvider, LogEvent, LogStream, ManagementError, OAuthError, TenantSettings,
    TokenResponse,
};

/// How to reach one tenant's APIs.
#[derive(Clone)]
pub struct TenantEndpoint {
    /// The tenant's Auth0 domain (`acme-prod.us.auth0.com`): the Host of every request and the audience.
    pub domain: String,
    /// Where to connect instead of `https://{domain}` (the simulator in tests and the demo).
    pub base_url: Option<String>,
    pub client_id: String,
    pub client_secret: String,
}

impl fmt::Debug for TenantEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantEndpoint")
            .field("domain", &self.domain)
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .finish()
    }
}

impl TenantEndpoint {
    fn url(&self, path: &str) -> String {
        match &self.base_url {
            Some(base) => format!("{}{path}", base.trim_end_matches('/')),
            None => format!("https://{}{path}", self.domain),
        }
    }

    pub fn audience(&self) -> String {
        format!("https://{}/api/v2/", self.domain)
    }
}

/// Why a call failed, in terms a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Auth0Error {
    #[error("unreachable: {0}")]
    Unreachable(String),
    #[error("no answer in time")]
    Timeout,
    #[error("bad credentials: the tenant refused the client id or secret ({0})")]
    BadCredentials(String),
    #[error("missing scope: grant the application {scope} in the Auth0 dashboard")]
    MissingScope { scope: String },
    #[error("rate limited: the tenant kept answering 429")]
    RateLimited,
    #[error(
        "rate limited: the tenant's limit resets in {resets_in_secs} s; no request is sent over it, so this waits for the next run"
    )]
    RateLimitedFor { resets_in_secs: u64 },
    #[error("Auth0 error: the tenant answered {status}")]
    Auth0 { status: u16 },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("unexpected answer: {0}")]
    Unexpected(String),
}

impl Auth0Error {
    /// A short, stable name for the class (stored with failures, used in filters).
    pub fn class(&self) -> &'static str {
        match self {
            Auth0Error::Unreachable(_) => "unreachable",
            Auth0Error::Timeout => "timeout",
            Auth0Error::BadCredentials(_) => "bad_credentials",
            Auth0Error::MissingScope { .. } => "missing_scope",
            Auth0Error::RateLimited | Auth0Error::RateLimitedFor { .. } => "rate_limited",
            Auth0Error::Auth0 { .. } => "auth0_error",
            Auth0Error::NotFound(_) => "not_found",
            Auth0Error::Unexpected(_) => "unexpected_answer",
        }
    }
}

/// A typed answer and the JSON it came from.
#[derive(Clone, Debug)]
pub struct Fetched<T> {
    pub value: T,
    pub raw: Value,
}

struct CachedToken {
    token: String,
    expires: Instant,
}

/// Talks to Auth0 tenants. One per process; cheap to share.
pub struct Auth0Client {
    http: crate::outbound::Client,
    limiter: Limiter,
    tokens: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<CachedToken>>>>>,
    /// Retries after a 429 before giving up.
    max_retries: u32,
}

fn too_long(wait: super::ratelimit::TooLong) -> Auth0Error {
    Auth0Error::RateLimitedFor { resets_in_secs: wait.resets_in_secs }
}

/// Renew a token this long before it expires.
const RENEW_BEFORE: Duration = Duration::from_secs(300);

impl Auth0Client {
    /// `policy`: which addresses a tenant's API URL may reach (the guarded client of `outbound`).
    pub fn new(timeout: Duration, policy: crate::outbound::Policy) -> Result<Self, Auth0Error> {
        let options = crate::outbound::Options {
            timeout,
            connect_timeout: timeout.min(Duration::from_secs(5)),
            redirects: 0,
            ..Default::default()
        };
        let http = crate::outbound::Client::new(policy, options).map_err(Auth0Error::Unexpected)?;
        Ok(Auth0Client { http, limiter: Limiter::default(), tokens: Mutex::new(HashMap::new()), max_retries: 3 })
    }

    fn token_slot(&self, tenant: &TenantEndpoint) -> Arc<tokio::sync::Mutex<Option<CachedToken>>> {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        // Keyed by the secret too: a replaced secret must earn its own token (or its own refusal).
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        std::hash::Hash::hash(&tenant.client_secret, &mut hasher);
        let key = format!("{}|{}|{:x}", tenant.domain, tenant.client_id, std::hash::Hasher::finish(&hasher));
        tokens.entry(key).or_default().clone()
    }

    /// A Management API token, from the cache or a new one. Callers for the same tenant wait for one renewal.
    pub async fn token(&self, tenant: &TenantEndpoint) -> Result<String, Auth0Error> {
        let slot = self.token_slot(tenant);
        let mut cached = slot.lock().await;
        if let Some(token) = cached.as_ref()
            && token.expires > Instant::now() + RENEW_BEFORE
        {
            return Ok(token.token.clone());
        }
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", tenant.client_id.as_str()),
            ("client_secret", tenant.client_secret.as_str()),
            ("audience", &tenant.audience()),
        ];
        let mut attempt = 0;
        let response = loop {
            let permit = self.limiter.acquire(&tenant.domain, Group::Authentication).await.map_err(too_long)?;
            let sent = match self.http.post(&tenant.url("/oauth/token")) {
                Ok(request) => request.header(HOST, &tenant.domain).form(&form).send().await,
                Err(refused) => {
                    self.limiter.observe(permit, None, None);
                    return Err(Auth0Error::Unreachable(refused));
                }
            };
            let response = match sent {
                Ok(r) => r,
                Err(e) => {
                    self.limiter.observe(permit, None, None);
                    return Err(transport(e));
                }
            };
            let status = response.status();
            self.limiter.observe(permit, Some(response.headers()), Some(status.as_u16()));
            if status == StatusCode::TOO_MANY_REQUESTS && attempt < self.max_retries {
                attempt += 1;
                continue;
            }
            break response;
        };
        let status = response.status();
        let body = read_answer(response).await?;
        match status {
            s if s.is_success() => {
                let token: TokenResponse = serde_json::from_str(&body)
                    .map_err(|e| Auth0Error::Unexpected(format!("token answer is not what Auth0 sends: {e}")))?;
                let expires = Instant::now() + Duration::from_secs(token.expires_in);
                *cached = Some(CachedToken { token: token.access_token.clone(), expires });
                Ok(token.access_token)
            }
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                let reason = serde_json::from_str::<OAuthError>(&body)
                    .map(|e| e.error_description.unwrap_or(e.error))
                    .unwrap_or_else(|_| format!("HTTP {}", status.as_u16()));
                Err(Auth0Error::BadCredentials(reason))
            }
            StatusCode::TOO_MANY_REQUESTS => Err(Auth0Error::RateLimited),
            s if s.is_server_error() => Err(Auth0Error::Auth0 { status: s.as_u16() }),
            s => Err(Auth0Error::Unexpected(format!("the token endpoint answered {}", s.as_u16()))),
        }
    }

    /// GET a Management API path and parse the answer. `scope` names the scope the path needs, for the error.
    pub async fn get<T: DeserializeOwned>(
        &self,
        tenant: &TenantEndpoint,
        path: &str,
        scope: &str,
    ) -> Result<Fetched<T>, Auth0Error> {
        let mut attempt = 0;
        let mut renewed = false;
        loop {
            let token = self.token(tenant).await?;
            let permit = self.limiter.acquire(&tenant.domain, Group::Management).await.map_err(too_long)?;
            let request = match self.http.get(&tenant.url(path)) {
                Ok(request) => request,
                Err(refused) => {
                    self.limiter.observe(permit, None, None);
                    return Err(Auth0Error::Unreachable(refused));
                }
            };
            let sent =
                request.header(HOST, &tenant.domain).header(AUTHORIZATION, format!("Bearer {token}")).send().await;
            let response = match sent {
                Ok(r) => r,
                Err(e) => {
                    self.limiter.observe(permit, None, None);
                    return Err(transport(e));
                }
            };
            let status = response.status();
            self.limiter.observe(permit, Some(response.headers()), Some(status.as_u16()));
            if status == StatusCode::TOO_MANY_REQUESTS {
                if attempt < self.max_retries {
                    attempt += 1;
                    continue;
                }
                return Err(Auth0Error::RateLimited);
            }
            if status == StatusCode::UNAUTHORIZED && !renewed {
                // The token was revoked or the tenant rotated keys: forget it and try once more.
                *self.token_slot(tenant).lock().await = None;
                renewed = true;
                continue;
            }
            let body = read_answer(response).await?;
            return match status {
                s if s.is_success() => parse(&body),
                StatusCode::FORBIDDEN => {
                    let error = serde_json::from_str::<ManagementError>(&body).ok();
                    match error {
                        Some(e)
                            if e.error_code.as_deref() == Some("insufficient_scope") || e.message.contains("scope") =>
                        {
                            Err(Auth0Error::MissingScope { scope: scope.to_string() })
                        }
                        Some(e) => Err(Auth0Error::BadCredentials(e.message)),
                        None => Err(Auth0Error::BadCredentials("HTTP 403".into())),
                    }
                }
                StatusCode::UNAUTHORIZED => Err(Auth0Error::BadCredentials("the token was refused".into())),
                StatusCode::NOT_FOUND => {
                    let error = serde_json::from_str::<ManagementError>(&body).ok();
                    Err(Auth0Error::NotFound(
                        error.and_then(|e| e.error_code.or(Some(e.message))).unwrap_or_else(|| path.to_string()),
                    ))
                }
                s if s.is_server_error() => Err(Auth0Error::Auth0 { status: s.as_u16() }),
                s => Err(Auth0Error::Unexpected(format!("{path} answered {}", s.as_u16()))),
            };
        }
    }

    pub async fn tenant_settings(&self, t: &TenantEndpoint) -> Result<Fetched<TenantSettings>, Auth0Error> {
        self.get(t, "/api/v2/tenants/settings", "read:tenant_settings").await
    }

    pub async fn custom_domains(&self, t: &TenantEndpoint) -> Result<Fetched<CustomDomainList>, Auth0Error> {
        self.get(t, "/api/v2/custom-domains", "read:custom_domains").await
    }

    /// The email provider, or `None` when the tenant has none (Auth0 answers 404 `inexistent_email_provider`).
    pub async fn email_provider(&self, t: &TenantEndpoint) -> Result<Option<Fetched<EmailProvider>>, Auth0Error> {
        // `credentials` holds the SMTP host and port the firewall guide needs (Auth0 never returns `smtp_pass`).
        let path = "/api/v2/emails/provider?fields=name,enabled,default_from_address,credentials&include_fields=true";
        match self.get(t, path, "read:email_provider").await {
            Ok(found) => Ok(Some(found)),
            Err(Auth0Error::NotFound(code)) if code == "inexistent_email_provider" => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn log_streams(&self, t: &TenantEndpoint) -> Result<Fetched<Vec<LogStream>>, Auth0Error> {
        self.get(t, "/api/v2/log-streams", "read:log_streams").await
    }

    /// Every item of a paged list, raw: offset pages of 100 (`path` ends with `?` or `&`), the answer a plain array
    /// or `{<key>: [...], total}`; at most 1,000 items (Auth0 serves no more by offset).
    pub async fn all_pages(
        &self,
        t: &TenantEndpoint,
        path: &str,
        scope: &str,
        key: Option<&str>,
    ) -> Result<Vec<Value>, Auth0Error> {
        let mut all = Vec::new();
        for page in 0..10 {
            let mut got = self.get::<Value>(t, &format!("{path}per_page=100&page={page}"), scope).await?.raw;
            let total = got.get("total").and_then(Value::as_u64).map(|n| n as usize);
            let list = match key {
                None => got.as_array_mut().map(std::mem::take),
                Some(key) => got.get_mut(key).and_then(Value::as_array_mut).map(std::mem::take),
            };
            let Some(list) = list else {
                let path = path.trim_end_matches(['?', '&']);
                return Err(Auth0Error::Unexpected(format!("GET {path} did not answer a list")));
            };
            let last = list.len() < 100 || total.is_some_and(|n| all.len() + list.len() >= n);
            all.extend(list);
            if last {
                break;
            }
        }
        Ok(all)
    }

    /// Every connection, raw. `options` come only with `read:connections_options`.
    pub async fn connections(&self, t: &TenantEndpoint) -> Result<Vec<Value>, Auth0Error> {
        self.all_pages(t, "/api/v2/connections?", "read:connections", None).await
    }

    /// Every Action, raw.
    pub async fn actions(&self, t: &TenantEndpoint) -> Result<Vec<Value>, Auth0Error> {
        self.all_pages(t, "/api/v2/actions/actions?", "read:actions", Some("actions")).await
    }

    pub async fn daily_stats(
        &self,
        t: &TenantEndpoint,
        from: &str,
        to: &str,
    ) -> Result<Fetched<Vec<DailyStats>>, Auth0Error> {
        self.get(t, &format!("/api/v2/stats/daily?from={from}&to={to}"), "read:stats").await
    }

    pub async fn active_users(&self, t: &TenantEndpoint) -> Result<Fetched<u64>, Auth0Error> {
        self.get(t, "/api/v2/stats/active-users", "read:stats").await
    }

    /// Checkpoint paging: up to `take` (≤ 100) events after `from`, in log_id order.
    pub async fn logs_after(
        &self,
        t: &TenantEndpoint,
        from: &str,
        take: u8,
    ) -> Result<Fetched<Vec<LogEvent>>, Auth0Error> {
        let take = take.clamp(1, 100);
        self.get(t, &format!("/api/v2/logs?from={from}&take={take}"), "read:logs").await
    }
}

fn parse<T: DeserializeOwned>(body: &str) -> Result<Fetched<T>, Auth0Error> {
    let raw: Value =
        serde_json::from_str(body).map_err(|e| Auth0Error::Unexpected(format!("the answer is not JSON ({e})")))?;
    let value = serde_json::from_value(raw.clone())
        .map_err(|e| Auth0Error::Unexpected(format!("the answer does not have the expected shape ({e})")))?;
    Ok(Fetched { value, raw })
}

fn transport(error: reqwest::Error) -> Auth0Error {
    if error.is_timeout() {
        Auth0Error::Timeout
    } else if error.is_connect() {
        Auth0Error::Unreachable(crate::outbound::root_cause(&error))
    } else {
        Auth0Error::Unexpected(crate::outbound::root_cause(&error))
    }
}

/// The largest answer read from Auth0 (a page of 100 log events is ~200 KB).
pub const MAX_ANSWER: usize = 4 * 1024 * 1024;

async fn read_answer(response: reqwest::Response) -> Result<String, Auth0Error> {
    let body = crate::outbound::read_limited(response, MAX_ANSWER).await.map_err(|e| match e {
        crate::outbound::BodyError::Timeout => Auth0Error::Timeout,
        other => Auth0Error::Unexpected(other.to_string()),
    })?;
    String::from_utf8(body).map_err(|_| Auth0Error::Unexpected("the answer is not UTF-8 text".into()))
}
