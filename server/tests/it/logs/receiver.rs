//! The log-stream receiver: token before body, limits, duplicates, the quarantine, the database down.

use super::*;

pub(super) fn event_line(id: &str, at: &str, kind: &str, ip: &str) -> String {
    format!(
        r#"{{"log_id":"{id}","date":"{at}","type":"{kind}","ip":"{ip}","user_id":"auth0|u1","user_name":"ann@example.com","client_id":"c1","client_name":"Shop","connection":"Username-Password-Authentication","description":"Wrong email or password."}}"#
    )
}

async fn receiver(options: server::http::RouterOptions, pool: PgPool) -> (TestApp, TenantId, String) {
    let t = tenant(&pool, "acme-prod").await;
    let token = service::new_token(&pool, t, &server::accounts::audit::Actor::CommandLine, "", Utc::now())
        .await
        .expect("token");
    (TestApp::spawn_with(pool, options).await, t, token)
}

#[sqlx::test(migrations = "../migrations")]
async fn the_receiver_stores_a_batch_once_and_quarantines_its_bad_item(pool: PgPool) {
    let (app, t, token) = receiver(Default::default(), pool.clone()).await;
    let url = app.url(&format!("/hooks/logs/{t}"));
    let body = [
        event_line("1001", "2026-12-01T10:00:00.000Z", "fp", "203.0.113.7"),
        r#"{"log_id":"1002","type":"s"}"#.to_string(),
        event_line("1003", "2026-12-01T10:01:00.000Z", "s", "203.0.113.8"),
    ]
    .join("\n");
    let client = reqwest::Client::new();
    // No session, no Origin, no CSRF token: a machine posts.
    let post = |body: String| client.post(&url).header("authorization", format!("Bearer {token}")).body(body).send();
    let response = post(body.clone()).await.expect("answer");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.expect("text"), "2 stored, 0 duplicates, 1 rejected");
    let again = post(body).await.expect("answer");
    assert_eq!(
        again.text().await.expect("text"),
        "0 stored, 2 duplicates, 1 rejected",
        "a retried delivery stores nothing twice"
    );
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM logs_events").fetch_one(&pool).await.expect("count");
    assert_eq!(stored, 2);
    let (reason, item, source): (String, String, String) =
        sqlx::query_as("SELECT reason, item, source FROM logs_quarantine ORDER BY id LIMIT 1")
            .fetch_one(&pool)
            .await
            .expect("quarantined");
    assert_eq!(
        (reason.as_str(), item.as_str(), source.as_str()),
        ("missing date", r#"{"log_id":"1002","type":"s"}"#, "stream")
    );

    // A JSON array of envelopes works the same way.
    let wrapped =
        format!(r#"[{{"log_id":"1004","data":{}}}]"#, event_line("1004", "2026-12-01T10:02:00Z", "slo", "::1"));
    assert_eq!(post(wrapped).await.expect("answer").text().await.expect("text"), "1 stored, 0 duplicates, 0 rejected");
    let delivered: Option<DateTime<Utc>> =
        sqlx::query_scalar("SELECT last_delivery_at FROM logs_progress").fetch_one(&pool).await.expect("progress");
    assert!(delivered.is_some());
}

/// Sends the head of a POST that promises `length` bytes, then only `sent` of them, and returns the status line
/// of the answer: a server that read the body would wait for the rest and never answer.
async fn post_unfinished(app: &TestApp, path: &str, authorization: Option<&str>, length: usize, sent: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.expect("connect");
    let auth = authorization.map(|a| format!("authorization: {a}\r\n")).unwrap_or_default();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\n{auth}content-length: {length}\r\n\r\n",
        app.addr
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(&vec![b' '; sent]).await.expect("some of the body");
    let mut answer = vec![0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
        .await
        .expect("answered without waiting for the rest of the body")
        .expect("read");
    String::from_utf8_lossy(&answer[..n]).lines().next().unwrap_or_default().to_string()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_wrong_token_is_refused_before_the_body_is_read(pool: PgPool) {
    let (app, t, token) = receiver(Default::default(), pool.clone()).await;
    let path = format!("/hooks/logs/{t}");
    for authorization in [Some("Bearer wrong"), Some("tlr_nope"), None] {
        let status = post_unfinished(&app, &path, authorization, 1_000_000, 10).await;
        assert_eq!(status, "HTTP/1.1 401 Unauthorized", "{authorization:?}");
    }
    let other = tenant(&pool, "acme-dev").await;
    let bearer = format!("Bearer {token}");
    let status = post_unfinished(&app, &format!("/hooks/logs/{other}"), Some(&bearer), 1_000_000, 10).await;
    assert_eq!(status, "HTTP/1.1 401 Unauthorized", "one tenant's token is not another's");
    let status = post_unfinished(&app, "/hooks/logs/not-a-tenant", Some(&bearer), 100, 10).await;
    assert_eq!(status, "HTTP/1.1 401 Unauthorized");
    // The right token over the limit: 413 from the declared length, before reading.
    let status = post_unfinished(&app, &path, Some(&bearer), 11 * 1024 * 1024, 10).await;
    assert_eq!(status, "HTTP/1.1 413 Payload Too Large");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM logs_events").fetch_one(&pool).await.expect("count");
    assert_eq!(stored, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_oversized_body_is_413_declared_or_not(pool: PgPool) {
    let mut options = server::http::RouterOptions::default();
    options.logs.max_body_bytes = 4096;
    let (app, t, token) = receiver(options, pool.clone()).await;
    let url = app.url(&format!("/hooks/logs/{t}"));
    let lines: Vec<String> =
        (0..40).map(|i| event_line(&format!("{}", 5000 + i), "2026-12-01T10:00:00Z", "s", "203.0.113.1")).collect();
    let big = lines.join("\n");
    assert!(big.len() > 4096);
    let client = reqwest::Client::new();
    let response = client.post(&url).header("authorization", &token).body(big).send().await.expect("answer");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Chunked, without a declared length: cut off at the limit all the same.
    let head = format!(
        "POST /hooks/logs/{t} HTTP/1.1\r\nhost: {}\r\nauthorization: {token}\r\ntransfer-encoding: chunked\r\n\r\n",
        app.addr
    );
    let mut raw = head.into_bytes();
    for line in &lines {
        let chunk = format!("{line}\n");
        raw.extend(format!("{:x}\r\n{chunk}\r\n", chunk.len()).into_bytes());
    }
    raw.extend(b"0\r\n\r\n");
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.expect("connect");
    stream.write_all(&raw).await.expect("sent");
    let mut answer = vec![0u8; 512];
    let n = stream.read(&mut answer).await.expect("read");
    assert!(
        String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 413"),
        "{}",
        String::from_utf8_lossy(&answer[..n])
    );
    let small = lines[..3].join("\n");
    let response = client.post(&url).header("authorization", &token).body(small).send().await.expect("answer");
    assert_eq!(response.status(), StatusCode::OK, "within the limit");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM logs_events").fetch_one(&pool).await.expect("count");
    assert_eq!(stored, 3);
}

#[tokio::test]
async fn the_receiver_answers_503_when_the_database_is_down() {
    let app = TestApp::spawn_with_database_down().await;
    let response = reqwest::Client::new()
        .post(app.url(&format!("/hooks/logs/{}", uuid::Uuid::new_v4())))
        .header("authorization", "Bearer tlr_x")
        .body(event_line("1", "2026-12-01T10:00:00Z", "s", "203.0.113.1"))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "Auth0 retries a 5xx");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_demos_live_stream_delivers_everyday_events_to_the_receiver(pool: PgPool) {
    let key = [4; 32];
    let _sim = server::demo::company(&pool, &server::secrets::SecretBox::new(key), std::time::Duration::from_secs(900))
        .await
        .expect("demo");
    let app = TestApp::spawn(pool.clone()).await;
    let addr: std::net::SocketAddr = app.origin().trim_start_matches("http://").parse().expect("address");
    let live = server::demo::live_stream(&pool, addr, std::time::Duration::from_millis(200)).await.expect("stream");
    let stored = || async {
        sqlx::query_as::<_, (i64, i64)>(
            "SELECT count(*), count(*) FILTER (WHERE e.type_code IN ('api_limit', 'api_limit_warning', 'limit_wc'))
             FROM logs_events e JOIN tenants t ON t.id = e.tenant_id WHERE t.name = 'acme-dev'",
        )
        .fetch_one(&pool)
        .await
        .expect("count")
    };
    let mut seen = (0, 0);
    for _ in 0..50 {
        seen = stored().await;
        if seen.0 >= 12 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    live.abort();
    assert!(seen.0 >= 12, "at least two batches arrived through the receiver: {seen:?}");
    assert_eq!(seen.1, 0, "no rate-limit event in the live stream");
    let newest: chrono::DateTime<Utc> =
        sqlx::query_scalar("SELECT max(date) FROM logs_events").fetch_one(&pool).await.expect("newest");
    assert!(newest <= Utc::now(), "no event from the future");
}
