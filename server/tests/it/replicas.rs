//! Two `tenantry serve` processes on one database share the snapshot polling of 50 simulator tenants for two
//! minutes: every job runs once per interval, none twice, and both replicas do work.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use server::secrets::SecretBox;
use server::simulator::{SimTenant, Simulator};
use server::tenants::service::{self, TenantInput};
use sqlx::PgPool;

use crate::harness::{database_url_of, free_port};

const KEY_HEX: &str = "0f0e0d0c0b0a09080706050403020100f0e0d0c0b0a090807060504030201000";

#[sqlx::test(migrations = "../migrations")]
async fn two_replicas_poll_fifty_tenants_for_two_minutes_without_running_a_job_twice(pool: PgPool) {
    let sim = Simulator::start(0).await.expect("simulator");
    let key = server::config::parse_key(KEY_HEX).expect("key");
    let secrets = SecretBox::new(key);
    for i in 0..50 {
        let domain = format!("replica-{i:02}.us.auth0.com");
        sim.add_tenant(SimTenant::new(&domain, "cid", "secret"));
        let input = TenantInput {
            domain,
            environment: "development".into(),
            user_domain: "customers".into(),
            client_id: "cid".into(),
            client_secret: "secret".into(),
            api_base_url: sim.base_url(),
            ..TenantInput::default()
        };
        let actor = server::accounts::audit::Actor::CommandLine;
        service::add(&pool, &secrets, &actor, &input, "", chrono::Utc::now(), Duration::from_secs(60))
            .await
            .expect("add");
    }
    let url = database_url_of(&pool);
    let mut replicas: Vec<_> = (0..2)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_tenantry"))
                .arg("serve")
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("DATABASE_URL", &url)
                .env("TENANTRY_ADDR", format!("127.0.0.1:{}", free_port()))
                .env("TENANTRY_SECRET_KEY", KEY_HEX)
                .env("TENANTRY_TENANTS_POLL_MINUTES", "1")
                // The tenants live on the simulator, on this machine.
                .env("TENANTRY_TENANTS_ALLOW_PRIVATE_TARGETS", "true")
                // The tenants' Auth0 status feeds: refused at once (a private address), never the internet.
                .env("TENANTRY_STATUS_AUTH0_FEED_URL", "http://127.0.0.1:9/feed")
                .env("TENANTRY_INFRA_IP_RANGES_URL", "http://127.0.0.1:9/ip-ranges.json")
                .env("TENANTRY_LOG", "warn")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("tenantry serve starts")
        })
        .collect();
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(125)).await;
    for replica in &replicas {
        let _ = Command::new("kill").args(["-TERM", &replica.id().to_string()]).status();
    }
    for replica in &mut replicas {
        let _ = replica.wait();
    }

    let twice: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT job_id, due_at FROM scheduler_runs r JOIN scheduler_jobs j ON j.id = r.job_id
         WHERE j.kind = 'tenants.snapshot' GROUP BY job_id, due_at HAVING count(*) > 1) d",
    )
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(twice, 0, "no job ran twice for one interval");
    let per_job: Vec<i64> = sqlx::query_scalar(
        "SELECT count(r.id) FROM scheduler_jobs j LEFT JOIN scheduler_runs r ON r.job_id = j.id
         WHERE j.kind = 'tenants.snapshot' GROUP BY j.id",
    )
    .fetch_all(&pool)
    .await
    .expect("runs");
    assert_eq!(per_job.len(), 50);
    assert!(
        per_job.iter().all(|n| (2..=3).contains(n)),
        "each job once per minute over {:?}: {per_job:?}",
        started.elapsed()
    );
    let workers: i64 = sqlx::query_scalar("SELECT count(DISTINCT worker) FROM scheduler_runs")
        .fetch_one(&pool)
        .await
        .expect("workers");
    assert_eq!(workers, 2, "both replicas polled");
    let ok: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM tenants_polls WHERE failure_class IS NULL AND last_success_at IS NOT NULL",
    )
    .fetch_one(&pool)
    .await
    .expect("polls");
    assert_eq!(ok, 50);
    assert_eq!(sim.over_limit(), 0);
}
