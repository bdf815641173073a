//! The rules of API tokens: making one (shown once), listing (your own; admins see every token), revoking, and
//! turning a bearer credential into the request's user — or refusing it, with the refusal of a revoked or expired
//! token in the audit log.

use app::accounts::CurrentUser;
use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::repo::{self, Found, Listed};
use super::{Kind, NewToken, Secret, TokenError, digest, shown, well_formed};
use crate::accounts::audit::{self, Action, Actor};
use crate::accounts::{Role, UserId};

/// A token just made: the only moment its secret exists outside the caller's hands.
#[derive(Debug)]
pub struct Made {
    pub id: Uuid,
    pub secret: Secret,
    pub name: String,
    pub kind: Kind,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
}

/// Who asks: the signed-in user's id and role.
#[derive(Clone, Copy, Debug)]
pub struct Viewer {
    pub id: UserId,
    pub role: Role,
}

/// Makes a token for `viewer` (personal) or an admin's service token.
pub async fn make(
    pool: &PgPool,
    actor: &Actor,
    viewer: Viewer,
    new: NewToken,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<Made, TokenError> {
    let secret = Secret::generate();
    let expires_at = now + Duration::days(new.days);
    let owner = (new.kind == Kind::Personal).then_some(viewer.id);
    let mut tx = pool.begin().await?;
    let id = repo::insert(
        &mut tx,
        &new,
        owner,
        Some(viewer.id),
        &shown(secret.expose()),
        &digest(secret.expose()),
        expires_at,
    )
    .await?;
    let detail = format!(
        "{} token {:?}, role {}, expires {}",
        new.kind.as_str(),
        new.name,
        new.role,
        expires_at.format("%Y-%m-%d %H:%M UTC")
    );
    audit::record(&mut tx, actor, Action::ApiTokenMade, &new.name, client_ip, &detail).await?;
    tx.commit().await?;
    Ok(Made { id, secret, name: new.name, kind: new.kind, role: new.role, expires_at })
}

/// The tokens a viewer may see: their own, or every token for an admin.
pub async fn list(pool: &PgPool, viewer: Viewer) -> Result<Vec<Listed>, sqlx::Error> {
    let scope = (viewer.role < Role::Admin).then_some(viewer.id);
    repo::list(&mut *pool.acquire().await?, scope).await
}

/// Revokes a token: one's own, or any for an admin.
pub async fn revoke(
    pool: &PgPool,
    actor: &Actor,
    viewer: Viewer,
    id: Uuid,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<String, TokenError> {
    let scope = (viewer.role < Role::Admin).then_some(viewer.id);
    let mut tx = pool.begin().await?;
    let name = repo::revoke(&mut tx, id, scope, now).await?.ok_or(TokenError::NotFound)?;
    audit::record(&mut tx, actor, Action::ApiTokenRevoked, &name, client_ip, "").await?;
    tx.commit().await?;
    Ok(name)
}

/// Why a bearer credential was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the token is not one this console made")]
    Unknown,
    #[error("the token {0:?} was revoked")]
    Revoked(String),
    #[error("the token {0:?} has expired")]
    Expired(String),
    #[error("the owner of the token {0:?} is disabled")]
    OwnerDisabled(String),
}

/// The request's user for a bearer token, or why not. Refusals of known tokens (revoked, expired, owner disabled)
/// are in the audit log; an unknown token is not (anyone can send garbage, and it must not fill the log).
pub async fn authenticate(
    pool: &PgPool,
    token: &str,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<Result<CurrentUser, Refusal>, sqlx::Error> {
    if !well_formed(token) {
        return Ok(Err(Refusal::Unknown));
    }
    let mut conn = pool.acquire().await?;
    let Some(found) = repo::by_hash(&mut conn, &digest(token)).await? else {
        return Ok(Err(Refusal::Unknown));
    };
    let refusal = if found.revoked_at.is_some() {
        Some(Refusal::Revoked(found.name.clone()))
    } else if found.expires_at <= now {
        Some(Refusal::Expired(found.name.clone()))
    } else if found.owner.as_ref().is_some_and(|o| o.disabled)
        || (found.kind == Kind::Personal && found.owner.is_none())
    {
        Some(Refusal::OwnerDisabled(found.name.clone()))
    } else {
        None
    };
    if let Some(refusal) = refusal {
        let actor = Actor::Anonymous { typed: format!("API token {}", shown(token)) };
        let detail = refusal.to_string();
        audit::record(&mut conn, &actor, Action::ApiTokenRefused, &found.name, client_ip, &detail).await?;
        return Ok(Err(refusal));
    }
    repo::touch(&mut conn, found.id, client_ip, now).await?;
    Ok(Ok(user_of(&found)))
}

/// The user a good token acts as: a personal token's owner with the lower of the two roles; a service token as
/// itself.
fn user_of(found: &Found) -> CurrentUser {
    match &found.owner {
        Some(owner) => CurrentUser {
            id: owner.id.to_string(),
            email: owner.email.clone(),
            display_name: owner.display_name.clone(),
            role: found.role.min(owner.role),
            service_token: None,
        },
        None => CurrentUser {
            id: found.id.to_string(),
            email: format!("service token {}", found.name),
            display_name: found.name.clone(),
            role: found.role,
            service_token: Some(found.name.clone()),
        },
    }
}
