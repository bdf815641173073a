//! The audit log: every state change, who made it, to what, when and from where.

use sqlx::PgConnection;

use super::UserId;

/// Who acted.
#[derive(Clone, Debug)]
pub enum Actor {
    /// A signed-in user.
    User { id: UserId, email: String },
    /// Someone not signed in (failed sign-ins): the email as typed.
    Anonymous { typed: String },
    /// The `tenantry` command line on the server.
    CommandLine,
    /// The console itself (a sign-off lapsing when its evidence changes).
    Console,
    /// Single sign-on: a user created, or a role changed, from what the identity provider said.
    SingleSignOn,
    /// A service token of the JSON API (no person): its name.
    ServiceToken { name: String },
}

impl Actor {
    /// The signed-in user of a request.
    pub fn from_current(user: &app::accounts::CurrentUser) -> Actor {
        if let Some(name) = &user.service_token {
            return Actor::ServiceToken { name: name.clone() };
        }
        let id = user.id.parse::<uuid::Uuid>().map(UserId).unwrap_or(UserId(uuid::Uuid::nil()));
        Actor::User { id, email: user.email.clone() }
    }

    /// Who acted, as the audit log shows it.
    pub fn label(&self) -> String {
        match self {
            Actor::User { email, .. } => email.clone(),
            Actor::Anonymous { typed } => crate::text::cut(typed, 254).to_string(),
            Actor::CommandLine => "command line".to_string(),
            Actor::Console => "Tenantry (automatic)".to_string(),
            Actor::SingleSignOn => "single sign-on".to_string(),
            Actor::ServiceToken { name } => format!("service token {}", crate::text::cut(name, 60)),
        }
    }
}

/// What was done. The names are stable: filters and exports use them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    SignIn,
    SignInFailed,
    SignInThrottled,
    SignOut,
    SetupCompleted,
    UserCreated,
    UserRoleChanged,
    UserDisabled,
    UserEnabled,
    PasswordReset,
    TenantAdded,
    TenantUpdated,
    TenantRemoved,
    StatusSourceAdded,
    StatusSourceChanged,
    StatusSourceRemoved,
    CheckAdded,
    CheckChanged,
    CheckRemoved,
    NotificationAcknowledged,
    FeedAdded,
    FeedChanged,
    FeedRemoved,
    ChannelAdded,
    ChannelChanged,
    ChannelRemoved,
    ChannelTested,
    DkimSelectorsSet,
    LogsStreamTokenMade,
    LogsRetentionSet,
    ChecklistSignedOff,
    ChecklistSignOffLapsed,
    SsoSignIn,
    SsoRefused,
    ApiTokenMade,
    ApiTokenRevoked,
    ApiTokenRefused,
}

impl Action {
    pub const ALL: [Action; 37] = [
        Action::SignIn,
        Action::SignInFailed,
        Action::SignInThrottled,
        Action::SignOut,
        Action::SetupCompleted,
        Action::UserCreated,
        Action::UserRoleChanged,
        Action::UserDisabled,
        Action::UserEnabled,
        Action::PasswordReset,
        Action::TenantAdded,
        Action::TenantUpdated,
        Action::TenantRemoved,
        Action::StatusSourceAdded,
        Action::StatusSourceChanged,
        Action::StatusSourceRemoved,
        Action::CheckAdded,
        Action::CheckChanged,
        Action::CheckRemoved,
        Action::NotificationAcknowledged,
        Action::FeedAdded,
        Action::FeedChanged,
        Action::FeedRemoved,
        Action::ChannelAdded,
        Action::ChannelChanged,
        Action::ChannelRemoved,
        Action::ChannelTested,
        Action::DkimSelectorsSet,
        Action::LogsStreamTokenMade,
        Action::LogsRetentionSet,
        Action::ChecklistSignedOff,
        Action::ChecklistSignOffLapsed,
        Action::SsoSignIn,
        Action::SsoRefused,
        Action::ApiTokenMade,
        Action::ApiTokenRevoked,
        Action::ApiTokenRefused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::SignIn => "sign_in",
            Action::SignInFailed => "sign_in_failed",
            Action::SignInThrottled => "sign_in_throttled",
            Action::SignOut => "sign_out",
            Action::SetupCompleted => "setup_completed",
            Action::UserCreated => "user_created",
            Action::UserRoleChanged => "user_role_changed",
            Action::UserDisabled => "user_disabled",
            Action::UserEnabled => "user_enabled",
            Action::PasswordReset => "password_reset",
            Action::TenantAdded => "tenant_added",
            Action::TenantUpdated => "tenant_updated",
            Action::TenantRemoved => "tenant_removed",
            Action::StatusSourceAdded => "status_source_added",
            Action::StatusSourceChanged => "status_source_changed",
            Action::StatusSourceRemoved => "status_source_removed",
            Action::CheckAdded => "check_added",
            Action::CheckChanged => "check_changed",
            Action::CheckRemoved => "check_removed",
            Action::NotificationAcknowledged => "notification_acknowledged",
            Action::FeedAdded => "feed_added",
            Action::FeedChanged => "feed_changed",
            Action::FeedRemoved => "feed_removed",
            Action::ChannelAdded => "channel_added",
            Action::ChannelChanged => "channel_changed",
            Action::ChannelRemoved => "channel_removed",
            Action::ChannelTested => "channel_tested",
            Action::DkimSelectorsSet => "dkim_selectors_set",
            Action::LogsStreamTokenMade => "logs_stream_token_made",
            Action::LogsRetentionSet => "logs_retention_set",
            Action::ChecklistSignedOff => "checklist_signed_off",
            Action::ChecklistSignOffLapsed => "checklist_sign_off_lapsed",
            Action::SsoSignIn => "sso_sign_in",
            Action::SsoRefused => "sso_refused",
            Action::ApiTokenMade => "api_token_made",
            Action::ApiTokenRevoked => "api_token_revoked",
            Action::ApiTokenRefused => "api_token_refused",
        }
    }
}

/// Writes one audit entry.
pub async fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    action: Action,
    target: &str,
    client_ip: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    let actor_id = match actor {
        Actor::User { id, .. } => Some(id.0),
        Actor::Anonymous { .. }
        | Actor::CommandLine
        | Actor::Console
        | Actor::SingleSignOn
        | Actor::ServiceToken { .. } => None,
    };
    let label = actor.label();
    use crate::text::cut;
    let (target, client_ip, detail) = (cut(target, 500), cut(client_ip, 64), cut(detail, 2_000));
    super::repo::insert_audit(conn, actor_id, &label, action.as_str(), target, client_ip, detail).await
}

/// Entries per page of the audit log.
pub const PER_PAGE: u32 = 50;

/// One page of entries matching the filters, newest first, and how many match in all.
pub async fn page(
    conn: &mut PgConnection,
    query: &app::accounts::AuditQuery,
) -> Result<(Vec<app::accounts::AuditEntry>, i64), sqlx::Error> {
    let from = query.from.map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc());
    let to = query.to.and_then(|d| d.succ_opt()).map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc());
    let user = query.user.as_deref().map(str::to_lowercase);
    let offset = i64::from(query.page.max(1) - 1) * i64::from(PER_PAGE);
    super::repo::audit_page(conn, user.as_deref(), query.action.as_deref(), from, to, i64::from(PER_PAGE), offset).await
}
