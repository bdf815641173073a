//! The `tenantry` command line: one subcommand per role.

use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::Mode;
use crate::accounts::audit::Actor;
use crate::accounts::service::{self, NewUser};
use crate::accounts::{Role, repo};
use crate::config::Settings;
use crate::{db, telemetry};
use app::format;

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
    /// Serve the demo console: one account per role (passwords shown on the sign-in page, new at every start).
    /// Needs a database of its own: it refuses one that holds real users.
    Demo,
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
    /// Run the Auth0 simulator alone (for browser tests and trying the client): tenants are added through its
    /// control API, POST /__simulator/tenants.
    Simulator {
        #[arg(long, default_value_t = 3400)]
        port: u16,
    },
    /// The tenant inventory as a file.
    #[command(subcommand)]
    Tenants(TenantsCommand),
    /// Manage console users.
    #[command(subcommand)]
    User(UserCommand),
    /// Auth0 logs: pull, receive, import.
    #[command(subcommand)]
    Logs(crate::logs::cli::LogsCommand),
}

#[derive(Debug, Subcommand)]
pub enum TenantsCommand {
    /// Print the inventory as TOML (secrets are named by environment variable, never written).
    Export,
    /// Add and update tenants from a TOML file; idempotent; reports what changed. Nothing changes if one entry is
    /// wrong.
    Import {
        /// The file written by `tenantry tenants export` (or by hand).
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. The password is asked for at a prompt, or read from standard input with --password-stdin.
    Add {
        #[arg(long)]
        email: String,
        /// helpdesk, developer, ops_lead or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The name shown in the console; default: the part of the email before the @.
        #[arg(long)]
        name: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List,
    /// Change a user's role.
    SetRole {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Disable a user: they cannot sign in, and their sessions stop working.
    Disable {
        #[arg(long)]
        email: String,
    },
}

fn parse_role(raw: &str) -> Result<Role, String> {
    Role::parse(raw)
}

/// Runs a parsed command line. Errors come back as one line for `main` to print.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    telemetry::init_tracing(&settings.log);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => crate::serve(settings, Mode::Production).await,
        Command::Demo => crate::serve(settings, Mode::Demo).await,
        Command::Migrate => {
            let url = settings.database_url()?;
            let pool = db::connect(&settings.database, url).await?;
            let applied = db::migrate(&pool).await?;
            println!("{applied} migration(s) applied; the database at {url} is up to date");
            Ok(())
        }
        Command::Tenants(command) => {
            let url = settings.database_url()?;
            let pool = db::connect(&settings.database, url).await?;
            db::migrate(&pool).await?;
            match command {
                TenantsCommand::Export => print!("{}", crate::tenants::file::export(&pool).await?),
                TenantsCommand::Import { file } => {
                    let text =
                        std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
                    let secrets = crate::secrets::SecretBox::load(&settings.secret_key)?;
                    let report = crate::tenants::file::import(
                        &pool,
                        &secrets,
                        &text,
                        |name| std::env::var(name).ok(),
                        settings.poll_interval,
                    )
                    .await?;
                    println!("{report}");
                }
            }
            Ok(())
        }
        Command::Logs(command) => {
            let url = settings.database_url()?;
            let pool = db::connect(&settings.database, url).await?;
            db::migrate(&pool).await?;
            crate::logs::cli::run(&pool, &settings, command).await
        }
        Command::User(command) => {
            let url = settings.database_url()?;
            let pool = db::connect(&settings.database, url).await?;
            db::migrate(&pool).await?;
            user(&pool, command).await
        }
        Command::Simulator { port } => {
            let simulator = crate::simulator::Simulator::start(port)
                .await
                .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
            simulator.set_ip_ranges(&crate::simulator::ip_ranges::body(1));
            tracing::info!(address = %simulator.base_url(), "the Auth0 simulator is running");
            crate::shutdown_signal().await;
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

async fn user(pool: &sqlx::PgPool, command: UserCommand) -> anyhow::Result<()> {
    let actor = Actor::CommandLine;
    match command {
        UserCommand::Add { email, role, name, password_stdin } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line).context("cannot read the password from standard input")?;
                line.trim_end_matches(['\r', '\n']).to_string()
            } else {
                let first = rpassword::prompt_password("Password (at least 12 characters): ")
                    .context("cannot read the password; use --password-stdin when there is no terminal")?;
                let again = rpassword::prompt_password("Password again: ")?;
                anyhow::ensure!(first == again, "the two passwords differ; nothing was changed");
                first
            };
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_string());
            let new = NewUser { email: &email, display_name: &name, role, password: &password };
            let user = service::create_user(pool, &actor, new, "").await?;
            println!("added {} ({}) as {}", user.email, user.display_name, user.role);
        }
        UserCommand::List => {
            let users = repo::list(&mut *pool.acquire().await?).await?;
            if users.is_empty() {
                println!("no users yet; add one with: tenantry user add --email EMAIL --role admin");
            }
            for u in users {
                let last = u.last_sign_in_at.map(format::timestamp).unwrap_or_else(|| "never signed in".into());
                let state = if u.disabled { "disabled" } else { "active" };
                println!("{}\t{}\t{}\t{}\t{}", u.email, u.role, state, u.display_name, last);
            }
        }
        UserCommand::SetRole { email, role } => {
            let user = service::set_role(pool, &actor, &email, role, "").await?;
            println!("{} is now {}", user.email, user.role);
        }
        UserCommand::Disable { email } => {
            let user = service::set_disabled(pool, &actor, &email, true, "").await?;
            println!("{} is disabled", user.email);
        }
    }
    Ok(())
}

async fn healthcheck(url: &str, timeout: Duration) -> anyhow::Result<()> {
    let client = reqwest::Client::builder().timeout(timeout).build().context("cannot build an HTTP client")?;
    let response = client.get(url).send().await.map_err(|e| anyhow::anyhow!("{url}: no answer: {e}"))?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if status.is_success() {
        println!("healthy: {url} answered {status}");
        Ok(())
    } else {
        anyhow::bail!("unhealthy: {url} answered {status}: {}", crate::text::one_line(&body))
    }
}
