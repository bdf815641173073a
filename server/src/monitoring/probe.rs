//! One run of one check against a tenant: `GET /testall`, `GET /test`, or a synthetic login on `/oauth/token`,
//! timed and classified. Secrets are used for the request and never logged.

use std::fmt;
use std::time::{Duration, Instant};

use reqwest::header::HOST;

use super::model::Kind;
use super::outcome::{Outcome, classify_endpoint, classify_login};

/// The time limit of one run.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A synthetic login's inputs, decrypted for one run.
#[derive(Clone)]
pub struct Login {
    /// `None`: `grant_type=password`; `Some(connection)`: password-realm.
    pub realm: Option<String>,
    pub username: String,
    pub password: String,
    pub client_id: String,
    pub client_secret: String,
    pub audience: Option<String>,
    pub scope: Option<String>,
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login")
            .field("realm", &self.realm)
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .finish()
    }
}

/// Where and what to run.
#[derive(Clone, Debug)]
pub struct Target {
    pub domain: String,
    /// Connect here instead of `https://{domain}` (the simulator).
    pub base_url: Option<String>,
    pub kind: Kind,
    pub login: Option<Login>,
}

impl Target {
    fn url(&self, path: &str) -> String {
        match &self.base_url {
            Some(base) => format!("{}{path}", base.trim_end_matches('/')),
            None => format!("https://{}{path}", self.domain),
        }
    }
}

/// The result of one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ran {
    pub outcome: Outcome,
    pub latency_ms: i32,
    pub http_status: Option<u16>,
    pub detail: String,
}

/// Runs checks over one HTTP client.
#[derive(Clone)]
pub struct Probe {
    http: reqwest::Client,
}

impl Probe {
    pub fn new() -> Result<Probe, String> {
        Probe::with_timeout(TIMEOUT)
    }

    /// A probe with another time limit (tests).
    pub fn with_timeout(timeout: Duration) -> Result<Probe, String> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("tenantry-monitor/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Probe { http })
    }

    pub async fn run(&self, target: &Target) -> Ran {
        let started = Instant::now();
        let (path, request) = match (target.kind, &target.login) {
            (Kind::Testall, _) => ("/testall", self.http.get(target.url("/testall"))),
            (Kind::Test, _) => ("/test", self.http.get(target.url("/test"))),
            (Kind::Login, Some(login)) => {
                let mut form: Vec<(&str, &str)> = vec![
                    ("username", &login.username),
                    ("password", &login.password),
                    ("client_id", &login.client_id),
                    ("client_secret", &login.client_secret),
                ];
                match &login.realm {
                    Some(realm) => {
                        form.push(("grant_type", "http://auth0.com/oauth/grant-type/password-realm"));
                        form.push(("realm", realm));
                    }
                    None => form.push(("grant_type", "password")),
                }
                if let Some(audience) = &login.audience {
                    form.push(("audience", audience));
                }
                form.push(("scope", login.scope.as_deref().unwrap_or("openid")));
                ("/oauth/token", self.http.post(target.url("/oauth/token")).form(&form))
            }
            (Kind::Login, None) => {
                return Ran {
                    outcome: Outcome::Unexpected,
                    latency_ms: 0,
                    http_status: None,
                    detail: "the check has no login details".into(),
                };
            }
        };
        let sent = request.header(HOST, &target.domain).send().await;
        let elapsed = |started: Instant| i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                let outcome = if e.is_timeout() { Outcome::Timeout } else { Outcome::Unreachable };
                return Ran {
                    outcome,
                    latency_ms: elapsed(started),
                    http_status: None,
                    detail: crate::text::one_line(&e),
                };
            }
        };
        let status = response.status().as_u16();
        let body = match response.bytes().await {
            Ok(b) => b,
            Err(e) => {
                let outcome = if e.is_timeout() { Outcome::Timeout } else { Outcome::Unreachable };
                return Ran { outcome, latency_ms: elapsed(started), http_status: Some(status), detail: e.to_string() };
            }
        };
        let latency_ms = elapsed(started);
        let (outcome, detail) = if target.kind == Kind::Login {
            classify_login(status, &body)
        } else {
            classify_endpoint(path, status, &body)
        };
        Ran { outcome, latency_ms, http_status: Some(status), detail }
    }
}
