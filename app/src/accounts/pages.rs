use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{Role, current_user, safe_next};
use crate::pages::Notice;

/// What a form redirect's `?error=KEY` means, in words. Keys, not text, travel in URLs so a link cannot make
/// the console say something it did not.
fn problem(key: &str, wait: Option<String>) -> Option<String> {
    let text = match key {
        "invalid" => "The email or password is wrong.".to_string(),
        "throttled" => format!(
            "Too many failed sign-ins from here. Try again in {}, or ask an admin to reset your password.",
            wait_in_words(wait.as_deref())
        ),
        "email_invalid" => "The email address is not valid; expected name@example.com.".into(),
        "name_invalid" => "The display name must be 1 to 100 characters.".into(),
        "password_short" => "The password must be at least 12 characters long.".into(),
        "password_long" => "The password must be at most 1,024 characters long.".into(),
        "password_is_email" => "The password must not be the email address.".into(),
        "email_taken" => "A user with this email address already exists.".into(),
        "setup_token" => {
            "The setup token is wrong. Copy it from the server log (the line that mentions /setup).".into()
        }
        "setup_done" => "Setup is already done. Sign in instead.".into(),
        "unavailable" => "The database is not answering. Try again in a minute.".into(),
        "passwords_off" => "Password sign-in is turned off on this console. Use single sign-on.".into(),
        "sso_off" => "Single sign-on is not configured on this console. Sign in with your email and password.".into(),
        "sso_state" => "The single sign-on took too long or was started in another browser tab. Try again.".into(),
        "sso_denied" => "The identity provider did not sign you in (you cancelled, or it refused). Try again, \
                         or ask your identity team whether you may use this console."
            .into(),
        "sso_provider" => "The identity provider could not be reached or gave an answer the console cannot use. \
                           Try again in a minute; an admin finds the details in the audit log."
            .into(),
        "sso_token" => "The identity provider's token did not pass the console's checks, so you were not signed \
                        in. An admin finds the reason in the audit log (sso_refused)."
            .into(),
        "sso_no_email" => "The identity provider did not say your email address. Ask your identity team to \
                           release the email claim to this console."
            .into(),
        "sso_no_role" => "Your identity provider gives you no role on this console. Ask an admin to map your \
                          group to a role, or to add you."
            .into(),
        "sso_email_in_use" => "A console account already has your email address and could not be linked to your \
                               identity provider account. Ask an admin."
            .into(),
        "sso_disabled" => "Your console account is disabled. Ask an admin.".into(),
        _ => return None,
    };
    Some(text)
}

/// `?wait=` (seconds) in words; anything but a number of seconds up to a day reads as "a few minutes", so a
/// link cannot put its own words into the message.
fn wait_in_words(seconds: Option<&str>) -> String {
    match seconds.and_then(|s| s.parse::<u32>().ok()).filter(|s| (1..=86_400).contains(s)) {
        Some(1) => "1 second".into(),
        Some(s) if s < 120 => format!("{s} seconds"),
        Some(s) => format!("{} minutes", s.div_ceil(60)),
        None => "a few minutes".into(),
    }
}

/// Reads `?error=` (and `?wait=`) into a message.
fn form_problem() -> Option<String> {
    let query = use_query_map();
    query.with_untracked(|q| q.get("error").and_then(|key| problem(&key, q.get("wait"))))
}

#[component]
fn Problem(message: Option<String>) -> impl IntoView {
    message.map(|m| {
        view! {
            <Notice tone="error" testid="form-error"><p>{m}</p></Notice>
        }
    })
}

/// `/login`: the sign-in form. Posts to `/login` (a plain form: works without JavaScript).
#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let next = query.with_untracked(|q| q.get("next")).map(|n| safe_next(&n)).unwrap_or_else(|| "/".into());
    let notice = query.with_untracked(|q| {
        if q.get("signed_out").is_some() {
            Some("You are signed out.")
        } else if q.get("setup").is_some() {
            Some("The first admin is created. Sign in with that email address and password.")
        } else {
            None
        }
    });
    let already = current_user();
    let demo = use_context::<super::DemoAccounts>().map(|d| d.0).filter(|d| !d.is_empty());
    let choices = use_context::<super::SignInChoices>().unwrap_or_default();
    view! {
        <Title text="Sign in" />
        <div class="narrow">
            <h1>"Sign in"</h1>
            {already
                .map(|u| {
                    view! {
                        <p class="muted">
                            "You are signed in as "{u.email}". Signing in again switches account."
                        </p>
                    }
                })}
            {notice.map(|n| view! { <Notice tone="ok"><p>{n}</p></Notice> })}
            <Problem message=form_problem() />
            {choices
                .sso_label
                .clone()
                .map(|label| {
                    let href = format!("/login/sso{}", crate::pages::query_string(&[("next", next.clone())]));
                    view! {
                        <div class="card sso" data-testid="sso">
                            <a class="button primary" href=href>{label}</a>
                            <p class="help">"Signs you in through your company's identity provider."</p>
                        </div>
                    }
                })}
            {choices
                .passwords
                .then(|| {
                    let next = next.clone();
                    view! {
                        <form method="post" action="/login" class="form card">
                            <input type="hidden" name="next" value=next />
                            <label for="email">"Email"</label>
                            <input id="email" name="email" type="email" autocomplete="username" required autofocus />
                            <label for="password">"Password"</label>
                            <input
                                id="password"
                                name="password"
                                type="password"
                                autocomplete="current-password"
                                required
                            />
                            <button type="submit" class="primary">"Sign in with a password"</button>
                        </form>
                    }
                })}
            {demo.map(|accounts| view! { <DemoAccountList accounts /> })}
        </div>
    }
}

#[component]
fn DemoAccountList(accounts: std::sync::Arc<Vec<super::DemoAccount>>) -> impl IntoView {
    view! {
        <section class="card" data-testid="demo-accounts">
            <h2>"Demo accounts"</h2>
            <p class="help">
                "This is the demo console. Sign in as any role; the passwords change every time the demo starts."
            </p>
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Password"</th>
                    </tr>
                </thead>
                <tbody>
                    {accounts
                        .iter()
                        .map(|a| {
                            view! {
                                <tr>
                                    <td>{a.role.label()}</td>
                                    <td><code>{a.email.clone()}</code></td>
                                    <td><code>{a.password.clone()}</code></td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// `/setup`: creates the first admin with the token from the server log. Only open while no user exists.
#[component]
pub fn SetupPage() -> impl IntoView {
    view! {
        <Title text="First-run setup" />
        <div class="narrow">
            <h1>"First-run setup"</h1>
            <p class="lead">
                "No user exists yet. Create the first admin. The setup token is printed in the server log; it works once."
            </p>
            <Problem message=form_problem() />
            <form method="post" action="/setup" class="form card">
                <label for="token">"Setup token"</label>
                <input id="token" name="token" type="text" autocomplete="off" required spellcheck="false" />
                <label for="email">"Email"</label>
                <input id="email" name="email" type="email" autocomplete="username" required autofocus />
                <label for="display_name">"Display name"</label>
                <input id="display_name" name="display_name" type="text" autocomplete="name" required />
                <label for="password">"Password"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="new-password"
                    minlength="12"
                    required
                    aria-describedby="password-help"
                />
                <p id="password-help" class="help">"At least 12 characters, and not the email address."</p>
                <button type="submit" class="primary">"Create admin"</button>
            </form>
        </div>
    }
}

/// `/denied`: shown (with status 403) when the signed-in user's role is too low for the page asked for.
#[component]
pub fn DeniedPage() -> impl IntoView {
    let query = use_query_map();
    let needed = query.with_untracked(|q| q.get("needed")).and_then(|r| Role::parse(&r).ok());
    let user = current_user();
    view! {
        <Title text="Not allowed" />
        <h1>"Not allowed"</h1>
        <Notice tone="error" testid="denied">
            <p>
                {match needed {
                    Some(role) => format!("This needs the {} role or higher.", role.label()),
                    None => "Your role does not allow this.".to_string(),
                }}
                " "
                {user
                    .map(|u| {
                        format!("You are signed in as {} with the {} role.", u.email, u.role.label())
                    })}
            </p>
            <p>"Ask an admin to change your role if you need it."</p>
        </Notice>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_said_in_words_and_a_link_cannot_add_its_own() {
        assert_eq!(wait_in_words(Some("30")), "30 seconds");
        assert_eq!(wait_in_words(Some("1")), "1 second");
        assert_eq!(wait_in_words(Some("900")), "15 minutes");
        assert_eq!(wait_in_words(Some("121")), "3 minutes");
        for hostile in ["15 minutes. Call +1 555 0100 for help", "-5", "99999999", ""] {
            assert_eq!(wait_in_words(Some(hostile)), "a few minutes", "{hostile}");
        }
        assert_eq!(wait_in_words(None), "a few minutes");
    }
}
