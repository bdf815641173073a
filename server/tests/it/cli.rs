//! The `tenantry` binary as an operator runs it.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::harness::{TestApp, database_url_of, free_port};

const BIN: &str = env!("CARGO_BIN_EXE_tenantry");

/// Runs `tenantry ARGS` with only the given environment (plus PATH), returning (exit code, stdout, stderr).
fn tenantry(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    tenantry_with_input(args, env, "")
}

/// Like `tenantry`, with `input` on standard input.
fn tenantry_with_input(args: &[&str], env: &[(&str, &str)], input: &str) -> (i32, String, String) {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tenantry runs");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    let output = child.wait_with_output().expect("tenantry exits");
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (output.status.code().unwrap_or(-1), text(output.stdout), text(output.stderr))
}

fn one_line_naming(stderr: &str, setting: &str) {
    let lines: Vec<_> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line, not a backtrace: {stderr}");
    assert!(lines[0].starts_with(&format!("tenantry: {setting}: ")), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn version_prints_the_package_version() {
    let (code, out, _) = tenantry(&["--version"], &[]);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), format!("tenantry {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn a_wrong_address_is_one_line_naming_tenantry_addr() {
    let (code, _, err) =
        tenantry(&["serve"], &[("TENANTRY_ADDR", "3000"), ("DATABASE_URL", "postgres://x@127.0.0.1:1/x")]);
    assert_eq!(code, 1);
    one_line_naming(&err, "TENANTRY_ADDR");
    assert!(err.contains("expected HOST:PORT"), "{err}");
}

#[test]
fn a_missing_or_malformed_database_url_is_one_line_naming_it() {
    let (code, _, err) = tenantry(&["serve"], &[]);
    assert_eq!(code, 1);
    one_line_naming(&err, "DATABASE_URL");
    assert!(err.contains("not set"), "{err}");

    let (code, _, err) = tenantry(&["migrate"], &[("DATABASE_URL", "http://user:s3cret@db/x")]);
    assert_eq!(code, 1);
    one_line_naming(&err, "DATABASE_URL");
    assert!(!err.contains("s3cret"), "the password is never echoed: {err}");
}

#[test]
fn an_unreachable_database_is_one_line_naming_it_without_the_password() {
    let addr = format!("127.0.0.1:{}", free_port());
    let (code, _, err) = tenantry(
        &["serve"],
        &[
            ("TENANTRY_ADDR", &addr),
            ("DATABASE_URL", "postgres://app:s3cret@127.0.0.1:1/tenantry"),
            ("TENANTRY_DATABASE_ACQUIRE_TIMEOUT_SECS", "1"),
            ("TENANTRY_LOG", "off"),
        ],
    );
    assert_eq!(code, 1);
    one_line_naming(&err, "DATABASE_URL");
    assert!(err.contains("cannot connect to postgres://app@127.0.0.1:1/tenantry"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
}

#[sqlx::test(migrations = false)]
async fn migrate_applies_pending_migrations_once(pool: PgPool) {
    let url = database_url_of(&pool);
    let (code, out, err) = tenantry(&["migrate"], &[("DATABASE_URL", &url), ("TENANTRY_LOG", "off")]);
    assert_eq!(code, 0, "{err}");
    let known = server::db::MIGRATOR.iter().count();
    assert!(out.starts_with(&format!("{known} migration(s) applied")), "{out}");
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM system_instance").fetch_one(&pool).await.expect("table");
    assert_eq!(rows, 1);

    let (code, out, _) = tenantry(&["migrate"], &[("DATABASE_URL", &url), ("TENANTRY_LOG", "off")]);
    assert_eq!(code, 0);
    assert!(out.starts_with("0 migration(s) applied"), "{out}");
}

#[sqlx::test(migrations = "../migrations")]
async fn healthcheck_exits_0_for_a_healthy_server_and_1_otherwise(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let url = app.url("/healthz");
    let healthy = tokio::task::spawn_blocking(move || tenantry(&["healthcheck", "--url", &url], &[]));
    let (code, out, err) = healthy.await.expect("joined");
    assert_eq!(code, 0, "{out}{err}");

    let down = TestApp::spawn_with_database_down().await;
    let url = down.url("/healthz");
    let (code, _, err) =
        tokio::task::spawn_blocking(move || tenantry(&["healthcheck", "--url", &url], &[])).await.expect("joined");
    assert_eq!(code, 1);
    assert!(err.contains("503"), "{err}");

    let nobody = format!("127.0.0.1:{}", free_port());
    let (code, _, _) = tenantry(&["healthcheck", "--timeout-secs", "2"], &[("TENANTRY_ADDR", &nobody)]);
    assert_eq!(code, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn user_commands_add_list_change_and_disable_users(pool: PgPool) {
    let url = database_url_of(&pool);
    let env = [("DATABASE_URL", url.as_str())];
    let add = |email: &str, role: &str, password: &str| {
        tenantry_with_input(&["user", "add", "--email", email, "--role", role, "--password-stdin"], &env, password)
    };
    let (code, out, err) = add("Lead@Example.test", "ops_lead", "correct horse battery\n");
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "added lead@example.test (Lead) as ops_lead");

    let (code, _, err) = add("short@example.test", "helpdesk", "too short\n");
    assert_eq!(code, 1);
    assert_eq!(err.trim(), "tenantry: the password must be at least 12 characters long");
    let (code, _, err) = add("lead@example.test", "helpdesk", "correct horse battery\n");
    assert_eq!((code, err.trim()), (1, "tenantry: a user with this email address already exists"));
    let (code, _, err) = tenantry(&["user", "add", "--email", "x@example.test", "--role", "root"], &env);
    assert_eq!(code, 2, "clap refuses an unknown role: {err}");
    assert!(err.contains("unknown role \"root\""), "{err}");

    assert_eq!(tenantry(&["user", "set-role", "--email", "lead@example.test", "--role", "admin"], &env).0, 0);
    assert_eq!(tenantry(&["user", "disable", "--email", "lead@example.test"], &env).0, 0);
    let (code, out, _) = tenantry(&["user", "list"], &env);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), "lead@example.test\tadmin\tdisabled\tLead\tnever signed in");
    let (code, _, err) = tenantry(&["user", "disable", "--email", "nobody@example.test"], &env);
    assert_eq!((code, err.trim()), (1, "tenantry: no user has this email address"));

    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM accounts_audit_log WHERE actor_label = 'command line' ORDER BY id")
            .fetch_all(&pool)
            .await
            .expect("audit");
    assert_eq!(actions, ["user_created", "user_role_changed", "user_disabled"]);
}

#[sqlx::test(migrations = false)]
async fn serve_migrates_serves_logs_json_and_stops_gracefully_on_sigterm(pool: PgPool) {
    let url = database_url_of(&pool);
    let addr = format!("127.0.0.1:{}", free_port());
    let child = Command::new(BIN)
        .arg("serve")
        .env_clear()
        .env("TENANTRY_ADDR", &addr)
        .env("DATABASE_URL", &url)
        .env("TENANTRY_LOG_FORMAT", "json")
        // Auth0's IP list: refused at once (a private address), never the internet.
        .env("TENANTRY_INFRA_IP_RANGES_URL", "http://127.0.0.1:9/ip-ranges.json")
        .env("TENANTRY_SECRET_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tenantry serve starts");

    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = client.get(format!("http://{addr}/healthz")).send().await {
            assert_eq!(r.status(), 200);
            break;
        }
        assert!(Instant::now() < deadline, "server did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let login = client.get(format!("http://{addr}/login")).send().await.expect("page");
    assert_eq!(login.status(), 200);

    // Sign in through the running server, wrong and right, so the log has every chance to leak something.
    let secret = "a very secret passphrase 42";
    let (code, _, err) = tenantry_with_input(
        &["user", "add", "--email", "ops@example.test", "--role", "ops_lead", "--password-stdin"],
        &[("DATABASE_URL", &url)],
        &format!("{secret}\n"),
    );
    assert_eq!(code, 0, "{err}");
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let mut session = String::new();
    for password in ["not it, but close 42", secret] {
        let response = browser
            .post(format!("http://{addr}/login"))
            .header("origin", format!("http://{addr}"))
            .form(&[("email", "ops@example.test"), ("password", password)])
            .send()
            .await
            .expect("sign-in answered");
        assert_eq!(response.status(), 303);
        if let Some(cookie) = response.headers().get("set-cookie") {
            session = cookie.to_str().expect("ascii").split(';').next().unwrap_or("").to_string();
        }
    }
    assert!(session.starts_with("tenantry_session="), "signed in");
    let page =
        browser.get(format!("http://{addr}/settings/audit")).header("cookie", &session).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM accounts_users").fetch_one(&pool).await.expect("hash");

    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill").success());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output()).await.expect("join").expect("wait");
    assert!(output.status.success(), "exit after SIGTERM: {:?}", output.status);

    let log = String::from_utf8_lossy(&output.stderr);
    for secret in [secret, "not it, but close 42", hash.as_str(), session.trim_start_matches("tenantry_session=")] {
        assert!(!log.contains(secret), "the log must not contain {secret:?}");
    }
    assert!(!log.contains("$argon2"), "no password hash in the log");
    let events: Vec<serde_json::Value> =
        log.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("a JSON line: {l}"))).collect();
    let messages: Vec<&str> = events.iter().filter_map(|e| e["message"].as_str()).collect();
    assert!(messages.iter().any(|m| m.starts_with("Tenantry is serving")), "{messages:?}");
    assert!(messages.contains(&"shutdown signal received; finishing requests in flight"), "{messages:?}");
    assert!(messages.contains(&"stopped"), "{messages:?}");
    assert!(
        events.iter().any(|e| e["request_id"].as_str().is_some_and(|id| id.len() == 36)
            || e["span"]["request_id"].as_str().is_some_and(|id| id.len() == 36)),
        "request logs carry the request id: {log}"
    );
    let rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM system_instance").fetch_one(&pool).await.expect("migrated");
    assert_eq!(rows, 1);
}
