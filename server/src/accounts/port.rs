//! The engine behind the accounts pages (`app::accounts::AccountsPort`).

use app::accounts::tokens::{ApiToken, TokenList, TokenState};
use app::accounts::{AccountsPort, Acting, AuditPage, AuditQuery, Role, UserSummary};
use app::error::AppError;
use sqlx::PgPool;

use super::audit::{self, Action, Actor};
use super::service::{self, NewUser};
use super::tokens::{self, TokenError};
use super::{AccountError, repo};

/// Accounts on PostgreSQL.
pub struct PgAccounts {
    pool: PgPool,
}

impl PgAccounts {
    pub fn new(pool: PgPool) -> Self {
        PgAccounts { pool }
    }
}

fn actor(by: &Acting) -> Actor {
    Actor::from_current(&by.user)
}

/// The one place accounts errors become page errors.
impl From<AccountError> for AppError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::UnknownUser => AppError::NotFound("a user with this email address".into()),
            AccountError::Database(cause) => {
                tracing::error!(error = %cause, "accounts: database error");
                AppError::Unavailable("the database is not answering; try again in a minute".into())
            }
            other => AppError::Invalid(capitalised(&other.to_string())),
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

#[async_trait::async_trait]
impl AccountsPort for PgAccounts {
    async fn list_users(&self) -> Result<Vec<UserSummary>, AppError> {
        let mut conn = self.pool.acquire().await.map_err(AccountError::from)?;
        let users = repo::list(&mut conn).await.map_err(AccountError::from)?;
        Ok(users
            .into_iter()
            .map(|u| UserSummary {
                email: u.email,
                display_name: u.display_name,
                role: u.role,
                disabled: u.disabled,
                created_at: u.created_at,
                last_sign_in_at: u.last_sign_in_at,
            })
            .collect())
    }

    async fn create_user(
        &self,
        by: &Acting,
        email: &str,
        display_name: &str,
        role: Role,
        password: &str,
    ) -> Result<(), AppError> {
        let new = NewUser { email, display_name, role, password };
        service::create_user(&self.pool, &actor(by), new, &by.client_ip).await?;
        Ok(())
    }

    async fn set_role(&self, by: &Acting, email: &str, role: Role) -> Result<(), AppError> {
        service::set_role(&self.pool, &actor(by), email, role, &by.client_ip).await?;
        Ok(())
    }

    async fn set_disabled(&self, by: &Acting, email: &str, disabled: bool) -> Result<(), AppError> {
        service::set_disabled(&self.pool, &actor(by), email, disabled, &by.client_ip).await?;
        Ok(())
    }

    async fn reset_password(&self, by: &Acting, email: &str, password: &str) -> Result<(), AppError> {
        service::reset_password(&self.pool, &actor(by), email, password, &by.client_ip).await?;
        Ok(())
    }

    async fn audit_log(&self, query: AuditQuery) -> Result<AuditPage, AppError> {
        let mut conn = self.pool.acquire().await.map_err(AccountError::from)?;
        let (entries, total) = audit::page(&mut conn, &query).await.map_err(AccountError::from)?;
        Ok(AuditPage {
            entries,
            page: query.page.max(1),
            per_page: audit::PER_PAGE,
            total,
            actions: Action::ALL.iter().map(|a| a.as_str().to_string()).collect(),
        })
    }

    async fn tokens(&self, by: &Acting) -> Result<TokenList, AppError> {
        let viewer = viewer(by)?;
        let listed = tokens::service::list(&self.pool, viewer).await.map_err(AccountError::from)?;
        let now = chrono::Utc::now();
        let tokens = listed
            .into_iter()
            .map(|t| ApiToken {
                id: t.id.to_string(),
                state: match (t.revoked_at, t.expires_at <= now) {
                    (Some(_), _) => TokenState::Revoked,
                    (None, true) => TokenState::Expired,
                    (None, false) => TokenState::Active,
                },
                kind: t.kind,
                name: t.name,
                owner: t.owner,
                role: Role::parse(&t.role).unwrap_or(Role::Helpdesk),
                prefix: t.prefix,
                created_at: t.created_at,
                expires_at: t.expires_at,
                last_used_at: t.last_used_at,
                last_used_ip: t.last_used_ip,
                revoked_at: t.revoked_at,
            })
            .collect();
        Ok(TokenList { tokens, role: by.user.role })
    }

    async fn revoke_token(&self, by: &Acting, id: &str) -> Result<(), AppError> {
        let viewer = viewer(by)?;
        let id = id.parse::<uuid::Uuid>().map_err(|_| AppError::NotFound("the token".into()))?;
        match tokens::service::revoke(&self.pool, &actor(by), viewer, id, &by.client_ip, chrono::Utc::now()).await {
            Ok(_) => Ok(()),
            Err(TokenError::NotFound) => {
                Err(AppError::NotFound("the token (or it is not yours, or already revoked)".into()))
            }
            Err(TokenError::Database(e)) => Err(AccountError::from(e).into()),
            Err(other) => Err(AppError::Invalid(other.to_string())),
        }
    }
}

/// The person acting, as the token rules see them; a service token manages no tokens.
fn viewer(by: &Acting) -> Result<tokens::service::Viewer, AppError> {
    let id = by
        .user
        .id
        .parse::<uuid::Uuid>()
        .ok()
        .filter(|_| by.user.service_token.is_none())
        .ok_or_else(|| AppError::Forbidden("a service token cannot manage tokens".into()))?;
    Ok(tokens::service::Viewer { id: super::UserId(id), role: by.user.role })
}
