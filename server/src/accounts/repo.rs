//! Queries on the accounts tables. Functions take a connection so callers can compose them in a transaction.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{AccountError, DisplayName, Email, Role, UserId};

/// A user as the console shows it (never with the password hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// Sessions signed in before this no longer count (a password reset).
    pub sessions_revoked_at: Option<DateTime<Utc>>,
}

impl User {
    pub fn current(&self) -> app::accounts::CurrentUser {
        app::accounts::CurrentUser {
            id: self.id.to_string(),
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            service_token: None,
        }
    }
}

struct UserRow {
    id: uuid::Uuid,
    email: String,
    display_name: String,
    role: String,
    disabled: bool,
    created_at: DateTime<Utc>,
    last_sign_in_at: Option<DateTime<Utc>>,
    sessions_revoked_at: Option<DateTime<Utc>>,
}

impl TryFrom<UserRow> for User {
    type Error = sqlx::Error;

    fn try_from(row: UserRow) -> Result<Self, Self::Error> {
        Ok(User {
            id: UserId(row.id),
            role: Role::parse(&row.role).map_err(|e| sqlx::Error::Decode(e.into()))?,
            email: row.email,
            display_name: row.display_name,
            disabled: row.disabled,
            created_at: row.created_at,
            last_sign_in_at: row.last_sign_in_at,
            sessions_revoked_at: row.sessions_revoked_at,
        })
    }
}

pub async fn insert(
    conn: &mut PgConnection,
    email: &Email,
    name: &DisplayName,
    role: Role,
    password_hash: &str,
) -> Result<User, AccountError> {
    let row = sqlx::query_as!(
        UserRow,
        r#"INSERT INTO accounts_users (email, display_name, role, password_hash) VALUES ($1, $2, $3, $4)
         RETURNING id, email, display_name, role, disabled, created_at AS "created_at: DateTime<Utc>", last_sign_in_at AS "last_sign_in_at: DateTime<Utc>",
                sessions_revoked_at AS "sessions_revoked_at: DateTime<Utc>""#,
        email.as_str(),
        name.as_str(),
        role.as_str(),
        password_hash
    )
    .fetch_one(conn)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => AccountError::EmailTaken,
        _ => AccountError::Database(e),
    })?;
    Ok(row.try_into()?)
}

/// The user with this email and their password hash, disabled or not.
pub async fn credentials(conn: &mut PgConnection, email: &str) -> Result<Option<(User, String)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT id, email, display_name, role, disabled, created_at AS "created_at: DateTime<Utc>",
                last_sign_in_at AS "last_sign_in_at: DateTime<Utc>",
                sessions_revoked_at AS "sessions_revoked_at: DateTime<Utc>", password_hash
         FROM accounts_users WHERE email = $1"#,
        email
    )
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let user = UserRow {
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            role: r.role,
            disabled: r.disabled,
            created_at: r.created_at,
            last_sign_in_at: r.last_sign_in_at,
            sessions_revoked_at: r.sessions_revoked_at,
        };
        Ok((user.try_into()?, r.password_hash))
    })
    .transpose()
}

/// An enabled user by id: what a session may act as.
pub async fn active_by_id(conn: &mut PgConnection, id: UserId) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query_as!(
        UserRow,
        r#"SELECT id, email, display_name, role, disabled, created_at AS "created_at: DateTime<Utc>",
                last_sign_in_at AS "last_sign_in_at: DateTime<Utc>",
                sessions_revoked_at AS "sessions_revoked_at: DateTime<Utc>"
         FROM accounts_users WHERE id = $1 AND NOT disabled"#,
        id.0
    )
    .fetch_optional(conn)
    .await?;
    row.map(User::try_from).transpose()
}

/// A user by id, disabled or not.
pub async fn by_id(conn: &mut PgConnection, id: UserId) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query_as!(
        UserRow,
        r#"SELECT id, email, display_name, role, disabled, created_at AS "created_at: DateTime<Utc>",
                last_sign_in_at AS "last_sign_in_at: DateTime<Utc>",
                sessions_revoked_at AS "sessions_revoked_at: DateTime<Utc>"
         FROM accounts_users WHERE id = $1"#,
        id.0
    )
    .fetch_optional(conn)
    .await?;
    row.map(User::try_from).transpose()
}

pub async fn by_email(conn: &mut PgConnection, email: &Email) -> Result<User, AccountError> {
    let row = sqlx::query_as!(
        UserRow,
        r#"SELECT id, email, display_name, role, disabled, created_at AS "created_at: DateTime<Utc>",
                last_sign_in_at AS "last_sign_in_at: DateTime<Utc>",
                sessions_revoked_at AS "sessions_revoked_at: DateTime<Utc>"
         FROM accounts_users WHERE email = $1"#,
        email.as_str()
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.ok_or(AccountError::UnknownUser)?.try_into()?)
}

/// Every user, by email.
pub async fn list(conn: &mut PgConnection) -> Result<Vec<User>, sqlx::Error> {
    sqlx::query_as!(
        UserRow,
        r#"SELECT id, email, display_name, role, disabled, created_at AS "created_at: DateTime<Utc>",
                last_sign_in_at AS "last_sign_in_at: DateTime<Utc>",
                sessions_revoked_at AS "sessions_revoked_at: DateTime<Utc>"
         FROM accounts_users ORDER BY email"#
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(User::try_from)
    .collect()
}

pub async fn count(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM accounts_users"#).fetch_one(conn).await
}

pub async fn set_role(conn: &mut PgConnection, id: UserId, role: Role) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE accounts_users SET role = $2 WHERE id = $1", id.0, role.as_str()).execute(conn).await?;
    Ok(())
}

pub async fn set_disabled(conn: &mut PgConnection, id: UserId, disabled: bool) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE accounts_users SET disabled = $2 WHERE id = $1", id.0, disabled).execute(conn).await?;
    Ok(())
}

/// Sets a new password and ends every session signed in before `now`.
pub async fn set_password(
    conn: &mut PgConnection,
    id: UserId,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE accounts_users SET password_hash = $2, sessions_revoked_at = $3 WHERE id = $1",
        id.0,
        password_hash,
        now as _
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn touch_sign_in(conn: &mut PgConnection, id: UserId, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE accounts_users SET last_sign_in_at = $2 WHERE id = $1", id.0, at as _).execute(conn).await?;
    Ok(())
}

pub async fn record_failure(
    conn: &mut PgConnection,
    email: &str,
    client_ip: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO accounts_sign_in_failures (email, client_ip, at) VALUES ($1, $2, $3)",
        email,
        client_ip,
        at as _
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The failures since `since` of this email and address pair, of this address and of this email, each with the
/// latest one.
pub async fn failures_since(
    conn: &mut PgConnection,
    email: &str,
    client_ip: &str,
    since: DateTime<Utc>,
) -> Result<super::throttle::Failures, sqlx::Error> {
    use super::throttle::{Count, Failures};
    let row = sqlx::query!(
        r#"SELECT
             count(*) FILTER (WHERE email = $1 AND client_ip = $2) AS "pair_n!",
             max(at) FILTER (WHERE email = $1 AND client_ip = $2) AS "pair_last: DateTime<Utc>",
             count(*) FILTER (WHERE client_ip = $2) AS "address_n!",
             max(at) FILTER (WHERE client_ip = $2) AS "address_last: DateTime<Utc>",
             count(*) FILTER (WHERE email = $1) AS "account_n!",
             max(at) FILTER (WHERE email = $1) AS "account_last: DateTime<Utc>"
           FROM accounts_sign_in_failures
           WHERE (email = $1 OR client_ip = $2) AND at > $3"#,
        email,
        client_ip,
        since as _
    )
    .fetch_one(conn)
    .await?;
    Ok(Failures {
        pair: Count { n: row.pair_n, last: row.pair_last },
        address: Count { n: row.address_n, last: row.address_last },
        account: Count { n: row.account_n, last: row.account_last },
    })
}

/// Forgets the failures of one email and address pair (after that pair signed in).
pub async fn forget_failures(conn: &mut PgConnection, email: &str, client_ip: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM accounts_sign_in_failures WHERE email = $1 AND client_ip = $2", email, client_ip)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets failures older than `before` (they no longer count).
pub async fn prune_failures(conn: &mut PgConnection, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!("DELETE FROM accounts_sign_in_failures WHERE at < $1", before as _)
        .execute(conn)
        .await?
        .rows_affected())
}

/// Appends one entry to the audit log.
pub async fn insert_audit(
    conn: &mut PgConnection,
    actor_id: Option<Uuid>,
    label: &str,
    action: &str,
    target: &str,
    client_ip: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO accounts_audit_log (actor_id, actor_label, action, target, client_ip, detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
        actor_id,
        label,
        action,
        target,
        client_ip,
        detail
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One page of audit entries matching the filters (each `None` matches all), newest first, and how many match.
pub async fn audit_page(
    conn: &mut PgConnection,
    user: Option<&str>,
    action: Option<&str>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    per_page: i64,
    offset: i64,
) -> Result<(Vec<app::accounts::AuditEntry>, i64), sqlx::Error> {
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM accounts_audit_log
           WHERE ($1::text IS NULL OR actor_label = $1) AND ($2::text IS NULL OR action = $2)
             AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)"#,
        user,
        action,
        from as _,
        to as _
    )
    .fetch_one(&mut *conn)
    .await?;
    let entries = sqlx::query!(
        r#"SELECT at AS "at: chrono::DateTime<chrono::Utc>", actor_label, action, target, client_ip, detail
           FROM accounts_audit_log
           WHERE ($1::text IS NULL OR actor_label = $1) AND ($2::text IS NULL OR action = $2)
             AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)
           ORDER BY at DESC, id DESC LIMIT $5 OFFSET $6"#,
        user,
        action,
        from as _,
        to as _,
        per_page,
        offset
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| app::accounts::AuditEntry {
        at: r.at,
        actor: r.actor_label,
        action: r.action,
        target: r.target,
        client_ip: r.client_ip,
        detail: r.detail,
    })
    .collect();
    Ok((entries, total))
}

/// Deletes the sessions that expired before `now`; returns how many.
pub async fn delete_expired_sessions(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!("DELETE FROM tower_sessions.session WHERE expiry_date < $1", now as _)
        .execute(conn)
        .await?
        .rows_affected())
}
