//! Sign-in, sessions, CSRF, access control and the audit trail, as a browser and an attacker meet them.

use app::accounts::Role;
use reqwest::StatusCode;
use server::accounts::service::SetupToken;
use server::http::RouterOptions;
use sqlx::PgPool;

use crate::harness::{Browser, PASSWORD, TestApp, text_of};

/// Who asks.
#[derive(Clone, Copy, Debug)]
enum Who {
    Anonymous,
    Signed(Role),
}

/// The lowest role allowed on every route the server serves. Written out here, independently of the server's
/// own table: a route the server serves that is missing here fails `every_route_is_in_the_access_table`.
#[rustfmt::skip]
const ACCESS: &[(&str, &str, Option<Role>, &str)] = &[
    // (method, path as the router names it, lowest role or None for public, path to request)
    ("GET", "/", Some(Role::Helpdesk), "/"),
    ("GET", "/tenants", Some(Role::Developer), "/tenants"),
    ("GET", "/domains", Some(Role::Helpdesk), "/domains"),
    ("GET", "/status", Some(Role::Helpdesk), "/status"),
    ("GET", "/monitoring", Some(Role::Helpdesk), "/monitoring"),
    ("GET", "/notifications", Some(Role::Helpdesk), "/notifications"),
    ("GET", "/logs", Some(Role::Developer), "/logs"),
    ("GET", "/infra", Some(Role::Helpdesk), "/infra"),
    ("GET", "/checklists", Some(Role::Helpdesk), "/checklists"),
    ("GET", "/settings", Some(Role::OpsLead), "/settings"),
    ("GET", "/system", Some(Role::Helpdesk), "/system"),
    ("GET", "/denied", Some(Role::Helpdesk), "/denied"),
    ("GET", "/login", None, "/login"),
    ("POST", "/login", None, "/login"),
    ("GET", "/login/sso", None, "/login/sso"),
    ("GET", "/login/sso/callback", None, "/login/sso/callback?code=x&state=y"),
    ("GET", "/settings/tokens", Some(Role::Helpdesk), "/settings/tokens"),
    ("POST", "/settings/tokens/new", Some(Role::Helpdesk), "/settings/tokens/new"),
    ("POST", "/api/accounts/tokens", Some(Role::Helpdesk), "/api/accounts/tokens"),
    ("POST", "/api/accounts/token-revoke", Some(Role::Helpdesk), "/api/accounts/token-revoke"),
    ("GET", "/api/v1/openapi.json", None, "/api/v1/openapi.json"),
    ("GET", "/api/v1/docs", None, "/api/v1/docs"),
    ("GET", "/api/v1/tenants", Some(Role::Developer), "/api/v1/tenants"),
    ("GET", "/api/v1/tenants/{id}", Some(Role::Developer), "/api/v1/tenants/00000000-0000-0000-0000-000000000000"),
    ("POST", "/api/v1/tenants/{id}/refresh", Some(Role::Developer), "/api/v1/tenants/00000000-0000-0000-0000-000000000000/refresh"),
    ("GET", "/api/v1/findings", Some(Role::Developer), "/api/v1/findings"),
    ("GET", "/api/v1/notifications", Some(Role::Helpdesk), "/api/v1/notifications"),
    ("GET", "/api/v1/notifications/{id}", Some(Role::Helpdesk), "/api/v1/notifications/1"),
    ("POST", "/api/v1/notifications/{id}/acknowledge", Some(Role::OpsLead), "/api/v1/notifications/1/acknowledge"),
    ("GET", "/api/v1/status/board", Some(Role::Helpdesk), "/api/v1/status/board"),
    ("GET", "/api/v1/incidents", Some(Role::Helpdesk), "/api/v1/incidents"),
    ("GET", "/api/v1/incidents/{id}", Some(Role::Helpdesk), "/api/v1/incidents/1"),
    ("GET", "/api/v1/domains", Some(Role::Helpdesk), "/api/v1/domains"),
    ("GET", "/api/v1/domains/{id}", Some(Role::Helpdesk), "/api/v1/domains/00000000-0000-0000-0000-000000000000"),
    ("POST", "/api/v1/domains/{id}/check", Some(Role::Developer), "/api/v1/domains/00000000-0000-0000-0000-000000000000/check"),
    ("GET", "/api/v1/checks", Some(Role::Helpdesk), "/api/v1/checks"),
    ("GET", "/api/v1/checks/{id}", Some(Role::Helpdesk), "/api/v1/checks/00000000-0000-0000-0000-000000000000"),
    ("POST", "/api/v1/checks/{id}/run", Some(Role::OpsLead), "/api/v1/checks/00000000-0000-0000-0000-000000000000/run"),
    ("GET", "/api/v1/logs", Some(Role::Developer), "/api/v1/logs"),
    ("GET", "/api/v1/logs/{tenant}/{log_id}", Some(Role::Developer), "/api/v1/logs/00000000-0000-0000-0000-000000000000/1"),
    ("POST", "/logout", None, "/logout"),
    ("GET", "/setup", None, "/setup"),
    ("POST", "/setup", None, "/setup"),
    ("GET", "/healthz", None, "/healthz"),
    ("GET", "/metrics", None, "/metrics"),
    ("GET", "/assets/{file}", None, "/assets/tenantry.css"),
    ("GET", "/settings/users", Some(Role::Admin), "/settings/users"),
    ("GET", "/settings/audit", Some(Role::OpsLead), "/settings/audit"),
    ("POST", "/api/system/info", Some(Role::Helpdesk), "/api/system/info"),
    ("POST", "/api/accounts/users", Some(Role::Admin), "/api/accounts/users"),
    ("POST", "/api/accounts/create", Some(Role::Admin), "/api/accounts/create"),
    ("POST", "/api/accounts/role", Some(Role::Admin), "/api/accounts/role"),
    ("POST", "/api/accounts/disabled", Some(Role::Admin), "/api/accounts/disabled"),
    ("POST", "/api/accounts/password", Some(Role::Admin), "/api/accounts/password"),
    ("POST", "/api/accounts/audit", Some(Role::OpsLead), "/api/accounts/audit"),
    ("GET", "/tenants/new", Some(Role::Developer), "/tenants/new"),
    ("GET", "/tenants/check-name", Some(Role::Developer), "/tenants/check-name?name=acme-prod"),
    ("GET", "/tenants/drift", Some(Role::Developer), "/tenants/drift"),
    ("POST", "/api/tenants/drift", Some(Role::Developer), "/api/tenants/drift"),
    ("GET", "/tenants/{id}", Some(Role::Developer), "/tenants/00000000-0000-0000-0000-000000000000"),
    ("GET", "/tenants/{id}/edit", Some(Role::Admin), "/tenants/00000000-0000-0000-0000-000000000000/edit"),
    ("POST", "/api/tenants/inventory", Some(Role::Developer), "/api/tenants/inventory"),
    ("POST", "/api/tenants/detail", Some(Role::Developer), "/api/tenants/detail"),
    ("POST", "/api/tenants/fields", Some(Role::Admin), "/api/tenants/fields"),
    ("POST", "/api/tenants/add", Some(Role::Developer), "/api/tenants/add"),
    ("POST", "/api/tenants/update", Some(Role::Admin), "/api/tenants/update"),
    ("POST", "/api/tenants/remove", Some(Role::Admin), "/api/tenants/remove"),
    ("POST", "/api/tenants/refresh", Some(Role::Developer), "/api/tenants/refresh"),
    ("POST", "/api/tenants/check-name", Some(Role::Developer), "/api/tenants/check-name"),
    ("GET", "/status/board.html", Some(Role::Helpdesk), "/status/board.html"),
    ("GET", "/status/sources", Some(Role::Helpdesk), "/status/sources"),
    ("GET", "/status/incidents", Some(Role::Helpdesk), "/status/incidents"),
    ("GET", "/status/incidents/{id}", Some(Role::Helpdesk), "/status/incidents/1"),
    ("POST", "/api/status/board", Some(Role::Helpdesk), "/api/status/board"),
    ("POST", "/api/status/sources", Some(Role::Helpdesk), "/api/status/sources"),
    ("POST", "/api/status/incidents", Some(Role::Helpdesk), "/api/status/incidents"),
    ("POST", "/api/status/incident", Some(Role::Helpdesk), "/api/status/incident"),
    ("POST", "/api/status/add", Some(Role::OpsLead), "/api/status/add"),
    ("POST", "/api/status/add-catalog", Some(Role::OpsLead), "/api/status/add-catalog"),
    ("POST", "/api/status/enable", Some(Role::OpsLead), "/api/status/enable"),
    ("POST", "/api/status/remove", Some(Role::OpsLead), "/api/status/remove"),
    ("POST", "/api/status/poll", Some(Role::OpsLead), "/api/status/poll"),
    ("GET", "/notifications/{id}", Some(Role::Helpdesk), "/notifications/1"),
    ("POST", "/api/notifications/list", Some(Role::Helpdesk), "/api/notifications/list"),
    ("POST", "/api/notifications/detail", Some(Role::Helpdesk), "/api/notifications/detail"),
    ("POST", "/api/notifications/acknowledge", Some(Role::OpsLead), "/api/notifications/acknowledge"),
    ("GET", "/notifications/feeds", Some(Role::Helpdesk), "/notifications/feeds"),
    ("POST", "/api/notifications/feeds", Some(Role::Helpdesk), "/api/notifications/feeds"),
    ("POST", "/api/notifications/feed-add", Some(Role::OpsLead), "/api/notifications/feed-add"),
    ("POST", "/api/notifications/feed-add-catalog", Some(Role::OpsLead), "/api/notifications/feed-add-catalog"),
    ("POST", "/api/notifications/feed-enable", Some(Role::OpsLead), "/api/notifications/feed-enable"),
    ("POST", "/api/notifications/feed-remove", Some(Role::OpsLead), "/api/notifications/feed-remove"),
    ("POST", "/api/notifications/feed-read", Some(Role::OpsLead), "/api/notifications/feed-read"),
    ("GET", "/notifications/channels", Some(Role::Admin), "/notifications/channels"),
    ("GET", "/notifications/channels/new", Some(Role::Admin), "/notifications/channels/new"),
    ("GET", "/notifications/channels/{id}", Some(Role::Admin), "/notifications/channels/00000000-0000-0000-0000-000000000000"),
    ("GET", "/notifications/channels/{id}/edit", Some(Role::Admin), "/notifications/channels/00000000-0000-0000-0000-000000000000/edit"),
    ("POST", "/api/notifications/channels", Some(Role::Admin), "/api/notifications/channels"),
    ("POST", "/api/notifications/channel", Some(Role::Admin), "/api/notifications/channel"),
    ("POST", "/api/notifications/channel-form", Some(Role::Admin), "/api/notifications/channel-form"),
    ("POST", "/api/notifications/channel-add", Some(Role::Admin), "/api/notifications/channel-add"),
    ("POST", "/api/notifications/channel-update", Some(Role::Admin), "/api/notifications/channel-update"),
    ("POST", "/api/notifications/channel-enable", Some(Role::Admin), "/api/notifications/channel-enable"),
    ("POST", "/api/notifications/channel-remove", Some(Role::Admin), "/api/notifications/channel-remove"),
    ("POST", "/api/notifications/channel-test", Some(Role::Admin), "/api/notifications/channel-test"),
    ("POST", "/api/infra/overview", Some(Role::Helpdesk), "/api/infra/overview"),
    ("POST", "/api/infra/read-now", Some(Role::OpsLead), "/api/infra/read-now"),
    ("POST", "/api/infra/tenant-email", Some(Role::Helpdesk), "/api/infra/tenant-email"),
    ("POST", "/api/infra/selectors", Some(Role::OpsLead), "/api/infra/selectors"),
    ("GET", "/infra/allow-list", Some(Role::Helpdesk), "/infra/allow-list"),
    ("GET", "/checklists/{tenant}", Some(Role::Helpdesk), "/checklists/00000000-0000-0000-0000-000000000000"),
    ("GET", "/checklists/{tenant}/report", Some(Role::Helpdesk), "/checklists/00000000-0000-0000-0000-000000000000/report"),
    ("GET", "/checklists/{tenant}/export.csv", Some(Role::Helpdesk), "/checklists/00000000-0000-0000-0000-000000000000/export.csv"),
    ("GET", "/checklists/export.csv", Some(Role::Helpdesk), "/checklists/export.csv?user_domain=customers"),
    ("POST", "/api/checklists/overview", Some(Role::Helpdesk), "/api/checklists/overview"),
    ("POST", "/api/checklists/tenant", Some(Role::Helpdesk), "/api/checklists/tenant"),
    ("POST", "/api/checklists/sign-off", Some(Role::OpsLead), "/api/checklists/sign-off"),
    ("GET", "/domains/check", Some(Role::Helpdesk), "/domains/check"),
    ("GET", "/domains/{id}", Some(Role::Helpdesk), "/domains/00000000-0000-0000-0000-000000000000"),
    ("GET", "/logs/quarantine", Some(Role::Developer), "/logs/quarantine"),
    ("GET", "/logs/user", Some(Role::Helpdesk), "/logs/user"),
    ("POST", "/api/logs/user", Some(Role::Helpdesk), "/api/logs/user"),
    ("GET", "/logs/export.csv", Some(Role::Developer), "/logs/export.csv"),
    ("GET", "/logs/export.jsonl", Some(Role::Developer), "/logs/export.jsonl"),
    ("GET", "/logs/peak", Some(Role::Helpdesk), "/logs/peak"),
    ("GET", "/logs/peak/export.csv", Some(Role::Helpdesk), "/logs/peak/export.csv"),
    ("POST", "/api/peak/report", Some(Role::Helpdesk), "/api/peak/report"),
    ("POST", "/api/peak/card", Some(Role::Developer), "/api/peak/card"),
    ("GET", "/logs/{tenant}/{log_id}", Some(Role::Developer), "/logs/00000000-0000-0000-0000-000000000000/900"),
    ("POST", "/api/logs/search", Some(Role::Developer), "/api/logs/search"),
    ("POST", "/api/logs/event", Some(Role::Developer), "/api/logs/event"),
    ("POST", "/api/logs/quarantine", Some(Role::Developer), "/api/logs/quarantine"),
    ("POST", "/api/logs/retention", Some(Role::Admin), "/api/logs/retention"),
    ("POST", "/api/logs/receiver", Some(Role::Developer), "/api/logs/receiver"),
    ("POST", "/logs/stream-token/{tenant}", Some(Role::Admin), "/logs/stream-token/00000000-0000-0000-0000-000000000000"),
    // A machine route: no console session; it checks its own token (server/tests/it/logs.rs).
    ("POST", "/hooks/logs/{tenant}", None, "/hooks/logs/00000000-0000-0000-0000-000000000000"),
    ("POST", "/api/domains/list", Some(Role::Helpdesk), "/api/domains/list"),
    ("POST", "/api/domains/detail", Some(Role::Helpdesk), "/api/domains/detail"),
    ("POST", "/api/domains/check-now", Some(Role::Developer), "/api/domains/check-now"),
    ("POST", "/api/domains/check-host", Some(Role::Helpdesk), "/api/domains/check-host"),
    ("GET", "/monitoring/new", Some(Role::OpsLead), "/monitoring/new"),
    ("GET", "/monitoring/{id}", Some(Role::Helpdesk), "/monitoring/00000000-0000-0000-0000-000000000000"),
    ("GET", "/monitoring/{id}/edit", Some(Role::OpsLead), "/monitoring/00000000-0000-0000-0000-000000000000/edit"),
    ("POST", "/api/monitoring/list", Some(Role::Helpdesk), "/api/monitoring/list"),
    ("POST", "/api/monitoring/detail", Some(Role::Helpdesk), "/api/monitoring/detail"),
    ("POST", "/api/monitoring/form", Some(Role::OpsLead), "/api/monitoring/form"),
    ("POST", "/api/monitoring/add", Some(Role::OpsLead), "/api/monitoring/add"),
    ("POST", "/api/monitoring/update", Some(Role::OpsLead), "/api/monitoring/update"),
    ("POST", "/api/monitoring/enable", Some(Role::OpsLead), "/api/monitoring/enable"),
    ("POST", "/api/monitoring/remove", Some(Role::OpsLead), "/api/monitoring/remove"),
    ("POST", "/api/monitoring/run", Some(Role::OpsLead), "/api/monitoring/run"),
    ("POST", "/api/monitoring/maintenance", Some(Role::OpsLead), "/api/monitoring/maintenance"),
];

#[test]
fn every_route_is_in_the_access_table() {
    let listed: Vec<&str> = ACCESS.iter().map(|(_, path, _, _)| *path).collect();
    for route in server::http::served_routes() {
        assert!(listed.contains(&route.as_str()), "{route} is served but not in the access table of this test");
    }
}

async fn request(
    app: &TestApp,
    who: &Who,
    browsers: &[(Role, Browser)],
    method: &str,
    path: &str,
) -> reqwest::Response {
    let browser = match who {
        Who::Anonymous => return anonymous(app, method, path).await,
        Who::Signed(role) => &browsers.iter().find(|(r, _)| r == role).expect("a browser per role").1,
    };
    match method {
        "GET" => browser.get(path).await,
        _ => browser.post_form(path, &[]).await,
    }
}

async fn anonymous(app: &TestApp, method: &str, path: &str) -> reqwest::Response {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let request = match method {
        "GET" => client.get(app.url(path)),
        _ => client.post(app.url(path)).header("origin", app.origin()).form(&[("x", "y")]),
    };
    request.header("accept", "text/html").send().await.expect("answer")
}

#[sqlx::test(migrations = "../migrations")]
async fn the_access_matrix_holds_for_every_route_and_role(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let mut browsers = Vec::new();
    for role in Role::ALL {
        browsers.push((role, app.signed_in(role).await));
    }
    let mut actors = vec![Who::Anonymous];
    actors.extend(Role::ALL.map(Who::Signed));
    for (method, route, lowest, path) in ACCESS {
        // Signing out would end the browsers' sessions; it is checked on its own below. Machine routes answer
        // their own token check (401) whoever asks.
        if *path == "/logout" || path.starts_with("/hooks/") {
            continue;
        }
        // The JSON API takes bearer tokens, never sessions: tests/it/tokens.rs and api_v1.rs walk it by role.
        if path.starts_with("/api/v1/") && lowest.is_some() {
            for who in &actors {
                let response = request(&app, who, &browsers, method, path).await;
                assert_eq!(
                    response.status(),
                    StatusCode::UNAUTHORIZED,
                    "{method} {route} as {who:?}: a session is no token"
                );
            }
            continue;
        }
        for who in &actors {
            let response = request(&app, who, &browsers, method, path).await;
            let status = response.status();
            let location = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            let body = response.text().await.unwrap_or_default();
            let case = format!("{method} {route} as {who:?}: {status} {location}");
            match (lowest, who) {
                (None, _) => {
                    assert!(status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN, "{case}");
                    assert!(!location.starts_with("/login?next"), "{case}");
                }
                // Fragments the page's script fetches answer 401, not a redirect to the sign-in page.
                (Some(_), Who::Anonymous) if *method == "GET" && path.ends_with(".html") => {
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}");
                }
                (Some(_), Who::Anonymous) if *method == "GET" => {
                    assert_eq!(status, StatusCode::SEE_OTHER, "{case}");
                    assert!(location.starts_with("/login?next="), "{case}");
                }
                (Some(_), Who::Anonymous) => assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}"),
                (Some(needed), Who::Signed(role)) if role < needed => {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{case}");
                    assert!(body.contains(needed.label()) || body.contains(needed.as_str()), "{case}: {body}");
                }
                (Some(_), Who::Signed(_)) => {
                    assert!(status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN, "{case}");
                    assert!(!status.is_server_error() && !location.starts_with("/login"), "{case}");
                }
            }
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn the_forbidden_page_says_which_role_is_needed(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    let page = helpdesk.page("/settings").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let text = text_of(&page.html);
    assert!(text.contains("This needs the Ops lead role or higher."), "{text}");
    assert!(text.contains("signed in as helpdesk@example.test with the Helpdesk role"), "{text}");
    assert!(!text.contains("Settings Users"), "the helpdesk navigation has no Settings entry: {text}");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_navigation_shows_only_what_the_role_may_open(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let helpdesk = app.signed_in(Role::Helpdesk).await.page("/").await.html;
    assert!(!helpdesk.contains("href=\"/tenants\"") && !helpdesk.contains("href=\"/settings\""));
    assert!(helpdesk.contains("href=\"/domains\"") && helpdesk.contains("href=\"/system\""));
    let developer = app.signed_in(Role::Developer).await.page("/").await.html;
    assert!(developer.contains("href=\"/tenants\"") && !developer.contains("href=\"/settings\""));
    let ops = app.signed_in(Role::OpsLead).await.page("/").await.html;
    assert!(ops.contains("href=\"/settings\""));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_cross_site_form_post_is_refused_and_changes_nothing(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.signed_in(Role::Admin).await;
    for headers in [
        vec![("origin", "http://evil.example")],
        vec![("sec-fetch-site", "cross-site"), ("origin", "http://evil.example")],
        vec![("sec-fetch-site", "same-site")],
        vec![],
    ] {
        let response = admin.post_with("/logout", &headers).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert!(response.text().await.expect("body").contains("cross-site request refused"));
    }
    assert_eq!(admin.get("/system").await.status(), StatusCode::OK, "still signed in: the sign-out was refused");
    let same = admin.post_with("/logout", &[("sec-fetch-site", "same-origin")]).await;
    assert_eq!(same.status(), StatusCode::SEE_OTHER);
    assert_eq!(admin.get("/system").await.status(), StatusCode::SEE_OTHER, "signed out");
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_in_goes_back_to_the_page_asked_for_on_this_site_only(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.add_user("dev@example.test", Role::Developer).await;
    let browser = app.browser();
    let asked = browser.get("/tenants?env=prod").await;
    assert_eq!(asked.headers()["location"], "/login?next=%2Ftenants%3Fenv%3Dprod");
    let response = browser.sign_in("dev@example.test", PASSWORD, "/tenants?env=prod").await;
    assert_eq!(response.headers()["location"], "/tenants?env=prod");
    let response = browser.sign_in("Dev@Example.test ", PASSWORD, "https://evil.example/").await;
    assert_eq!(response.headers()["location"], "/", "email is case-insensitive; foreign targets become /");
    let response = browser.sign_in("dev@example.test", PASSWORD, "//evil.example/x").await;
    assert_eq!(response.headers()["location"], "/");
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("tenantry_session="))
        .map(|c| c.split(';').next().unwrap_or_default().to_string())
}

#[sqlx::test(migrations = "../migrations")]
async fn a_session_id_from_before_sign_in_is_worthless_after_it(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.add_user("first@example.test", Role::Helpdesk).await;
    app.add_user("second@example.test", Role::Admin).await;
    let browser = app.browser();
    let first = browser.sign_in("first@example.test", PASSWORD, "/").await;
    let before = session_cookie(&first).expect("a session cookie at sign-in");
    let cookie_header = first.headers()["set-cookie"].to_str().expect("ascii").to_string();
    assert!(cookie_header.contains("HttpOnly") && cookie_header.contains("SameSite=Lax"), "{cookie_header}");
    assert!(!cookie_header.contains("Secure"), "plain http without TENANTRY_PUBLIC_URL=https…");

    let second = browser.sign_in("second@example.test", PASSWORD, "/").await;
    let after = session_cookie(&second).expect("a new session cookie");
    assert_ne!(before, after, "the session id changes at sign-in");

    let replay = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let old = replay.get(app.url("/system")).header("cookie", &before).send().await.expect("answer");
    assert_eq!(old.status(), StatusCode::SEE_OTHER, "the old id no longer signs anyone in");
    let new = replay.get(app.url("/settings")).header("cookie", &after).send().await.expect("answer");
    assert_eq!(new.status(), StatusCode::OK);
}

#[sqlx::test(migrations = "../migrations")]
async fn secure_cookies_when_the_console_is_served_over_https(pool: PgPool) {
    let options = RouterOptions {
        secure_cookies: true,
        public_url: Some("https://ops.example.test".into()),
        ..RouterOptions::default()
    };
    let app = TestApp::spawn_with(pool, options).await;
    app.add_user("a@example.test", Role::Helpdesk).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let response = client
        .post(app.url("/login"))
        .header("host", "ops.example.test")
        .header("origin", "https://ops.example.test")
        .form(&[("email", "a@example.test"), ("password", PASSWORD)])
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(response.headers()["set-cookie"].to_str().expect("ascii").contains("Secure"));
}

#[sqlx::test(migrations = "../migrations")]
async fn after_five_wrong_passwords_the_same_browser_waits_30_seconds(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.add_user("ops@example.test", Role::OpsLead).await;
    let browser = app.browser();
    for attempt in 1..=5 {
        let response = browser.sign_in("ops@example.test", &format!("wrong password {attempt}"), "/").await;
        assert_eq!(response.headers()["location"], "/login?error=invalid&next=%2F", "attempt {attempt}");
    }
    let sixth = browser.sign_in("ops@example.test", PASSWORD, "/").await;
    let location = sixth.headers()["location"].to_str().expect("ascii").to_string();
    assert_eq!(location, "/login?error=throttled&wait=30&next=%2F", "even the right password waits");
    let text = text_of(&browser.page(&location).await.html);
    assert!(text.contains("Too many failed sign-ins from here. Try again in 30 seconds"), "{text}");

    let other = app.browser();
    app.add_user("other@example.test", Role::Helpdesk).await;
    let response = other.sign_in("other@example.test", PASSWORD, "/").await;
    assert_eq!(response.headers()["location"], "/", "other accounts are not affected");

    let failed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM accounts_audit_log WHERE action = 'sign_in_failed' AND target = $1")
            .bind("ops@example.test")
            .fetch_one(&app.pool)
            .await
            .expect("audit");
    assert_eq!(failed, 5);
}

#[sqlx::test(migrations = "../migrations")]
async fn unknown_accounts_and_wrong_passwords_get_the_same_answer(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.add_user("known@example.test", Role::Helpdesk).await;
    let browser = app.browser();
    let wrong = browser.sign_in("known@example.test", "not the password!", "/system").await;
    let unknown = browser.sign_in("nobody@example.test", "not the password!", "/system").await;
    assert_eq!(wrong.status(), unknown.status());
    assert_eq!(wrong.headers()["location"], unknown.headers()["location"]);
    let text = text_of(&browser.page(wrong.headers()["location"].to_str().expect("ascii")).await.html);
    assert!(text.contains("The email or password is wrong."), "{text}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_disabled_user_cannot_sign_in_and_their_session_ends(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    assert_eq!(helpdesk.get("/system").await.status(), StatusCode::OK);
    server::accounts::service::set_disabled(
        &app.pool,
        &server::accounts::audit::Actor::CommandLine,
        "helpdesk@example.test",
        true,
        "",
    )
    .await
    .expect("disabled");
    assert_eq!(helpdesk.get("/system").await.status(), StatusCode::SEE_OTHER);
    let again = helpdesk.sign_in("helpdesk@example.test", PASSWORD, "/").await;
    assert_eq!(again.headers()["location"], "/login?error=invalid&next=%2F");
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_in_and_sign_out_are_audited_with_the_client_address(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.signed_in(Role::Admin).await;
    let out = admin.post_form("/logout", &[]).await;
    assert_eq!(out.headers()["location"], "/login?signed_out=1");
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT action, actor_label, client_ip FROM accounts_audit_log WHERE action IN ('sign_in', 'sign_out') ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .expect("audit rows");
    assert_eq!(
        rows,
        vec![
            ("sign_in".into(), "admin@example.test".into(), "127.0.0.1".into()),
            ("sign_out".into(), "admin@example.test".into(), "127.0.0.1".into()),
        ]
    );
    let text = text_of(&admin.page("/login?signed_out=1").await.html);
    assert!(text.contains("You are signed out."), "{text}");
}

#[sqlx::test(migrations = "../migrations")]
async fn first_run_setup_creates_one_admin_with_the_token_once(pool: PgPool) {
    let setup = SetupToken::default();
    let token = setup.prepare(&pool).await.expect("count").expect("no user yet: a token");
    let app = TestApp::spawn_with(pool, RouterOptions { setup, ..RouterOptions::default() }).await;
    let browser = app.browser();
    assert_eq!(browser.get("/").await.headers()["location"], "/setup", "first run leads to setup");
    let text = text_of(&browser.page("/setup").await.html);
    assert!(text.contains("First-run setup"), "{text}");

    let form = |token: &'static str| {
        [("token", token), ("email", "Root@Example.test"), ("display_name", "Root"), ("password", PASSWORD)]
    };
    let wrong = browser.post_form("/setup", &form("not-the-token")).await;
    assert_eq!(wrong.headers()["location"], "/setup?error=setup_token");
    let short = browser
        .post_form(
            "/setup",
            &[("token", &token), ("email", "root@example.test"), ("display_name", "Root"), ("password", "short")],
        )
        .await;
    assert_eq!(short.headers()["location"], "/setup?error=password_short", "a policy failure keeps the token");
    let text = text_of(&browser.page("/setup?error=password_short").await.html);
    assert!(text.contains("The password must be at least 12 characters long."), "{text}");

    let token: &'static str = Box::leak(token.into_boxed_str());
    let done = browser.post_form("/setup", &form(token)).await;
    assert_eq!(done.headers()["location"], "/login?setup=done");
    let again = browser.post_form("/setup", &form(token)).await;
    assert_eq!(again.headers()["location"], "/login", "the token works once");
    assert_eq!(browser.get("/setup").await.headers()["location"], "/login");

    let role: String = sqlx::query_scalar("SELECT role FROM accounts_users WHERE email = 'root@example.test'")
        .fetch_one(&app.pool)
        .await
        .expect("the admin exists");
    assert_eq!(role, "admin");
    let signed = browser.sign_in("root@example.test", PASSWORD, "/settings").await;
    assert_eq!(signed.headers()["location"], "/settings");
}

#[sqlx::test(migrations = "../migrations")]
async fn every_response_carries_the_security_headers(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    for path in ["/login", "/healthz", "/assets/tenantry.css", "/system"] {
        let response = app.get(path).await;
        let h = response.headers();
        let csp = h["content-security-policy"].to_str().expect("ascii");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
    }
}

#[tokio::test]
async fn signed_in_requests_say_the_database_is_down_instead_of_failing() {
    let app = TestApp::spawn_with_database_down().await;
    let login = app.get("/login").await;
    assert_eq!(login.status(), StatusCode::OK, "the sign-in page needs no database");
    let client = reqwest::Client::new();
    let response = client
        .get(app.url("/system"))
        .header("cookie", "tenantry_session=AAAAAAAAAAAAAAAAAAAAAA")
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.text().await.expect("body").contains("the database is not answering"));
}

#[sqlx::test(migrations = "../migrations")]
async fn the_demo_offers_one_account_per_role_and_refuses_a_real_database(pool: PgPool) {
    let accounts = server::demo::prepare(&pool).await.expect("an empty database is fine");
    assert_eq!(accounts.iter().map(|a| a.role).collect::<Vec<_>>(), Role::ALL);
    let again = server::demo::prepare(&pool).await.expect("a demo database is fine");
    assert_ne!(accounts[0].password, again[0].password, "new passwords at every start");

    let options = RouterOptions { demo_accounts: again.clone(), ..RouterOptions::default() };
    let app = TestApp::spawn_with(pool, options).await;
    let text = text_of(&app.browser().page("/login").await.html);
    assert!(text.contains("Demo accounts"), "{text}");
    let ops = again.iter().find(|a| a.role == Role::OpsLead).expect("an ops lead");
    assert!(text.contains(&ops.email) && text.contains(&ops.password), "{text}");
    let browser = app.browser();
    assert_eq!(browser.sign_in(&ops.email, &ops.password, "/settings").await.headers()["location"], "/settings");

    app.add_user("real.person@example.test", Role::Helpdesk).await;
    let refused = server::demo::prepare(&app.pool).await.expect_err("a real user is in this database");
    assert!(refused.to_string().contains("the demo needs a database of its own"), "{refused}");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_sign_in_page_shows_no_accounts_outside_demo_mode(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let text = text_of(&app.browser().page("/login").await.html);
    assert!(!text.contains("Demo accounts"), "{text}");
}

#[sqlx::test(migrations = "../migrations")]
async fn housekeeping_deletes_expired_sessions_and_forgets_old_failures(pool: PgPool) {
    use chrono::{Duration, Utc};
    let now = Utc::now();
    sqlx::query("INSERT INTO tower_sessions.session (id, data, expiry_date) VALUES ('old', '', $1), ('live', '', $2)")
        .bind(now - Duration::minutes(1))
        .bind(now + Duration::hours(1))
        .execute(&pool)
        .await
        .expect("sessions");
    sqlx::query("INSERT INTO accounts_sign_in_failures (email, client_ip, at) VALUES ('a@x.test', '1.2.3.4', $1), ('a@x.test', '1.2.3.4', $2)")
        .bind(now - Duration::minutes(16))
        .bind(now - Duration::minutes(1))
        .execute(&pool)
        .await
        .expect("failures");
    let outcome = server::accounts::housekeeping::run_once(&pool, now).await.expect("clean-up");
    assert_eq!((outcome.sessions_deleted, outcome.failures_pruned), (1, 1));
    let left: Vec<String> =
        sqlx::query_scalar("SELECT id FROM tower_sessions.session").fetch_all(&pool).await.expect("ids");
    assert_eq!(left, ["live"]);
}
