//! The SQL of single sign-on: a user's link to the provider (issuer and subject) on `accounts_users`.

use sqlx::PgConnection;

use super::super::repo::User;
use super::super::{DisplayName, Email, Role, UserId};

/// A user as the link sees it: who, and whether they are already linked to a provider.
pub struct Linked {
    pub id: UserId,
    pub linked: bool,
}

/// The user the provider's issuer and subject name.
pub async fn by_subject(conn: &mut PgConnection, issuer: &str, subject: &str) -> Result<Option<UserId>, sqlx::Error> {
    let id = sqlx::query_scalar!(
        "SELECT id FROM accounts_users WHERE sso_issuer = $1 AND sso_subject = $2",
        issuer,
        subject
    )
    .fetch_optional(conn)
    .await?;
    Ok(id.map(UserId))
}

/// The user with this email, and whether a provider's subject is linked to them already.
pub async fn by_email(conn: &mut PgConnection, email: &str) -> Result<Option<Linked>, sqlx::Error> {
    let row =
        sqlx::query!(r#"SELECT id, sso_subject IS NOT NULL AS "linked!" FROM accounts_users WHERE email = $1"#, email)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|r| Linked { id: UserId(r.id), linked: r.linked }))
}

/// Links an existing user to the provider's subject.
pub async fn link(conn: &mut PgConnection, id: UserId, issuer: &str, subject: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE accounts_users SET sso_issuer = $2, sso_subject = $3 WHERE id = $1", id.0, issuer, subject)
        .execute(conn)
        .await?;
    Ok(())
}

/// A user the provider brings, without a local password (an empty hash no password matches).
pub async fn insert(
    conn: &mut PgConnection,
    email: &Email,
    name: &DisplayName,
    role: Role,
    issuer: &str,
    subject: &str,
) -> Result<UserId, sqlx::Error> {
    let id = sqlx::query_scalar!(
        "INSERT INTO accounts_users (email, display_name, role, password_hash, sso_issuer, sso_subject)
         VALUES ($1, $2, $3, '', $4, $5) RETURNING id",
        email.as_str(),
        name.as_str(),
        role.as_str(),
        issuer,
        subject
    )
    .fetch_one(conn)
    .await?;
    Ok(UserId(id))
}

/// A user by id, disabled or not.
pub async fn user(conn: &mut PgConnection, id: UserId) -> Result<Option<User>, sqlx::Error> {
    super::super::repo::by_id(conn, id).await
}
