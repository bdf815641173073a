//! The rules of accounts: sign-in with throttling, first-run setup, user administration. Every state change
//! writes the audit log in the same transaction.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

use super::audit::{self, Action, Actor};
use super::repo::{self, User};
use super::throttle::{self, Verdict};
use super::{AccountError, DisplayName, Email, NewPassword, Role, password};

/// The longest email address kept from a sign-in form (RFC 5321's limit); longer input is cut, never stored.
pub const MAX_TYPED_EMAIL: usize = 254;

/// Password hashes computed at once (each takes ~19 MiB and one core for a moment). More sign-ins queue here,
/// holding no database connection, instead of starving the pool or the memory.
fn hashing() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS
        .get_or_init(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)))
}

/// Runs a password hash or check on the blocking pool, at most `hashing()` at a time.
async fn hash_work<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let _slot = hashing().acquire().await.ok()?;
    tokio::task::spawn_blocking(work).await.ok()
}

/// Signs a person in, or says why not. Unknown accounts, disabled accounts and wrong passwords give the same
/// answer after the same amount of hashing work. A database connection is held only for the short reads and
/// writes, never while a password is hashed or a slow-down waits (see `throttle`).
pub async fn sign_in(
    pool: &PgPool,
    typed_email: &str,
    typed_password: String,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<User, AccountError> {
    let email: String = typed_email.trim().to_lowercase().chars().take(MAX_TYPED_EMAIL).collect();
    let since = now - Duration::minutes(throttle::WINDOW_MINUTES);
    let (delay, found) = {
        let mut conn = pool.acquire().await?;
        let failures = repo::failures_since(&mut conn, &email, client_ip, since).await?;
        let delay = match throttle::judge(&failures, now) {
            Verdict::Proceed { delay } => delay,
            Verdict::Wait(wait) => {
                let detail = format!("wait {} s", wait.num_seconds());
                let actor = Actor::Anonymous { typed: email.clone() };
                audit::record(&mut conn, &actor, Action::SignInThrottled, &email, client_ip, &detail).await?;
                return Err(AccountError::Throttled { seconds: ((wait.num_milliseconds() + 999) / 1000).max(1) });
            }
        };
        (delay, repo::credentials(&mut conn, &email).await?)
    };
    if let Ok(delay) = delay.to_std()
        && !delay.is_zero()
    {
        tokio::time::sleep(delay).await;
    }
    let checked = hash_work(move || match found {
        Some((user, hash)) => {
            let ok = password::verify(&typed_password, &hash);
            (ok && !user.disabled).then_some(user)
        }
        None => {
            password::verify_against_nothing(&typed_password);
            None
        }
    })
    .await
    .ok_or(AccountError::InvalidCredentials)?;

    let mut tx = pool.begin().await?;
    match checked {
        Some(user) => {
            repo::touch_sign_in(&mut tx, user.id, now).await?;
            repo::forget_failures(&mut tx, &email, client_ip).await?;
            let actor = Actor::User { id: user.id, email: user.email.clone() };
            audit::record(&mut tx, &actor, Action::SignIn, &user.email, client_ip, "").await?;
            tx.commit().await?;
            Ok(user)
        }
        None => {
            repo::record_failure(&mut tx, &email, client_ip, now).await?;
            audit::record(
                &mut tx,
                &Actor::Anonymous { typed: email.clone() },
                Action::SignInFailed,
                &email,
                client_ip,
                "",
            )
            .await?;
            tx.commit().await?;
            Err(AccountError::InvalidCredentials)
        }
    }
}

/// Records a sign-out.
pub async fn signed_out(pool: &PgPool, actor: &Actor, client_ip: &str) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let target = actor.label();
    audit::record(&mut conn, actor, Action::SignOut, &target, client_ip, "").await
}

/// Input for a new user, as typed.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password: &'a str,
}

/// Creates a user after checking every field.
pub async fn create_user(
    pool: &PgPool,
    actor: &Actor,
    new: NewUser<'_>,
    client_ip: &str,
) -> Result<User, AccountError> {
    let email = Email::parse(new.email)?;
    let name = DisplayName::parse(new.display_name)?;
    let password = NewPassword::parse(new.password, &email)?;
    let hash = hash_work(move || password::hash(&password)).await.ok_or(AccountError::PasswordTooLong)?;
    let mut tx = pool.begin().await?;
    let user = repo::insert(&mut tx, &email, &name, new.role, &hash).await?;
    audit::record(&mut tx, actor, Action::UserCreated, &user.email, client_ip, &format!("role {}", new.role)).await?;
    tx.commit().await?;
    Ok(user)
}

/// People may not lock themselves out: no changing your own role, no disabling yourself.
fn not_yourself(actor: &Actor, user: &User) -> Result<(), AccountError> {
    match actor {
        Actor::User { id, .. } if *id == user.id => Err(AccountError::Yourself),
        _ => Ok(()),
    }
}

/// Changes a user's role.
pub async fn set_role(
    pool: &PgPool,
    actor: &Actor,
    email: &str,
    role: Role,
    client_ip: &str,
) -> Result<User, AccountError> {
    let email = Email::parse(email)?;
    let mut tx = pool.begin().await?;
    let user = repo::by_email(&mut tx, &email).await?;
    not_yourself(actor, &user)?;
    repo::set_role(&mut tx, user.id, role).await?;
    let detail = format!("{} → {}", user.role, role);
    audit::record(&mut tx, actor, Action::UserRoleChanged, &user.email, client_ip, &detail).await?;
    tx.commit().await?;
    Ok(User { role, ..user })
}

/// Disables or re-enables a user. A disabled user's sessions stop working at their next request.
pub async fn set_disabled(
    pool: &PgPool,
    actor: &Actor,
    email: &str,
    disabled: bool,
    client_ip: &str,
) -> Result<User, AccountError> {
    let email = Email::parse(email)?;
    let mut tx = pool.begin().await?;
    let user = repo::by_email(&mut tx, &email).await?;
    not_yourself(actor, &user)?;
    repo::set_disabled(&mut tx, user.id, disabled).await?;
    let action = if disabled { Action::UserDisabled } else { Action::UserEnabled };
    audit::record(&mut tx, actor, action, &user.email, client_ip, "").await?;
    tx.commit().await?;
    Ok(User { disabled, ..user })
}

/// Sets a new password for a user (an admin's reset, or the command line); the sessions the user had end.
pub async fn reset_password(
    pool: &PgPool,
    actor: &Actor,
    email: &str,
    new_password: &str,
    client_ip: &str,
) -> Result<User, AccountError> {
    let email = Email::parse(email)?;
    let password = NewPassword::parse(new_password, &email)?;
    let hash = hash_work(move || password::hash(&password)).await.ok_or(AccountError::PasswordTooLong)?;
    let mut tx = pool.begin().await?;
    let user = repo::by_email(&mut tx, &email).await?;
    repo::set_password(&mut tx, user.id, &hash, Utc::now()).await?;
    audit::record(&mut tx, actor, Action::PasswordReset, &user.email, client_ip, "").await?;
    tx.commit().await?;
    Ok(user)
}

/// The one-time setup token printed in the server log while no user exists.
#[derive(Clone, Default)]
pub struct SetupToken(Arc<Mutex<Option<String>>>);

impl SetupToken {
    /// Makes a token when the database has no user yet; returns it so the caller can print it once.
    pub async fn prepare(&self, pool: &PgPool) -> Result<Option<String>, sqlx::Error> {
        let users = repo::count(&mut *pool.acquire().await?).await?;
        let mut slot = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *slot = (users == 0).then(password::random_token);
        Ok(slot.clone())
    }

    fn take_if(&self, typed: &str) -> Result<(), AccountError> {
        let mut slot = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match slot.as_deref() {
            None => Err(AccountError::SetupDone),
            Some(token) if password::constant_time_eq(token, typed.trim()) => {
                *slot = None;
                Ok(())
            }
            Some(_) => Err(AccountError::SetupToken),
        }
    }

    fn put_back(&self, token: &str) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(token.to_string());
    }

    pub fn is_open(&self) -> bool {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).is_some()
    }

    /// Whether setup is still needed: open, and still no user (one may have been added from the command line).
    /// Closes the token when users exist.
    pub async fn still_needed(&self, pool: &PgPool) -> bool {
        if !self.is_open() {
            return false;
        }
        let users = match pool.acquire().await {
            Ok(mut conn) => repo::count(&mut conn).await.unwrap_or(0),
            Err(_) => 0,
        };
        if users > 0 {
            *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
        users == 0
    }
}

/// Creates the first admin with the setup token. The token works once, and only while no user exists.
pub async fn complete_setup(
    pool: &PgPool,
    setup: &SetupToken,
    token: &str,
    new: NewUser<'_>,
    client_ip: &str,
) -> Result<User, AccountError> {
    if repo::count(&mut *pool.acquire().await?).await? > 0 {
        return Err(AccountError::SetupDone);
    }
    setup.take_if(token)?;
    let actor = Actor::Anonymous { typed: new.email.trim().to_lowercase() };
    match create_user(pool, &actor, NewUser { role: Role::Admin, ..new }, client_ip).await {
        Ok(user) => {
            let mut conn = pool.acquire().await?;
            let actor = Actor::User { id: user.id, email: user.email.clone() };
            audit::record(&mut conn, &actor, Action::SetupCompleted, &user.email, client_ip, "first admin").await?;
            Ok(user)
        }
        Err(e) => {
            setup.put_back(token.trim());
            Err(e)
        }
    }
}
