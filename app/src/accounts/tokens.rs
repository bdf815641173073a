//! API tokens as people see them: `/settings/tokens` lists your tokens (an admin sees everyone's, with their
//! owners, and service tokens), makes new ones (the form posts to `/settings/tokens/new`, whose answer shows the token
//! once) and revokes them.

use chrono::{DateTime, Utc};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use super::Role;
#[cfg(feature = "ssr")]
use super::{AccountsPort, acting_as};
#[cfg(feature = "ssr")]
use crate::api::port;
use crate::error::AppError;
use crate::format::timestamp;
use crate::pages::{Empty, Notice, Problem, failure, loaded};

/// Whether a token still works.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
}

impl TokenState {
    pub fn label(self) -> &'static str {
        match self {
            TokenState::Active => "active",
            TokenState::Expired => "expired",
            TokenState::Revoked => "revoked",
        }
    }
}

/// One token as the list shows it (never its secret).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: String,
    /// `personal` or `service`.
    pub kind: String,
    pub name: String,
    /// A personal token's owner (email).
    pub owner: Option<String>,
    pub role: Role,
    /// The token's first characters (`tenantry_3fa9c1`).
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub last_used_ip: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub state: TokenState,
}

/// The tokens a person may see, and what they may make.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenList {
    pub tokens: Vec<ApiToken>,
    /// The viewer's role: personal tokens up to it; admins also make service tokens and see every token.
    pub role: Role,
}

/// Your tokens (an admin: every token).
#[server(endpoint = "accounts/tokens")]
pub async fn list_tokens() -> Result<TokenList, AppError> {
    let by = acting_as(Role::Helpdesk)?;
    port::<dyn AccountsPort>().tokens(&by).await
}

/// Revokes a token (your own; an admin: any).
#[server(endpoint = "accounts/token-revoke")]
pub async fn revoke_token(id: String) -> Result<(), AppError> {
    let by = acting_as(Role::Helpdesk)?;
    port::<dyn AccountsPort>().revoke_token(&by, &id).await?;
    crate::api::redirect("/settings/tokens")
}

/// What `?error=KEY` after a refused form means.
fn form_problem(key: &str) -> Option<&'static str> {
    Some(match key {
        "name" => "The name must be 1 to 60 characters.",
        "role" => "Choose one of the roles listed.",
        "above_role" => "A personal token cannot have a role above your own.",
        "service_admin" => "Only admins make service tokens.",
        "days" => "The life must be a whole number of days from 1 to 365.",
        "not_found" => "No such token, or it is not yours.",
        "unavailable" => "The database is not answering. Try again in a minute.",
        _ => return None,
    })
}

/// `/settings/tokens` (every role).
#[component]
pub fn TokensPage() -> impl IntoView {
    let revoke = ServerAction::<RevokeToken>::new();
    let refused = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("error").and_then(|k| form_problem(&k)).map(str::to_string));
    view! {
        <Title text="API tokens" />
        <h1>"API tokens"</h1>
        <p class="lead">
            "For scripts and dashboards: send a token as "<code>"Authorization: Bearer …"</code>" to the "
            <a href="/api/v1/docs">"JSON API"</a>". A token acts as you, with the role you give it (never more than "
            "yours), until it expires or you revoke it."
        </p>
        <Problem error=failure(revoke) />
        {refused.map(|m| view! { <Notice tone="error" testid="form-error"><p>{m}</p></Notice> })}
        {loaded(
            "Reading your tokens…",
            list_tokens(),
            move |list| {
                let admin = list.role >= Role::Admin;
                view! {
                    <TokenTable tokens=list.tokens.clone() admin revoke />
                    <NewTokenForm role=list.role />
                }
            },
        )}
    }
}

#[component]
fn TokenTable(tokens: Vec<ApiToken>, admin: bool, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    if tokens.is_empty() {
        return view! {
            <Empty>"No API tokens yet. Make one below; it is shown once, so copy it then."</Empty>
        }
        .into_any();
    }
    view! {
        <table class="table" data-testid="tokens">
            <thead>
                <tr>
                    <th>"Name"</th>
                    {admin.then(|| view! { <th>"Owner"</th> })}
                    <th>"Role"</th>
                    <th>"Token"</th>
                    <th>"Expires"</th>
                    <th>"Last used"</th>
                    <th>"State"</th>
                    <th></th>
                </tr>
            </thead>
            <tbody>
                {tokens
                    .into_iter()
                    .map(|t| {
                        let owner = t.owner.clone().unwrap_or_else(|| "service token".into());
                        let used = match (&t.last_used_at, &t.last_used_ip) {
                            (Some(at), Some(ip)) => format!("{} from {ip}", timestamp(*at)),
                            (Some(at), None) => timestamp(*at),
                            _ => "never".into(),
                        };
                        let active = t.state == TokenState::Active;
                        view! {
                            <tr data-testid="token" data-name=t.name.clone() data-state=t.state.label()>
                                <td>{t.name.clone()}</td>
                                {admin.then(|| view! { <td>{owner}</td> })}
                                <td>{t.role.label()}</td>
                                <td><code>{format!("{}…", t.prefix)}</code></td>
                                <td>{timestamp(t.expires_at)}</td>
                                <td>{used}</td>
                                <td><span class=format!("badge {}", t.state.label())>{t.state.label()}</span></td>
                                <td>
                                    {active
                                        .then(|| {
                                            view! {
                                                <ActionForm action=revoke attr:class="inline">
                                                    <input type="hidden" name="id" value=t.id.clone() />
                                                    <button type="submit" class="link danger">"Revoke"</button>
                                                </ActionForm>
                                            }
                                        })}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The form for a new token; posts to `/settings/tokens/new`, which answers with the token shown once.
#[component]
fn NewTokenForm(role: Role) -> impl IntoView {
    let admin = role >= Role::Admin;
    view! {
        <form method="post" action="/settings/tokens/new" class="form card" data-testid="new-token">
            <h2>"Make a token"</h2>
            <label for="token-name">"Name"</label>
            <input
                id="token-name"
                name="name"
                type="text"
                required
                maxlength="60"
                placeholder="grafana, ci-inventory…"
            />
            {admin
                .then(|| {
                    view! {
                        <label for="token-kind">"Kind"</label>
                        <select id="token-kind" name="kind">
                            <option value="personal" selected>"Personal (acts as you)"</option>
                            <option value="service">"Service (acts as itself, any role)"</option>
                        </select>
                    }
                })}
            <label for="token-role">"Role"</label>
            <select id="token-role" name="role">
                {Role::ALL
                    .into_iter()
                    .filter(|r| *r <= role)
                    .map(|r| view! { <option value=r.as_str() selected=r == role>{r.label()}</option> })
                    .collect_view()}
            </select>
            <label for="token-days">"Expires after (days)"</label>
            <input id="token-days" name="days" type="number" min="1" max="365" value="90" required />
            <button type="submit" class="primary">"Make the token"</button>
        </form>
    }
}
