//! Stream health: the findings of the latest snapshot's streams, the pull and the events stored, recorded as
//! notifications once when they appear and once when they clear, and shown on `/logs`.

use super::*;
use server::logs::health;

async fn snapshot(pool: &PgPool, tenant: TenantId, at: DateTime<Utc>, streams: Value) {
    sqlx::query("INSERT INTO tenants_snapshots (tenant_id, taken_at, hash, data) VALUES ($1, $2, $3, $4)")
        .bind(tenant.0)
        .bind(at)
        .bind(format!("h{}", at.timestamp_micros()))
        .bind(serde_json::json!({"settings": {}, "log_streams": streams}))
        .execute(pool)
        .await
        .expect("snapshot stored");
}

fn stream(status: &str) -> Value {
    serde_json::json!([{"id": "lst_1", "name": "to-splunk", "type": "http", "status": status}])
}

/// (origin, update texts) of the logs' notifications, in order.
async fn notices(pool: &PgPool) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT n.origin, u.text FROM notifications n JOIN notifications_updates u ON u.notification_id = n.id
         WHERE n.origin LIKE 'logs:health:%' ORDER BY u.id",
    )
    .fetch_all(pool)
    .await
    .expect("notices")
}

#[sqlx::test(migrations = "../migrations")]
async fn a_paused_stream_is_told_once_when_it_appears_and_once_when_it_clears(pool: PgPool) {
    let t = tenant(&pool, "acme-prod").await;
    let now = Utc::now();
    snapshot(&pool, t, now - chrono::Duration::minutes(5), stream("paused")).await;

    let first = health::assess_all(&pool, now).await.expect("assessed");
    assert_eq!(first, health::Assessed { appeared: 2, cleared: 0 }, "paused, and no capture for production");
    let told = notices(&pool).await;
    let origins: Vec<&str> = told.iter().map(|(o, _)| o.as_str()).collect();
    assert_eq!(origins, [format!("logs:health:{t}:no-capture"), format!("logs:health:{t}:stream:lst_1:paused")]);
    assert!(told[1].1.contains("\"to-splunk\" (http) is paused"), "{}", told[1].1);

    let again = health::assess_all(&pool, now + chrono::Duration::minutes(1)).await.expect("assessed");
    assert_eq!(again, health::Assessed::default(), "nothing new, nothing told");
    assert_eq!(notices(&pool).await.len(), 2);

    snapshot(&pool, t, now + chrono::Duration::minutes(2), stream("active")).await;
    let cleared = health::assess_all(&pool, now + chrono::Duration::minutes(3)).await.expect("assessed");
    assert_eq!(cleared, health::Assessed { appeared: 0, cleared: 2 });
    let told = notices(&pool).await;
    assert_eq!(told.len(), 4);
    assert!(told[2..].iter().all(|(_, text)| text.starts_with("Cleared: ")), "{told:?}");
    let severity: String = sqlx::query_scalar(
        "SELECT u.severity FROM notifications_updates u JOIN notifications n ON n.id = u.notification_id
         WHERE n.origin = $1 ORDER BY u.id DESC LIMIT 1",
    )
    .bind(format!("logs:health:{t}:stream:lst_1:paused"))
    .fetch_one(&pool)
    .await
    .expect("update");
    assert_eq!(severity, "info");
}

#[sqlx::test(migrations = "../migrations")]
async fn events_past_auth0_retention_are_a_loss_in_days_and_the_page_shows_it(pool: PgPool) {
    let t = tenant(&pool, "acme-dev").await;
    let now = Utc::now();
    snapshot(&pool, t, now, stream("paused")).await;
    let old = Event { date: now - chrono::Duration::days(3), ..sample("900") };
    service::store(&pool, t, Source::Stream, &[old], &[], None, now).await.expect("stored");

    let app = TestApp::spawn(pool.clone()).await;
    let ops = app.signed_in(Role::OpsLead).await;
    let page = ops.page("/logs").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = harness::text_of(&page.html);
    assert!(text.contains("Stream health"), "{text}");
    assert!(text.contains("\"to-splunk\" (http) is paused"), "{text}");
    // No paid features: Starter assumed, 1 day; the newest event is 3 days old, so 2 days are gone.
    assert!(text.contains("about 2 days of events"), "{text}");
    assert!(text.contains("plan unknown: assumed Starter"), "{text}");
    assert!(text.contains("1 deliveries, 1 events"), "{text}");
    assert!(text.contains("behind Auth0 by 3 days 0 h"), "the progress says the lag: {text}");

    let findings = health::assess_all(&pool, now).await.expect("assessed");
    assert_eq!(findings.appeared, 3, "no capture, paused, lost");
}

fn sample(id: &str) -> Event {
    Event {
        log_id: id.into(),
        date: Utc::now(),
        type_code: "s".into(),
        description: None,
        client_id: None,
        client_name: None,
        user_id: None,
        user_name: None,
        ip: None,
        connection: None,
        strategy: None,
        hostname: None,
        user_agent: None,
        payload: serde_json::json!({"log_id": id}),
    }
}
