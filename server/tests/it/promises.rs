//! Promises the README makes about talking to other servers, each tried against a small server of the test's own
//! that answers exactly as the promise needs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use server::outbound::{Fetched, Fetcher, Policy};

/// Serves `router` on 127.0.0.1; its base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_document_read_again_is_asked_for_only_if_modified() {
    server::init_crypto();
    const STAMP: &str = "Wed, 02 Dec 2026 10:00:00 GMT";
    let asked: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let seen = asked.clone();
    let base = serve(axum::Router::new().route(
        "/feed",
        axum::routing::get(move |headers: HeaderMap| {
            let since = headers.get(header::IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok()).map(str::to_string);
            seen.lock().expect("lock").push(since.clone());
            async move {
                if since.as_deref() == Some(STAMP) {
                    StatusCode::NOT_MODIFIED.into_response()
                } else {
                    ([(header::LAST_MODIFIED, STAMP), (header::CONTENT_TYPE, "application/atom+xml")], "<feed/>")
                        .into_response()
                }
            }
        }),
    ))
    .await;
    let fetcher = Fetcher::new(Policy::ANY_ADDRESS).expect("fetcher");
    let first = fetcher.get(&format!("{base}/feed"), None, None, None).await.expect("read");
    let Fetched::Body { modified, .. } = first else { panic!("a body the first time") };
    assert_eq!(modified.as_deref(), Some(STAMP), "Last-Modified is kept for the next read");
    let again = fetcher.get(&format!("{base}/feed"), None, None, modified).await.expect("read");
    assert!(matches!(again, Fetched::NotModified), "the second read is a 304");
    assert_eq!(*asked.lock().expect("lock"), [None, Some(STAMP.to_string())]);
}

#[tokio::test]
async fn a_receivers_retry_after_is_read_for_the_next_attempt() {
    use server::notifications::delivery::model::{Channel, ChannelKind};
    use server::notifications::message::Message;
    server::init_crypto();
    let base = serve(axum::Router::new().route(
        "/hook",
        axum::routing::post(|| async { (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "120")], "slow down") }),
    ))
    .await;
    let sender = server::notifications::send::Sender::new(true, Vec::new()).expect("sender");
    let channel = Channel {
        id: app::ids::ChannelId(uuid::Uuid::nil()),
        name: "hook".into(),
        kind: ChannelKind::Webhook,
        url: Some(format!("{base}/hook")),
        signing_secret: None,
        smtp: None,
        password: None,
    };
    let m = Message::test("hook", chrono::Utc::now(), None);
    let failure = sender.send(&channel, &m, "test-1").await.expect_err("429");
    assert_eq!(failure.status, Some(429));
    assert_eq!(failure.retry_after, Some(Duration::from_secs(120)), "Retry-After is kept for the next attempt");
    assert!(failure.message.contains("rate limiting"), "{}", failure.message);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_update_older_than_a_week_is_kept_in_the_history_but_not_sent(pool: sqlx::PgPool) {
    use app::notifications::channels::ChannelForm;
    use server::notifications::channels;
    use server::notifications::record::{Incoming, apply};
    let form = ChannelForm {
        name: "hook".into(),
        kind: "webhook".into(),
        url: "http://127.0.0.1:9/hook".into(),
        signing_secret: "a signing secret of 32 characters".into(),
        min_severity: "info".into(),
        ..ChannelForm::default()
    };
    let checked = channels::check(&form, false, &[]).expect("a valid channel");
    let secrets = server::secrets::SecretBox::new([3; 32]);
    channels::insert(&mut pool.acquire().await.expect("conn"), &secrets, &checked).await.expect("channel");
    let now = chrono::Utc::now();
    let update = |origin: &str, days_ago: i64| Incoming {
        origin: origin.into(),
        source: "provider_status",
        kind: "incident".into(),
        severity: "warning",
        title: format!("Incident {origin}"),
        body: String::new(),
        link: None,
        tenants: Vec::new(),
        regions: Vec::new(),
        at: now - chrono::Duration::days(days_ago),
        update_origin: format!("{origin}@1"),
        text: "Investigating".into(),
    };
    let mut conn = pool.acquire().await.expect("conn");
    apply(&mut conn, &update("old", 8), now).await.expect("recorded");
    apply(&mut conn, &update("fresh", 1), now).await.expect("recorded");
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM notifications").fetch_one(&pool).await.expect("count");
    assert_eq!(kept, 2, "both are history");
    let queued: Vec<String> = sqlx::query_scalar(
        "SELECT n.origin FROM notifications_outbox o JOIN notifications n ON n.id = o.notification_id",
    )
    .fetch_all(&pool)
    .await
    .expect("outbox");
    assert_eq!(queued, ["fresh"], "only the fresh update is queued for delivery");
}
