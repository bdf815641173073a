//! The Tenantry server: the engine behind the console's ports, the HTTP server, and the command line's work.
//!
//! One module per area (`system`, later `tenants`, `domains`, …), named as in `app/` and `migrations/`.

pub mod accounts;
pub mod auth0;
pub mod checklists;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domains;
pub mod engine;
pub mod http;
pub mod infra;
pub mod logs;
pub mod monitoring;
pub mod notifications;
pub mod outbound;
pub mod peak;
pub mod scheduler;
pub mod secrets;
pub mod simulator;
pub mod status;
pub mod system;
pub mod telemetry;
pub mod tenants;
pub mod text;
pub mod watched;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use tokio::net::TcpListener;

use crate::accounts::service::SetupToken;
use crate::config::Settings;

/// Now, as people read it in files and pages: `2026-11-29 10:14:03 UTC`.
pub fn format_now() -> String {
    app::format::timestamp(Utc::now())
}

/// Installs the process-wide TLS crypto provider (ring). Call once before making HTTPS clients.
pub fn init_crypto() {
    // Idempotent: a second install (tests start several servers) is refused and ignored.
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
}

/// Which console `serve` runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The real thing.
    Production,
    /// `tenantry demo`: the demo company in a database of its own, with one account per role.
    Demo,
}

/// `tenantry serve` and `tenantry demo`: listen, connect, migrate, serve until SIGTERM or Ctrl-C.
pub async fn serve(settings: Settings, mode: Mode) -> anyhow::Result<()> {
    let url = settings.database_url()?;
    let listener = TcpListener::bind(settings.addr)
        .await
        .with_context(|| format!("TENANTRY_ADDR: cannot listen on {}", settings.addr))?;
    let pool = db::connect(&settings.database, url).await?;
    let applied = db::migrate(&pool).await?;
    tracing::info!(database = %url, migrations_applied = applied, "database ready");

    let addr = listener.local_addr()?;

    let secrets = secrets::SecretBox::load(&settings.secret_key)?;
    let mut status_options = settings.status.clone();
    let mut infra_url = settings.infra.ip_ranges_url.clone();
    // The nameservers the custom-domain checks and the mail-record checks ask.
    let mut dns = domains::dns::DnsSettings {
        nameservers: settings.domains.nameservers.clone(),
        timeout: Duration::from_secs(3),
    };
    let mut domains = {
        let mut tls = domains::tls::TlsSettings::system();
        tls.warn_days = settings.domains.tls_warn_days.clone();
        let checker = domains::check::Checker::new(&dns, tls, settings.domains.tls_port)
            .map_err(|e| anyhow::anyhow!("TENANTRY_DOMAINS_NAMESERVERS: {e}"))?;
        domains::DomainsOptions { checker: Arc::new(checker), interval: settings.domains.interval }
    };
    // The demo's DNS, TLS, webhook and SMTP servers live as long as the server.
    let mut labs: Option<demo::Labs> = None;
    // The demo's live log stream (acme-dev's, played against this server's receiver).
    let mut live: Option<tokio::task::JoinHandle<()>> = None;
    let mut notify_roots = settings.notifications.smtp_roots.clone();
    let mut reach_roots = settings.infra.reach_roots.clone();
    let mut sso = settings.sso.clone();
    let (demo_accounts, _simulator) = match mode {
        Mode::Demo => {
            let accounts = demo::prepare(&pool).await?;
            let simulator = demo::company(&pool, &secrets, settings.poll_interval).await?;
            // The demo's status pages live on the simulator, on this machine.
            status_options.allow_private = true;
            status_options.auth0_feed_url = format!("{}/__status/auth0/feed", simulator.base_url());
            // Point the tenants' feeds at this simulator before any poll runs.
            status::jobs::sync(&pool, &status_options.auth0_feed_url, status_options.poll_interval, Utc::now())
                .await
                .context("cannot set up the demo's status feeds")?;
            demo::status_pages(&pool, &simulator, Utc::now()).await?;
            demo::monitoring(&pool, &simulator, &secrets, Utc::now()).await?;
            let (checker, mut lab) = demo::domains(&simulator, Utc::now()).await?;
            domains.checker = Arc::new(checker);
            demo::notifications(&pool, &simulator, &secrets, &mut lab, Utc::now()).await?;
            infra_url = demo::infra(&pool, &simulator, Utc::now()).await?;
            dns.nameservers = Some(vec![lab.dns_addr()]);
            demo::logs(&pool, &simulator, Utc::now()).await?;
            live = Some(demo::live_stream(&pool, addr, demo::LIVE_EVERY).await?);
            notify_roots.push(lab.ca_der());
            reach_roots.push(lab.ca_der());
            demo::reach(&pool, &secrets, &mut lab, Utc::now()).await?;
            labs = Some(lab);
            // "Sign in with Auth0 (simulator)" beside the role accounts, unless a real provider is configured.
            sso = sso.or_else(|| Some(demo::sso(&simulator, addr)));
            (accounts, Some(simulator))
        }
        Mode::Production => (Vec::new(), None),
    };
    let notifications = notifications::NotificationsOptions::new(
        settings.notifications.allow_private || mode == Mode::Demo,
        notify_roots,
        settings.notifications.retention,
    )
    .map_err(|e| anyhow::anyhow!("cannot build the notification sender: {e}"))?;
    let setup = SetupToken::default();
    if let Some(token) = setup.prepare(&pool).await.context("cannot count users")? {
        // Printed once, on purpose: whoever can read the server log may create the first admin.
        tracing::warn!("no user exists yet: open http://{addr}/setup and enter the setup token {token}");
    }
    let infra_options = infra::InfraOptions::new(
        &infra_url,
        settings.infra.ip_ranges_interval,
        mode == Mode::Demo || settings.infra.allow_private,
        Arc::new(
            domains::dns::DnsChecker::new(&dns).map_err(|e| anyhow::anyhow!("TENANTRY_DOMAINS_NAMESERVERS: {e}"))?,
        ),
    )
    .map_err(|e| anyhow::anyhow!("cannot build the IP list reader: {e}"))?;
    let options = http::RouterOptions {
        started_at: Utc::now(),
        started: Instant::now(),
        secure_cookies: settings.secure_cookies(),
        session_idle: settings.session_idle,
        public_url: settings.public_url.clone(),
        allowed_hosts: {
            // The address the server listens on is its own name too (unless it listens on every address).
            let mut hosts = settings.allowed_hosts.clone();
            if !addr.ip().is_unspecified() && !addr.ip().is_loopback() {
                hosts.push(addr.ip().to_string());
            }
            hosts
        },
        trusted_proxies: settings.trusted_proxies.clone(),
        setup,
        demo_accounts,
        sso,
        local_passwords: settings.local_passwords,
        secrets: secrets.clone(),
        poll_interval: settings.poll_interval,
        paid_limit: settings.paid_limit,
        drift_expected: settings.drift_expected.clone(),
        status: status_options.clone(),
        monitoring: settings.monitoring,
        domains: domains.clone(),
        notifications: notifications.clone(),
        infra: infra_options.clone(),
        logs: logs::LogsOptions {
            max_body_bytes: settings.logs.max_body_bytes,
            retention_days: settings.logs.retention_days,
            ..logs::LogsOptions::default()
        },
        peak: peak::PeakOptions { spike_factor: settings.peak.spike_factor, spike_floor: settings.peak.spike_floor },
    };
    let jobs = engine::jobs(
        &pool,
        &options,
        &engine::JobOptions {
            auth0_timeout: Duration::from_secs(15),
            // The demo's tenants live on the simulator, on this machine.
            tenant_targets: outbound::Policy::private_allowed(settings.tenants_allow_private || mode == Mode::Demo),
            paid_limit: settings.paid_limit,
            monitoring_retention: settings.monitoring.retention,
            reach: monitoring::reach::Reach::new(
                if mode == Mode::Demo || settings.infra.allow_private {
                    outbound::Policy::ANY_ADDRESS
                } else {
                    // Read once at start; the policy holds the networks for the life of the server.
                    outbound::Policy::public_and(Vec::leak(settings.infra.reach_networks.clone()))
                },
                &reach_roots,
                monitoring::reach::run::TIMEOUT,
            )
            .map_err(|e| anyhow::anyhow!("cannot build the reachability checks: {e}"))?,
        },
    )?;
    engine::ensure_schedules(&mut *pool.acquire().await?, Utc::now()).await.context("cannot schedule the jobs")?;
    infra::jobs::ensure(&pool, infra_options.ip_ranges_interval, Utc::now())
        .await
        .context("cannot schedule the IP list")?;
    let router = http::router(pool.clone(), options.clone());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let housekeeping = tokio::spawn(accounts::housekeeping::run(pool.clone(), stopped.clone()));
    let worker = format!("{}-{}", std::process::id(), &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let outbox = engine::outbox(&pool, &options, &worker);
    let deliverer = tokio::spawn(notifications::outbox::run(outbox, Duration::from_secs(1), stopped.clone()));
    let scheduler = tokio::spawn(scheduler::run(
        pool.clone(),
        jobs,
        worker,
        settings.scheduler_concurrency,
        scheduler::TICK,
        stopped,
    ));

    tracing::info!(%addr, version = env!("CARGO_PKG_VERSION"), "Tenantry is serving on http://{addr}");
    http::serve::serve(listener, router, http::serve::Limits::default(), shutdown_signal()).await;
    let _ = stop.send(true);
    drop(labs);
    if let Some(live) = live {
        live.abort();
    }
    let _ = housekeeping.await;
    let _ = scheduler.await;
    let _ = deliverer.await;
    pool.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM: the server stops accepting and finishes the requests in flight.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing requests in flight");
}
