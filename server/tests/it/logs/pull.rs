//! The pull through the simulator: backfill, checkpoint, rate limits.

use super::*;

pub(super) const DOMAIN: &str = "acme-prod.us.auth0.com";

pub(super) async fn pull_setup(pool: &PgPool) -> (Simulator, PullJob, TenantId) {
    let (sim, id, client, secrets) =
        harness::acme_prod_on_simulator(pool, SimTenant::new(DOMAIN, "cid", "secret")).await;
    (sim, PullJob { pool: pool.clone(), client, secrets }, TenantId(id))
}

pub(super) fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).single().expect("date")
}

async fn count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM logs_events").fetch_one(pool).await.expect("count")
}

#[sqlx::test(migrations = "../migrations")]
async fn the_pull_backfills_then_follows_the_checkpoint_and_never_stores_twice(pool: PgPool) {
    let (sim, job, t) = pull_setup(&pool).await;
    sim.seed_log_flow(DOMAIN, start(), 250);
    let first = job.pull(t, false, Utc::now()).await.expect("pulled");
    assert_eq!(first.counts.stored, 250, "{first:?}");
    assert_eq!(first.stopped, Stopped::CaughtUp);
    assert_eq!(first.pages, 4, "the oldest event, then 100 + 100 + 49 after it");
    assert_eq!(count(&pool).await, 250);

    let again = job.pull(t, false, Utc::now()).await.expect("pulled");
    assert_eq!((again.counts.stored, again.counts.duplicates), (0, 0), "nothing after the checkpoint: {again:?}");
    let backfill = job.pull(t, true, Utc::now()).await.expect("pulled");
    assert_eq!((backfill.counts.stored, backfill.counts.duplicates), (0, 250), "{backfill:?}");

    sim.seed_log_flow(DOMAIN, start() + chrono::Duration::days(2), 30);
    let more = job.pull(t, false, Utc::now()).await.expect("pulled");
    assert_eq!(more.counts.stored, 30, "{more:?}");
    assert_eq!(count(&pool).await, 280);
    assert_eq!(sim.over_limit(), 0, "no request was sent over the rate limit");

    // Every extracted column of a pulled event is what the simulator served.
    let served = sim.tenant(DOMAIN).expect("tenant").logs;
    let limit = served.iter().find(|e| e["type"] == "api_limit").expect("a burst of api_limit").clone();
    let id = limit["log_id"].as_str().expect("id");
    let ((_, _, kind, description, client, ..), (_, ip, _, _, hostname, _, payload)) = columns(&pool, t, id).await;
    assert_eq!(
        (kind.as_str(), description, client),
        ("api_limit", text(&limit, "description"), text(&limit, "client_id"))
    );
    assert_eq!((ip, hostname, payload), (text(&limit, "ip"), Some(DOMAIN.into()), limit.clone()));
    let (checkpoint, error): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT pull_checkpoint, last_pull_error FROM logs_progress")
            .fetch_one(&pool)
            .await
            .expect("progress");
    assert_eq!(checkpoint.as_deref(), served.iter().filter_map(|e| e["log_id"].as_str()).max());
    assert_eq!(error, None);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_pull_stops_at_the_rate_limit_and_continues_later(pool: PgPool) {
    let (sim, job, t) = pull_setup(&pool).await;
    sim.seed_log_flow(DOMAIN, start(), 1000);
    // Three requests (the token is the Authentication API's), then nothing for longer than the client waits.
    sim.update(DOMAIN, |tenant| tenant.management_limit = server::simulator::Limit { burst: 3, per_second: 0.01 });
    let first = job.pull(t, false, Utc::now()).await.expect("a paused pull is not a failure");
    assert!(matches!(first.stopped, Stopped::RateLimited(_)), "{first:?}");
    assert_eq!(first.counts.stored, 201, "the oldest event and two pages");
    assert_eq!(sim.over_limit(), 0);
    let error: Option<String> =
        sqlx::query_scalar("SELECT last_pull_error FROM logs_progress").fetch_one(&pool).await.expect("progress");
    assert!(error.is_some_and(|e| e.starts_with("paused: rate limited")), "the page says why");
    sim.update(DOMAIN, |tenant| tenant.management_limit = server::simulator::Limit { burst: 50, per_second: 50.0 });
    // A later run, once the bucket refilled (a new client: this one rightly remembers the reset 100 s away).
    let client =
        Arc::new(Auth0Client::new(Duration::from_secs(5), server::outbound::Policy::ANY_ADDRESS).expect("client"));
    let job = PullJob { client, ..job };
    let mut total = first.counts.stored;
    for _ in 0..5 {
        let next = job.pull(t, false, Utc::now()).await.expect("pulled");
        total += next.counts.stored;
        if next.stopped == Stopped::CaughtUp {
            break;
        }
    }
    assert_eq!(total, 1000);
    assert_eq!(count(&pool).await, 1000);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_demo_company_has_two_days_of_logs_to_pull(pool: PgPool) {
    server::init_crypto();
    let key = [9; 32];
    let sim = server::demo::company(&pool, &SecretBox::new(key), Duration::from_secs(900)).await.expect("demo");
    server::demo::logs(&pool, &sim, Utc::now()).await.expect("demo logs");
    let keys: Vec<String> = sqlx::query_scalar("SELECT key FROM scheduler_jobs WHERE kind = 'logs.pull'")
        .fetch_all(&pool)
        .await
        .expect("jobs");
    assert_eq!(keys.len(), 2, "acme-prod and acme-dev are pulled");
    let client =
        Arc::new(Auth0Client::new(Duration::from_secs(5), server::outbound::Policy::ANY_ADDRESS).expect("client"));
    let job = PullJob { pool: pool.clone(), client, secrets: SecretBox::new(key) };
    let mut stored = 0;
    for key in &keys {
        stored += job.pull(key.parse().expect("tenant id"), false, Utc::now()).await.expect("pulled").counts.stored;
    }
    // acme-prod: 4,000 events over the two days and 150 in the last hour, all in the first run (43 of its at most
    // 50 pages); acme-dev: all 1,500.
    assert_eq!(stored, 4150 + 1500, "the first run reads everything, so the last hour's burst is there at once");
    let limits: (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE date > now() - interval '1 hour') FROM logs_events
         WHERE type_code = 'api_limit'",
    )
    .fetch_one(&pool)
    .await
    .expect("count");
    assert!(limits.0 > limits.1 && limits.1 > 0, "both peaks' rate-limit bursts are there: {limits:?}");
}
