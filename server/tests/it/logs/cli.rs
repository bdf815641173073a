//! `tenantry logs …` as an operator runs it.

use super::*;

/// Runs `tenantry ARGS` on the test's database: (exit code, stdout, stderr).
fn tenantry(pool: &PgPool, args: &[&str], extra: &[(&str, &str)]) -> (i32, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", harness::database_url_of(pool))
        .env("TENANTRY_LOG", "off")
        .envs(extra.iter().copied())
        .output()
        .expect("tenantry runs");
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (output.status.code().unwrap_or(-1), text(output.stdout), text(output.stderr))
}

#[sqlx::test(migrations = "../migrations")]
async fn the_command_line_imports_exports_pulls_and_makes_tokens(pool: PgPool) {
    let (sim, _, t) = pull_setup(&pool).await;
    sim.seed_log_flow(DOMAIN, start(), 120);
    let dir = std::env::temp_dir().join(format!("tenantry-logs-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let lines = [
        event_line("7001", "2026-12-01T10:00:00Z", "fp", "203.0.113.7"),
        "{\"log_id\":\"7002\",\"date\":\"soon\",\"type\":\"s\"}".to_string(),
        event_line("7003", "2026-12-01T10:01:00Z", "s", "203.0.113.8"),
    ];
    let file = dir.join("events.jsonl");
    std::fs::write(&file, lines.join("\n")).expect("file");
    let path = file.to_str().expect("path");
    let fixture_path = fixture(FIXTURES[1]);
    let page = fixture_path.to_str().expect("path");
    let (code, out, err) = tenantry(&pool, &["logs", "import", "--tenant", "acme-prod", path, page], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(
            "acme-prod: 12 stored, 0 duplicates, 1 rejected\n  rejected 1: date \"soon\" is not an RFC 3339 time"
        ),
        "{out}"
    );
    let (_, again, _) = tenantry(&pool, &["logs", "import", "--tenant", "acme-prod", path, page], &[]);
    assert!(again.starts_with("acme-prod: 0 stored, 12 duplicates, 1 rejected"), "{again}");
    let (code, _, err) = tenantry(&pool, &["logs", "import", "--tenant", "nobody", path], &[]);
    assert_eq!(code, 1);
    assert!(err.contains("no tenant is named \"nobody\""), "{err}");

    let (code, out, err) = tenantry(&pool, &["logs", "export", "--format", "jsonl", "--ip", "203.0.113.0/24"], &[]);
    assert_eq!((code, out.lines().count()), (0, 2), "{err}");
    assert!(err.contains("2 event(s) exported"), "{err}");

    let (code, out, err) = tenantry(&pool, &["logs", "stream-token", "acme-prod"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("/hooks/logs/{t}")), "{out}");
    let token =
        out.lines().find_map(|l| l.strip_prefix("Authorization Token:   Bearer ")).expect("token line").to_string();
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT token_hash FROM logs_stream_tokens").fetch_one(&pool).await.expect("hash");
    assert!(service::token_matches(&token, &stored) && !out.contains(&hex_of(&stored)), "stored hashed only");
    let (code, _, err) = tenantry(&pool, &["logs", "stream-token", "acme-prod"], &[]);
    assert_eq!(code, 1, "a second token needs --rotate");
    assert!(err.contains("--rotate"), "{err}");
    let (code, rotated, _) = tenantry(&pool, &["logs", "stream-token", "acme-prod", "--rotate"], &[]);
    assert_eq!(code, 0);
    assert!(!rotated.contains(&token), "a new token");

    let (code, out, _) = tenantry(&pool, &["logs", "retention", "acme-prod", "30"], &[]);
    assert_eq!((code, out.trim()), (0, "acme-prod: events are kept 30 days"));
    let (code, _, err) = tenantry(&pool, &["logs", "retention", "acme-prod", "0"], &[]);
    assert!(code == 1 && err.contains("from 1 to 3650"), "{err}");
    let days: Option<i32> =
        sqlx::query_scalar("SELECT retention_days FROM logs_progress").fetch_one(&pool).await.expect("progress");
    assert_eq!(days, Some(30));

    let key = "03".repeat(32);
    let env = [("TENANTRY_SECRET_KEY", key.as_str()), ("TENANTRY_TENANTS_ALLOW_PRIVATE_TARGETS", "true")];
    // The simulator runs on this test's runtime: wait for the command without blocking it.
    let (code, out, err) = {
        let (pool, env) = (pool.clone(), env.map(|(k, v)| (k.to_string(), v.to_string())));
        tokio::task::spawn_blocking(move || {
            let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            tenantry(&pool, &["logs", "pull", "acme-prod"], &env)
        })
        .await
        .expect("ran")
    };
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("acme-prod: 3 page(s), 120 stored, 0 duplicates, 0 rejected"), "{out}");
    let scheduled: i64 =
        sqlx::query_scalar("SELECT count(*) FROM scheduler_jobs WHERE kind = 'logs.pull' AND key = $1")
            .bind(t.to_string())
            .fetch_one(&pool)
            .await
            .expect("job");
    assert_eq!(scheduled, 1, "pulled every 5 minutes from then on");
    let _ = std::fs::remove_dir_all(dir);
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
