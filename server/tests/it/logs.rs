//! The logs area against real PostgreSQL: the recorded Auth0 bodies imported with every column right, the
//! receiver (token before body, limits, duplicates, quarantine, database down), the pull through the simulator,
//! searches with every filter and keyset pages, retention, and the pages.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use app::accounts::Role;
use app::ids::TenantId;
use app::logs::{LogsPort, LogsQuery};
use app::tenants::{Environment, Region};
use chrono::{DateTime, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::Value;
use server::auth0::Auth0Client;
use server::logs::file::{self, Imported};
use server::logs::jobs::{PullJob, RetentionJob, Stopped};
use server::logs::model::{Event, Source};
use server::logs::parse::Limits;
use server::logs::port::PgLogs;
use server::logs::service;
use server::secrets::SecretBox;
use server::simulator::{SimTenant, Simulator};
use sqlx::PgPool;

use crate::harness::{self, TestApp};

const FIXTURES: &[&str] = &[
    "go-auth0_logs_GET_checkpoint_from_take2.json",
    "go-auth0_logs_GET_page1_per_page10.json",
    "go-auth0_logs_GET_search_q_type_sapi.json",
    "go-auth0_logs_GET_search_q_type_sapi_2023-03.json",
    "go-auth0_logs_single_GET_sapi.json",
    "go-auth0_logs_single_GET_seccft.json",
];

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/auth0").join(name)
}

async fn tenant(pool: &PgPool, name: &str) -> TenantId {
    TenantId(harness::insert_tenant(pool, name, Region::Us, Environment::Production).await)
}

async fn import(pool: &PgPool, tenant: TenantId, files: &[PathBuf]) -> Imported {
    let mut total = Imported::default();
    for path in files {
        file::import(pool, tenant, path, Limits::default(), Utc::now(), &mut total).await.expect("imported");
    }
    total
}

/// A column as the event says it: a non-empty string, else nothing.
fn text(event: &Value, key: &str) -> Option<String> {
    event[key].as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

type Columns = (String, DateTime<Utc>, String, Option<String>, Option<String>, Option<String>, Option<String>);
type More = (Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Value);

async fn columns(pool: &PgPool, tenant: TenantId, log_id: &str) -> (Columns, More) {
    let a: Columns = sqlx::query_as(
        "SELECT log_id, date, type_code, description, client_id, client_name, user_id FROM logs_events
         WHERE tenant_id = $1 AND log_id = $2",
    )
    .bind(tenant.0)
    .bind(log_id)
    .fetch_one(pool)
    .await
    .expect("stored");
    let b: More = sqlx::query_as(
        "SELECT user_name, host(ip), connection, strategy, hostname, user_agent, payload FROM logs_events
         WHERE tenant_id = $1 AND log_id = $2",
    )
    .bind(tenant.0)
    .bind(log_id)
    .fetch_one(pool)
    .await
    .expect("stored");
    (a, b)
}

#[sqlx::test(migrations = "../migrations")]
async fn the_recorded_bodies_import_with_every_column_right_and_only_once(pool: PgPool) {
    let t = tenant(&pool, "go-auth0-dev").await;
    let files: Vec<PathBuf> = FIXTURES.iter().map(|f| fixture(f)).collect();
    let mut expected: Vec<Value> = Vec::new();
    for path in &files {
        match serde_json::from_str::<Value>(&std::fs::read_to_string(path).expect("fixture")).expect("JSON") {
            Value::Array(events) => expected.extend(events),
            event => expected.push(event),
        }
    }
    let mut distinct: Vec<&str> = expected.iter().filter_map(|e| e["log_id"].as_str()).collect();
    distinct.sort();
    distinct.dedup();

    let first = import(&pool, t, &files).await;
    assert_eq!(first.stored as usize, distinct.len(), "{first}");
    assert_eq!((first.stored + first.duplicates) as usize, expected.len(), "an event in two recordings is stored once");
    assert_eq!(first.rejected, 0, "{first}");

    for event in &expected {
        let id = event["log_id"].as_str().expect("log_id");
        let (a, b) = columns(&pool, t, id).await;
        let date = DateTime::parse_from_rfc3339(event["date"].as_str().expect("date")).expect("date").to_utc();
        assert_eq!(
            a,
            (
                id.to_string(),
                date,
                event["type"].as_str().expect("type").to_string(),
                text(event, "description"),
                text(event, "client_id"),
                text(event, "client_name"),
                text(event, "user_id"),
            ),
            "{id}"
        );
        // The recordings say "[REDACTED]" for every IP: not an address, so no IP column (the payload keeps it).
        let expected_more = (
            text(event, "user_name"),
            None,
            text(event, "connection"),
            text(event, "strategy"),
            text(event, "hostname"),
            text(event, "user_agent"),
            event.clone(),
        );
        assert_eq!(b, expected_more, "{id}");
    }
    // Spot checks written out, independent of the loop's reading of the JSON.
    let ((_, _, kind, description, client, client_name, user), (_, _, _, _, hostname, agent, _)) =
        columns(&pool, t, "90020230314144709188593000000000000001223372037868840734").await;
    assert_eq!(
        (kind.as_str(), description, client.as_deref()),
        ("seccft", None, Some("naTYUHwINwCEtmhj8umEL7bHoB57L5e2"))
    );
    assert_eq!((client_name.as_deref(), user), (Some("CDT Testing"), None));
    assert_eq!(hostname.as_deref(), Some("go-auth0-dev.eu.auth0.com.eu.auth0.com"));
    assert_eq!(agent.as_deref(), Some("Other 0.0.0 / Other 0.0.0"));
    let (_, (user_name, _, connection, strategy, ..)) =
        columns(&pool, t, "90020230602105805996607000000000000001223372045029306413").await;
    assert_eq!(
        (user_name.as_deref(), connection.as_deref(), strategy.as_deref()),
        (Some("test-user846"), Some("Username-Password-Authentication"), Some("auth0"))
    );

    let again = import(&pool, t, &files).await;
    assert_eq!((again.stored, again.duplicates as usize), (0, expected.len()), "{again}");
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM logs_events").fetch_one(&pool).await.expect("count");
    assert_eq!(rows as usize, distinct.len());
}

fn event_line(id: &str, at: &str, kind: &str, ip: &str) -> String {
    format!(
        r#"{{"log_id":"{id}","date":"{at}","type":"{kind}","ip":"{ip}","user_id":"auth0|u1","user_name":"ann@example.com","client_id":"c1","client_name":"Shop","connection":"Username-Password-Authentication","description":"Wrong email or password."}}"#
    )
}

async fn receiver(options: server::http::RouterOptions, pool: PgPool) -> (TestApp, TenantId, String) {
    let t = tenant(&pool, "acme-prod").await;
    let token = service::new_token(&pool, t, Utc::now()).await.expect("token");
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

const DOMAIN: &str = "acme-prod.us.auth0.com";

async fn pull_setup(pool: &PgPool) -> (Simulator, PullJob, TenantId) {
    server::init_crypto();
    let sim = Simulator::start(0).await.expect("simulator");
    sim.add_tenant(SimTenant::new(DOMAIN, "cid", "secret"));
    let secrets = SecretBox::new([3; 32]);
    let new = server::tenants::repo::NewTenant {
        api_base_url: Some(sim.base_url()),
        ..harness::new_tenant(
            "acme-prod",
            DOMAIN,
            Region::Us,
            Environment::Production,
            "cid",
            secrets.encrypt("secret"),
        )
    };
    let id = TenantId(harness::register(pool, &new).await);
    let client =
        Arc::new(Auth0Client::new(Duration::from_secs(5), server::outbound::Policy::ANY_ADDRESS).expect("client"));
    (sim, PullJob { pool: pool.clone(), client, secrets }, id)
}

fn start() -> DateTime<Utc> {
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

fn event(id: &str, minute: i64, kind: &str, ip: Option<&str>, user: &str, client: &str) -> Event {
    let date = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).single().expect("date") + chrono::Duration::minutes(minute);
    Event {
        log_id: id.into(),
        date,
        type_code: kind.into(),
        description: Some(format!("{kind} event {id}")),
        client_id: Some(client.into()),
        client_name: Some(format!("{client} app")),
        user_id: Some(format!("auth0|{user}")),
        user_name: Some(format!("{user}@example.com")),
        ip: ip.map(|ip| ip.parse().expect("ip")),
        connection: Some(if kind == "seccft" { "none" } else { "Username-Password-Authentication" }.into()),
        strategy: None,
        hostname: None,
        user_agent: None,
        payload: serde_json::json!({"log_id": id}),
    }
}

async fn search(port: &PgLogs, query: LogsQuery) -> Vec<String> {
    port.search(query).await.expect("searched").rows.into_iter().map(|r| r.log_id).collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn every_filter_narrows_the_search(pool: PgPool) {
    let (a, b) = (tenant(&pool, "acme-prod").await, tenant(&pool, "acme-dev").await);
    let store = |t, events: Vec<Event>| {
        let pool = pool.clone();
        async move { service::store(&pool, t, Source::Import, &events, &[], None, Utc::now()).await.expect("stored") }
    };
    store(
        a,
        vec![
            event("a1", 1, "s", Some("203.0.113.5"), "ann", "shop"),
            event("a2", 2, "fp", Some("203.0.113.200"), "bob", "shop"),
            event("a3", 3, "seccft", Some("198.51.100.1"), "svc", "sync"),
            event("a4", 4, "fu", Some("2001:db8::42"), "ann", "mobile"),
            event("a5", 5, "brand_new_code", None, "cid", "shop"),
        ],
    )
    .await;
    store(b, vec![event("b1", 6, "fp", Some("203.0.113.9"), "ann", "shop")]).await;
    let port = PgLogs { pool: pool.clone() };
    let q = |f: fn(&mut LogsQuery)| {
        let mut query = LogsQuery::default();
        f(&mut query);
        query
    };
    assert_eq!(search(&port, LogsQuery::default()).await, ["b1", "a5", "a4", "a3", "a2", "a1"], "newest first");
    let only_a = LogsQuery { tenant: Some(a.to_string()), ..Default::default() };
    assert_eq!(search(&port, only_a).await, ["a5", "a4", "a3", "a2", "a1"]);
    assert_eq!(search(&port, q(|q| q.kind = Some("fp".into()))).await, ["b1", "a2"]);
    assert_eq!(search(&port, q(|q| q.kind = Some("category:login".into()))).await, ["b1", "a4", "a2", "a1"]);
    assert_eq!(search(&port, q(|q| q.user = Some("auth0|ann".into()))).await, ["b1", "a4", "a1"]);
    assert_eq!(search(&port, q(|q| q.user = Some("bob@example.com".into()))).await, ["a2"]);
    assert_eq!(search(&port, q(|q| q.client = Some("sync".into()))).await, ["a3"]);
    assert_eq!(search(&port, q(|q| q.client = Some("mobile app".into()))).await, ["a4"]);
    assert_eq!(search(&port, q(|q| q.ip = Some("203.0.113.5".into()))).await, ["a1"]);
    assert_eq!(search(&port, q(|q| q.ip = Some("203.0.113.0/25".into()))).await, ["b1", "a1"]);
    assert_eq!(search(&port, q(|q| q.ip = Some("203.0.113.0/24".into()))).await, ["b1", "a2", "a1"]);
    assert_eq!(search(&port, q(|q| q.ip = Some("2001:db8::/32".into()))).await, ["a4"]);
    assert_eq!(search(&port, q(|q| q.connection = Some("none".into()))).await, ["a3"]);
    assert_eq!(search(&port, q(|q| q.q = Some("SECCFT EVENT".into()))).await, ["a3"]);
    assert_eq!(search(&port, q(|q| q.q = Some("a2".into()))).await, ["a2"]);
    assert_eq!(
        search(&port, q(|q| q.q = Some("100%_".into()))).await,
        Vec::<String>::new(),
        "LIKE characters are literal"
    );
    assert_eq!(
        search(
            &port,
            q(|q| {
                q.from = Some("2026-12-01 00:02".into());
                q.to = Some("2026-12-01 00:04".into())
            })
        )
        .await,
        ["a3", "a2"],
        "from is inclusive, to exclusive, both UTC"
    );
    assert_eq!(
        search(&port, q(|q| q.to = Some("2026-12-01".into()))).await.len(),
        6,
        "a date 'to' is the end of that day"
    );
    let unknown = port.search(q(|q| q.kind = Some("brand_new_code".into()))).await.expect("searched");
    assert_eq!((unknown.rows[0].type_name.as_str(), unknown.rows[0].category.as_str()), ("unknown", "unknown"));
    for bad in [
        q(|q| q.ip = Some("203.0.113".into())),
        q(|q| q.from = Some("yesterday".into())),
        q(|q| q.after = Some("x~y".into())),
    ] {
        let error = port.search(bad.clone()).await.expect_err("refused");
        assert_eq!(error.http_status(), 400, "{bad:?}: {error}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn keyset_pages_neither_overlap_nor_skip(pool: PgPool) {
    let (a, b) = (tenant(&pool, "acme-prod").await, tenant(&pool, "acme-dev").await);
    // Same minutes in both tenants: the order has to break ties by tenant and log id.
    for t in [a, b] {
        let events: Vec<Event> = (0..60).map(|i| event(&format!("e{i:03}"), i / 3, "s", None, "ann", "shop")).collect();
        service::store(&pool, t, Source::Import, &events, &[], None, Utc::now()).await.expect("stored");
    }
    let port = PgLogs { pool: pool.clone() };
    let (mut seen, mut pages, mut after) = (Vec::new(), 0, None);
    loop {
        let page = port.search(LogsQuery { after: after.clone(), ..Default::default() }).await.expect("page");
        pages += 1;
        seen.extend(page.rows.iter().map(|r| (r.date, r.tenant_id, r.log_id.clone())));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3, "50 + 50 + 20");
    assert_eq!(seen.len(), 120);
    let mut sorted = seen.clone();
    sorted.sort_by(|x, y| y.cmp(x));
    assert_eq!(seen, sorted, "newest first, in one order across pages");
    sorted.dedup();
    assert_eq!(sorted.len(), 120, "no event twice");
}

#[sqlx::test(migrations = "../migrations")]
async fn retention_drops_whole_months_past_the_longest_retention(pool: PgPool) {
    let t = tenant(&pool, "acme-prod").await;
    let now = Utc.with_ymd_and_hms(2026, 12, 3, 0, 0, 0).single().expect("date");
    let mut old = event("old", 0, "s", None, "ann", "shop");
    old.date = Utc.with_ymd_and_hms(2025, 1, 10, 0, 0, 0).single().expect("date");
    let mut kept = event("kept", 0, "s", None, "ann", "shop");
    kept.date = Utc.with_ymd_and_hms(2025, 11, 10, 0, 0, 0).single().expect("date");
    service::store(&pool, t, Source::Import, &[old, kept], &[], None, now).await.expect("stored");
    let job = RetentionJob { pool: pool.clone(), default_days: 400 };
    let done = job.step(now).await.expect("retention");
    assert_eq!(done.dropped, ["logs_events_2025_01"], "{done:?}");
    let left: Vec<String> = sqlx::query_scalar("SELECT log_id FROM logs_events").fetch_all(&pool).await.expect("left");
    assert_eq!(left, ["kept"]);
    let ahead: Option<String> =
        sqlx::query_scalar("SELECT to_regclass('logs_events_2027_03')::text").fetch_one(&pool).await.expect("regclass");
    assert_eq!(ahead.as_deref(), Some("logs_events_2027_03"), "partitions are made three months ahead");
    sqlx::query("UPDATE logs_progress SET retention_days = 30").execute(&pool).await.expect("shorter");
    let done = job.step(now).await.expect("retention");
    assert_eq!((done.dropped.len(), done.deleted), (0, 1), "a tenant's shorter retention deletes its own rows");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_pages_show_events_in_words_without_javascript(pool: PgPool) {
    let t = tenant(&pool, "acme-prod").await;
    let events = vec![
        event("900a", 1, "fp", Some("203.0.113.5"), "ann", "shop"),
        event("900b", 2, "x_new", None, "bob", "shop"),
    ];
    let bad = vec![server::logs::model::Rejected { item: "{\"log_id\":1}".into(), reason: "missing date".into() }];
    service::store(&pool, t, Source::Stream, &events, &bad, None, Utc::now()).await.expect("stored");
    let app = TestApp::spawn(pool.clone()).await;
    let developer = app.signed_in(Role::Developer).await;
    let page = developer.page("/logs?ip=203.0.113.0%2F24").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = harness::text_of(&page.html);
    assert!(text.contains("Failed Login (Incorrect Password)") && !text.contains("900b"), "{text}");
    assert!(text.contains("Times are UTC"), "the time zone is shown");
    assert!(page.html.contains(&format!("href=\"/logs/{t}/900a\"")), "a link to the event");
    let event = developer.page(&format!("/logs/{t}/900a")).await;
    assert_eq!(event.status, StatusCode::OK);
    assert!(event.html.contains("href=\"/logs?user=auth0%7Cann\""), "the user links to a search");
    assert!(event.html.contains("href=\"/logs?ip=203.0.113.5\""), "the IP links to a search");
    assert!(event.html.contains("href=\"/logs?client=shop\""), "the client links to a search");
    assert!(harness::text_of(&event.html).contains("Failed login due to invalid password"));
    let unknown = developer.page(&format!("/logs/{t}/900b")).await;
    assert!(harness::text_of(&unknown.html).contains("unknown (x_new)"), "unknown codes are shown as unknown");
    assert_eq!(developer.page(&format!("/logs/{t}/nope")).await.status, StatusCode::NOT_FOUND);
    let quarantine = developer.page("/logs/quarantine").await;
    assert!(harness::text_of(&quarantine.html).contains("missing date"));
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    assert_eq!(helpdesk.page("/logs").await.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_empty_console_says_what_to_do_next(pool: PgPool) {
    tenant(&pool, "acme-prod").await;
    let app = TestApp::spawn(pool).await;
    let page = app.signed_in(Role::Developer).await.page("/logs").await;
    let text = harness::text_of(&page.html);
    assert!(text.contains("No events are stored yet") && text.contains("tenantry logs stream-token TENANT"), "{text}");
}
