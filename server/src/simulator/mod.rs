//! The Auth0 simulator: a small axum app that plays any number of Auth0 tenants (chosen by the Host header) and
//! speaks Auth0's real wire formats — answers are built from the recorded bodies in `server/fixtures/auth0` —
//! with token-bucket rate limits, `x-ratelimit-*` headers, Auth0's 429 and error bodies, and faults that tests
//! switch on at run time. Tests and `tenantry demo` use it; production never does.

mod bucket;
mod control;
mod directory;
pub mod dns_tls;
mod idp;
mod idp_pages;
mod idp_token;
pub mod ip_ranges;
mod keys;
pub mod logs;
pub mod receivers;
mod routes;
mod status_pages;
pub mod stream;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use bucket::Bucket;
pub use bucket::Limit;
pub use idp::{IdpClient, IdpUser, TokenFault};

/// Recorded real bodies the simulator answers with.
pub mod fixtures {
    pub const TENANT_SETTINGS: &str = include_str!("../../fixtures/auth0/go-auth0_tenants-settings_GET.json");
    pub const CUSTOM_DOMAIN: &str =
        include_str!("../../fixtures/auth0/go-auth0_custom-domains_single_POST_create_201.json");
    pub const EMAIL_PROVIDER: &str = include_str!("../../fixtures/auth0/go-auth0_emails-provider_GET.json");
    pub const EMAIL_PROVIDER_404: &str =
        include_str!("../../fixtures/auth0/go-auth0_emails-provider_GET_404_inexistent.json");
    pub const LOG_STREAMS: &str = include_str!("../../fixtures/auth0/go-auth0_log-streams_list_GET.json");
    pub const DAILY_STATS: &str = include_str!("../../fixtures/auth0/go-auth0_stats_daily_GET.json");
    pub const LOG_EVENT: &str = include_str!("../../fixtures/auth0/go-auth0_logs_single_GET_seccft.json");
}

/// Every Management API scope the console reads.
pub const READ_SCOPES: &[&str] = &[
    "read:tenant_settings",
    "read:custom_domains",
    "read:email_provider",
    "read:log_streams",
    "read:connections",
    "read:connections_options",
    "read:actions",
    "read:clients",
    "read:resource_servers",
    "read:rules",
    "read:hooks",
    "read:guardian_factors",
    "read:attack_protection",
    "read:prompts",
    "read:signing_keys",
    "read:email_templates",
    "read:stats",
    "read:logs",
    "read:logs_users",
];

/// How a test user's password login ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserState {
    Active,
    /// Brute-force protection blocked the user: `too_many_attempts`.
    Blocked,
    /// `mfa_required`.
    MfaRequired,
}

/// A user the password grants can log in.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TestUser {
    pub username: String,
    pub password: String,
    pub state: UserState,
}

/// Faults a test switches on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Added to every answer.
    pub latency_ms: u64,
    /// Answer 503 with Auth0's error body.
    pub server_error: bool,
    /// Never answer (the client's timeout fires).
    pub hang: bool,
    /// Answer 429 to everything (not counted as the client's fault).
    pub storm_429: bool,
    /// Say the bucket is empty until 2100 (`x-ratelimit-remaining: 0`, `x-ratelimit-reset: 4102444800`).
    pub absurd_reset: bool,
    /// Answer 200 with a body that is not JSON.
    pub malformed_json: bool,
    /// `/testall` answers 503 (monitoring tests).
    pub testall_down: bool,
    /// `/testall` is down every other four minutes (the demo's flapping tenant).
    pub testall_flaps: bool,
    /// Rules and Hooks are past their end of life: `GET /api/v2/rules` and `/hooks` answer 404.
    pub legacy_gone: bool,
}

/// One simulated tenant.
#[derive(Clone, Debug)]
pub struct SimTenant {
    /// The Host it answers to: `acme-prod.us.auth0.com`.
    pub domain: String,
    pub client_id: String,
    pub client_secret: String,
    /// Scopes granted to the client's tokens.
    pub scopes: Vec<String>,
    pub settings: Value,
    pub custom_domains: Vec<Value>,
    pub email_provider: Option<Value>,
    pub log_streams: Vec<Value>,
    /// `GET /api/v2/connections`, whole (with `options`).
    pub connections: Vec<Value>,
    /// `GET /api/v2/actions/actions`.
    pub actions: Vec<Value>,
    /// `GET /api/v2/clients` (the tenant's applications, with their secrets, as Auth0 holds them).
    pub clients: Vec<Value>,
    /// `GET /api/v2/resource-servers`.
    pub resource_servers: Vec<Value>,
    /// `GET /api/v2/rules`, `GET /api/v2/hooks` (legacy extensibility).
    pub rules: Vec<Value>,
    pub hooks: Vec<Value>,
    /// `GET /api/v2/guardian/factors`.
    pub guardian_factors: Vec<Value>,
    /// `GET /api/v2/attack-protection/{brute-force-protection, breached-password-detection,
    /// suspicious-ip-throttling}`, by that last path segment.
    pub attack_protection: Value,
    /// `GET /api/v2/prompts`.
    pub prompts: Value,
    /// `GET /api/v2/keys/signing`.
    pub signing_keys: Vec<Value>,
    /// `GET /api/v2/guardian/factors/phone/selected-provider`: `auth0`, `twilio` or `phone-message-hook`.
    pub sms_provider: String,
    /// `GET /api/v2/email-templates/{name}`: the customized ones (others answer 404).
    pub email_templates: Vec<Value>,
    pub logs: Vec<Value>,
    pub daily_stats: Value,
    pub active_users: u64,
    pub users: Vec<TestUser>,
    /// The application may use the password grants.
    pub password_grant: bool,
    /// The tenant has a default directory (needed by `grant_type=password`).
    pub default_directory: Option<String>,
    pub management_limit: Limit,
    pub authentication_limit: Limit,
    pub faults: Faults,
}

impl SimTenant {
    /// A tenant answering at `domain` with names of its own: the recorded settings with the friendly name and
    /// support email made from the domain's first label (so tenants differ), no custom domain, no email provider,
    /// and generous limits.
    pub fn new(domain: &str, client_id: &str, client_secret: &str) -> SimTenant {
        let mut tenant = SimTenant::recorded(domain, client_id, client_secret);
        let name = domain.split('.').next().unwrap_or(domain);
        tenant.settings["friendly_name"] = Value::String(name.to_string());
        tenant.settings["support_email"] = Value::String(format!("support@{name}.example"));
        tenant
    }

    /// A tenant answering at `domain` with the recorded settings exactly as Auth0 sent them.
    pub fn recorded(domain: &str, client_id: &str, client_secret: &str) -> SimTenant {
        let settings: Value = serde_json::from_str(fixtures::TENANT_SETTINGS).expect("fixture is JSON");
        SimTenant {
            domain: domain.to_string(),
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            scopes: READ_SCOPES.iter().map(|s| s.to_string()).collect(),
            settings,
            custom_domains: Vec::new(),
            email_provider: None,
            log_streams: Vec::new(),
            connections: vec![SimTenant::database_connection("Username-Password-Authentication", &[])],
            actions: Vec::new(),
            clients: SimTenant::default_clients(client_id),
            resource_servers: vec![SimTenant::management_api(domain)],
            rules: Vec::new(),
            hooks: Vec::new(),
            guardian_factors: SimTenant::default_factors(),
            attack_protection: SimTenant::default_attack_protection(),
            prompts: serde_json::json!({"universal_login_experience": "new", "identifier_first": false, "webauthn_platform_first_factor": false}),
            signing_keys: SimTenant::signing_keys(domain, chrono::Utc::now() + chrono::Duration::days(300)),
            sms_provider: "auth0".into(),
            email_templates: Vec::new(),
            logs: Vec::new(),
            daily_stats: serde_json::from_str(fixtures::DAILY_STATS).expect("fixture is JSON"),
            active_users: 1,
            users: Vec::new(),
            password_grant: true,
            default_directory: Some("Username-Password-Authentication".into()),
            management_limit: Limit { burst: 50, per_second: 50.0 },
            authentication_limit: Limit { burst: 100, per_second: 100.0 },
            faults: Faults::default(),
        }
    }

    /// A custom domain in Auth0's shape, `ready` or `pending_verification`.
    pub fn custom_domain(&self, host: &str, status: &str, cname_target: &str) -> Value {
        let mut domain: Value = serde_json::from_str(fixtures::CUSTOM_DOMAIN).expect("fixture is JSON");
        // Stable per host, so a simulator started again serves the same domain.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        std::hash::Hash::hash(&(host, &self.domain), &mut hasher);
        let id = format!("cd_{:016x}", std::hash::Hasher::finish(&hasher));
        domain["custom_domain_id"] = Value::String(id);
        domain["domain"] = Value::String(host.to_string());
        domain["status"] = Value::String(status.to_string());
        domain["verification"]["methods"][0]["record"] = Value::String(cname_target.to_string());
        domain["verification"]["methods"][0]["domain"] = Value::String(host.to_string());
        domain
    }
}

struct Issued {
    domain: String,
    scopes: Vec<String>,
    expires: Instant,
}

/// A provider status page the simulator plays, served as Statuspage `summary.json` and as an Atom feed in the
/// style of Auth0's status feed, under `/__status/{slug}/…`.
#[derive(Clone, Debug, Default)]
pub struct SimStatusPage {
    pub name: String,
    /// (id, name, Statuspage status such as `operational` or `major_outage`)
    pub components: Vec<(String, String, String)>,
    pub incidents: Vec<SimIncident>,
}

/// An incident with its published updates: (phase, text, time), oldest first.
#[derive(Clone, Debug)]
pub struct SimIncident {
    pub id: String,
    pub name: String,
    pub impact: String,
    pub updates: Vec<(String, String, chrono::DateTime<chrono::Utc>)>,
}

/// The phases an incident goes through, in order.
pub const LIFECYCLE: [&str; 5] = ["investigating", "identified", "monitoring", "resolved", "postmortem"];

/// The feed slug the IP list is kept under.
const IP_RANGES: &str = "ip-ranges.json";

#[derive(Default)]
struct State {
    status_pages: HashMap<String, SimStatusPage>,
    /// Advisory and changelog feeds: slug → (content type, body).
    feeds: HashMap<String, (String, String)>,
    tenants: HashMap<String, SimTenant>,
    buckets: HashMap<(String, bool), Bucket>,
    tokens: HashMap<String, Issued>,
    /// The identity provider on the simulator's own address (`idp`).
    idp: idp::IdpState,
}

/// A running simulator: its address and the handle tests use to change it.
#[derive(Clone)]
pub struct Simulator {
    state: Arc<Mutex<State>>,
    over_limit: Arc<AtomicU64>,
    requests: Arc<AtomicU64>,
    pub addr: SocketAddr,
}

impl Simulator {
    /// Starts a simulator on 127.0.0.1 (port 0: any free port).
    pub async fn start(port: u16) -> std::io::Result<Simulator> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let sim = Simulator {
            state: Arc::new(Mutex::new(State::default())),
            over_limit: Arc::new(AtomicU64::new(0)),
            requests: Arc::new(AtomicU64::new(0)),
            addr,
        };
        let app = routes::router(sim.clone());
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "the Auth0 simulator stopped");
            }
        });
        Ok(sim)
    }

    /// `http://127.0.0.1:PORT`: the base URL a tenant uses to reach the simulator.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn add_tenant(&self, tenant: SimTenant) {
        self.state().tenants.insert(tenant.domain.clone(), tenant);
    }

    /// Changes a tenant in place (settings, domains, users, limits, faults…).
    pub fn update(&self, domain: &str, change: impl FnOnce(&mut SimTenant)) -> bool {
        let mut state = self.state();
        let Some(tenant) = state.tenants.get_mut(domain) else {
            return false;
        };
        change(tenant);
        let (m, a) = (tenant.management_limit, tenant.authentication_limit);
        for ((d, management), bucket) in state.buckets.iter_mut() {
            if d == domain {
                bucket.set_limit(if *management { m } else { a });
            }
        }
        true
    }

    pub fn tenant(&self, domain: &str) -> Option<SimTenant> {
        self.state().tenants.get(domain).cloned()
    }

    /// Requests that arrived while their bucket was empty (a well-behaved client keeps this at 0).
    pub fn over_limit(&self) -> u64 {
        self.over_limit.load(Ordering::Relaxed)
    }

    /// Every request answered.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Serves a status page at `/__status/{slug}/api/v2/summary.json` and `/__status/{slug}/history.atom`.
    pub fn set_status_page(&self, slug: &str, page: SimStatusPage) {
        self.state().status_pages.insert(slug.to_string(), page);
    }

    /// Changes a status page in place (flip a component, open an incident…).
    pub fn update_status_page(&self, slug: &str, change: impl FnOnce(&mut SimStatusPage)) -> bool {
        match self.state().status_pages.get_mut(slug) {
            Some(page) => {
                change(page);
                true
            }
            None => false,
        }
    }

    /// Publishes the incident's next phase (investigating → identified → monitoring → resolved → postmortem),
    /// opening it when it does not exist. Returns the phase published, or `None` after the postmortem.
    pub fn advance_incident(&self, slug: &str, id: &str, at: chrono::DateTime<chrono::Utc>) -> Option<&'static str> {
        let mut published = None;
        self.update_status_page(slug, |page| {
            if !page.incidents.iter().any(|i| i.id == id) {
                page.incidents.push(SimIncident {
                    id: id.to_string(),
                    name: format!("Incident {id}"),
                    impact: "major".into(),
                    updates: Vec::new(),
                });
            }
            let Some(incident) = page.incidents.iter_mut().find(|i| i.id == id) else { return };
            let Some(phase) = LIFECYCLE.get(incident.updates.len()) else { return };
            incident.updates.push((phase.to_string(), format!("The incident is {phase}."), at));
            published = Some(*phase);
        });
        published
    }

    /// Serves `body` as `content_type` at `/__feeds/{slug}` (with an ETag): an advisory feed, a changelog, or a
    /// broken one.
    pub fn set_feed(&self, slug: &str, content_type: &str, body: &str) {
        self.state().feeds.insert(slug.to_string(), (content_type.to_string(), body.to_string()));
    }

    /// Serves `body` as Auth0's outbound IP list at `/ip-ranges.json` (with an ETag); see `ip_ranges::body`.
    pub fn set_ip_ranges(&self, body: &str) {
        self.set_feed(IP_RANGES, "application/json", body);
    }

    fn feed(&self, slug: &str) -> Option<(String, String)> {
        self.state().feeds.get(slug).cloned()
    }

    fn status_page(&self, slug: &str) -> Option<SimStatusPage> {
        self.state().status_pages.get(slug).cloned()
    }

    /// Appends `count` events of the tenant's deterministic flow (`logs::flow`) from `start` on.
    pub fn seed_log_flow(&self, domain: &str, start: chrono::DateTime<chrono::Utc>, count: usize) {
        let events = logs::flow(domain, start, count);
        self.update(domain, |t| t.logs.extend(events));
    }

    /// Appends log events with increasing log ids (for checkpoint paging).
    pub fn append_logs(&self, domain: &str, events: usize, kind: &str) {
        let template: Value = serde_json::from_str(fixtures::LOG_EVENT).expect("fixture is JSON");
        self.update(domain, |t| {
            for _ in 0..events {
                let n = t.logs.len() + 1;
                let mut event = template.clone();
                let id = format!("900{:014}{:039}", 20261129000000u64, n);
                event["log_id"] = Value::String(id.clone());
                event["_id"] = Value::String(id);
                event["type"] = Value::String(kind.to_string());
                event["date"] = Value::String(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
                t.logs.push(event);
            }
        });
    }
}

/// How long a `hang` fault holds a request (longer than any client timeout).
const HANG: Duration = Duration::from_secs(120);
