//! API tokens for scripts and dashboards: personal tokens (a user's own, acting as that user with at most the
//! user's role — and never more than the user has at the moment of use) and service tokens (made by an admin, with
//! a role of their own). A token is shown once; only its SHA-256 is kept. Each has an expiry, its last use and a
//! revocation; every use of a revoked or expired token is refused (401) and recorded in the audit log. Files:
//! `repo` (SQL), `service` (make, list, revoke, authenticate). The `/api/v1/` routes accept tokens only
//! (`http::auth::load_user`); `http::tokens` shows a new token once.

pub mod repo;
pub mod service;

use std::fmt;

use app::accounts::Role;
use sha2::{Digest, Sha256};

/// What every token starts with: secret scanners (and people) can tell a Tenantry token at a glance.
pub const TOKEN_PREFIX: &str = "tenantry_";
/// Characters of the token people see to tell tokens apart (the prefix and the first characters of the secret).
const SHOWN_CHARS: usize = TOKEN_PREFIX.len() + 6;
/// The longest life a token may have.
pub const MAX_DAYS: i64 = 365;

/// A personal or a service token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Personal,
    Service,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Personal => "personal",
            Kind::Service => "service",
        }
    }

    pub fn parse(raw: &str) -> Option<Kind> {
        match raw {
            "personal" => Some(Kind::Personal),
            "service" => Some(Kind::Service),
            _ => None,
        }
    }
}

/// A new token's secret: shown once, then only its hash is kept. Its `Debug` never shows it.
pub struct Secret(String);

impl Secret {
    /// 32 random bytes, hex: `tenantry_` + 64 hex characters.
    pub fn generate() -> Secret {
        Secret(format!("{TOKEN_PREFIX}{}", super::password::random_token()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(redacted)")
    }
}

/// The hash a token is kept and found by. Tokens carry 256 random bits, so a fast hash is enough (no salt, no
/// stretching: there is nothing to guess).
pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The part of a token shown in lists (`tenantry_3fa9c1…`).
pub fn shown(token: &str) -> String {
    token.chars().take(SHOWN_CHARS).collect()
}

/// Whether a bearer credential looks like a token at all (before any lookup).
pub fn well_formed(token: &str) -> bool {
    token.strip_prefix(TOKEN_PREFIX).is_some_and(|rest| rest.len() == 64 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A checked request for a new token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewToken {
    pub kind: Kind,
    pub name: String,
    pub role: Role,
    pub days: i64,
}

/// What is wrong with a new token's form, or with revoking one.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the name must be 1 to 60 characters, without control characters")]
    Name,
    #[error("the role is not one of helpdesk, developer, ops_lead, admin")]
    RoleUnknown,
    #[error("a personal token cannot have a role above your own ({0})")]
    AboveYourRole(Role),
    #[error("only admins make service tokens")]
    ServiceNeedsAdmin,
    #[error("the life must be a whole number of days from 1 to {MAX_DAYS}")]
    Days,
    #[error("no such token, or it is not yours")]
    NotFound,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl TokenError {
    /// The key `/settings/tokens?error=` shows in words (`app::accounts::tokens`).
    pub fn key(&self) -> &'static str {
        match self {
            TokenError::Name => "name",
            TokenError::RoleUnknown => "role",
            TokenError::AboveYourRole(_) => "above_role",
            TokenError::ServiceNeedsAdmin => "service_admin",
            TokenError::Days => "days",
            TokenError::NotFound => "not_found",
            TokenError::Database(_) => "unavailable",
        }
    }
}

impl NewToken {
    /// Checks a form as typed, for a maker with `maker` role.
    pub fn parse(kind: &str, name: &str, role: &str, days: &str, maker: Role) -> Result<NewToken, TokenError> {
        let kind = Kind::parse(kind.trim()).unwrap_or(Kind::Personal);
        let name = name.trim();
        let count = name.chars().count();
        if !(1..=60).contains(&count) || name.chars().any(char::is_control) {
            return Err(TokenError::Name);
        }
        let role = Role::parse(role).map_err(|_| TokenError::RoleUnknown)?;
        let days: i64 = days.trim().parse().ok().filter(|d| (1..=MAX_DAYS).contains(d)).ok_or(TokenError::Days)?;
        match kind {
            Kind::Service if maker < Role::Admin => return Err(TokenError::ServiceNeedsAdmin),
            Kind::Personal if role > maker => return Err(TokenError::AboveYourRole(maker)),
            _ => {}
        }
        Ok(NewToken { kind, name: name.to_string(), role, days })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_recognisable_and_only_their_start_is_shown() {
        let a = Secret::generate();
        let b = Secret::generate();
        assert_ne!(a.expose(), b.expose());
        assert!(well_formed(a.expose()), "{}", a.expose());
        assert_eq!(shown(a.expose()).len(), TOKEN_PREFIX.len() + 6);
        assert!(!format!("{a:?}").contains(&a.expose()[10..]));
        assert_eq!(digest(a.expose()).len(), 32);
        for bad in ["", "tenantry_", "tenantry_xyz", "Bearer tenantry_00", &format!("tenantry_{}", "g".repeat(64))] {
            assert!(!well_formed(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_new_token_form_is_checked_against_the_makers_role() {
        let ok = NewToken::parse("personal", " grafana ", "developer", "90", Role::Developer).expect("valid");
        assert_eq!((ok.kind, ok.name.as_str(), ok.role, ok.days), (Kind::Personal, "grafana", Role::Developer, 90));
        assert!(matches!(
            NewToken::parse("personal", "x", "admin", "90", Role::Developer),
            Err(TokenError::AboveYourRole(Role::Developer))
        ));
        assert!(matches!(
            NewToken::parse("service", "ci", "helpdesk", "90", Role::OpsLead),
            Err(TokenError::ServiceNeedsAdmin)
        ));
        assert!(NewToken::parse("service", "ci", "admin", "30", Role::Admin).is_ok());
        assert!(matches!(NewToken::parse("personal", "", "helpdesk", "9", Role::Admin), Err(TokenError::Name)));
        assert!(matches!(NewToken::parse("personal", "x", "root", "9", Role::Admin), Err(TokenError::RoleUnknown)));
        for days in ["0", "366", "-1", "ten", ""] {
            assert!(matches!(NewToken::parse("personal", "x", "helpdesk", days, Role::Admin), Err(TokenError::Days)));
        }
    }
}
