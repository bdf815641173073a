//! The demo's notices and deliveries: a GitHub advisory feed and a changelog on the simulator, and a third feed
//! that answers broken XML (so "in error" shows); a webhook/Slack/Teams receiver and an SMTP server of the demo's
//! own on 127.0.0.1, with a channel of each kind, and one more whose receiver is gone (so a failing channel shows).

use anyhow::Context;
use app::notifications::channels::ChannelForm;
use sqlx::PgPool;

use super::Labs;
use super::repo;
use crate::notifications::channels;
use crate::secrets::SecretBox;
use crate::simulator::Simulator;
use crate::simulator::receivers::{Receiver, SmtpLab};

const GITHUB: &str = include_str!("../../fixtures/feeds/github-security-advisories.atom");
const CHANGELOG: &str = include_str!("../../fixtures/feeds/changelog.rss");

/// Feeds: (name, slug, kind, classify, keywords).
const FEEDS: [(&str, &str, &str, &str, &[&str]); 3] = [
    ("GitHub Advisory Database: Auth0 packages", "github-advisories", "github_advisories", "security", &["auth0"]),
    ("Identity platform changelog", "changelog", "feed", "auto", &[]),
    ("Vendor bulletins (broken feed)", "bulletins", "feed", "auto", &[]),
];

/// Sets up the demo's feeds, receivers and channels; the receivers go into `labs` (they live as long as it).
pub async fn notifications(
    pool: &PgPool,
    simulator: &Simulator,
    secrets: &SecretBox,
    labs: &mut Labs,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    simulator.set_feed("github-advisories", "application/atom+xml; charset=utf-8", GITHUB);
    simulator.set_feed("changelog", "application/rss+xml; charset=utf-8", CHANGELOG);
    simulator.set_feed("bulletins", "application/rss+xml", "<rss><channel><title>Bulletins</title><item><title>Cut");
    for (name, slug, kind, classify, keywords) in FEEDS {
        let url = format!("{}/__feeds/{slug}", simulator.base_url());
        let keywords: Vec<String> = keywords.iter().map(|k| k.to_string()).collect();
        // The simulator's port changes at every start: the feed keeps its row (and its id), its URL moves.
        let mut conn = pool.acquire().await?;
        let id = repo::upsert_feed(&mut conn, (name, kind, classify), &url, &keywords).await?;
        let every = crate::notifications::feeds::DEFAULT_INTERVAL;
        crate::scheduler::ensure(&mut conn, crate::notifications::feeds::KIND, &id.to_string(), every, now).await?;
        crate::scheduler::run_soon(&mut conn, crate::notifications::feeds::KIND, &id.to_string(), now).await?;
    }

    let signing = crate::accounts::password::random_token();
    let receiver = Receiver::start(Some(&signing)).await.context("cannot start the demo's webhook receiver")?;
    let smtp_password = crate::accounts::password::random_token();
    let certificate = labs
        .ca
        .issue(&["127.0.0.1"], now - chrono::Duration::days(1), now + chrono::Duration::days(90))
        .map_err(|e| anyhow::anyhow!("demo SMTP certificate: {e}"))?;
    let smtp = SmtpLab::start(Some(certificate), Some(("tenantry", &smtp_password)))
        .await
        .context("cannot start the demo's SMTP server")?;
    let regions = repo::tenant_regions(&mut *pool.acquire().await?).await?;
    let form = |name: &str, kind: &str, min: &str| ChannelForm {
        name: name.into(),
        kind: kind.into(),
        min_severity: min.into(),
        smtp_security: "starttls".into(),
        ..ChannelForm::default()
    };
    let forms = [
        ChannelForm {
            url: receiver.url("/hooks/ops"),
            signing_secret: signing.clone(),
            ..form("Ops webhook", "webhook", "warning")
        },
        ChannelForm {
            url: receiver.url("/slack/services/T0DEMO/B0DEMO/demo"),
            ..form("Slack #auth0-ops", "slack", "critical")
        },
        ChannelForm {
            url: receiver.url("/teams/workflows/demo"),
            sources: vec!["auth0_status".into()],
            regions: regions.join(", "),
            ..form("Teams: Auth0 status", "teams", "info")
        },
        ChannelForm {
            smtp_host: "127.0.0.1".into(),
            smtp_port: smtp.addr.port().to_string(),
            smtp_username: "tenantry".into(),
            smtp_password: smtp_password.clone(),
            mail_from: format!("Tenantry demo <tenantry@{}>", super::DEMO_DOMAIN),
            mail_to: "oncall@acme.example".into(),
            ..form("On-call email", "email", "critical")
        },
        // Nothing listens on port 9 here: deliveries fail, and the channel shows as failing.
        ChannelForm {
            url: "http://127.0.0.1:9/pager".into(),
            signing_secret: signing.clone(),
            ..form("Old pager webhook", "webhook", "critical")
        },
    ];
    for form in forms {
        let channel = channels::check(&form, false, &[]).map_err(|e| anyhow::anyhow!("demo channel: {e}"))?;
        let mut tx = pool.begin().await?;
        let existing = repo::channel_by_name(&mut tx, &channel.name).await?;
        match existing {
            // Keep the channel (and its delivery log); point it at this run's receivers.
            Some(id) => {
                channels::update(&mut tx, secrets, app::ids::ChannelId(id), &channel).await?;
            }
            None => {
                channels::insert(&mut tx, secrets, &channel).await?;
            }
        }
        tx.commit().await?;
    }
    tracing::info!(webhooks = %receiver.addr, smtp = %smtp.addr, "demo delivery channels served on this machine");
    labs.receivers = Some((receiver, smtp));
    Ok(())
}
