//! The `accounts` area: users and roles, password hashing, sign-in with throttling, first-run setup and the audit
//! log; single sign-on through an OpenID Connect provider (`sso`); API tokens (`tokens`). HTTP handlers and the access policy live in `http::auth` and `http::access`.

pub mod audit;
pub mod housekeeping;
pub mod password;
pub mod port;
pub mod repo;
pub mod service;
pub mod sso;
pub mod throttle;
pub mod tokens;

use std::fmt;

pub use app::accounts::Role;

/// A user's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, sqlx::Type)]
#[sqlx(transparent)]
pub struct UserId(pub uuid::Uuid);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An email address as an account name: trimmed, lowercased, one `@` with text on both sides, no spaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, AccountError> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
            })
            && email.matches('@').count() == 1
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid { Ok(Email(email)) } else { Err(AccountError::EmailInvalid) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A display name: trimmed, 1–100 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<DisplayName, AccountError> {
        let name = raw.trim();
        let count = name.chars().count();
        if (1..=100).contains(&count) && !name.chars().any(char::is_control) {
            Ok(DisplayName(name.to_string()))
        } else {
            Err(AccountError::NameInvalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that meets the policy: at least 12 characters, at most 1,024, and not the email address (nor its
/// part before the `@`). Its `Debug` never shows it.
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 1024;

    pub fn parse(raw: &str, email: &Email) -> Result<NewPassword, AccountError> {
        let count = raw.chars().count();
        if count < Self::MIN_CHARS {
            return Err(AccountError::PasswordTooShort);
        }
        if count > Self::MAX_CHARS {
            return Err(AccountError::PasswordTooLong);
        }
        let lowered = raw.trim().to_lowercase();
        let local = email.as_str().split('@').next().unwrap_or_default();
        if lowered == email.as_str() || lowered == local {
            return Err(AccountError::PasswordIsEmail);
        }
        Ok(NewPassword(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(redacted)")
    }
}

/// What can go wrong with accounts, each said so a person knows what to do.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("the email address is not valid; expected name@example.com")]
    EmailInvalid,
    #[error("the display name must be 1 to 100 characters")]
    NameInvalid,
    #[error("the password must be at least 12 characters long")]
    PasswordTooShort,
    #[error("the password must be at most 1,024 characters long")]
    PasswordTooLong,
    #[error("the password must not be the email address")]
    PasswordIsEmail,
    #[error("a user with this email address already exists")]
    EmailTaken,
    #[error("no user has this email address")]
    UnknownUser,
    #[error("you cannot change your own role or disable yourself; ask another admin")]
    Yourself,
    #[error("the email or password is wrong")]
    InvalidCredentials,
    #[error("too many failed sign-ins; try again in {seconds} s")]
    Throttled { seconds: i64 },
    #[error("the setup token is wrong; copy it from the server log")]
    SetupToken,
    #[error("setup is already done; sign in instead")]
    SetupDone,
    #[error("password sign-in is turned off; sign in with single sign-on")]
    PasswordsOff,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl AccountError {
    /// The key a form redirect carries (`?error=KEY`); the page turns it into `app::accounts::Problem`'s text.
    pub fn key(&self) -> &'static str {
        match self {
            AccountError::EmailInvalid => "email_invalid",
            AccountError::NameInvalid => "name_invalid",
            AccountError::PasswordTooShort => "password_short",
            AccountError::PasswordTooLong => "password_long",
            AccountError::PasswordIsEmail => "password_is_email",
            AccountError::EmailTaken => "email_taken",
            AccountError::UnknownUser | AccountError::InvalidCredentials | AccountError::Yourself => "invalid",
            AccountError::Throttled { .. } => "throttled",
            AccountError::SetupToken => "setup_token",
            AccountError::SetupDone => "setup_done",
            AccountError::PasswordsOff => "passwords_off",
            AccountError::Database(_) => "unavailable",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("  Ops@Example.COM ").expect("valid").as_str(), "ops@example.com");
        for bad in ["", "ops", "@example.com", "ops@", "ops@example", "a b@example.com", "a@b@example.com"] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_password_policy_says_what_is_wrong() {
        let email = Email::parse("ops.lead@example.com").expect("valid");
        assert!(matches!(NewPassword::parse("short", &email), Err(AccountError::PasswordTooShort)));
        assert!(matches!(NewPassword::parse("OPS.LEAD@example.com", &email), Err(AccountError::PasswordIsEmail)));
        assert!(NewPassword::parse("ops.lead.....", &email).is_ok());
        assert!(matches!(NewPassword::parse(&"x".repeat(1025), &email), Err(AccountError::PasswordTooLong)));
        let ok = NewPassword::parse("correct horse battery", &email).expect("valid");
        assert!(!format!("{ok:?}").contains("horse"));
    }
}
