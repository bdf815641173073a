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

impl Ran {
    /// A run that could not start, and why.
    pub fn not_run(detail: impl Into<String>) -> Ran {
        Ran { outcome: Outcome::Unexpected, latency_ms: 0, http_status: None, detail: detail.into() }
    }
}

/// Runs checks over one HTTP client.
#[derive(Clone)]
pub struct Probe {
    http: crate::outbound::Client,
}

/// The largest answer a probe reads (a monitoring endpoint or token answer is a few hundred bytes).
pub const MAX_ANSWER: usize = 64 * 1024;

impl Probe {
    /// `policy`: which addresses a tenant's monitoring URLs may reach.
    pub fn new(policy: crate::outbound::Policy) -> Result<Probe, String> {
        Probe::with_timeout(TIMEOUT, policy)
    }

    /// A probe with another time limit (tests).
    pub fn with_timeout(timeout: Duration, policy: crate::outbound::Policy) -> Result<Probe, String> {
        let options = crate::outbound::Options {
            timeout,
            connect_timeout: timeout.min(Duration::from_secs(5)),
            redirects: 0,
            user_agent: concat!("tenantry-monitor/", env!("CARGO_PKG_VERSION")),
        };
        Ok(Probe { http: crate::outbound::Client::new(policy, options)? })
    }

    pub async fn run(&self, target: &Target) -> Ran {
        let started = Instant::now();
        let (path, request) = match (target.kind, &target.login) {
            (Kind::Testall, _) => ("/testall", self.http.get(&target.url("/testall"))),
            (Kind::Test, _) => ("/test", self.http.get(&target.url("/test"))),
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
                ("/oauth/token", self.http.post(&target.url("/oauth/token")).map(|r| r.form(&form)))
            }
            (Kind::Login, None) => return Ran::not_run("the check has no login details"),
            (Kind::Tcp | Kind::Https | Kind::Smtp, _) => {
                return Ran::not_run("a reachability check is run by monitoring::reach, not by the Auth0 probe");
            }
        };
        let elapsed = |started: Instant| i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        let request = match request {
            Ok(request) => request,
            Err(refused) => {
                return Ran { outcome: Outcome::Unreachable, latency_ms: 0, http_status: None, detail: refused };
            }
        };
        let sent = request.header(HOST, &target.domain).send().await;
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                let outcome = if e.is_timeout() { Outcome::Timeout } else { Outcome::Unreachable };
                return Ran {
                    outcome,
                    latency_ms: elapsed(started),
                    http_status: None,
                    detail: crate::outbound::root_cause(&e),
                };
            }
        };
        let status = response.status().as_u16();
        let body = match crate::outbound::read_limited(response, MAX_ANSWER).await {
            Ok(b) => b,
            Err(error) => {
                let outcome = match error {
                    crate::outbound::BodyError::Timeout => Outcome::Timeout,
                    crate::outbound::BodyError::Broken(_) => Outcome::Unreachable,
                    crate::outbound::BodyError::TooLarge(_) => Outcome::Unexpected,
                };
                return Ran {
                    outcome,
                    latency_ms: elapsed(started),
                    http_status: Some(status),
                    detail: error.to_string(),
                };
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
