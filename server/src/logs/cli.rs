//! `tenantry logs …`: pull a tenant's logs now, make its receiver token, import files.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use chrono::Utc;
use clap::Subcommand;
use sqlx::PgPool;

use super::file::{self, Imported};
use super::jobs::{self, PullJob, Stopped};
use super::repo::{self, TenantRef};
use super::service;
use crate::accounts::audit::Actor;
use crate::config::Settings;

#[derive(Debug, Subcommand)]
pub enum LogsCommand {
    /// Read the tenant's new events from Auth0 now (GET /api/v2/logs, checkpoint paging) and every 5 minutes from
    /// then on.
    Pull {
        /// The tenant's name, Auth0 domain or id.
        tenant: String,
        /// Start again from the oldest event Auth0 still has (events already stored are not stored twice).
        #[arg(long)]
        backfill: bool,
    },
    /// Make the tenant's log-stream receiver token: prints the receiver URL and the token (shown this once).
    StreamToken {
        tenant: String,
        /// Replace the existing token (the old one stops working at once).
        #[arg(long)]
        rotate: bool,
    },
    /// Store the events of files: JSON Lines, JSON arrays (GET /api/v2/logs answers), single objects or
    /// {log_id, data} envelopes. Idempotent.
    Import {
        #[arg(long)]
        tenant: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Set how many days the tenant's events are kept (1-3650), or `default` for the server's logs.retention_days.
    Retention { tenant: String, days: String },
    /// Write the events a search finds to standard output, newest first: CSV, or JSON Lines (each event as Auth0
    /// sent it; `logs import` reads it back).
    Export {
        /// csv or jsonl.
        #[arg(long, default_value = "csv")]
        format: String,
        #[arg(long)]
        tenant: Option<String>,
        /// An event code (fp) or category:NAME (category:login).
        #[arg(long = "type")]
        kind: Option<String>,
        #[arg(long)]
        user: Option<String>,
        #[arg(long)]
        client: Option<String>,
        /// An address or a network (203.0.113.0/24).
        #[arg(long)]
        ip: Option<String>,
        #[arg(long)]
        connection: Option<String>,
        /// Words in the description, or a log id.
        #[arg(long)]
        text: Option<String>,
        /// UTC: YYYY-MM-DD or "YYYY-MM-DD HH:MM".
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
    },
}

async fn tenant(pool: &PgPool, name: &str) -> anyhow::Result<TenantRef> {
    repo::find_tenant(&mut *pool.acquire().await?, name)
        .await?
        .with_context(|| format!("no tenant is named {name:?}; `tenantry tenants export` lists them"))
}

/// Runs one `tenantry logs` command.
pub async fn run(pool: &PgPool, settings: &Settings, command: LogsCommand) -> anyhow::Result<()> {
    let limits = super::parse::Limits::default();
    match command {
        LogsCommand::Pull { tenant: name, backfill } => {
            let t = tenant(pool, &name).await?;
            let secrets = crate::secrets::SecretBox::load(&settings.secret_key)?;
            let client = crate::auth0::Auth0Client::new(
                std::time::Duration::from_secs(15),
                crate::outbound::Policy::private_allowed(settings.tenants_allow_private),
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            let job = PullJob { pool: pool.clone(), client: std::sync::Arc::new(client), secrets };
            let started = Instant::now();
            let pulled = job.pull(t.id, backfill, Utc::now()).await.map_err(|e| anyhow::anyhow!("{}: {e}", t.name))?;
            jobs::schedule_pull(pool, t.id, Utc::now()).await?;
            let why = match pulled.stopped {
                Stopped::CaughtUp => "caught up".to_string(),
                Stopped::RateLimited(why) => format!("stopped: {why}"),
                Stopped::Enough => "stopped after a run's worth of pages; the scheduler continues".to_string(),
            };
            println!(
                "{}: {} page(s), {} stored, {} duplicates, {} rejected in {:.1} s; {why}; pulled every {} min from now on",
                t.name,
                pulled.pages,
                pulled.counts.stored,
                pulled.counts.duplicates,
                pulled.counts.rejected,
                started.elapsed().as_secs_f64(),
                jobs::PULL_INTERVAL.as_secs() / 60
            );
        }
        LogsCommand::StreamToken { tenant: name, rotate } => {
            let t = tenant(pool, &name).await?;
            let existing = repo::token_created(&mut *pool.acquire().await?, t.id).await?;
            if let (Some(at), false) = (existing, rotate) {
                anyhow::bail!(
                    "{} has a receiver token since {}; it is kept hashed and cannot be shown again. Use --rotate for a new one",
                    t.name,
                    app::format::timestamp(at)
                );
            }
            let token = service::new_token(pool, t.id, &Actor::CommandLine, "", Utc::now()).await?;
            let base = settings.public_url.clone().unwrap_or_else(|| format!("http://{}", settings.addr));
            println!("Receiver URL:          {}/hooks/logs/{}", base.trim_end_matches('/'), t.id);
            println!("Authorization Token:   Bearer {token}");
            println!(
                "In the Auth0 dashboard of {}: Monitoring → Streams → Create Stream → Custom Webhook; Payload URL = the \
                 receiver URL, Authorization Token = the line above (with \"Bearer \"), Content Type = application/json, \
                 Content Format = JSON Lines, JSON Array or JSON Object. The token is shown this once.",
                t.domain
            );
        }
        LogsCommand::Import { tenant: name, files } => {
            let t = tenant(pool, &name).await?;
            let started = Instant::now();
            let mut total = Imported::default();
            for path in &files {
                file::import(pool, t.id, path, limits, Utc::now(), &mut total).await?;
            }
            let secs = started.elapsed().as_secs_f64();
            let read = total.stored + total.duplicates + total.rejected;
            println!("{}: {total}", t.name);
            println!("{read} item(s) in {secs:.1} s ({:.0} items/s)", read as f64 / secs.max(0.001));
        }
        LogsCommand::Retention { tenant: name, days } => {
            let t = tenant(pool, &name).await?;
            let days = match days.as_str() {
                "default" => None,
                n => Some(
                    n.parse::<i32>()
                        .ok()
                        .filter(|d| (1..=3650).contains(d))
                        .with_context(|| format!("{n:?} is not a number of days from 1 to 3650 (or `default`)"))?,
                ),
            };
            repo::set_retention(&mut *pool.acquire().await?, t.id, days).await?;
            match days {
                Some(d) => println!("{}: events are kept {d} days", t.name),
                None => {
                    println!("{}: events are kept {} days (logs.retention_days)", t.name, settings.logs.retention_days)
                }
            }
        }
        LogsCommand::Export { format, tenant: name, kind, user, client, ip, connection, text, from, to } => {
            let format = match format.as_str() {
                "csv" => super::export::Format::Csv,
                "jsonl" => super::export::Format::JsonLines,
                other => anyhow::bail!("--format {other:?}: write csv or jsonl"),
            };
            let tenant = match name {
                Some(name) => Some(tenant(pool, &name).await?.id.to_string()),
                None => None,
            };
            let query =
                app::logs::LogsQuery { tenant, kind, user, client, ip, connection, q: text, from, to, after: None };
            let filter = super::port::filter(&query).map_err(|e| anyhow::anyhow!("{e}"))?;
            let (send, mut receive) = tokio::sync::mpsc::channel(4);
            let reader = pool.clone();
            let writer = tokio::spawn(async move { super::export::export(&reader, filter, format, send).await });
            use std::io::Write;
            while let Some(chunk) = receive.recv().await {
                std::io::stdout().write_all(&chunk?)?;
            }
            std::io::stdout().flush()?;
            let written = writer.await??;
            eprintln!("{written} event(s) exported");
        }
    }
    Ok(())
}
