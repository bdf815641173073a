//! The demo's reachability checks on acme-prod: its log-stream receiver over HTTPS (passes: a certificate from the
//! demo CA), its mail relay with STARTTLS (passes: the demo's SMTP server) and its custom database's API (fails:
//! nothing listens on the port, so an alert is open), each with a few runs of history.

use anyhow::Context;
use sqlx::PgPool;

use super::{Labs, repo};
use crate::accounts::audit::Actor;
use crate::monitoring::jobs::check::CheckJob;
use crate::monitoring::probe::Probe;
use crate::monitoring::reach::Reach;
use crate::monitoring::reach::run::TIMEOUT;
use crate::monitoring::service;
use crate::outbound::Policy;
use crate::secrets::SecretBox;
use crate::simulator::dns_tls::TlsLab;

/// A port on 127.0.0.1 nothing listens on (bound and let go).
fn closed_port() -> anyhow::Result<u16> {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").context("no free port")?;
    Ok(socket.local_addr()?.port())
}

/// The check runner the demo's history is made with (trusting the demo CA, reaching this machine).
fn runner(labs: &Labs) -> anyhow::Result<Reach> {
    Reach::new(Policy::ANY_ADDRESS, &[labs.ca_der()], TIMEOUT).map_err(|e| anyhow::anyhow!("{e}"))
}

/// Starts the demo's HTTPS endpoint and adds (or moves) acme-prod's reachability checks, with their history.
pub async fn reach(
    pool: &PgPool,
    secrets: &SecretBox,
    labs: &mut Labs,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    let days = |n: i64| now + chrono::Duration::days(n);
    let certificate = labs.ca.issue(&["localhost"], days(-10), days(80)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let https = TlsLab::https(vec![("localhost".into(), certificate)], 200)
        .await
        .map_err(|e| anyhow::anyhow!("demo HTTPS endpoint: {e}"))?;
    let smtp = labs.receivers.as_ref().map(|(_, smtp)| smtp.addr.port()).context("the demo's SMTP server")?;
    let checks = [
        ("Log-stream receiver", "https", format!("https://localhost:{}/auth0-logs/health", https.addr.port())),
        ("Mail relay (SMTP provider)", "smtp", format!("127.0.0.1:{smtp}")),
        ("Custom database API", "tcp", format!("127.0.0.1:{}", closed_port()?)),
    ];
    let job = CheckJob {
        pool: pool.clone(),
        probe: Probe::new(Policy::ANY_ADDRESS).map_err(|e| anyhow::anyhow!("{e}"))?,
        reach: runner(labs)?,
        secrets: secrets.clone(),
    };
    let tenant = repo::tenant_by_name(&mut *pool.acquire().await?, "acme-prod").await?.context("acme-prod")?;
    for (name, kind, target) in checks {
        if repo::move_check(&mut *pool.acquire().await?, tenant, name, &target).await?.is_some() {
            continue;
        }
        let form = app::monitoring::CheckForm {
            tenant_id: tenant.to_string(),
            kind: kind.into(),
            name: name.into(),
            interval_secs: "300".into(),
            target,
            starttls: "required".into(),
            ..Default::default()
        };
        let parsed = service::parse(&form, secrets, false).map_err(|e| anyhow::anyhow!("demo check: {e}"))?;
        let id = service::add(pool, &Actor::CommandLine, parsed, 6.0, "", now)
            .await
            .map_err(|e| anyhow::anyhow!("demo check: {e}"))?;
        for step in (1..=6).rev() {
            job.check(id, now - chrono::Duration::minutes(5 * step)).await.context("demo reachability history")?;
        }
    }
    labs.reach = Some(https);
    Ok(())
}
