//! The fault soak (run it with `scripts/soak`): two `tenantry serve` replicas against the Auth0 simulator while
//! it injects faults — 5xx, answers that never come, malformed JSON, 429 storms with absurd reset times — the
//! database restarts once and a replica is killed mid-delivery. Then the faults clear and the console must
//! recover. Prints one table of what was promised and what was measured; exits 1 when a promise was broken.
//!
//! Loopback only: the simulator, the webhook receiver, the replicas and the database all listen on 127.0.0.1.
//!
//!   soak --database-url URL --bin PATH [--minutes 10] [--restart-db "shell command"]

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use app::accounts::{Acting, Role};
use app::monitoring::CheckForm;
use app::notifications::channels::ChannelForm;
use chrono::Utc;
use server::accounts::audit::Actor;
use server::accounts::service::NewUser;
use server::secrets::SecretBox;
use server::simulator::receivers::Receiver;
use server::simulator::{Faults, SimTenant, Simulator};
use server::tenants::service::TenantInput;
use sqlx::PgPool;

const KEY: [u8; 32] = [0x5a; 32];
const TENANTS: usize = 6;
const CHECK_INTERVAL: Duration = Duration::from_secs(30);
const SIGNING_SECRET: &str = "soak-signing-secret";

struct Args {
    database_url: String,
    bin: String,
    minutes: u64,
    restart_db: Option<String>,
}

fn args() -> anyhow::Result<Args> {
    let mut args = std::env::args().skip(1);
    let mut parsed = Args { database_url: String::new(), bin: String::new(), minutes: 10, restart_db: None };
    while let Some(flag) = args.next() {
        let value = args.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--database-url" => parsed.database_url = value,
            "--bin" => parsed.bin = value,
            "--minutes" => parsed.minutes = value.parse().context("--minutes: a whole number")?,
            "--restart-db" => parsed.restart_db = Some(value),
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    anyhow::ensure!(!parsed.database_url.is_empty() && !parsed.bin.is_empty(), "--database-url and --bin are needed");
    anyhow::ensure!((2..=120).contains(&parsed.minutes), "--minutes: 2 to 120");
    Ok(parsed)
}

fn domain(i: usize) -> String {
    format!("soak-{i}.us.auth0.com")
}

/// One replica: `tenantry serve` on a free port, its log in `target/soak/`.
fn replica(args: &Args, sim: &Simulator, n: usize) -> anyhow::Result<Child> {
    std::fs::create_dir_all("target/soak")?;
    let log = std::fs::OpenOptions::new().create(true).append(true).open(format!("target/soak/replica-{n}.log"))?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    Command::new(&args.bin)
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &args.database_url)
        .env("TENANTRY_ADDR", format!("127.0.0.1:{port}"))
        .env("TENANTRY_SECRET_KEY", hex::encode(KEY))
        .env("TENANTRY_TENANTS_POLL_MINUTES", "1")
        .env("TENANTRY_TENANTS_ALLOW_PRIVATE_TARGETS", "true")
        .env("TENANTRY_STATUS_ALLOW_PRIVATE_TARGETS", "true")
        .env("TENANTRY_NOTIFICATIONS_ALLOW_PRIVATE_TARGETS", "true")
        .env("TENANTRY_STATUS_AUTH0_FEED_URL", format!("{}/__status/auth0/feed", sim.base_url()))
        .env("TENANTRY_INFRA_ALLOW_PRIVATE_TARGETS", "true")
        .env("TENANTRY_INFRA_IP_RANGES_URL", format!("{}/ip-ranges.json", sim.base_url()))
        .env("TENANTRY_LOG", "warn")
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .context("cannot start a replica")
}

/// The company: tenants on the simulator, a `/testall` check each, a webhook channel for every notice.
async fn setup(pool: &PgPool, sim: &Simulator, receiver: &Receiver) -> anyhow::Result<()> {
    let secrets = SecretBox::new(KEY);
    for i in 0..TENANTS {
        sim.add_tenant(SimTenant::new(&domain(i), "soak-client", "soak-secret"));
        let input = TenantInput {
            domain: domain(i),
            environment: "production".into(),
            user_domain: "customers".into(),
            association: "associated".into(),
            account_name: "Soak".into(),
            client_id: "soak-client".into(),
            client_secret: "soak-secret".into(),
            api_base_url: sim.base_url(),
            ..TenantInput::default()
        };
        let id = server::tenants::service::add(
            pool,
            &secrets,
            &Actor::CommandLine,
            &input,
            "",
            Utc::now(),
            Duration::from_secs(60),
        )
        .await?;
        let form = CheckForm {
            tenant_id: id.to_string(),
            kind: "testall".into(),
            name: "Monitoring endpoint".into(),
            interval_secs: CHECK_INTERVAL.as_secs().to_string(),
            fail_threshold: "2".into(),
            success_threshold: "1".into(),
            ..CheckForm::default()
        };
        let spec = server::monitoring::service::parse(&form, &secrets, false).map_err(|e| anyhow::anyhow!("{e}"))?;
        server::monitoring::service::add(pool, &Actor::CommandLine, spec, 6.0, "", Utc::now()).await?;
    }
    let new = NewUser {
        email: "soak@example.test",
        display_name: "Soak",
        role: Role::Admin,
        password: "soak soak soak soak",
    };
    let admin = server::accounts::service::create_user(pool, &Actor::CommandLine, new, "").await?;
    let by = Acting { user: admin.current(), client_ip: String::new() };
    let form = ChannelForm {
        name: "soak hook".into(),
        kind: "webhook".into(),
        url: receiver.url("/hook"),
        signing_secret: SIGNING_SECRET.into(),
        min_severity: "info".into(),
        ..ChannelForm::default()
    };
    let mut tx = pool.begin().await?;
    server::notifications::channels::add(&mut tx, &secrets, &by, &form).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    tx.commit().await?;
    Ok(())
}

/// The faults of one moment of the fault phase: each tenant gets its own kind of trouble, rotating.
fn faults_at(step: usize, i: usize) -> Faults {
    match (step + i) % 6 {
        0 => Faults { server_error: true, ..Faults::default() },
        1 => Faults { hang: true, ..Faults::default() },
        2 => Faults { malformed_json: true, ..Faults::default() },
        3 => Faults { storm_429: true, absurd_reset: true, ..Faults::default() },
        4 => Faults { testall_down: true, latency_ms: 2_000, ..Faults::default() },
        _ => Faults::default(),
    }
}

/// Whether every check's last run was ok and no alert is open.
async fn all_green(pool: &PgPool) -> anyhow::Result<bool> {
    let (not_ok, open): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM monitoring_checks WHERE last_outcome IS DISTINCT FROM 'ok'),
                (SELECT count(*) FROM monitoring_alerts WHERE resolved_at IS NULL)",
    )
    .fetch_one(pool)
    .await?;
    Ok(not_ok == 0 && open == 0)
}

fn panics() -> usize {
    (0..3)
        .filter_map(|n| std::fs::read_to_string(format!("target/soak/replica-{n}.log")).ok())
        .map(|log| log.matches("panicked").count())
        .sum()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    server::init_crypto();
    let args = args()?;
    let _ = std::fs::remove_dir_all("target/soak");
    let pool = sqlx::postgres::PgPoolOptions::new().max_connections(4).connect(&args.database_url).await?;
    server::db::migrate(&pool).await?;
    let sim = Simulator::start(0).await?;
    let receiver = Receiver::start(Some(SIGNING_SECRET)).await?;
    setup(&pool, &sim, &receiver).await?;

    let total = Duration::from_secs(args.minutes * 60);
    let warm_up = total / 10;
    let faulty = total / 2;
    let started = Instant::now();
    let mut replicas = vec![replica(&args, &sim, 0)?, replica(&args, &sim, 1)?];
    println!(
        "soak: {} minutes — warm-up {} s, faults {} s, recovery {} s",
        args.minutes,
        warm_up.as_secs(),
        faulty.as_secs(),
        (total - warm_up - faulty).as_secs()
    );
    tokio::time::sleep(warm_up).await;

    // Faults: rotate every 30 s; the database restarts a third of the way in; a replica dies two thirds in.
    let fault_start = Instant::now();
    let (mut restarted, mut killed) = (false, 0);
    let mut step = 0;
    while fault_start.elapsed() < faulty {
        for i in 0..TENANTS {
            sim.update(&domain(i), |t| t.faults = faults_at(step, i));
        }
        if !restarted && fault_start.elapsed() > faulty / 3 {
            if let Some(command) = &args.restart_db {
                println!("soak: restarting the database");
                let status = Command::new("sh").arg("-c").arg(command).status()?;
                anyhow::ensure!(status.success(), "the database restart command failed");
            }
            restarted = true;
        }
        if killed == 0 && fault_start.elapsed() > faulty * 2 / 3 {
            println!("soak: killing replica 1 (SIGKILL) while deliveries are flowing");
            replicas[1].kill()?;
            let _ = replicas[1].wait();
            replicas[1] = replica(&args, &sim, 2)?;
            killed = 1;
        }
        step += 1;
        tokio::time::sleep(Duration::from_secs(30).min(faulty.saturating_sub(fault_start.elapsed()))).await;
    }

    // Recovery: every fault cleared; how long until every check is green again?
    for i in 0..TENANTS {
        sim.update(&domain(i), |t| t.faults = Faults::default());
    }
    let clear = Instant::now();
    let mut green_after = None;
    while started.elapsed() < total {
        if green_after.is_none() && all_green(&pool).await.unwrap_or(false) {
            green_after = Some(clear.elapsed());
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    for replica in &mut replicas {
        let _ = Command::new("kill").args(["-TERM", &replica.id().to_string()]).status();
        let _ = replica.wait();
    }

    // What was promised, and what happened.
    let lost: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM monitoring_events e
         WHERE NOT EXISTS (SELECT 1 FROM notifications_updates u WHERE u.origin = 'monitoring:event:' || e.id)",
    )
    .fetch_one(&pool)
    .await?;
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM monitoring_events").fetch_one(&pool).await?;
    let received = receiver.received();
    let mut per_delivery: HashMap<String, usize> = HashMap::new();
    for r in &received {
        *per_delivery.entry(r.delivery.clone().unwrap_or_default()).or_default() += 1;
    }
    let duplicates: usize = per_delivery.values().map(|n| n - 1).sum();
    let beyond_window = duplicates.saturating_sub(killed);
    let bad_signatures = received.iter().filter(|r| r.signature_ok != Some(true)).count();
    let two_intervals = CHECK_INTERVAL * 2 + Duration::from_secs(10);
    // Tenant reads: a tenant told "reset in 2100" may wait `MAX_RESET_AHEAD`, then its next poll (every minute,
    // backoff capped at the interval, up to 10 % jitter) must succeed.
    let reads_due = Duration::from_secs(server::auth0::ratelimit::MAX_RESET_AHEAD + 60 + 15);
    let reading: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants_polls WHERE last_success_at > $1")
        .bind(Utc::now() - chrono::Duration::from_std(clear.elapsed()).unwrap_or_default())
        .fetch_one(&pool)
        .await?;
    let reads_row = if clear.elapsed() >= reads_due {
        (format!("{TENANTS} of {TENANTS}"), format!("{reading} of {TENANTS}"), reading == TENANTS as i64)
    } else {
        (format!("not measured: needs {} s of recovery", reads_due.as_secs()), format!("{reading} of {TENANTS}"), true)
    };
    let rows: Vec<(&str, String, String, bool)> = vec![
        ("panics in the replicas' logs", "0".into(), panics().to_string(), panics() == 0),
        ("requests over Auth0's limits", "0".into(), sim.over_limit().to_string(), sim.over_limit() == 0),
        (
            "checks green again after the faults clear",
            format!("≤ {} s (two intervals + 10 s)", two_intervals.as_secs()),
            green_after.map(|d| format!("{} s", d.as_secs())).unwrap_or_else(|| "never".into()),
            green_after.is_some_and(|d| d <= two_intervals),
        ),
        ("tenants read again after the faults clear", reads_row.0, reads_row.1, reads_row.2),
        ("notification updates lost", "0".into(), format!("{lost} of {events} events"), lost == 0),
        (
            "duplicate deliveries beyond the crash window",
            format!("0 (window: ≤ 1 per killed replica, {killed} killed)"),
            format!("{beyond_window} ({duplicates} duplicates in {} deliveries)", received.len()),
            beyond_window == 0,
        ),
        ("deliveries with a bad signature", "0".into(), bad_signatures.to_string(), bad_signatures == 0),
    ];
    println!();
    println!("{:<46} {:<44} {:<40} ok", "figure", "promised", "measured");
    for (figure, promised, measured, ok) in &rows {
        println!("{figure:<46} {promised:<44} {measured:<40} {}", if *ok { "yes" } else { "NO" });
    }
    println!(
        "(Auth0 simulator requests: {}; database restarted: {restarted}; replica logs: target/soak/)",
        sim.requests()
    );
    if rows.iter().all(|r| r.3) { Ok(()) } else { std::process::exit(1) }
}
