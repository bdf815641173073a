//! `TestApp`: the application on port 0 with its own database, and typed request helpers: an anonymous client
//! and signed-in `Browser`s per role. Later areas add their own simulator and helpers here.

use std::net::SocketAddr;

use app::accounts::Role;
use reqwest::StatusCode;
use server::accounts::audit::Actor;
use server::accounts::service::{self, NewUser};
use server::http::RouterOptions;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use tokio::sync::oneshot;

/// The password every test user gets.
pub const PASSWORD: &str = "correct horse battery staple";

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
        TestApp::spawn_with(pool, RouterOptions::default()).await
    }

    pub async fn spawn_with(pool: PgPool, options: RouterOptions) -> TestApp {
        TestApp::spawn_with_limits(pool, options, server::http::serve::Limits::default()).await
    }

    /// With the listener's limits chosen (tests of the limits).
    pub async fn spawn_with_limits(
        pool: PgPool,
        options: RouterOptions,
        limits: server::http::serve::Limits,
    ) -> TestApp {
        server::init_crypto();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        let router = server::http::router(pool.clone(), options);
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(server::http::serve::serve(listener, router, limits, async move {
            let _ = stopped.await;
        }));
        TestApp { addr, pool, client: client(false), stop: Some(stop) }
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

    /// The console's own origin, as a browser sends it with a form post.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// GET as an anonymous client (no cookies).
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request answered")
    }

    /// Adds a user with `PASSWORD` through the accounts service, as the command line would.
    pub async fn add_user(&self, email: &str, role: Role) {
        let new = NewUser { email, display_name: email.split('@').next().unwrap_or(email), role, password: PASSWORD };
        service::create_user(&self.pool, &Actor::CommandLine, new, "").await.expect("user added");
    }

    /// A browser signed in as a new user with `role` (`{role}@example.test`).
    pub async fn signed_in(&self, role: Role) -> Browser {
        let email = format!("{}@example.test", role.as_str());
        self.add_user(&email, role).await;
        let browser = self.browser();
        let response = browser.sign_in(&email, PASSWORD, "/").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()["location"], "/", "signed in as {email}");
        browser
    }

    /// A browser with a cookie jar that is not signed in.
    pub fn browser(&self) -> Browser {
        Browser { client: client(true), base: self.url(""), origin: self.origin() }
    }

    /// A browser whose requests arrive through a reverse proxy that names `address` as the client
    /// (`X-Forwarded-For`; believed only when the options trust 127.0.0.1 as a proxy).
    pub fn browser_behind_proxy(&self, address: &str) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", address.parse().expect("header value"));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .default_headers(headers)
            .build()
            .expect("http client");
        Browser { client, base: self.url(""), origin: self.origin() }
    }
}

fn client(cookies: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(cookies)
        .build()
        .expect("http client")
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A client that keeps cookies and sends form posts the way a browser does on the console's own pages.
pub struct Browser {
    client: reqwest::Client,
    base: String,
    origin: String,
}

impl Browser {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).send().await.expect("request answered")
    }

    /// GET a page the way a browser with JavaScript off asks for it.
    pub async fn page(&self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .send()
            .await
            .expect("page answered");
        Page { status: response.status(), html: response.text().await.expect("page body") }
    }

    /// POST a form from the console's own page (same origin).
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header("origin", &self.origin)
            .header("accept", "text/html")
            .form(form)
            .send()
            .await
            .expect("request answered")
    }

    /// POST a form from the page at `page` (a browser sends that page as the Referer; server functions answer a
    /// form post by redirecting back to it).
    pub async fn post_form_on(&self, page: &str, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header("origin", &self.origin)
            .header("referer", format!("{}{page}", self.base))
            .header("accept", "text/html")
            .form(form)
            .send()
            .await
            .expect("request answered")
    }

    /// POST with chosen headers (for cross-site tests).
    pub async fn post_with(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.client.post(format!("{}{path}", self.base)).form(&[("x", "y")]);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request answered")
    }

    pub async fn sign_in(&self, email: &str, password: &str, next: &str) -> reqwest::Response {
        self.post_form("/login", &[("email", email), ("password", password), ("next", next)]).await
    }
}

/// The URL of the database behind `pool`, built from DATABASE_URL with the test database's name, for tests that
/// start the `tenantry` binary.
pub fn database_url_of(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL is set by scripts/test");
    let db = pool.connect_options().get_database().expect("test database has a name").to_string();
    let (without_query, query) = match base.split_once('?') {
        Some((b, q)) => (b.to_string(), format!("?{q}")),
        None => (base.clone(), String::new()),
    };
    let prefix = without_query.rsplit_once('/').map(|(p, _)| p).unwrap_or(&without_query);
    format!("{prefix}/{db}{query}")
}

/// The path and query of a `Location` (server functions redirect back to the full Referer).
pub fn path_of(location: &str) -> String {
    match location.strip_prefix("http://").and_then(|rest| rest.split_once('/')) {
        Some((_, path)) => format!("/{path}"),
        None => location.to_string(),
    }
}

/// A free port on 127.0.0.1 (bound, read, released).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    listener.local_addr().expect("local addr").port()
}

/// Text of the HTML with tags removed and whitespace collapsed, for assertions on what a person reads.
pub fn text_of(html: &str) -> String {
    server::status::adapters::strip_tags(html)
}

/// Tenant `name` at `domain` as a form would register it: user domain `customers`, associated with the company
/// account `Acme`, no paid features, client `client_id` with `client_secret` (encrypted), Auth0's own API URL.
pub fn new_tenant(
    name: &str,
    domain: &str,
    region: app::tenants::Region,
    environment: app::tenants::Environment,
    client_id: &str,
    client_secret: Vec<u8>,
) -> server::tenants::repo::NewTenant {
    server::tenants::repo::NewTenant {
        name: name.into(),
        domain: domain.into(),
        region: Some(region),
        environment,
        user_domain: "customers".into(),
        association: app::tenants::Association::Associated,
        account_name: "Acme".into(),
        paid_features: false,
        client_id: client_id.into(),
        client_secret,
        api_base_url: None,
        notes: String::new(),
    }
}

/// Registers `new` straight in the registry; its id.
pub async fn register(pool: &PgPool, new: &server::tenants::repo::NewTenant) -> uuid::Uuid {
    server::tenants::repo::insert(&mut pool.acquire().await.expect("conn"), new).await.expect("tenant registered")
}

/// Registers tenant `name` (`{name}.{region}.auth0.com`, user domain `customers`, associated) straight in the
/// registry, for tests that need tenants but no Auth0 behind them.
pub async fn insert_tenant(
    pool: &PgPool,
    name: &str,
    region: app::tenants::Region,
    environment: app::tenants::Environment,
) -> uuid::Uuid {
    let domain = format!("{name}.{}.auth0.com", region.as_str());
    let secret = server::secrets::SecretBox::new([3; 32]).encrypt("secret");
    register(pool, &new_tenant(name, &domain, region, environment, "cid", secret)).await
}

/// Adds a status source straight in the database: `name`, of `kind` and `category`, read from `url`.
pub async fn insert_source(pool: &PgPool, name: &str, kind: &str, category: &str, url: &str) -> uuid::Uuid {
    sqlx::query_scalar("INSERT INTO status_sources (name, kind, category, url) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(name)
        .bind(kind)
        .bind(category)
        .bind(url)
        .fetch_one(pool)
        .await
        .expect("source")
}

/// Adds the Statuspage source `name` (`category`) reading the simulator's status page `page`.
pub async fn statuspage_source(
    pool: &PgPool,
    sim: &server::simulator::Simulator,
    page: &str,
    name: &str,
    category: &str,
) -> uuid::Uuid {
    let url = format!("{}/__status/{page}/api/v2/summary.json", sim.base_url());
    insert_source(pool, name, "statuspage", category, &url).await
}

/// A production tenant `acme-prod` served by a fresh simulator as `tenant` says (client `cid`, secret `secret`),
/// registered with its encrypted secret: the simulator, the tenant's id, an Auth0 client that may reach loopback,
/// and the secret box to decrypt with.
pub async fn acme_prod_on_simulator(
    pool: &PgPool,
    tenant: server::simulator::SimTenant,
) -> (server::simulator::Simulator, uuid::Uuid, std::sync::Arc<server::auth0::Auth0Client>, server::secrets::SecretBox)
{
    server::init_crypto();
    let sim = server::simulator::Simulator::start(0).await.expect("simulator");
    let domain = tenant.domain.clone();
    sim.add_tenant(tenant);
    let secrets = server::secrets::SecretBox::new([3; 32]);
    let new = server::tenants::repo::NewTenant {
        api_base_url: Some(sim.base_url()),
        ..new_tenant(
            "acme-prod",
            &domain,
            app::tenants::Region::Us,
            app::tenants::Environment::Production,
            "cid",
            secrets.encrypt("secret"),
        )
    };
    let id = register(pool, &new).await;
    let client = std::sync::Arc::new(
        server::auth0::Auth0Client::new(std::time::Duration::from_secs(5), server::outbound::Policy::ANY_ADDRESS)
            .expect("client"),
    );
    (sim, id, client, secrets)
}
