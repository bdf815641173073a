//! The SQL of API tokens (`accounts_api_tokens`).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Kind, NewToken};
use crate::accounts::{Role, UserId};

/// A token as lists show it (never its hash).
#[derive(Clone, Debug)]
pub struct Listed {
    pub id: Uuid,
    pub kind: String,
    pub name: String,
    pub owner: Option<String>,
    pub role: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub last_used_ip: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A token found by its hash, with its owner when it is personal.
#[derive(Clone, Debug)]
pub struct Found {
    pub id: Uuid,
    pub kind: Kind,
    pub name: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub owner: Option<Owner>,
}

/// A personal token's owner as the token sees them now.
#[derive(Clone, Debug)]
pub struct Owner {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
}

pub async fn insert(
    conn: &mut PgConnection,
    new: &NewToken,
    owner: Option<UserId>,
    created_by: Option<UserId>,
    prefix: &str,
    hash: &[u8],
    expires_at: DateTime<Utc>,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO accounts_api_tokens (kind, name, user_id, role, prefix, secret_sha256, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        new.kind.as_str(),
        new.name,
        owner.map(|o| o.0),
        new.role.as_str(),
        prefix,
        hash,
        created_by.map(|c| c.0),
        expires_at as _
    )
    .fetch_one(conn)
    .await
}

pub async fn by_hash(conn: &mut PgConnection, hash: &[u8]) -> Result<Option<Found>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT t.id, t.kind, t.name, t.role, t.expires_at AS "expires_at: DateTime<Utc>",
                  t.revoked_at AS "revoked_at: DateTime<Utc>",
                  u.id AS "user_id?", u.email AS "email?", u.display_name AS "display_name?", u.role AS "user_role?",
                  u.disabled AS "disabled?"
           FROM accounts_api_tokens t LEFT JOIN accounts_users u ON u.id = t.user_id
           WHERE t.secret_sha256 = $1"#,
        hash
    )
    .fetch_optional(conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let decode = |e: String| sqlx::Error::Decode(e.into());
    let owner = match (r.user_id, r.email, r.display_name, r.user_role, r.disabled) {
        (Some(id), Some(email), Some(display_name), Some(role), Some(disabled)) => {
            Some(Owner { id: UserId(id), email, display_name, role: Role::parse(&role).map_err(decode)?, disabled })
        }
        _ => None,
    };
    Ok(Some(Found {
        id: r.id,
        kind: Kind::parse(&r.kind).ok_or_else(|| decode(format!("unknown token kind {:?}", r.kind)))?,
        name: r.name,
        role: Role::parse(&r.role).map_err(decode)?,
        expires_at: r.expires_at,
        revoked_at: r.revoked_at,
        owner,
    }))
}

/// Tokens, newest first: one user's (`Some`), or every token (`None`, for admins).
pub async fn list(conn: &mut PgConnection, user: Option<UserId>) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as!(
        Listed,
        r#"SELECT t.id, t.kind, t.name, u.email AS "owner?", t.role, t.prefix,
                  t.created_at AS "created_at: DateTime<Utc>", t.expires_at AS "expires_at: DateTime<Utc>",
                  t.last_used_at AS "last_used_at: DateTime<Utc>", t.last_used_ip,
                  t.revoked_at AS "revoked_at: DateTime<Utc>"
           FROM accounts_api_tokens t LEFT JOIN accounts_users u ON u.id = t.user_id
           WHERE $1::uuid IS NULL OR t.user_id = $1
           ORDER BY t.created_at DESC, t.id
           LIMIT 500"#,
        user.map(|u| u.0)
    )
    .fetch_all(conn)
    .await
}

/// Revokes a token not yet revoked (only the owner's when `owner` is given); its name, when one was revoked.
pub async fn revoke(
    conn: &mut PgConnection,
    id: Uuid,
    owner: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "UPDATE accounts_api_tokens SET revoked_at = $3
         WHERE id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR user_id = $2) RETURNING name",
        id,
        owner.map(|o| o.0),
        now as _
    )
    .fetch_optional(conn)
    .await
}

/// Records a use: at most one write a minute per token.
pub async fn touch(conn: &mut PgConnection, id: Uuid, ip: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE accounts_api_tokens SET last_used_at = $2, last_used_ip = $3
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')",
        id,
        now as _,
        ip
    )
    .execute(conn)
    .await?;
    Ok(())
}
