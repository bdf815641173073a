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
async fn a_200_kb_email_is_cut_before_it_is_stored(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let huge = format!("{}@example.test", "x".repeat(200_000));
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

mod secrets {
    use app::accounts::{Acting, Role};
    use app::monitoring::CheckForm;
    use app::notifications::channels::ChannelForm;
    use app::tenants::{Environment, Region};
    use chrono::Utc;
    use server::accounts::audit::Actor;
    use server::notifications::delivery::service as channels;
    use server::secrets::SecretBox;
    use server::tenants::service::{self, TenantInput};
    use sqlx::PgPool;

    const KEY: [u8; 32] = [3; 32];

    fn input(api_base_url: &str, secret: &str) -> TenantInput {
        TenantInput {
            domain: "acme-prod.us.auth0.com".into(),
            name: "acme-prod".into(),
            environment: "production".into(),
            user_domain: "customers".into(),
            association: "associated".into(),
            account_name: "Acme".into(),
            client_id: "cid".into(),
            client_secret: secret.into(),
            api_base_url: api_base_url.into(),
            ..TenantInput::default()
        }
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_tenants_stored_secret_is_not_sent_to_a_new_address(pool: PgPool) {
        let secrets = SecretBox::new(KEY);
        let interval = std::time::Duration::from_secs(900);
        let id = service::add(&pool, &secrets, &Actor::CommandLine, &input("", "s3cret"), "", Utc::now(), interval)
            .await
            .expect("added");
        let moved = input("http://attacker.example:8080", "");
        let refused = service::update(&pool, &secrets, &Actor::CommandLine, id, &moved, "", Utc::now())
            .await
            .expect_err("the stored secret would go to the new URL");
        assert!(refused.to_string().contains("enter the client secret again"), "{refused}");
        let url: Option<String> =
            sqlx::query_scalar("SELECT api_base_url FROM tenants").fetch_one(&pool).await.expect("row");
        assert_eq!(url, None, "nothing changed");
        // With the secret entered again, the change is made; a change elsewhere keeps the stored secret.
        let with_secret = input("http://attacker.example:8080", "another");
        service::update(&pool, &secrets, &Actor::CommandLine, id, &with_secret, "", Utc::now()).await.expect("ok");
        let notes = TenantInput { notes: "renamed the account".into(), ..input("http://attacker.example:8080", "") };
        service::update(&pool, &secrets, &Actor::CommandLine, id, &notes, "", Utc::now()).await.expect("ok");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_synthetic_login_moved_to_another_tenant_needs_its_secrets_again(pool: PgPool) {
        use server::monitoring::service as checks;
        let secrets = SecretBox::new(KEY);
        let prod = crate::harness::insert_tenant(&pool, "acme-prod", Region::Us, Environment::Production).await;
        let other = crate::harness::insert_tenant(&pool, "evil-dev", Region::Us, Environment::Development).await;
        let form = CheckForm {
            tenant_id: prod.to_string(),
            kind: "login".into(),
            name: "Customer login".into(),
            interval_secs: "60".into(),
            grant_type: "password".into(),
            username: "probe@acme.test".into(),
            password: "probe-pass".into(),
            client_id: "app".into(),
            client_secret: "app-secret".into(),
            ..CheckForm::default()
        };
        let parsed = checks::parse(&form, &secrets, false).expect("valid");
        let id = checks::add(&pool, &Actor::CommandLine, parsed, 6.0, "", Utc::now()).await.expect("added");
        let moved = CheckForm {
            tenant_id: other.to_string(),
            password: String::new(),
            client_secret: String::new(),
            ..form.clone()
        };
        let parsed = checks::parse(&moved, &secrets, true).expect("valid form");
        let refused = checks::update(&pool, &Actor::CommandLine, id, parsed, 6.0, "", Utc::now())
            .await
            .expect_err("the secrets would be sent to the other tenant");
        assert!(refused.to_string().contains("enter them again"), "{refused}");
        let tenant: uuid::Uuid =
            sqlx::query_scalar("SELECT tenant_id FROM monitoring_checks").fetch_one(&pool).await.expect("row");
        assert_eq!(tenant, prod, "nothing changed");
        // Same tenant, blank secrets: the stored ones are kept.
        let renamed = CheckForm { name: "Login".into(), password: String::new(), client_secret: String::new(), ..form };
        let parsed = checks::parse(&renamed, &secrets, true).expect("valid form");
        checks::update(&pool, &Actor::CommandLine, id, parsed, 6.0, "", Utc::now()).await.expect("kept secrets");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn an_smtp_password_is_not_sent_to_a_new_host(pool: PgPool) {
        let secrets = SecretBox::new(KEY);
        let new = server::accounts::service::NewUser {
            email: "admin@example.test",
            display_name: "Admin",
            role: Role::Admin,
            password: crate::harness::PASSWORD,
        };
        let admin = server::accounts::service::create_user(&pool, &Actor::CommandLine, new, "").await.expect("user");
        let by = Acting { user: admin.current(), client_ip: String::new() };
        let form = ChannelForm {
            name: "mail".into(),
            kind: "email".into(),
            smtp_host: "smtp.example.test".into(),
            smtp_port: "587".into(),
            smtp_security: "starttls".into(),
            smtp_username: "tenantry".into(),
            smtp_password: "mail password".into(),
            mail_from: "tenantry@example.test".into(),
            mail_to: "ops@example.test".into(),
            min_severity: "info".into(),
            ..ChannelForm::default()
        };
        let mut tx = pool.begin().await.expect("tx");
        let id = channels::add(&mut tx, &secrets, &by, &form).await.expect("added");
        tx.commit().await.expect("commit");
        let moved =
            ChannelForm { smtp_host: "mail.attacker.example".into(), smtp_password: String::new(), ..form.clone() };
        let mut tx = pool.begin().await.expect("tx");
        let refused = channels::edit(&mut tx, &secrets, &by, id, &moved).await.expect_err("refused");
        assert!(refused.to_string().contains("enter the password again"), "{refused}");
        drop(tx);
        let host: String =
            sqlx::query_scalar("SELECT smtp->>'host' FROM notifications_channels").fetch_one(&pool).await.expect("row");
        assert_eq!(host, "smtp.example.test", "nothing changed");
        let renamed = ChannelForm { name: "mail (ops)".into(), smtp_password: String::new(), ..form };
        let mut tx = pool.begin().await.expect("tx");
        channels::edit(&mut tx, &secrets, &by, id, &renamed).await.expect("same host keeps the password");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn an_import_cannot_read_the_servers_own_variables(pool: PgPool) {
        let file = r#"
[[tenant]]
name = "acme-prod"
domain = "acme-prod.us.auth0.com"
environment = "production"
user_domain = "customers"
client_id = "cid"
api_base_url = "http://attacker.example"
client_secret_env = "DATABASE_URL"
"#;
        let env = |name: &str| (name == "DATABASE_URL").then(|| "postgres://app:db-password@db/prod".to_string());
        let secrets = SecretBox::new(KEY);
        let error = server::tenants::file::import(&pool, &secrets, file, env, std::time::Duration::from_secs(900))
            .await
            .expect_err("refused");
        assert!(error.to_string().contains("must name a variable starting with TENANTRY_IMPORT_"), "{error}");
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants").fetch_one(&pool).await.expect("count");
        assert_eq!(count, 0);
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_client_that_trickles_its_headers_is_cut_off(pool: PgPool) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let header_timeout = Duration::from_secs(2);
    let limits = server::http::serve::Limits { header_timeout, ..Default::default() };
    let app = TestApp::spawn_with_limits(pool, RouterOptions::default(), limits).await;
    let mut slow = tokio::net::TcpStream::connect(app.addr).await.expect("connect");
    slow.write_all(format!("GET /login HTTP/1.1\r\nHost: {}\r\nX-Slow: a", app.addr).as_bytes()).await.expect("send");
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(header_timeout * 5, slow.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server still held the connection after {:?}", started.elapsed());
    assert!(started.elapsed() >= header_timeout / 2, "cut off at the header time limit, not before");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.is_empty() || text.starts_with("HTTP/1.1 408"), "{text}");
    // Others are served meanwhile and after.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_request_body_over_the_limit_is_refused(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let browser = app.browser();
    let huge = "x".repeat(server::http::MAX_REQUEST_BODY + 1);
    let response = browser.post_form("/login", &[("email", huge.as_str()), ("password", "x")]).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(response.text().await.expect("body").contains("KiB limit"));
}

#[sqlx::test(migrations = "../migrations")]
async fn an_smtp_channel_cannot_reach_a_private_server_unless_allowed(pool: PgPool) {
    use app::notifications::channels::ChannelForm;
    use server::notifications::channels;
    use server::notifications::outbox::Outbox;
    use server::secrets::SecretBox;
    use server::simulator::receivers::SmtpLab;
    server::init_crypto();
    let smtp = SmtpLab::start(None, None).await.expect("smtp");
    let strict = server::notifications::NotificationsOptions::new(false, Vec::new(), chrono::TimeDelta::days(730))
        .expect("sender");
    let o = Outbox {
        pool: pool.clone(),
        sender: strict.sender,
        secrets: SecretBox::new([3; 32]),
        public_url: None,
        worker: "w".into(),
    };
    let form = ChannelForm {
        name: "mail".into(),
        kind: "email".into(),
        smtp_host: "127.0.0.1".into(),
        smtp_port: smtp.addr.port().to_string(),
        smtp_security: "none".into(),
        mail_from: "tenantry@example.test".into(),
        mail_to: "ops@example.test".into(),
        min_severity: "info".into(),
        ..ChannelForm::default()
    };
    let checked = channels::check(&form, false, &[]).expect("a valid channel");
    let id = channels::insert(&mut pool.acquire().await.expect("conn"), &o.secrets, &checked).await.expect("insert");
    let refused = o.send_test(id, chrono::Utc::now()).await.expect("logged").expect_err("refused");
    assert!(refused.message.contains("127.0.0.1 is a loopback address"), "{}", refused.message);
    assert!(smtp.mails().is_empty(), "nothing reached the SMTP server");
}
