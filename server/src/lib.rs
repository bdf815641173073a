//! The Tenantry server: the engine behind the console's ports, the HTTP server, and the command line's work.
//!
//! One module per area (`system`, later `tenants`, `domains`, …), named as in `app/` and `migrations/`.

pub mod cli;
pub mod config;
pub mod db;
pub mod http;
pub mod system;
pub mod telemetry;

use std::time::Instant;

use anyhow::Context;
use chrono::Utc;
use tokio::net::TcpListener;

use crate::config::Settings;

/// Installs the process-wide TLS crypto provider (ring). Call once before making HTTPS clients.
pub fn init_crypto() {
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
}

/// `tenantry serve`: listen, connect, migrate, serve until SIGTERM or Ctrl-C.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let url = settings.database_url()?;
    let listener = TcpListener::bind(settings.addr)
        .await
        .with_context(|| format!("TENANTRY_ADDR: cannot listen on {}", settings.addr))?;
    let pool = db::connect(&settings.database, url).await?;
    let applied = db::migrate(&pool).await?;
    tracing::info!(database = %url, migrations_applied = applied, "database ready");
    let router = http::router(pool.clone(), Utc::now(), Instant::now());
    let addr = listener.local_addr()?;
    tracing::info!(%addr, version = env!("CARGO_PKG_VERSION"), "Tenantry is serving on http://{addr}");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("server failed")?;
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
