//! PostgreSQL stopped mid-stream: the receiver reaches the database through a TCP proxy the test cuts and
//! restores. While it is cut the receiver answers 503 and the simulator's stream retries as Auth0 does (3 attempts,
//! then the errored batches again later); once the database is back, every distinct event is stored exactly once.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use server::simulator::stream::{ATTEMPTS, Player};
use sqlx::postgres::PgPoolOptions;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use super::*;

/// A TCP proxy to PostgreSQL that can be cut (every connection closed, new ones refused) and restored.
struct Proxy {
    addr: SocketAddr,
    open: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Proxy {
    async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let addr = listener.local_addr().expect("its address");
        let open = Arc::new(AtomicBool::new(true));
        let links: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (is_open, all) = (open.clone(), links.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !is_open.load(Ordering::SeqCst) {
                    continue; // dropped: the database is "down"
                }
                let target = target.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                all.lock().expect("links").push(link);
            }
        });
        Proxy { addr, open, links, accept }
    }

    fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        for link in self.links.lock().expect("links").drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
        self.accept.abort();
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn with_the_database_cut_mid_stream_the_receiver_answers_503_and_the_retried_stream_loses_nothing(pool: PgPool) {
    let t = tenant(&pool, "acme-prod").await;
    let token = service::new_token(&pool, t, &server::accounts::audit::Actor::CommandLine, "", Utc::now())
        .await
        .expect("token");
    let mut url = reqwest::Url::parse(&harness::database_url_of(&pool)).expect("a database URL");
    let target = format!("{}:{}", url.host_str().expect("a host"), url.port().unwrap_or(5432));
    let proxy = Proxy::start(target).await;
    url.set_host(Some("127.0.0.1")).expect("host");
    url.set_port(Some(proxy.addr.port())).expect("port");
    let through_proxy = PgPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(std::time::Duration::from_secs(2))
        .connect(url.as_str())
        .await
        .expect("the pool reaches PostgreSQL through the proxy");
    let app = TestApp::spawn(through_proxy).await;

    let start = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).single().expect("date");
    let events = server::simulator::logs::flow("acme-prod.us.auth0.com", start, 300);
    let mut stream = Player::new(&app.url(&format!("/hooks/logs/{t}")), &token, &events, 50);
    assert_eq!(stream.len(), 6);

    assert_eq!(stream.play(0..2).await, 2, "the database answers");
    proxy.cut();
    assert_eq!(stream.play(2..4).await, 0, "nothing is acknowledged while the database is cut");
    assert_eq!(stream.errored(), [2, 3]);
    let during: Vec<Option<u16>> = stream.attempts.iter().filter(|a| a.batch >= 2).map(|a| a.status).collect();
    assert_eq!(
        during,
        vec![Some(503); 2 * ATTEMPTS as usize],
        "each errored batch was tried {ATTEMPTS} times, 503 each"
    );

    proxy.restore();
    assert_eq!(stream.retry_errored().await, 0, "the errored batches go through once the database is back");
    assert_eq!(stream.play(4..6).await, 2);
    assert!(stream.send(1).await, "a batch delivered twice (at least once) is harmless");
    assert!(stream.all_acknowledged());

    let distinct: std::collections::BTreeSet<&str> = events.iter().filter_map(|e| e["log_id"].as_str()).collect();
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM logs_events WHERE tenant_id = $1")
        .bind(t.0)
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(stored, distinct.len() as i64);
    assert_eq!(stored, 300);
    let (counted, duplicates): (i64, i64) =
        sqlx::query_as("SELECT events_stored, duplicates FROM logs_progress WHERE tenant_id = $1")
            .bind(t.0)
            .fetch_one(&pool)
            .await
            .expect("progress");
    assert_eq!((counted, duplicates), (300, 50));
}
