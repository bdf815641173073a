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
