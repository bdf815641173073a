//! Monitoring as pages see it: checks bound to tenants (Auth0's `/testall` and `/test`, synthetic logins), their
//! runs, uptime and latency, alerts and maintenance windows. DTOs, the `MonitoringPort`, the server functions.

mod api;
mod charts;
mod pages;

pub use api::*;
pub use pages::{CheckEditPage, CheckNewPage, CheckPage, ChecksTable, MonitoringPage};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::error::AppError;
use crate::ids::{CheckId, TenantId};

/// A check's state as people read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CheckState {
    /// The last run passed and no alert is open.
    Ok,
    /// The last run failed; not (yet) enough failures in a row for an alert.
    Failing,
    /// An alert is open.
    Alert,
    Paused,
    /// Never run.
    Unknown,
}

impl CheckState {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckState::Ok => "ok",
            CheckState::Failing => "failing",
            CheckState::Alert => "alert",
            CheckState::Paused => "paused",
            CheckState::Unknown => "unknown",
        }
    }

    pub fn parse(raw: &str) -> Option<CheckState> {
        [CheckState::Ok, CheckState::Failing, CheckState::Alert, CheckState::Paused, CheckState::Unknown]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            CheckState::Ok => "OK",
            CheckState::Failing => "Failing",
            CheckState::Alert => "In alert",
            CheckState::Paused => "Paused",
            CheckState::Unknown => "Not run yet",
        }
    }

    /// CSS tone, shared with the status board.
    pub fn tone(self) -> &'static str {
        match self {
            CheckState::Ok => "ok",
            CheckState::Failing => "warn",
            CheckState::Alert => "bad",
            CheckState::Paused | CheckState::Unknown => "unknown",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            CheckState::Ok => "✔",
            CheckState::Failing => "◆",
            CheckState::Alert => "✖",
            CheckState::Paused => "Ⅱ",
            CheckState::Unknown => "?",
        }
    }
}

/// The classified result of one run of a check (stored as `as_str`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    Ok,
    /// `invalid_grant` (or the application's credentials were refused).
    WrongCredentials,
    /// `too_many_attempts`: the test user is blocked.
    Blocked,
    /// `unauthorized_client`: the application may not use the Password grant.
    GrantNotAllowed,
    /// `grant_type=password` without a default directory.
    NoDefaultConnection,
    MfaRequired,
    /// 429 from the rate limiter.
    RateLimited,
    /// 5xx.
    Auth0Error,
    Timeout,
    Unreachable,
    /// An answer Tenantry does not recognise.
    Unexpected,
    /// Reachability: the address answered, but nothing listens on the port (connection refused).
    Refused,
    /// Reachability: the TLS certificate would be refused (expired, untrusted, another name) or TLS failed.
    Certificate,
    /// Reachability: an HTTPS endpoint answered with another status than the one expected.
    WrongStatus,
    /// Reachability: the SMTP server's greeting or its answer to EHLO / STARTTLS was not what a mail server says.
    SmtpProblem,
}

impl Outcome {
    pub const ALL: [Outcome; 15] = [
        Outcome::Ok,
        Outcome::WrongCredentials,
        Outcome::Blocked,
        Outcome::GrantNotAllowed,
        Outcome::NoDefaultConnection,
        Outcome::MfaRequired,
        Outcome::RateLimited,
        Outcome::Auth0Error,
        Outcome::Timeout,
        Outcome::Unreachable,
        Outcome::Unexpected,
        Outcome::Refused,
        Outcome::Certificate,
        Outcome::WrongStatus,
        Outcome::SmtpProblem,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::WrongCredentials => "wrong_credentials",
            Outcome::Blocked => "blocked",
            Outcome::GrantNotAllowed => "grant_not_allowed",
            Outcome::NoDefaultConnection => "no_default_connection",
            Outcome::MfaRequired => "mfa_required",
            Outcome::RateLimited => "rate_limited",
            Outcome::Auth0Error => "auth0_error",
            Outcome::Timeout => "timeout",
            Outcome::Unreachable => "unreachable",
            Outcome::Unexpected => "unexpected",
            Outcome::Refused => "refused",
            Outcome::Certificate => "certificate",
            Outcome::WrongStatus => "wrong_status",
            Outcome::SmtpProblem => "smtp_problem",
        }
    }

    pub fn parse(raw: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == raw)
    }

    /// The outcome in words: `wrong credentials`.
    pub fn label(self) -> String {
        self.as_str().replace('_', " ")
    }

    pub fn is_ok(self) -> bool {
        self == Outcome::Ok
    }

    /// What to do about it, for the check page and the alert.
    pub fn advice(self) -> &'static str {
        match self {
            Outcome::Ok => "Login works.",
            Outcome::WrongCredentials => {
                "Auth0 refused the test user's username or password (or the application's client id and secret). \
                 Check the password in Auth0 and in this check; repeated failures will block the user."
            }
            Outcome::Blocked => {
                "The test user is blocked after too many failed attempts. Unblock it in the Auth0 Dashboard (User \
                 Management → Users → the user → Unblock) or with DELETE /api/v2/user-blocks/{user_id}, then fix \
                 what made the logins fail."
            }
            Outcome::GrantNotAllowed => {
                "The application may not use the Password grant: enable it in the Auth0 Dashboard (Applications → \
                 the application → Advanced Settings → Grant Types → Password)."
            }
            Outcome::NoDefaultConnection => {
                "grant_type=password needs a default directory: set Tenant Settings → API Authorization Settings → \
                 Default Directory, or switch this check to password-realm with the connection's name."
            }
            Outcome::MfaRequired => {
                "The test user must pass MFA, which a synthetic login cannot: exempt this user from MFA or use a \
                 user without it."
            }
            Outcome::RateLimited => {
                "Auth0 answered 429: the tenant is at a rate limit. Lower how often this tenant is checked, or find \
                 what else uses the limit (Logs, rate-limit events)."
            }
            Outcome::Auth0Error => {
                "Auth0 answered with a server error. Check Auth0's status for the tenant's region on the status board."
            }
            Outcome::Timeout => "Auth0 did not answer within 10 s. Check Auth0's status and the network path.",
            Outcome::Unreachable => {
                "Tenantry could not connect: DNS, network or firewall between Tenantry and Auth0 (or a wrong domain)."
            }
            Outcome::Unexpected => "Auth0's answer was not one Tenantry recognises; the detail shows it.",
            Outcome::Refused => {
                "The host answered but nothing listens on that port: the service is down or moved. Start it, or \
                 correct the port."
            }
            Outcome::Certificate => {
                "Auth0 refuses a certificate like this one too: renew it, install the whole chain, or make it cover \
                 the name (the detail says which)."
            }
            Outcome::WrongStatus => {
                "The endpoint answered with another status than expected: check the service's own health and what \
                 sits in front of it (a proxy, a WAF)."
            }
            Outcome::SmtpProblem => {
                "The mail server did not greet or offer STARTTLS as expected: Auth0 sends over TLS and gives up \
                 otherwise. Check the server and the STARTTLS setting."
            }
        }
    }

    /// What to do about it for a check of `kind`: reachability checks reach the company's own endpoints, not Auth0.
    pub fn advice_for(self, kind: &str) -> &'static str {
        if !is_reach_kind(kind) {
            return self.advice();
        }
        match self {
            Outcome::Ok => "The endpoint answers from where Tenantry runs.",
            Outcome::Timeout => {
                "No answer within 10 s: a firewall drops the traffic, or the service hangs. Check the firewall rules \
                 for Auth0's ranges (Infrastructure) and the service."
            }
            Outcome::Unreachable => {
                "Tenantry could not reach the host: its name does not resolve, the network has no route, or the \
                 settings do not allow this network (infra.reach_networks)."
            }
            Outcome::Unexpected => "The answer was not one Tenantry recognises; the detail shows it.",
            other => other.advice(),
        }
    }
}

/// The kinds of reachability check: endpoints of the company's own that Auth0 calls.
pub const REACH_KINDS: [&str; 3] = ["tcp", "https", "smtp"];

/// The notification kind of an alert of a check of `kind`.
pub fn alert_kind(kind: &str) -> &'static str {
    match kind {
        "login" => "synthetic_login_alert",
        k if is_reach_kind(k) => "reachability_alert",
        _ => "monitoring_alert",
    }
}

/// Whether a check of `kind` is a reachability check.
pub fn is_reach_kind(kind: &str) -> bool {
    REACH_KINDS.contains(&kind)
}

/// What a check does, in words.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "testall" => "Monitoring endpoint /testall",
        "test" => "Monitoring endpoint /test",
        "login" => "Synthetic login",
        "tcp" => "Reachability: TCP connect",
        "https" => "Reachability: HTTPS status and certificate",
        "smtp" => "Reachability: SMTP greeting and STARTTLS",
        _ => "Unknown",
    }
}

/// One run of a check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRow {
    pub at: DateTime<Utc>,
    pub outcome: Outcome,
    pub latency_ms: i32,
    pub http_status: Option<i32>,
    pub detail: String,
    /// Inside a maintenance window: recorded, not alerted.
    pub maintenance: bool,
}

/// A check as the list shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckRow {
    pub id: CheckId,
    pub name: String,
    pub kind: String,
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub tenant_domain: String,
    /// Reachability checks: the endpoint (`host:port` or an https URL).
    pub target: Option<String>,
    pub state: CheckState,
    pub interval_secs: i32,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_outcome: Option<Outcome>,
    /// Share of successful runs in the last 24 hours, in percent.
    pub uptime_24h: Option<f64>,
    /// The latest runs, oldest first, for the sparkline: (latency ms, ok).
    pub recent: Vec<(i32, bool)>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MonitoringQuery {
    pub tenant: Option<TenantId>,
    pub state: Option<CheckState>,
    /// `Some(true)`: reachability checks only; `Some(false)`: the Auth0 checks only.
    pub reach: Option<bool>,
    pub page: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonitoringList {
    pub rows: Vec<CheckRow>,
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    /// Registered tenants, for the filter: (id, name).
    pub tenants: Vec<(TenantId, String)>,
    /// Checks by state over all pages: (state, count).
    pub counts: Vec<(CheckState, i64)>,
}

/// Uptime and latency over one range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// `24 h`, `7 d`, `30 d`, `90 d`.
    pub label: String,
    pub runs: i64,
    pub uptime: Option<f64>,
    pub p50: Option<i32>,
    pub p95: Option<i32>,
    pub p99: Option<i32>,
}

/// One bucket of a chart (an hour or a day).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub at: DateTime<Utc>,
    pub runs: i64,
    pub ok: i64,
    pub p50: Option<i32>,
    pub p95: Option<i32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertRow {
    pub opened_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MaintenanceRow {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: String,
    /// `this check` or `every check of the tenant`.
    pub scope: String,
}

/// A check's page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckDetail {
    pub row: CheckRow,
    pub enabled: bool,
    /// What to do about the last failure (empty when the last run passed).
    pub advice: Option<String>,
    /// Settings worth showing (never secrets): (label, value).
    pub settings: Vec<(String, String)>,
    pub figures: Vec<Figures>,
    /// The chart's range key (`24h`, `7d`, `30d`, `90d`) and its points.
    pub range: String,
    pub points: Vec<Point>,
    pub failures: Vec<RunRow>,
    pub alerts: Vec<AlertRow>,
    pub maintenance: Vec<MaintenanceRow>,
    /// Synthetic logins per minute: (this check, all of the tenant's, the budget).
    pub budget: Option<(f64, f64, f64)>,
}

/// The add and edit form. Numbers arrive as text and are checked by the engine.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckForm {
    pub tenant_id: String,
    pub kind: String,
    pub name: String,
    pub interval_secs: String,
    /// `password` or `password_realm`.
    pub grant_type: String,
    pub realm: String,
    pub username: String,
    /// Blank when editing: keep the stored one.
    pub password: String,
    pub client_id: String,
    pub client_secret: String,
    pub audience: String,
    pub scope: String,
    /// Reachability: `host:port` (tcp, smtp) or an https URL (https).
    pub target: String,
    /// Reachability (https): the status the endpoint should answer with (200 when blank).
    pub expect_status: String,
    /// Reachability (smtp): `required` when the server must offer STARTTLS, else `no`.
    pub starttls: String,
    pub fail_threshold: String,
    pub success_threshold: String,
    pub reminder_minutes: String,
}

/// What the monitoring pages need from the engine.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait MonitoringPort: Send + Sync + 'static {
    async fn list(&self, query: MonitoringQuery) -> Result<MonitoringList, AppError>;
    async fn detail(&self, id: CheckId, range: &str) -> Result<CheckDetail, AppError>;
    /// The form of an existing check (secrets blank), or a new one's defaults when `id` is `None`, with the tenants
    /// to choose from: (id, "name (domain)").
    async fn form(&self, id: Option<CheckId>) -> Result<(CheckForm, Vec<(TenantId, String)>), AppError>;
    async fn add(&self, by: &crate::accounts::Acting, form: CheckForm) -> Result<CheckId, AppError>;
    async fn update(&self, by: &crate::accounts::Acting, id: CheckId, form: CheckForm) -> Result<(), AppError>;
    async fn set_enabled(&self, by: &crate::accounts::Acting, id: CheckId, enabled: bool) -> Result<(), AppError>;
    async fn remove(&self, by: &crate::accounts::Acting, id: CheckId) -> Result<(), AppError>;
    async fn run_now(&self, id: CheckId) -> Result<(), AppError>;
    /// `scope`: `check` or `tenant`; times as `YYYY-MM-DDTHH:MM` in UTC.
    async fn add_maintenance(
        &self,
        by: &crate::accounts::Acting,
        id: CheckId,
        scope: &str,
        starts: &str,
        ends: &str,
        reason: &str,
    ) -> Result<(), AppError>;
}
