//! The engine: built once at start, it holds what every area contributes to a running console — its port (what
//! pages read and change), its scheduler jobs and its recurring schedules. This is the one place that wires areas
//! together; an area never builds another area's parts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::accounts::AccountsPort;
use app::checklists::ChecklistsPort;
use app::domains::DomainsPort;
use app::infra::InfraPort;
use app::logs::LogsPort;
use app::monitoring::MonitoringPort;
use app::notifications::NotificationsPort;
use app::peak::PeakPort;
use app::status::StatusPort;
use app::system::SystemPort;
use app::tenants::TenantsPort;
use chrono::{DateTime, Utc};
use leptos::prelude::provide_context;
use sqlx::{PgConnection, PgPool};

use crate::accounts::service::SetupToken;
use crate::scheduler::{self, Registry, kinds};
use crate::secrets::SecretBox;
use crate::{
    accounts, auth0, checklists, domains, infra, logs, monitoring, notifications, outbound, peak, status, system,
    tenants,
};

/// Every area's port, as the server provides them to pages and server functions: each one as its own context
/// value (`Arc<dyn XPort>`), so an app area reads only its own port.
#[derive(Clone)]
pub struct Ports {
    pub accounts: Arc<dyn AccountsPort>,
    pub domains: Arc<dyn DomainsPort>,
    pub infra: Arc<dyn InfraPort>,
    pub checklists: Arc<dyn ChecklistsPort>,
    pub logs: Arc<dyn LogsPort>,
    pub monitoring: Arc<dyn MonitoringPort>,
    pub notifications: Arc<dyn NotificationsPort>,
    pub peak: Arc<dyn PeakPort>,
    pub status: Arc<dyn StatusPort>,
    pub system: Arc<dyn SystemPort>,
    pub tenants: Arc<dyn TenantsPort>,
}

impl Ports {
    /// Provides each port as context for the page or server function being handled.
    pub fn provide(&self) {
        provide_context(self.accounts.clone());
        provide_context(self.domains.clone());
        provide_context(self.infra.clone());
        provide_context(self.checklists.clone());
        provide_context(self.logs.clone());
        provide_context(self.monitoring.clone());
        provide_context(self.notifications.clone());
        provide_context(self.peak.clone());
        provide_context(self.status.clone());
        provide_context(self.system.clone());
        provide_context(self.tenants.clone());
    }
}

/// How the router is set up; `serve` fills it from `Settings`, tests use the defaults.
#[derive(Clone)]
pub struct RouterOptions {
    pub started_at: DateTime<Utc>,
    pub started: Instant,
    /// `Secure` session cookies (the console is served over https).
    pub secure_cookies: bool,
    pub session_idle: Duration,
    /// The console's public origin (`https://ops.example.com`), checked against `Origin` on changes.
    pub public_url: Option<String>,
    /// Host names served besides the public URL's (`http::edge`).
    pub allowed_hosts: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`http::edge`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub setup: SetupToken,
    /// Demo mode only: the accounts the sign-in page offers.
    pub demo_accounts: Vec<app::accounts::DemoAccount>,
    /// Single sign-on through an OpenID Connect provider.
    pub sso: Option<crate::config::SsoSettings>,
    /// People may sign in with a password (off: single sign-on only).
    pub local_passwords: bool,
    /// Encrypts tenant secrets entered in forms.
    pub secrets: crate::secrets::SecretBox,
    /// How often a new tenant is polled.
    pub poll_interval: Duration,
    /// Tenants with paid features the contract allows.
    pub paid_limit: usize,
    /// Snapshot fields the drift view greys as expected differences.
    pub drift_expected: Vec<String>,
    pub status: crate::status::StatusOptions,
    pub monitoring: crate::monitoring::MonitoringOptions,
    pub domains: crate::domains::DomainsOptions,
    pub notifications: crate::notifications::NotificationsOptions,
    pub infra: crate::infra::InfraOptions,
    pub logs: crate::logs::LogsOptions,
    pub peak: crate::peak::PeakOptions,
}

/// Options for tests and tools that start a router on their own: being their start, this installs the TLS crypto
/// provider (as `main` does for the binary) before the notification sender builds its clients.
impl Default for RouterOptions {
    fn default() -> Self {
        crate::init_crypto();
        RouterOptions {
            started_at: Utc::now(),
            started: Instant::now(),
            secure_cookies: false,
            session_idle: Duration::from_secs(8 * 3600),
            public_url: None,
            allowed_hosts: Vec::new(),
            trusted_proxies: Vec::new(),
            setup: SetupToken::default(),
            demo_accounts: Vec::new(),
            sso: None,
            local_passwords: true,
            secrets: crate::secrets::SecretBox::new(rand_key()),
            poll_interval: crate::tenants::jobs::DEFAULT_INTERVAL,
            paid_limit: 3,
            drift_expected: vec!["settings.friendly_name".into(), "settings.support_email".into()],
            status: crate::status::StatusOptions::default(),
            monitoring: crate::monitoring::MonitoringOptions::default(),
            domains: crate::domains::DomainsOptions::system().expect("the system's DNS settings are readable"),
            notifications: crate::notifications::NotificationsOptions::default(),
            // Tests and tools never reach the internet: an address the outbound policy refuses before connecting.
            infra: crate::infra::InfraOptions::new(
                "http://127.0.0.1:9/ip-ranges.json",
                std::time::Duration::from_secs(7 * 24 * 3600),
                false,
                Arc::new(
                    crate::domains::dns::DnsChecker::new(&crate::domains::dns::DnsSettings::default())
                        .expect("the system's DNS settings are readable"),
                ),
            )
            .expect("the IP list reader builds from fixed options"),
            logs: crate::logs::LogsOptions::default(),
            peak: crate::peak::PeakOptions::default(),
        }
    }
}

/// A random key for tests and defaults (real servers load theirs from the settings).
fn rand_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    argon2::password_hash::rand_core::RngCore::fill_bytes(&mut argon2::password_hash::rand_core::OsRng, &mut key);
    key
}

/// What the scheduler needs beside the router's options: settings only the jobs read.
#[derive(Clone)]
pub struct JobOptions {
    pub auth0_timeout: Duration,
    /// Which addresses tenants' API URLs and monitoring probes may reach.
    pub tenant_targets: outbound::Policy,
    pub paid_limit: usize,
    pub monitoring_retention: monitoring::Retention,
    /// Runs the reachability checks (their policy and trusted roots).
    pub reach: monitoring::reach::Reach,
}

/// Every area's port, for the router to provide to pages and server functions.
pub fn ports(pool: &PgPool, options: &RouterOptions) -> (Ports, Arc<status::port::PgStatus>) {
    let status = Arc::new(status::port::PgStatus {
        pool: pool.clone(),
        tiles: tiles(pool),
        allow_private: options.status.allow_private,
        refresh_secs: options.status.board_refresh_secs,
    });
    let ports = Ports {
        accounts: Arc::new(accounts::port::PgAccounts::new(pool.clone())),
        tenants: Arc::new(tenants::port::PgTenants {
            pool: pool.clone(),
            secrets: options.secrets.clone(),
            interval: options.poll_interval,
            paid_limit: options.paid_limit,
            drift_expected: options.drift_expected.clone(),
        }),
        status: status.clone(),
        logs: Arc::new(logs::port::PgLogs {
            pool: pool.clone(),
            retention_days: options.logs.retention_days,
            public_url: options.public_url.clone(),
        }),
        peak: Arc::new(peak::port::PgPeak { pool: pool.clone() }),
        checklists: Arc::new(checklists::port::PgChecklists { pool: pool.clone() }),
        domains: Arc::new(domains::port::PgDomains { pool: pool.clone(), checker: options.domains.checker.clone() }),
        infra: Arc::new(infra::port::PgInfra {
            pool: pool.clone(),
            fetcher: options.infra.fetcher.clone(),
            url: options.infra.ip_ranges_url.clone(),
            dns: options.infra.dns.clone(),
        }),
        notifications: Arc::new(notifications::port::PgNotifications {
            pool: pool.clone(),
            outbox: outbox(pool, options, "console"),
            allow_private: options.notifications.allow_private,
        }),
        monitoring: Arc::new(monitoring::port::PgMonitoring {
            pool: pool.clone(),
            secrets: options.secrets.clone(),
            login_budget: options.monitoring.login_budget,
        }),
        system: Arc::new(system::PgSystem::new(pool.clone(), options.started_at, options.started)),
    };
    (ports, status)
}

/// The tiles of the status board's "our own checks", in board order: each area's own.
fn tiles(pool: &PgPool) -> Vec<Arc<dyn app::status::BoardTile>> {
    vec![
        Arc::new(monitoring::tile::MonitoringTile { pool: pool.clone() }),
        Arc::new(domains::tile::DomainsTile { pool: pool.clone() }),
        Arc::new(notifications::tile::ChannelsTile { pool: pool.clone() }),
        Arc::new(peak::tile::PeakTile { pool: pool.clone() }),
        Arc::new(monitoring::tile::ReachTile { pool: pool.clone() }),
    ]
}

/// The outbox as `worker` delivers it (the deliverer loop, or "console" for Send test).
pub fn outbox(pool: &PgPool, options: &RouterOptions, worker: &str) -> notifications::outbox::Outbox {
    notifications::outbox::Outbox {
        pool: pool.clone(),
        sender: options.notifications.sender.clone(),
        secrets: options.secrets.clone(),
        public_url: options.public_url.clone(),
        worker: worker.into(),
    }
}

/// The custom-domain findings the notification watch compares, read from the domains area.
struct DomainFindings {
    pool: PgPool,
}

#[async_trait::async_trait]
impl notifications::FindingsSource for DomainFindings {
    async fn findings(&self) -> Result<Vec<app::domains::DomainFinding>, sqlx::Error> {
        domains::service::findings(&self.pool).await
    }
}

/// Every area's scheduler jobs.
pub fn jobs(pool: &PgPool, options: &RouterOptions, jobs: &JobOptions) -> anyhow::Result<Registry> {
    let failed = |what: &str| {
        let what = what.to_string();
        move |e: String| anyhow::anyhow!("cannot build {what}: {e}")
    };
    let client =
        Arc::new(auth0::Auth0Client::new(jobs.auth0_timeout, jobs.tenant_targets).map_err(|e| anyhow::anyhow!("{e}"))?);
    let secrets: SecretBox = options.secrets.clone();
    Ok(Registry::default()
        .with(Arc::new(tenants::jobs::SnapshotJob {
            pool: pool.clone(),
            client: client.clone(),
            secrets: secrets.clone(),
        }))
        .with(Arc::new(logs::jobs::PullJob { pool: pool.clone(), client, secrets: secrets.clone() }))
        .with(Arc::new(logs::jobs::RetentionJob { pool: pool.clone(), default_days: options.logs.retention_days }))
        .with(Arc::new(logs::health::HealthJob { pool: pool.clone() }))
        .with(Arc::new(peak::spikes::SpikeJob { pool: pool.clone(), options: options.peak }))
        .with(Arc::new(
            status::jobs::StatusPollJob::new(pool.clone(), options.status.allow_private)
                .map_err(failed("the status poller"))?,
        ))
        .with(Arc::new(status::jobs::SyncJob {
            pool: pool.clone(),
            feed_base: options.status.auth0_feed_url.clone(),
            interval: options.status.poll_interval,
        }))
        .with(Arc::new(monitoring::jobs::check::CheckJob {
            pool: pool.clone(),
            probe: monitoring::probe::Probe::new(jobs.tenant_targets).map_err(failed("the monitor"))?,
            reach: jobs.reach.clone(),
            secrets,
        }))
        .with(Arc::new(monitoring::jobs::rollup::RollupJob {
            pool: pool.clone(),
            retention: jobs.monitoring_retention,
        }))
        .with(Arc::new(domains::jobs::SyncJob { pool: pool.clone(), interval: options.domains.interval }))
        .with(Arc::new(domains::jobs::CheckJob { pool: pool.clone(), checker: options.domains.checker.clone() }))
        .with(Arc::new(notifications::history::jobs::CollectJob {
            pool: pool.clone(),
            paid_limit: jobs.paid_limit,
            findings: Arc::new(DomainFindings { pool: pool.clone() }),
        }))
        .with(Arc::new(notifications::feeds::jobs::FeedJob {
            pool: pool.clone(),
            fetcher: outbound::Fetcher::new(outbound::Policy::private_allowed(options.notifications.allow_private))
                .map_err(failed("the feed reader"))?,
        }))
        .with(Arc::new(infra::jobs::IpRangesJob {
            pool: pool.clone(),
            fetcher: options.infra.fetcher.clone(),
            url: options.infra.ip_ranges_url.clone(),
        }))
        .with(Arc::new(infra::jobs::MailJob { pool: pool.clone(), dns: options.infra.dns.clone() }))
        .with(Arc::new(checklists::jobs::EvaluateJob { pool: pool.clone() }))
        .with(Arc::new(notifications::history::jobs::PruneJob {
            pool: pool.clone(),
            keep: options.notifications.retention,
        })))
}

/// The jobs that run on their own under the key `all`, and how often. (Per-thing jobs — a tenant's snapshot, a
/// source's poll, a check — are made when the thing is added.)
pub const SCHEDULES: &[(&str, Duration)] = &[
    (kinds::STATUS_SYNC, kinds::SYNC_INTERVAL),
    (kinds::DOMAINS_SYNC, kinds::SYNC_INTERVAL),
    (kinds::MONITORING_ROLLUP, monitoring::jobs::rollup::INTERVAL),
    (kinds::NOTIFICATIONS_COLLECT, notifications::history::jobs::COLLECT_INTERVAL),
    (kinds::NOTIFICATIONS_PRUNE, notifications::history::jobs::PRUNE_INTERVAL),
    (kinds::LOGS_RETENTION, logs::jobs::RETENTION_INTERVAL),
    (kinds::LOGS_HEALTH, logs::health::INTERVAL),
    (kinds::PEAK_SPIKES, peak::spikes::INTERVAL),
    (kinds::CHECKLISTS_EVALUATE, checklists::jobs::INTERVAL),
];

/// Makes sure every recurring schedule has its job; the status sync runs at once (new tenants get their feeds).
pub async fn ensure_schedules(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    for (kind, every) in SCHEDULES {
        scheduler::ensure(conn, kind, "all", *every, now).await?;
    }
    scheduler::run_soon(conn, kinds::STATUS_SYNC, "all", now).await?;
    Ok(())
}
