//! Settings: the index (ops lead and up), Users (admin) and the audit log (ops lead and up).

use chrono::NaiveDate;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::accounts::{
    AuditPage, AuditQuery, ChangeRole, CreateUser, ResetPassword, Role, SetUserDisabled, UserSummary, audit_log,
    current_user, list_users,
};
use crate::format::timestamp;
use crate::pages::{FilterSelect, Filters, Notice, Pager, Problem, failure, loaded, options, query_string};

/// `/settings`.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let is_admin = current_user().is_some_and(|u| u.role >= Role::Admin);
    view! {
        <Title text="Settings" />
        <h1>"Settings"</h1>
        <p class="lead">"Who may do what, and what they did."</p>
        <div class="tiles">
            {is_admin
                .then(|| {
                    view! {
                        <a class="tile" href="/settings/users">
                            <h2>"Users"</h2>
                            <p>"Add users, change roles, disable accounts, reset passwords."</p>
                        </a>
                    }
                })}
            <a class="tile" href="/settings/audit">
                <h2>"Audit log"</h2>
                <p>"Every sign-in and every change: who, what, when and from where."</p>
            </a>
            <a class="tile" href="/settings/tokens">
                <h2>"API tokens"</h2>
                <p>"Tokens for scripts and dashboards, and the JSON API's reference."</p>
            </a>
        </div>
        <Notice testid="settings-elsewhere">
            <p>
                "Tenant credentials are on each tenant's Edit page ("<a href="/tenants">"Tenants"</a>"); delivery \
                 channels are under "<a href="/notifications/channels">"Notifications → Channels"</a>". Single \
                 sign-on is set in the server's configuration (TENANTRY_SSO_*; see the README)."
            </p>
        </Notice>
    }
}

/// `/settings/users` (admin).
#[component]
pub fn UsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let change_role = ServerAction::<ChangeRole>::new();
    let disable = ServerAction::<SetUserDisabled>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let error = move || {
        [failure(create)]
            .into_iter()
            .chain([failure(change_role)])
            .chain([failure(disable)])
            .chain([failure(reset)])
            .flatten()
            .next()
    };
    let me = current_user().map(|u| u.email).unwrap_or_default();
    view! {
        <Title text="Users" />
        <p class="crumbs"><a href="/settings">"Settings"</a>" / Users"</p>
        <h1>"Users"</h1>
        <p class="lead">
            "Roles: Helpdesk reads; Developer adds tenant details and log search; Ops lead signs off and \
             acknowledges; Admin manages users and credentials."
        </p>
        <Problem error=error() />
        {use_context::<crate::accounts::SignInChoices>()
            .filter(|c| !c.passwords)
            .map(|_| {
                view! {
                    <Notice testid="passwords-off">
                        <p>
                            "Password sign-in is turned off: people arrive through single sign-on with the role \
                             their provider's claim maps to. A user added here signs in through the provider with \
                             the same verified email address; the password below is never used."
                        </p>
                    </Notice>
                }
            })}
        <section class="card">
            <h2>"Add a user"</h2>
            <ActionForm action=create attr:class="form grid">
                <label for="new-email">"Email"</label>
                <input id="new-email" name="email" type="email" required autocomplete="off" />
                <label for="new-name">"Display name"</label>
                <input id="new-name" name="display_name" type="text" required />
                <label for="new-role">"Role"</label>
                <RoleSelect id="new-role" selected=Role::Helpdesk />
                <label for="new-password">"Initial password"</label>
                <input
                    id="new-password"
                    name="password"
                    type="password"
                    minlength="12"
                    required
                    autocomplete="new-password"
                />
                <span></span>
                <button type="submit" class="primary">"Add user"</button>
            </ActionForm>
            <p class="help">"At least 12 characters, not the email address. Tell the person to change it."</p>
        </section>
        {loaded("Reading users…", list_users(), move |users| view! { <UserTable users me change_role disable reset /> })}
    }
}

#[component]
fn RoleSelect(#[prop(into)] id: String, selected: Role) -> impl IntoView {
    view! {
        <select id=id name="role">
            {Role::ALL
                .into_iter()
                .map(|r| view! { <option value=r.as_str() selected=r == selected>{r.label()}</option> })
                .collect_view()}
        </select>
    }
}

#[component]
fn UserTable(
    users: Vec<UserSummary>,
    me: String,
    change_role: ServerAction<ChangeRole>,
    disable: ServerAction<SetUserDisabled>,
    reset: ServerAction<ResetPassword>,
) -> impl IntoView {
    view! {
        <section class="card">
            <h2>{format!("{} user(s)", users.len())}</h2>
            <table class="table" data-testid="users">
                <thead>
                    <tr>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Last sign-in"</th>
                        <th scope="col">"Password"</th>
                    </tr>
                </thead>
                <tbody>
                    {users
                        .into_iter()
                        .map(|u| {
                            let itself = u.email == me;
                            let (email_role, email_state, email_pw) =
                                (u.email.clone(), u.email.clone(), u.email.clone());
                            let role_id = format!("role-{}", u.email);
                            let pw_id = format!("pw-{}", u.email);
                            view! {
                                <tr data-email=u.email.clone()>
                                    <td>{u.email.clone()}</td>
                                    <td>{u.display_name.clone()}</td>
                                    <td>
                                        {if itself {
                                            view! { <span>{u.role.label()}" (you)"</span> }.into_any()
                                        } else {
                                            view! {
                                                <ActionForm action=change_role attr:class="inline">
                                                    <input type="hidden" name="email" value=email_role />
                                                    <label class="sr-only" for=role_id.clone()>"Role"</label>
                                                    <RoleSelect id=role_id.clone() selected=u.role />
                                                    <button type="submit">"Change"</button>
                                                </ActionForm>
                                            }
                                                .into_any()
                                        }}
                                    </td>
                                    <td>
                                        {if u.disabled {
                                            view! { <span class="badge bad">"disabled"</span> }.into_any()
                                        } else {
                                            view! { <span class="badge ok">"active"</span> }.into_any()
                                        }}
                                        {(!itself)
                                            .then(|| {
                                                let next = if u.disabled { "false" } else { "true" };
                                                let label = if u.disabled { "Enable" } else { "Disable" };
                                                view! {
                                                    <ActionForm action=disable attr:class="inline">
                                                        <input type="hidden" name="email" value=email_state />
                                                        <input type="hidden" name="disabled" value=next />
                                                        <button type="submit">{label}</button>
                                                    </ActionForm>
                                                }
                                            })}
                                    </td>
                                    <td class="nowrap">
                                        {u
                                            .last_sign_in_at
                                            .map(timestamp)
                                            .unwrap_or_else(|| "never".to_string())}
                                    </td>
                                    <td>
                                        <ActionForm action=reset attr:class="inline">
                                            <input type="hidden" name="email" value=email_pw />
                                            <label class="sr-only" for=pw_id.clone()>"New password"</label>
                                            <input
                                                id=pw_id
                                                name="password"
                                                type="password"
                                                minlength="12"
                                                required
                                                autocomplete="new-password"
                                                placeholder="new password"
                                            />
                                            <button type="submit">"Reset"</button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// The audit log's filters from the query string; a malformed date is reported and ignored.
fn audit_query() -> (AuditQuery, Vec<String>) {
    let query = use_query_map();
    query.with_untracked(|q| {
        let mut problems = Vec::new();
        let text = |key: &str| q.get(key).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let mut date = |key: &str, label: &str| {
            text(key).and_then(|v| match NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    problems.push(format!("The {label} date must look like 2026-11-29; {v:?} was ignored."));
                    None
                }
            })
        };
        let from = date("from", "from");
        let to = date("to", "to");
        let page = text("page").and_then(|p| p.parse::<u32>().ok()).filter(|p| *p >= 1).unwrap_or(1);
        (AuditQuery { user: text("user"), action: text("action"), from, to, page }, problems)
    })
}

/// `/settings/audit` (ops lead and up): filterable, paginated, newest first.
#[component]
pub fn AuditPage() -> impl IntoView {
    let (query, problems) = audit_query();
    view! {
        <Title text="Audit log" />
        <p class="crumbs"><a href="/settings">"Settings"</a>" / Audit log"</p>
        <h1>"Audit log"</h1>
        <p class="lead">"Every sign-in and every change, newest first. Times are UTC."</p>
        {problems
            .into_iter()
            .map(|p| view! { <Notice tone="error"><p>{p}</p></Notice> })
            .collect_view()}
        {loaded("Reading the audit log…", audit_log(query.clone()), move |page| view! { <AuditView page query /> })}
    }
}

fn audit_link(query: &AuditQuery, page: u32) -> String {
    let pairs = [
        ("user", query.user.clone().unwrap_or_default()),
        ("action", query.action.clone().unwrap_or_default()),
        ("from", query.from.map(|d| d.to_string()).unwrap_or_default()),
        ("to", query.to.map(|d| d.to_string()).unwrap_or_default()),
        ("page", page.to_string()),
    ];
    format!("/settings/audit{}", query_string(&pairs))
}

#[component]
fn AuditView(page: AuditPage, query: AuditQuery) -> impl IntoView {
    let pages = ((page.total + i64::from(page.per_page) - 1) / i64::from(page.per_page)).max(1) as u32;
    let shown_from = (page.page - 1) * page.per_page + 1;
    let shown_to = shown_from + page.entries.len() as u32 - 1;
    let selected_action = query.action.clone().unwrap_or_default();
    let pager_query = query.clone();
    view! {
        <Filters action="/settings/audit">
            <label>
                "User" <input name="user" type="text" value=query.user.clone().unwrap_or_default()
                    placeholder="email or command line" />
            </label>
            <FilterSelect label="Action" name="action" current=selected_action options=options(page.actions.iter().map(|a| (a, a))) />
            <label>
                "From" <input name="from" type="date" value=query.from.map(|d| d.to_string()).unwrap_or_default() />
            </label>
            <label>
                "To" <input name="to" type="date" value=query.to.map(|d| d.to_string()).unwrap_or_default() />
            </label>
        </Filters>
        {if page.entries.is_empty() {
            view! {
                <p class="card muted" data-testid="audit-empty">
                    "No entries match these filters. "<a href="/settings/audit">"Clear them"</a>" to see everything."
                </p>
            }
                .into_any()
        } else {
            view! {
                <section class="card">
                    <p class="muted" data-testid="audit-count">
                        {format!("Entries {shown_from}–{shown_to} of {}", page.total)}
                    </p>
                    <table class="table" data-testid="audit">
                        <thead>
                            <tr>
                                <th scope="col">"When (UTC)"</th>
                                <th scope="col">"Who"</th>
                                <th scope="col">"Action"</th>
                                <th scope="col">"Target"</th>
                                <th scope="col">"From"</th>
                                <th scope="col">"Detail"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {page
                                .entries
                                .into_iter()
                                .map(|e| {
                                    view! {
                                        <tr>
                                            <td class="nowrap">{timestamp(e.at)}</td>
                                            <td>{e.actor}</td>
                                            <td><code>{e.action}</code></td>
                                            <td>{e.target}</td>
                                            <td>{e.client_ip}</td>
                                            <td>{e.detail}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                    <Pager page=page.page pages link=move |p| audit_link(&pager_query, p) />
                </section>
            }
                .into_any()
        }}
    }
}
