//! `TestApp`: the application on port 0 with its own database, and typed request helpers. Later areas add
//! their own simulator and helpers per role here.

use std::net::SocketAddr;
use std::time::Instant;

use chrono::Utc;
use reqwest::StatusCode;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use tokio::sync::oneshot;

/// A running Tenantry server for one test.
pub struct TestApp {
    pub addr: SocketAddr,
    pub pool: PgPool,
    client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
}

/// A page as a browser without JavaScript receives it.
pub struct Page {
    pub status: StatusCode,
    pub html: String,
}

impl TestApp {
    /// Starts the full router on 127.0.0.1:0 over `pool`.
    pub async fn spawn(pool: PgPool) -> TestApp {
        server::init_crypto();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        let router = server::http::router(pool.clone(), Utc::now(), Instant::now());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
                .expect("test server runs");
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        TestApp {
            addr,
            pool,
            client,
            stop: Some(stop),
        }
    }

    /// A server whose database does not answer (nothing listens on the port): for outage behaviour.
    pub async fn spawn_with_database_down() -> TestApp {
        let pool = PgPoolOptions::new()
            .acquire_timeout(std::time::Duration::from_millis(500))
            .connect_lazy("postgres://nobody@127.0.0.1:1/nothing")
            .expect("lazy pool");
        TestApp::spawn(pool).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request answered")
    }

    /// GET a page the way a browser with JavaScript off asks for it.
    pub async fn page(&self, path: &str) -> Page {
        let response = self
            .client
            .get(self.url(path))
            .header("accept", "text/html")
            .send()
            .await
            .expect("page answered");
        Page {
            status: response.status(),
            html: response.text().await.expect("page body"),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The URL of the database behind `pool`, built from DATABASE_URL with the test database's name, for tests that
/// start the `tenantry` binary.
pub fn database_url_of(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL is set by scripts/test");
    let db = pool
        .connect_options()
        .get_database()
        .expect("test database has a name")
        .to_string();
    let (without_query, query) = match base.split_once('?') {
        Some((b, q)) => (b.to_string(), format!("?{q}")),
        None => (base.clone(), String::new()),
    };
    let prefix = without_query.rsplit_once('/').map(|(p, _)| p).unwrap_or(&without_query);
    format!("{prefix}/{db}{query}")
}

/// A free port on 127.0.0.1 (bound, read, released).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    listener.local_addr().expect("local addr").port()
}

/// Text of the HTML with tags removed and whitespace collapsed, for assertions on what a person reads.
pub fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
