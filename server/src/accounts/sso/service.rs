//! The rules of a single sign-on: who the identity is in the console, what role they get, and the audit log of
//! every sign-in, refusal and role change. One transaction per sign-in.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::super::audit::{self, Action, Actor};
use super::super::repo::User;
use super::super::{DisplayName, Email, repo as accounts_repo};
use super::{Identity, SsoError, SsoSettings, repo, roles};

/// Signs the identity in: the user linked to its issuer and subject; else the user with its email, linked now
/// when the provider verified that email and no other identity holds the account; else a new user with the role
/// the claim maps to (or the default role). A role the claim maps to replaces the user's role (audit-logged); a
/// claim that maps to nothing leaves an existing user's role alone. A disabled user stays out.
pub async fn sign_in(
    pool: &PgPool,
    options: &SsoSettings,
    identity: &Identity,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<User, SsoError> {
    let claimed = roles::role_from(&identity.claim_values, &options.role_map);
    let mut tx = pool.begin().await?;
    let (id, how) = match repo::by_subject(&mut tx, &identity.issuer, &identity.subject).await? {
        Some(id) => (id, "known"),
        None => {
            let email = identity.email.as_deref().and_then(|e| Email::parse(e).ok()).ok_or(SsoError::NoEmail)?;
            match repo::by_email(&mut tx, email.as_str()).await? {
                Some(found) if !found.linked && identity.email_verified => {
                    repo::link(&mut tx, found.id, &identity.issuer, &identity.subject).await?;
                    (found.id, "linked by verified email")
                }
                Some(found) if found.linked => return Err(SsoError::EmailInUse("another identity holds it")),
                Some(_) => return Err(SsoError::EmailInUse("the provider has not verified this email address")),
                None => {
                    let role = claimed.or(options.default_role).ok_or(SsoError::NoRole)?;
                    let name = identity
                        .name
                        .as_deref()
                        .and_then(|n| DisplayName::parse(n).ok())
                        .or_else(|| DisplayName::parse(email.as_str()).ok())
                        .ok_or(SsoError::NoEmail)?;
                    let id = repo::insert(&mut tx, &email, &name, role, &identity.issuer, &identity.subject).await?;
                    let detail = format!("role {role} from single sign-on");
                    audit::record(
                        &mut tx,
                        &Actor::SingleSignOn,
                        Action::UserCreated,
                        email.as_str(),
                        client_ip,
                        &detail,
                    )
                    .await?;
                    (id, "created")
                }
            }
        }
    };
    let user = repo::user(&mut tx, id).await?.ok_or(SsoError::Disabled)?;
    if user.disabled {
        return Err(SsoError::Disabled);
    }
    let user = match claimed {
        Some(role) if role != user.role => {
            accounts_repo::set_role(&mut tx, user.id, role).await?;
            let detail = format!("{} → {role} (the provider's {} claim)", user.role, options.roles_claim);
            audit::record(&mut tx, &Actor::SingleSignOn, Action::UserRoleChanged, &user.email, client_ip, &detail)
                .await?;
            User { role, ..user }
        }
        _ => user,
    };
    accounts_repo::touch_sign_in(&mut tx, user.id, now).await?;
    let actor = Actor::User { id: user.id, email: user.email.clone() };
    let detail = format!("{how}; issuer {}; subject {}", identity.issuer, identity.subject);
    audit::record(&mut tx, &actor, Action::SsoSignIn, &user.email, client_ip, &detail).await?;
    tx.commit().await?;
    Ok(user)
}

/// Records a refused single sign-on: who it was when the token was good, and why.
pub async fn refused(pool: &PgPool, identity: Option<&Identity>, error: &SsoError, client_ip: &str) {
    let who = identity.map(|i| i.email.clone().unwrap_or_else(|| i.subject.clone())).unwrap_or_default();
    let record = async {
        let mut conn = pool.acquire().await?;
        let actor = Actor::Anonymous { typed: if who.is_empty() { "single sign-on".into() } else { who.clone() } };
        audit::record(&mut conn, &actor, Action::SsoRefused, &who, client_ip, &error.to_string()).await
    };
    if let Err(e) = record.await {
        tracing::warn!(error = %e, "cannot audit a refused single sign-on");
    }
}
