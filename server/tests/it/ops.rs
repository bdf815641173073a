use std::time::{Duration, Instant};

use app::accounts::Role;
use reqwest::StatusCode;
use sqlx::PgPool;

use crate::harness::TestApp;

#[sqlx::test(migrations = "../migrations")]
async fn healthz_is_200_when_the_database_answers(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["database"], "up");
}

#[tokio::test]
async fn healthz_is_503_within_two_seconds_when_the_database_is_down() {
    let app = TestApp::spawn_with_database_down().await;
    let started = Instant::now();
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["database"], "down");
    assert!(body["reason"].as_str().is_some_and(|r| !r.is_empty()));
}

#[sqlx::test(migrations = "../migrations")]
async fn metrics_are_prometheus_text_with_requests_latency_and_pool(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let browser = app.signed_in(Role::Helpdesk).await;
    assert_eq!(browser.get("/system").await.status(), StatusCode::OK);
    assert_eq!(browser.get("/no/such/page").await.status(), StatusCode::NOT_FOUND);

    let response = app.get("/metrics").await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().expect("ascii").to_string();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = response.text().await.expect("body");
    let lines = text.lines().map(|l| Ok(l.to_string()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("valid Prometheus text");

    let requests = scrape
        .samples
        .iter()
        .find(|s| {
            s.metric == "http_requests_total"
                && s.labels.get("route") == Some("/system")
                && s.labels.get("status") == Some("200")
        })
        .expect("a counter for GET /system 200");
    match requests.value {
        prometheus_parse::Value::Counter(n) => assert!(n >= 1.0),
        ref other => panic!("unexpected value {other:?}"),
    }
    assert!(
        scrape.samples.iter().any(|s| s.metric == "http_requests_total"
            && s.labels.get("route") == Some("unmatched")
            && s.labels.get("status") == Some("404")),
        "unknown paths are counted under one label, not one per path"
    );
    assert!(scrape.samples.iter().any(|s| s.metric.starts_with("http_request_duration_seconds")));
    for gauge in ["db_pool_connections", "db_pool_idle_connections", "db_pool_max_connections"] {
        assert!(scrape.samples.iter().any(|s| s.metric == gauge), "missing {gauge}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn every_response_carries_a_request_id_and_keeps_a_given_one(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = app.get("/healthz").await;
    let id = response.headers().get("x-request-id").expect("request id").to_str().expect("ascii");
    assert_eq!(id.len(), 36, "a UUID: {id}");

    let response = reqwest::Client::new()
        .get(app.url("/healthz"))
        .header("x-request-id", "from-the-load-balancer-42")
        .send()
        .await
        .expect("answer");
    assert_eq!(response.headers()["x-request-id"], "from-the-load-balancer-42");
}

#[sqlx::test(migrations = "../migrations")]
async fn assets_are_served_from_the_binary(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let css = app.get("/assets/tenantry.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css.headers()["content-type"].to_str().expect("ascii").starts_with("text/css"));
    assert!(css.text().await.expect("body").contains(".sidebar"));
    assert_eq!(app.get("/assets/nope.js").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn healthz_is_503_within_two_seconds_when_the_database_accepts_and_never_answers() {
    // A "database" that takes the connection and then says nothing (a hung server, a black-holing proxy).
    let hung = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = hung.local_addr().expect("addr").port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = hung.accept().await {
            held.push(socket);
        }
    });
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(30))
        .connect_lazy(&format!("postgres://nobody@127.0.0.1:{port}/nothing"))
        .expect("lazy pool");
    let app = TestApp::spawn(pool).await;
    let started = Instant::now();
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["reason"], "no answer within 1 s");
}

#[tokio::test]
async fn a_stop_lets_the_request_in_flight_finish_and_takes_no_new_connection() {
    server::init_crypto();
    let router = axum::Router::new().route(
        "/slow",
        axum::routing::get(|| async {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            "finished"
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(server::http::serve::serve(listener, router, Default::default(), async move {
        let _ = stopped.await;
    }));
    let in_flight = tokio::spawn(async move { reqwest::get(format!("http://{addr}/slow")).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.send(()).expect("stop");
    let answer = in_flight.await.expect("task").expect("the request in flight is answered");
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.text().await.expect("body"), "finished");
    tokio::time::timeout(Duration::from_secs(5), server).await.expect("the server stops").expect("task");
    assert!(reqwest::get(format!("http://{addr}/slow")).await.is_err(), "no new connection after the stop");
}

#[sqlx::test(migrations = "../migrations")]
async fn metrics_carry_the_state_of_what_the_console_watches_and_forget_what_is_removed(pool: PgPool) {
    let tenant = crate::harness::insert_tenant(
        &pool,
        "acme-prod",
        app::tenants::Region::Us,
        app::tenants::Environment::Production,
    )
    .await;
    sqlx::query("INSERT INTO tenants_polls (tenant_id, last_attempt_at, failure_class, failure) VALUES ($1, now(), 'timeout', 'no answer')")
        .bind(tenant)
        .execute(&pool)
        .await
        .expect("poll");
    let check: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO monitoring_checks (tenant_id, kind, name, last_run_at, last_outcome) VALUES ($1, 'test', 'Endpoint', now(), 'timeout') RETURNING id",
    )
    .bind(tenant)
    .fetch_one(&pool)
    .await
    .expect("check");
    let app = TestApp::spawn(pool.clone()).await;
    let scrape = |text: String| {
        prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("valid Prometheus text")
    };
    let value = |scrape: &prometheus_parse::Scrape, metric: &str, label: (&str, &str)| {
        scrape.samples.iter().find(|s| s.metric == metric && s.labels.get(label.0) == Some(label.1)).map(|s| {
            match s.value {
                prometheus_parse::Value::Gauge(v) | prometheus_parse::Value::Untyped(v) => v,
                ref other => panic!("unexpected {other:?}"),
            }
        })
    };
    let first = scrape(app.get("/metrics").await.text().await.expect("body"));
    assert_eq!(value(&first, "tenantry_tenant_poll_failing", ("tenant", &tenant.to_string())), Some(1.0));
    assert_eq!(value(&first, "tenantry_check_up", ("check", &check.to_string())), Some(0.0), "a failing check is 0");
    assert!(first.samples.iter().any(|s| s.metric == "tenantry_outbox_pending"));
    assert!(first.samples.iter().any(|s| s.metric == "tenantry_scheduler_lateness_seconds"));

    sqlx::query("DELETE FROM monitoring_checks").execute(&pool).await.expect("removed");
    let second = scrape(app.get("/metrics").await.text().await.expect("body"));
    assert_eq!(value(&second, "tenantry_check_up", ("check", &check.to_string())), None, "no stale series");
}
