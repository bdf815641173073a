//! The `tenantry` command line: one subcommand per role.

use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::{db, telemetry};

/// Tenantry: the operations console for companies that run customer identity on Auth0.
#[derive(Debug, Parser)]
#[command(name = "tenantry", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the console (the default). Applies pending migrations first.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Exit 0 when a running server answers /healthz with 200, 1 otherwise (for container health checks).
    Healthcheck {
        /// The health URL; default: http://TENANTRY_ADDR/healthz.
        #[arg(long)]
        url: Option<String>,
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 5)]
        timeout_secs: u64,
    },
}

/// Runs a parsed command line. Errors come back as one line for `main` to print.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    telemetry::init_tracing(&settings.log);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => crate::serve(settings).await,
        Command::Migrate => {
            let url = settings.database_url()?;
            let pool = db::connect(&settings.database, url).await?;
            let applied = db::migrate(&pool).await?;
            println!("{applied} migration(s) applied; the database at {url} is up to date");
            Ok(())
        }
        Command::Healthcheck { url, timeout_secs } => {
            let url = url.unwrap_or_else(|| {
                let mut addr = settings.addr;
                if addr.ip().is_unspecified() {
                    addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
                }
                format!("http://{addr}/healthz")
            });
            healthcheck(&url, Duration::from_secs(timeout_secs)).await
        }
    }
}

async fn healthcheck(url: &str, timeout: Duration) -> anyhow::Result<()> {
    crate::init_crypto();
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .context("cannot build an HTTP client")?;
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{url}: no answer: {e}"))?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if status.is_success() {
        println!("healthy: {url} answered {status}");
        Ok(())
    } else {
        anyhow::bail!("unhealthy: {url} answered {status}: {}", db::one_line(&body))
    }
}
