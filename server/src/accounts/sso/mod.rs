//! Single sign-on through an OpenID Connect provider (often Auth0 itself): the authorization code flow with PKCE,
//! state and nonce, the ID token checked by the `openidconnect` crate (issuer, audience, expiry, signature through
//! the provider's published keys), roles from a claim. Files:
//! - `provider` — discovery (cached), the authorization URL, the code exchange and the token checks; every request
//!   through the outbound client (`outbound::Client`, no redirects followed);
//! - `roles` — the pure rule from a roles or groups claim to a console role;
//! - `service` — a signed-in identity becomes a console user (found by issuer and subject, linked by verified email,
//!   or created), its role follows the claim, every sign-in and refusal in the audit log;
//! - `repo` — the SQL of the provider's link on `accounts_users`.
//!
//! HTTP: `http::sso` (`/login/sso`, `/login/sso/callback`); sign-out in `http::auth` ends the provider's session too
//! when it publishes an end-session endpoint.

pub mod provider;
pub mod repo;
pub mod roles;
pub mod service;

pub use crate::config::SsoSettings;

/// Who the provider says signed in, after every check passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    /// The values of the roles claim (empty when the token has none).
    pub claim_values: Vec<String>,
}

/// Why a single sign-on did not sign anyone in. `key()` travels in the redirect to `/login`; the audit log keeps
/// the whole reason.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    #[error("single sign-on is not configured")]
    NotConfigured,
    #[error(
        "the sign-in had no pending request in this browser, or its state did not match (started elsewhere or expired)"
    )]
    State,
    #[error("the identity provider refused: {0}")]
    Denied(String),
    #[error("the identity provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the identity provider's answer was not usable: {0}")]
    BadAnswer(String),
    #[error("the ID token was refused: {0}")]
    Token(String),
    #[error("the identity provider sent no email address for a new user")]
    NoEmail,
    #[error("a console user already has this email address and cannot be linked: {0}")]
    EmailInUse(&'static str),
    #[error("the roles claim maps to no console role and no default role is set")]
    NoRole,
    #[error("the account is disabled")]
    Disabled,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl SsoError {
    /// The key `/login?error=` shows in words (`app::accounts` pages).
    pub fn key(&self) -> &'static str {
        match self {
            SsoError::NotConfigured => "sso_off",
            SsoError::State => "sso_state",
            SsoError::Denied(_) => "sso_denied",
            SsoError::Unreachable(_) | SsoError::BadAnswer(_) => "sso_provider",
            SsoError::Token(_) => "sso_token",
            SsoError::NoEmail => "sso_no_email",
            SsoError::NoRole => "sso_no_role",
            SsoError::EmailInUse(_) => "sso_email_in_use",
            SsoError::Disabled => "sso_disabled",
            SsoError::Database(_) => "unavailable",
        }
    }
}
