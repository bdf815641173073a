//! Tenant snapshots against the simulator: stored only when something changed, changes as field-level history,
//! failures classified with the previous snapshot kept, and polling inside Auth0's rate limits.

use std::sync::Arc;
use std::time::Duration;

use app::tenants::{Association, Environment, Region};
use chrono::{TimeZone, Utc};
use server::auth0::Auth0Client;
use server::secrets::SecretBox;
use server::simulator::{Limit, SimTenant, Simulator};
use server::tenants::poll::{Polled, SnapshotJob};
use server::tenants::repo::{self, NewTenant};
use sqlx::PgPool;
use uuid::Uuid;

const DOMAIN: &str = "acme-prod.us.auth0.com";

async fn setup(pool: &PgPool, secret: &str) -> (Simulator, SnapshotJob, Uuid) {
    server::init_crypto();
    let sim = Simulator::start(0).await.expect("simulator");
    sim.add_tenant(SimTenant::new(DOMAIN, "cid", "right-secret"));
    let secrets = SecretBox::new([3; 32]);
    let new = NewTenant {
        name: "acme-prod".into(),
        domain: DOMAIN.into(),
        region: Some(Region::Us),
        environment: Environment::Production,
        user_domain: "customers".into(),
        association: Association::Associated,
        account_name: "Acme".into(),
        paid_features: true,
        client_id: "cid".into(),
        client_secret: secrets.encrypt(secret),
        api_base_url: Some(sim.base_url()),
        notes: String::new(),
    };
    let id = repo::insert(&mut pool.acquire().await.expect("conn"), &new)
        .await
        .expect("insert");
    let client = Arc::new(Auth0Client::new(Duration::from_secs(5)).expect("client"));
    (
        sim,
        SnapshotJob {
            pool: pool.clone(),
            client,
            secrets,
        },
        id,
    )
}

fn at(minutes: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).single().expect("date") + chrono::Duration::minutes(minutes)
}

#[sqlx::test(migrations = "../migrations")]
async fn a_snapshot_is_stored_only_when_something_changed_and_changes_become_history(pool: PgPool) {
    let (sim, job, id) = setup(&pool, "right-secret").await;
    assert!(
        matches!(job.poll(id, at(0)).await, Ok(Polled::Changed { changes: 0, .. })),
        "the first snapshot"
    );
    assert_eq!(job.poll(id, at(15)).await, Ok(Polled::Unchanged));
    sim.update(DOMAIN, |t| t.settings["support_email"] = "help@acme.example".into());
    assert!(matches!(
        job.poll(id, at(30)).await,
        Ok(Polled::Changed { changes: 1, .. })
    ));

    let snapshots: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants_snapshots")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(snapshots, 2);
    let change: (String, Option<String>, Option<String>) =
        sqlx::query_as("SELECT field, before, after FROM tenants_changes")
            .fetch_one(&pool)
            .await
            .expect("change");
    assert_eq!(
        change,
        (
            "settings.support_email".into(),
            Some("support@acme-prod.example".into()),
            Some("help@acme.example".into())
        )
    );
    let data: serde_json::Value = sqlx::query_scalar("SELECT data FROM tenants_snapshots ORDER BY id DESC LIMIT 1")
        .fetch_one(&pool)
        .await
        .expect("data");
    assert_eq!(
        data["email_provider"],
        serde_json::Value::Null,
        "no provider: Auth0's 404 is a state, not a failure"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_bad_client_secret_is_recorded_as_bad_credentials_and_the_last_snapshot_stays(pool: PgPool) {
    let (_sim, job, id) = setup(&pool, "right-secret").await;
    job.poll(id, at(0)).await.expect("first snapshot");
    // An admin replaces the secret with a wrong one.
    sqlx::query("UPDATE tenants SET client_secret = $1")
        .bind(job.secrets.encrypt("wrong-secret"))
        .execute(&pool)
        .await
        .expect("update");
    let failure = job.poll(id, at(15)).await.expect_err("refused");
    assert!(failure.starts_with("bad credentials"), "{failure}");
    let (class, success): (Option<String>, Option<chrono::DateTime<Utc>>) =
        sqlx::query_as("SELECT failure_class, last_success_at FROM tenants_polls")
            .fetch_one(&pool)
            .await
            .expect("poll");
    assert_eq!((class.as_deref(), success), (Some("bad_credentials"), Some(at(0))));
    let snapshots: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants_snapshots")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(snapshots, 1, "the previous snapshot stays");
}

#[sqlx::test(migrations = "../migrations")]
async fn thirty_concurrent_refreshes_stay_inside_a_10_per_second_limit(pool: PgPool) {
    let (sim, job, id) = setup(&pool, "right-secret").await;
    sim.update(DOMAIN, |t| {
        t.management_limit = Limit {
            burst: 10,
            per_second: 10.0,
        }
    });
    let job = Arc::new(job);
    let mut tasks = Vec::new();
    for i in 0..30 {
        let job = job.clone();
        tasks.push(tokio::spawn(async move { job.poll(id, at(i)).await }));
    }
    for task in tasks {
        task.await.expect("task").expect("every refresh completes");
    }
    assert_eq!(sim.over_limit(), 0, "no request was sent over the limit");
    assert_eq!(sim.requests(), 1 + 30 * 5, "one token, five reads per refresh");
}

#[test]
fn tenant_input_errors_name_every_bad_field_at_once() {
    use server::tenants::service::{TenantError, TenantInput, parse};
    let secrets = SecretBox::new([1; 32]);
    let input = TenantInput {
        domain: "https://acme.us.auth0.com/".into(),
        environment: "preprod".into(),
        user_domain: String::new(),
        client_id: "has space".into(),
        api_base_url: "ftp://x".into(),
        ..TenantInput::default()
    };
    let Err(TenantError::Invalid(problems)) = parse(&input, &secrets, true) else {
        panic!("invalid")
    };
    let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        fields,
        [
            "domain",
            "environment",
            "user_domain",
            "client_id",
            "client_secret",
            "api_base_url"
        ]
    );

    let good = TenantInput {
        domain: "Acme-Dev.EU.auth0.com".into(),
        environment: "dev".into(),
        user_domain: "Customers".into(),
        client_id: "abc".into(),
        client_secret: "s3cret".into(),
        ..TenantInput::default()
    };
    let (tenant, new_secret) = parse(&good, &secrets, true).expect("valid");
    assert_eq!(
        (tenant.name.as_str(), tenant.region, tenant.environment),
        ("acme-dev", Some(Region::Eu), Environment::Development)
    );
    assert_eq!(tenant.user_domain, "customers");
    assert!(new_secret);
    assert_eq!(secrets.decrypt(&tenant.client_secret).expect("decrypts"), "s3cret");
}
