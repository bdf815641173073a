//! The console tried as an attacker and as a busy Monday morning would: each test is the probe that found a
//! problem, kept so the fix stays.

use std::time::Duration;

use app::accounts::Role;
use reqwest::StatusCode;
use server::http::RouterOptions;
use sqlx::PgPool;

use crate::harness::{PASSWORD, TestApp, text_of};

fn behind_proxy() -> RouterOptions {
    RouterOptions { trusted_proxies: vec!["127.0.0.1/32".parse().expect("network")], ..RouterOptions::default() }
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().expect("ascii").to_string()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_guesser_behind_the_company_proxy_does_not_lock_out_the_accounts_owner(pool: PgPool) {
    let app = TestApp::spawn_with(pool, behind_proxy()).await;
    app.add_user("admin@example.test", Role::Admin).await;
    let attacker = app.browser_behind_proxy("203.0.113.66");
    for attempt in 1..=6 {
        attacker.sign_in("admin@example.test", &format!("guess number {attempt}"), "/").await;
    }
    let right = attacker.sign_in("admin@example.test", PASSWORD, "/").await;
    assert!(location(&right).starts_with("/login?error=throttled"), "the guesser waits, even with the password");

    // The owner, at another address behind the same proxy, signs in at once.
    let owner = app.browser_behind_proxy("198.51.100.7");
    let response = owner.sign_in("admin@example.test", PASSWORD, "/").await;
    assert_eq!(location(&response), "/", "the owner is not locked out by someone else's guesses");

    // The audit log names the client addresses the proxy reported, not the proxy's.
    let addresses: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT client_ip FROM accounts_audit_log WHERE target = 'admin@example.test' AND client_ip <> ''
         ORDER BY 1",
    )
    .fetch_all(&app.pool)
    .await
    .expect("audit");
    assert_eq!(addresses, ["198.51.100.7", "203.0.113.66"]);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_forwarded_for_header_from_an_untrusted_peer_is_ignored(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.add_user("ops@example.test", Role::OpsLead).await;
    // A new made-up address per attempt does not buy new attempts: without a trusted proxy the peer counts.
    for attempt in 1..=5 {
        let browser = app.browser_behind_proxy(&format!("198.51.100.{attempt}"));
        browser.sign_in("ops@example.test", "not the password!", "/").await;
    }
    let next = app.browser_behind_proxy("198.51.100.99").sign_in("ops@example.test", PASSWORD, "/").await;
    assert!(location(&next).starts_with("/login?error=throttled&wait="), "{}", location(&next));
}

#[sqlx::test(migrations = "../migrations")]
async fn sixty_four_concurrent_sign_ins_complete_while_healthz_stays_green(pool: PgPool) {
    let app = std::sync::Arc::new(TestApp::spawn(pool).await);
    app.add_user("shift@example.test", Role::Helpdesk).await;
    let sign_ins: Vec<_> = (0..64)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { location(&app.browser().sign_in("shift@example.test", PASSWORD, "/").await) })
        })
        .collect();
    let probe = {
        let app = app.clone();
        tokio::spawn(async move {
            let mut answers = Vec::new();
            for _ in 0..20 {
                answers.push(app.get("/healthz").await.status());
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            answers
        })
    };
    for sign_in in sign_ins {
        assert_eq!(sign_in.await.expect("sign-in task"), "/", "every sign-in succeeds");
    }
    let answers = probe.await.expect("probe task");
    assert!(answers.iter().all(|s| *s == StatusCode::OK), "/healthz answered {answers:?} during the sign-ins");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_password_reset_ends_the_users_other_sessions(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.signed_in(Role::Admin).await;
    app.add_user("dev@example.test", Role::Developer).await;
    let laptop = app.browser();
    assert_eq!(location(&laptop.sign_in("dev@example.test", PASSWORD, "/").await), "/");
    assert_eq!(laptop.get("/tenants").await.status(), StatusCode::OK);

    let reset = admin
        .post_form_on(
            "/settings/users",
            "/api/accounts/password",
            &[("email", "dev@example.test"), ("password", "a brand new passphrase")],
        )
        .await;
    assert!(reset.status().is_redirection() || reset.status().is_success(), "{}", reset.status());

    let after = laptop.get("/tenants").await;
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "the old session is over");
    assert!(location(&after).starts_with("/login"));
    let again = app.browser();
    assert_eq!(location(&again.sign_in("dev@example.test", "a brand new passphrase", "/").await), "/");
    assert_eq!(again.get("/tenants").await.status(), StatusCode::OK, "a session after the reset works");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_session_in_use_outlives_the_idle_limit_and_an_idle_one_ends(pool: PgPool) {
    let idle = Duration::from_secs(6);
    let app = TestApp::spawn_with(pool, RouterOptions { session_idle: idle, ..RouterOptions::default() }).await;
    let browser = app.signed_in(Role::Helpdesk).await;
    // Used every 2 s for 10 s: longer than the idle limit since sign-in, never idle for it.
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(browser.get("/system").await.status(), StatusCode::OK, "still signed in while in use");
    }
    tokio::time::sleep(idle + Duration::from_secs(2)).await;
    assert_eq!(browser.get("/system").await.status(), StatusCode::SEE_OTHER, "idle past the limit: signed out");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_megabyte_typed_as_an_email_is_cut_before_it_is_stored(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let huge = format!("{}@example.test", "x".repeat(1_000_000));
    let browser = app.browser();
    let response = browser.sign_in(&huge, "whatever it is", "/").await;
    assert!(location(&response).starts_with("/login?error=invalid"));
    let longest: i32 = sqlx::query_scalar(
        "SELECT max(greatest(length(actor_label), length(target), length(detail))) FROM accounts_audit_log",
    )
    .fetch_one(&app.pool)
    .await
    .expect("audit");
    assert!(longest <= 500, "an audit entry kept {longest} characters");
    let failure: i32 = sqlx::query_scalar("SELECT max(length(email)) FROM accounts_sign_in_failures")
        .fetch_one(&app.pool)
        .await
        .expect("failures");
    assert_eq!(failure, 254);
}

/// Sends one request exactly as written (HTTP clients tidy `.` segments away before sending) and returns the
/// status code and the body.
async fn raw_get(app: &TestApp, path: &str, cookie: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.expect("connect");
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\nAccept: text/html\r\nConnection: close\r\n\r\n",
        app.addr
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    let status = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, answer)
}

#[sqlx::test(migrations = "../migrations")]
async fn a_dotted_path_does_not_reach_a_page_the_role_may_not_open(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.add_user("desk@example.test", Role::Helpdesk).await;
    let response = app.browser().sign_in("desk@example.test", PASSWORD, "/").await;
    let cookie =
        response.headers()["set-cookie"].to_str().expect("ascii").split(';').next().expect("cookie").to_string();
    assert_eq!(raw_get(&app, "/settings/users", &cookie).await.0, 403, "the plain path is refused");
    for path in ["/settings/./users", "/settings/x/../users", "//settings/users", "/settings/%2e/users"] {
        let (status, answer) = raw_get(&app, path, &cookie).await;
        assert_eq!(status, 400, "{path}: {answer}");
        assert!(!answer.contains("Add a user"), "{path} showed the users page: {}", text_of(&answer));
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn only_the_consoles_own_host_names_are_served(pool: PgPool) {
    let options = RouterOptions { public_url: Some("https://ops.example.test".into()), ..RouterOptions::default() };
    let app = TestApp::spawn_with(pool, options).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let ask = |host: &'static str, path: &'static str| client.get(app.url(path)).header("host", host).send();
    let foreign = ask("rebind.attacker.example", "/login").await.expect("answer");
    assert_eq!(foreign.status(), StatusCode::MISDIRECTED_REQUEST);
    assert!(foreign.text().await.expect("body").contains("TENANTRY_PUBLIC_URL"));
    assert_eq!(ask("ops.example.test", "/login").await.expect("answer").status(), StatusCode::OK);
    assert_eq!(ask("10.1.2.3:3000", "/healthz").await.expect("answer").status(), StatusCode::OK, "probes by address");
}

#[sqlx::test(migrations = "../migrations")]
async fn invented_http_methods_do_not_grow_the_metrics(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = reqwest::Client::new();
    for i in 0..5 {
        let method = reqwest::Method::from_bytes(format!("INVENTED{i}").as_bytes()).expect("method");
        client.request(method, app.url("/healthz")).send().await.expect("answer");
    }
    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    assert!(!metrics.contains("INVENTED"), "a series per invented method");
    assert!(metrics.contains(r#"method="other""#), "invented methods are counted together");
}
