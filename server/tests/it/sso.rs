//! Single sign-on against the simulator's OpenID Connect provider: the whole authorization code flow with PKCE,
//! users created and linked, roles from the claim, sign-out at both ends, and every way a token or a callback can
//! be wrong refused with the reason in the audit log.

use app::accounts::Role;
use reqwest::StatusCode;
use server::accounts::audit::Actor;
use server::accounts::service::{self, NewUser};
use server::config::SsoSettings;
use server::http::RouterOptions;
use server::simulator::{IdpClient, IdpUser, Simulator, TokenFault};
use sqlx::PgPool;

use crate::harness::{PASSWORD, TestApp, path_of};

const CLAIM: &str = "https://tenantry.example/roles";
const CLIENT_ID: &str = "tenantry-console";
const CLIENT_SECRET: &str = "a-client-secret-for-tests";

/// The console on a fresh database, signing in through a fresh simulator's provider.
struct Sso {
    app: TestApp,
    sim: Simulator,
}

async fn start(pool: PgPool, change: impl FnOnce(&mut RouterOptions)) -> Sso {
    let sim = Simulator::start(0).await.expect("simulator");
    let mut options = RouterOptions {
        sso: Some(SsoSettings {
            issuer: sim.idp_issuer(),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            label: "Sign in with Auth0".into(),
            roles_claim: CLAIM.into(),
            role_map: vec![("tenantry-ops".into(), Role::OpsLead), ("tenantry-admins".into(), Role::Admin)],
            default_role: Some(Role::Helpdesk),
            allow_private: true,
        }),
        ..RouterOptions::default()
    };
    change(&mut options);
    let app = TestApp::spawn_with(pool, options).await;
    sim.idp_add_client(IdpClient {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        callbacks: vec![app.url("/login/sso/callback")],
        logout_urls: vec![app.url("/login?signed_out=1")],
    });
    Sso { app, sim }
}

fn person(sub: &str, email: &str, groups: &[&str]) -> IdpUser {
    let mut claims = serde_json::Map::new();
    if !groups.is_empty() {
        claims.insert(CLAIM.into(), serde_json::json!(groups));
    }
    IdpUser {
        sub: sub.into(),
        email: email.into(),
        name: "Olivia Ops".into(),
        password: "provider-password".into(),
        email_verified: true,
        claims,
    }
}

/// A browser: one cookie jar for the console and the provider, redirects followed by hand.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).cookie_store(true).build().expect("client")
}

fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

impl Sso {
    /// Clicks "Sign in with Auth0" and, when the provider asks, signs in as `email`; where the console sends the
    /// browser at the end (`/status`, or `/login?error=…`).
    async fn sign_in(&self, browser: &reqwest::Client, email: &str) -> String {
        let start = browser.get(self.app.url("/login/sso?next=/status")).send().await.expect("start");
        assert_eq!(start.status(), StatusCode::SEE_OTHER);
        let authorize = location(&start);
        assert!(authorize.starts_with(&format!("{}authorize?", self.sim.idp_issuer())), "{authorize}");
        for needed in ["code_challenge=", "code_challenge_method=S256", "nonce=", "state=", "scope=openid"] {
            assert!(authorize.contains(needed), "{needed} in {authorize}");
        }
        let at_provider = browser.get(&authorize).send().await.expect("authorize");
        let callback = if at_provider.status() == StatusCode::OK {
            // The provider's form carries the request's parameters; post them with the credentials.
            let query = reqwest::Url::parse(&authorize).expect("url");
            let mut form: Vec<(String, String)> = query.query_pairs().into_owned().collect();
            form.retain(|(k, _)| k != "response_type");
            form.push(("username".into(), email.into()));
            form.push(("password".into(), "provider-password".into()));
            let html = at_provider.text().await.expect("form");
            assert!(html.contains("action=\"/u/login\""), "{html}");
            let posted =
                browser.post(format!("{}u/login", self.sim.idp_issuer())).form(&form).send().await.expect("login");
            assert_eq!(posted.status(), StatusCode::FOUND, "{}", posted.text().await.unwrap_or_default());
            location(&posted)
        } else {
            assert_eq!(at_provider.status(), StatusCode::FOUND);
            location(&at_provider)
        };
        assert!(callback.starts_with(&self.app.url("/login/sso/callback?")), "{callback}");
        let back = browser.get(&callback).send().await.expect("callback");
        assert_eq!(back.status(), StatusCode::SEE_OTHER);
        location(&back)
    }

    async fn audit(&self, action: &str) -> Vec<(String, String, String)> {
        sqlx::query_as("SELECT actor_label, target, detail FROM accounts_audit_log WHERE action = $1 ORDER BY id")
            .bind(action)
            .fetch_all(&self.app.pool)
            .await
            .expect("audit")
    }

    async fn role_of(&self, email: &str) -> String {
        sqlx::query_scalar("SELECT role FROM accounts_users WHERE email = $1")
            .bind(email)
            .fetch_one(&self.app.pool)
            .await
            .expect("user")
    }
}

async fn signed_in_as(app: &TestApp, browser: &reqwest::Client) -> Option<String> {
    let page = browser.get(app.url("/")).header("accept", "text/html").send().await.expect("board");
    if page.status() != StatusCode::OK {
        return None;
    }
    let html = page.text().await.expect("html");
    let start = html.find("class=\"who\"")?;
    let end = html[start..].find("</span></span>").map(|e| start + e).unwrap_or(html.len());
    Some(crate::harness::text_of(&html[start..end]))
}

#[sqlx::test(migrations = "../migrations")]
async fn a_sign_in_through_the_provider_creates_the_user_with_the_claims_role_and_sign_out_ends_both_sessions(
    pool: PgPool,
) {
    let sso = start(pool, |_| {}).await;
    sso.sim.idp_add_user(person("auth0|ops1", "olivia@acme.example", &["tenantry-ops", "everyone"]));
    let browser = browser();

    let login = browser.get(sso.app.url("/login")).send().await.expect("login").text().await.expect("html");
    assert!(login.contains("Sign in with Auth0") && login.contains("/login/sso?next=%2F"), "the button is offered");

    assert_eq!(sso.sign_in(&browser, "olivia@acme.example").await, "/status");
    let who = signed_in_as(&sso.app, &browser).await.expect("signed in");
    assert!(who.contains("Olivia Ops") && who.contains("Ops lead"), "{who}");
    assert_eq!(sso.role_of("olivia@acme.example").await, "ops_lead");
    let created = sso.audit("user_created").await;
    assert_eq!(created[0].0, "single sign-on");
    assert!(created[0].2.contains("ops_lead"), "{created:?}");
    let signed = sso.audit("sso_sign_in").await;
    assert!(signed[0].2.contains("created") && signed[0].2.contains("auth0|ops1"), "{signed:?}");

    // The claim changes at the provider: the next sign-in (straight through, the provider remembers the person)
    // gives the new role, and the audit log says the provider did it.
    sso.sim.idp_update_user("olivia@acme.example", |u| {
        u.claims.insert(CLAIM.into(), serde_json::json!(["tenantry-admins"]));
    });
    assert_eq!(sso.sign_in(&browser, "olivia@acme.example").await, "/status");
    assert_eq!(sso.role_of("olivia@acme.example").await, "admin");
    let changed = sso.audit("user_role_changed").await;
    assert_eq!(changed[0].0, "single sign-on");
    assert!(changed[0].2.contains("ops_lead → admin"), "{changed:?}");
    let admin_page = browser.get(sso.app.url("/settings/users")).header("accept", "text/html").send().await;
    assert_eq!(admin_page.expect("users").status(), StatusCode::OK, "an admin now");

    // Signing out ends the console's session and the provider's.
    assert_eq!(sso.sim.idp_sessions(), 1);
    let out = browser
        .post(sso.app.url("/logout"))
        .header("origin", sso.app.origin())
        .form(&[("x", "y")])
        .send()
        .await
        .expect("logout");
    assert_eq!(
        out.status(),
        StatusCode::OK,
        "a page takes the browser on (a redirect after a form post would break form-action 'self')"
    );
    let html = out.text().await.expect("page");
    let link = html.split("data-testid=\"provider-sign-out\"").next().and_then(|h| h.rsplit("href=\"").next());
    let end_session = link.and_then(|l| l.split('"').next()).expect("link").replace("&amp;", "&");
    assert!(html.contains(&format!("content=\"0;url={}", end_session.replace('&', "&amp;"))), "{html}");
    assert!(end_session.starts_with(&format!("{}oidc/logout?", sso.sim.idp_issuer())), "{end_session}");
    assert!(end_session.contains("id_token_hint="), "{end_session}");
    let back = browser.get(&end_session).send().await.expect("provider logout");
    assert_eq!(location(&back), sso.app.url("/login?signed_out=1"));
    assert_eq!(sso.sim.idp_sessions(), 0);
    assert!(signed_in_as(&sso.app, &browser).await.is_none(), "the console's session ended");
}

#[sqlx::test(migrations = "../migrations")]
async fn id_tokens_wrong_in_any_way_sign_nobody_in_and_the_audit_log_says_why(pool: PgPool) {
    let sso = start(pool, |_| {}).await;
    sso.sim.idp_add_user(person("auth0|ops1", "olivia@acme.example", &["tenantry-ops"]));
    let cases = [
        (TokenFault::WrongSignature, "signature"),
        (TokenFault::WrongIssuer, "issuer"),
        (TokenFault::WrongAudience, "audience"),
        (TokenFault::WrongNonce, "nonce"),
        (TokenFault::Expired, "expired"),
    ];
    for (n, (fault, word)) in cases.into_iter().enumerate() {
        sso.sim.idp_fault(Some(fault));
        let browser = browser();
        assert_eq!(sso.sign_in(&browser, "olivia@acme.example").await, "/login?error=sso_token", "{fault:?}");
        assert!(signed_in_as(&sso.app, &browser).await.is_none(), "{fault:?} signed nobody in");
        let refused = sso.audit("sso_refused").await;
        assert_eq!(refused.len(), n + 1);
        assert!(refused[n].2.contains(word), "{fault:?}: {}", refused[n].2);
        let page = browser.get(sso.app.url("/login?error=sso_token")).send().await.expect("page");
        let text = crate::harness::text_of(&page.text().await.expect("html"));
        assert!(text.contains("did not pass the console") && text.contains("audit log"), "{text}");
    }
    let users: i64 =
        sqlx::query_scalar("SELECT count(*) FROM accounts_users").fetch_one(&sso.app.pool).await.expect("count");
    assert_eq!(users, 0, "no user was created from a refused token");
    sso.sim.idp_fault(None);
    assert_eq!(sso.sign_in(&browser(), "olivia@acme.example").await, "/status", "a right token still works");
}

#[sqlx::test(migrations = "../migrations")]
async fn forged_replayed_and_cancelled_callbacks_sign_nobody_in(pool: PgPool) {
    let sso = start(pool, |_| {}).await;
    sso.sim.idp_add_user(person("auth0|ops1", "olivia@acme.example", &["tenantry-ops"]));
    let browser = browser();
    // A callback no sign-in of this browser started (a link someone sent).
    let forged = browser.get(sso.app.url("/login/sso/callback?code=stolen&state=guessed")).send().await.expect("cb");
    assert_eq!(location(&forged), "/login?error=sso_state");

    // A callback replayed: the pending sign-in is used once.
    let start = browser.get(sso.app.url("/login/sso")).send().await.expect("start");
    let authorize = reqwest::Url::parse(&location(&start)).expect("url");
    let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    form.push(("username".into(), "olivia@acme.example".into()));
    form.push(("password".into(), "provider-password".into()));
    let posted = browser.post(format!("{}u/login", sso.sim.idp_issuer())).form(&form).send().await.expect("login");
    let callback = location(&posted);
    let first = browser.get(&callback).send().await.expect("callback");
    assert_eq!(location(&first), "/");
    let again = browser.get(&callback).send().await.expect("replay");
    assert_eq!(location(&again), "/login?error=sso_state");

    // The state of another browser's sign-in does not fit this one's.
    let other = self::browser();
    let _ = other.get(sso.app.url("/login/sso")).send().await.expect("start");
    let theirs = reqwest::Url::parse(&location(&start)).expect("url");
    let state = theirs.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.to_string()).expect("state");
    let crossed = other.get(sso.app.url(&format!("/login/sso/callback?code=x&state={state}"))).send().await;
    assert_eq!(location(&crossed.expect("cb")), "/login?error=sso_state");

    // The person cancels at the provider.
    let cancel = self::browser();
    let start = cancel.get(sso.app.url("/login/sso")).send().await.expect("start");
    let authorize = reqwest::Url::parse(&location(&start)).expect("url");
    let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    form.push(("action".into(), "deny".into()));
    let denied = cancel.post(format!("{}u/login", sso.sim.idp_issuer())).form(&form).send().await.expect("deny");
    let back = cancel.get(location(&denied)).send().await.expect("callback");
    assert_eq!(location(&back), "/login?error=sso_denied");
    let refused = sso.audit("sso_refused").await;
    assert_eq!(refused.len(), 4, "{refused:?}");
    assert!(refused[3].2.contains("access_denied"), "{refused:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn existing_users_are_linked_by_verified_email_and_disabled_or_roleless_people_stay_out(pool: PgPool) {
    let sso = start(pool, |o| {
        if let Some(s) = o.sso.as_mut() {
            s.default_role = None;
        }
    })
    .await;
    // The first admin, made by setup with a password, signs in through the provider: linked, still admin (their
    // claim maps to nothing, so the role they have stays).
    let new = NewUser { email: "ada@acme.example", display_name: "Ada", role: Role::Admin, password: PASSWORD };
    service::create_user(&sso.app.pool, &Actor::CommandLine, new, "").await.expect("admin");
    sso.sim.idp_add_user(person("auth0|ada", "ada@acme.example", &["everyone"]));
    assert_eq!(sso.sign_in(&browser(), "ada@acme.example").await, "/status");
    assert_eq!(sso.role_of("ada@acme.example").await, "admin");
    assert!(sso.audit("sso_sign_in").await[0].2.contains("linked by verified email"));

    // Someone whose claim maps to no role, with no default role: refused, not created.
    sso.sim.idp_add_user(person("auth0|stranger", "stranger@acme.example", &["everyone"]));
    assert_eq!(sso.sign_in(&browser(), "stranger@acme.example").await, "/login?error=sso_no_role");

    // An unverified email never takes over an account that has one.
    let new = NewUser { email: "bob@acme.example", display_name: "Bob", role: Role::Developer, password: PASSWORD };
    service::create_user(&sso.app.pool, &Actor::CommandLine, new, "").await.expect("bob");
    let mut impostor = person("auth0|impostor", "bob@acme.example", &["tenantry-admins"]);
    impostor.email_verified = false;
    sso.sim.idp_add_user(impostor);
    assert_eq!(sso.sign_in(&browser(), "bob@acme.example").await, "/login?error=sso_email_in_use");
    assert_eq!(sso.role_of("bob@acme.example").await, "developer");

    // A disabled user stays out, whatever the provider says.
    service::set_disabled(&sso.app.pool, &Actor::CommandLine, "ada@acme.example", true, "").await.expect("disable");
    let browser = browser();
    assert_eq!(sso.sign_in(&browser, "ada@acme.example").await, "/login?error=sso_disabled");
    assert!(signed_in_as(&sso.app, &browser).await.is_none());
    let refused = sso.audit("sso_refused").await;
    let reasons: Vec<&str> = refused.iter().map(|r| r.2.as_str()).collect();
    assert!(reasons[0].contains("no console role"), "{reasons:?}");
    assert!(reasons[1].contains("not verified"), "{reasons:?}");
    assert!(reasons[2].contains("disabled") && refused[2].1 == "ada@acme.example", "{refused:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn with_local_passwords_off_only_the_provider_signs_people_in(pool: PgPool) {
    let sso = start(pool, |o| o.local_passwords = false).await;
    sso.app.add_user("dev@acme.example", Role::Developer).await;
    let browser = sso.app.browser();
    let refused = browser.sign_in("dev@acme.example", PASSWORD, "/").await;
    assert_eq!(path_of(&location(&refused)), "/login?error=passwords_off&next=%2F");
    let page = browser.page("/login?error=passwords_off").await;
    assert!(!page.html.contains("type=\"password\""), "no password form is offered");
    assert!(page.html.contains("Sign in with Auth0"));
    assert!(crate::harness::text_of(&page.html).contains("Password sign-in is turned off"));

    // An admin signed in through the provider is told on the Users page that passwords are not used.
    sso.sim.idp_add_user(person("auth0|ada", "ada@acme.example", &["tenantry-admins"]));
    let admin = self::browser();
    assert_eq!(sso.sign_in(&admin, "ada@acme.example").await, "/status");
    let users = admin.get(sso.app.url("/settings/users")).header("accept", "text/html").send().await.expect("users");
    let text = crate::harness::text_of(&users.text().await.expect("html"));
    assert!(text.contains("the password below is never used"), "{text}");
}
