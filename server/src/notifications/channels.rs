//! Delivery channels: the checked form (every bad field named at once), storage with the URL and secrets
//! encrypted, and the channel as the sender needs it. A channel has filters — minimum severity, sources, tenants,
//! regions — that the outbox matches each notification update against.

use app::notifications::SOURCES;
use app::notifications::channels::ChannelForm;
use app::tenants::Region;
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use crate::secrets::SecretBox;

/// What a channel is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelKind {
    Webhook,
    Slack,
    Teams,
    Email,
}

impl ChannelKind {
    pub fn parse(raw: &str) -> Option<ChannelKind> {
        match raw {
            "webhook" => Some(ChannelKind::Webhook),
            "slack" => Some(ChannelKind::Slack),
            "teams" => Some(ChannelKind::Teams),
            "email" => Some(ChannelKind::Email),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Webhook => "webhook",
            ChannelKind::Slack => "slack",
            ChannelKind::Teams => "teams",
            ChannelKind::Email => "email",
        }
    }
}

/// How the SMTP connection is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    StartTls,
    Tls,
    None,
}

impl SmtpSecurity {
    pub fn parse(raw: &str) -> Option<SmtpSecurity> {
        match raw {
            "starttls" => Some(SmtpSecurity::StartTls),
            "tls" => Some(SmtpSecurity::Tls),
            "none" => Some(SmtpSecurity::None),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::StartTls => "starttls",
            SmtpSecurity::Tls => "tls",
            SmtpSecurity::None => "none",
        }
    }
}

/// Where and how email goes (stored as JSON; the password is kept apart, encrypted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub from: String,
    pub to: Vec<String>,
}

/// A channel as the sender needs it, secrets decrypted.
#[derive(Clone, Debug)]
pub struct Channel {
    pub id: Uuid,
    pub name: String,
    pub kind: ChannelKind,
    pub url: Option<String>,
    pub signing_secret: Option<String>,
    pub smtp: Option<SmtpSettings>,
    pub password: Option<String>,
}

/// A checked form, ready to store. `None` secrets keep what is stored (an edit that left them empty).
#[derive(Clone, Debug)]
pub struct NewChannel {
    pub name: String,
    pub kind: ChannelKind,
    pub target: String,
    pub url: Option<String>,
    pub signing_secret: Option<String>,
    pub smtp: Option<SmtpSettings>,
    pub password: Option<String>,
    pub min_severity: String,
    pub sources: Vec<String>,
    pub tenants: Vec<String>,
    pub regions: Vec<String>,
}

/// What pages may show of a URL: scheme, host and the first path segment (webhook paths carry tokens).
pub fn shown(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => {
            let first = u.path_segments().and_then(|mut s| s.next()).filter(|s| !s.is_empty());
            let more = u.path().trim_matches('/').contains('/') || u.query().is_some();
            format!(
                "{}://{}{}{}",
                u.scheme(),
                u.host_str().unwrap_or(""),
                u.port().map(|p| format!(":{p}")).unwrap_or_default(),
                match (first, more) {
                    (Some(f), true) => format!("/{f}/…"),
                    (Some(f), false) => format!("/{f}"),
                    (None, _) => String::new(),
                }
            )
        }
        Err(_) => "(not a URL)".into(),
    }
}

fn list(raw: &str) -> Vec<String> {
    raw.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

fn valid_address(a: &str) -> bool {
    a.parse::<lettre::message::Mailbox>().is_ok()
}

/// Checks a form. `editing`: empty secret fields keep the stored ones. `known_tenants`: registered tenant names.
/// Every problem is named, at once, in one message.
pub fn check(form: &ChannelForm, editing: bool, known_tenants: &[String]) -> Result<NewChannel, String> {
    let mut problems: Vec<String> = Vec::new();
    let name = form.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        problems.push("Name: give the channel a name of 1 to 100 characters".into());
    }
    let kind = ChannelKind::parse(form.kind.trim());
    if kind.is_none() {
        problems.push(format!("Kind: {:?} is not webhook, slack, teams or email", form.kind));
    }
    // The filters' problems come after the destination's, in the order the form shows them.
    let mut filter_problems: Vec<String> = Vec::new();
    let min_severity = form.min_severity.trim().to_string();
    if !matches!(min_severity.as_str(), "info" | "warning" | "critical") {
        filter_problems.push(format!("Minimum severity: {min_severity:?} is not info, warning or critical"));
    }
    let sources: Vec<String> = form.sources.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    for s in &sources {
        if !SOURCES.iter().any(|(k, _)| k == s) {
            filter_problems.push(format!("Sources: {s:?} is not a notification source"));
        }
    }
    let tenants = list(&form.tenants);
    let unknown: Vec<&String> = tenants.iter().filter(|t| !known_tenants.contains(t)).collect();
    if !unknown.is_empty() {
        filter_problems.push(format!(
            "Tenants: {} {} not registered; write names as the tenant list shows them",
            unknown.iter().map(|t| format!("{t:?}")).collect::<Vec<_>>().join(", "),
            if unknown.len() == 1 { "is" } else { "are" }
        ));
    }
    let regions: Vec<String> = list(&form.regions).into_iter().map(|r| r.to_lowercase()).collect();
    for r in &regions {
        if !Region::ALL.iter().any(|k| k.as_str() == r) {
            let all: Vec<&str> = Region::ALL.iter().map(|k| k.as_str()).collect();
            filter_problems.push(format!("Regions: {r:?} is not one of {}", all.join(", ")));
        }
    }
    let secret = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
    let (mut url, mut signing_secret, mut smtp, mut password, mut target) = (None, None, None, None, String::new());
    match kind {
        Some(k @ (ChannelKind::Webhook | ChannelKind::Slack | ChannelKind::Teams)) => {
            url = secret(&form.url);
            match url.as_deref() {
                None if editing => {}
                None => problems.push("URL: give the webhook's URL".into()),
                Some(u) => match reqwest::Url::parse(u) {
                    Ok(parsed) if parsed.scheme() == "https" || parsed.scheme() == "http" => {
                        if u.len() > 2000 {
                            problems.push("URL: longer than 2,000 characters".into());
                        }
                        target = shown(u);
                    }
                    _ => problems.push(format!("URL: {:?} is not an http(s) URL", shown(u))),
                },
            }
            if k == ChannelKind::Webhook {
                signing_secret = secret(&form.signing_secret);
                match signing_secret.as_deref() {
                    None if editing => {}
                    None => problems.push(
                        "Signing secret: give a secret of at least 16 characters; the receiver checks \
                         X-Tenantry-Signature with it"
                            .into(),
                    ),
                    Some(s) if s.chars().count() < 16 => {
                        problems.push("Signing secret: at least 16 characters".into());
                    }
                    Some(_) => {}
                }
            }
        }
        Some(ChannelKind::Email) => {
            let host = form.smtp_host.trim().to_lowercase();
            if host.is_empty() || host.contains(char::is_whitespace) || host.contains('/') {
                problems.push("SMTP host: give the mail server's host name, such as smtp.example.com".into());
            }
            let security = SmtpSecurity::parse(form.smtp_security.trim());
            if security.is_none() {
                problems.push(format!("Security: {:?} is not starttls, tls or none", form.smtp_security));
            }
            let port = match form.smtp_port.trim() {
                "" => Some(match security {
                    Some(SmtpSecurity::Tls) => 465,
                    Some(SmtpSecurity::None) => 25,
                    _ => 587,
                }),
                p => match p.parse::<u16>() {
                    Ok(p) if p > 0 => Some(p),
                    _ => {
                        problems.push(format!("SMTP port: {p:?} is not a port from 1 to 65535"));
                        None
                    }
                },
            };
            let from = form.mail_from.trim().to_string();
            if !valid_address(&from) {
                problems.push(format!("From: {from:?} is not an email address"));
            }
            let to = list(&form.mail_to);
            if to.is_empty() {
                problems.push("To: give at least one address".into());
            }
            for a in &to {
                if !valid_address(a) {
                    problems.push(format!("To: {a:?} is not an email address"));
                }
            }
            let username = secret(&form.smtp_username);
            password = secret(&form.smtp_password);
            if let (Some(security), Some(port)) = (security, port) {
                target = format!("{host}:{port} ({}) → {}", security.as_str(), to.join(", "));
                smtp = Some(SmtpSettings { host, port, security, username, from, to });
            }
        }
        None => {}
    }
    problems.extend(filter_problems);
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    let kind = kind.expect("a kind when there is no problem");
    Ok(NewChannel { name, kind, target, url, signing_secret, smtp, password, min_severity, sources, tenants, regions })
}

/// Stores a new channel; the URL and secrets encrypted.
pub async fn insert(conn: &mut PgConnection, secrets: &SecretBox, c: &NewChannel) -> Result<Uuid, sqlx::Error> {
    let encrypt = |v: &Option<String>| v.as_deref().map(|v| secrets.encrypt(v));
    let secret_of_url = match c.kind {
        ChannelKind::Email => encrypt(&c.password),
        _ => encrypt(&c.url),
    };
    sqlx::query_scalar(
        "INSERT INTO notifications_channels (name, kind, target, url_secret, signing_secret, smtp, min_severity,
                                             sources, tenants, regions)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(&c.name)
    .bind(c.kind.as_str())
    .bind(&c.target)
    .bind(secret_of_url)
    .bind(encrypt(&c.signing_secret))
    .bind(c.smtp.as_ref().map(|s| serde_json::to_value(s).unwrap_or_default()))
    .bind(&c.min_severity)
    .bind(&c.sources)
    .bind(&c.tenants)
    .bind(&c.regions)
    .fetch_one(conn)
    .await
}

/// Changes a channel; secrets left empty in the form keep their stored values (the caller checks the form as new
/// when the kind changes, so a new kind always brings its secrets). Returns whether it exists.
pub async fn update(
    conn: &mut PgConnection,
    secrets: &SecretBox,
    id: Uuid,
    c: &NewChannel,
) -> Result<bool, sqlx::Error> {
    let encrypt = |v: &Option<String>| v.as_deref().map(|v| secrets.encrypt(v));
    let secret_of_url = match c.kind {
        ChannelKind::Email => encrypt(&c.password),
        _ => encrypt(&c.url),
    };
    let done = sqlx::query(
        "UPDATE notifications_channels SET name = $2, kind = $3,
             target = CASE WHEN $4 = '' THEN target ELSE $4 END,
             url_secret = CASE WHEN $3 = kind THEN COALESCE($5, url_secret) ELSE $5 END,
             signing_secret = CASE WHEN $3 = 'webhook' AND kind = 'webhook' THEN COALESCE($6, signing_secret)
                                   WHEN $3 = 'webhook' THEN $6 END,
             smtp = $7, min_severity = $8, sources = $9, tenants = $10, regions = $11
         WHERE id = $1",
    )
    .bind(id)
    .bind(&c.name)
    .bind(c.kind.as_str())
    .bind(&c.target)
    .bind(secret_of_url)
    .bind(encrypt(&c.signing_secret))
    .bind(c.smtp.as_ref().map(|s| serde_json::to_value(s).unwrap_or_default()))
    .bind(&c.min_severity)
    .bind(&c.sources)
    .bind(&c.tenants)
    .bind(&c.regions)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A stored channel with its secrets decrypted, for sending. `Err` text: the secrets cannot be read.
pub async fn load(
    conn: &mut PgConnection,
    secrets: &SecretBox,
    id: Uuid,
) -> Result<Option<Result<Channel, String>>, sqlx::Error> {
    let Some(r) = sqlx::query(
        "SELECT id, name, kind, url_secret, signing_secret, smtp FROM notifications_channels WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    else {
        return Ok(None);
    };
    let kind = ChannelKind::parse(r.get::<String, _>("kind").as_str()).unwrap_or(ChannelKind::Webhook);
    let decrypt = |column: &str| -> Result<Option<String>, String> {
        r.get::<Option<Vec<u8>>, _>(column)
            .map(|v| secrets.decrypt(&v))
            .transpose()
            .map_err(|e| format!("the channel's secrets cannot be read ({e}); enter them again"))
    };
    let built = (|| {
        let first = decrypt("url_secret")?;
        let (url, password) = if kind == ChannelKind::Email { (None, first) } else { (first, None) };
        let smtp = r
            .get::<Option<serde_json::Value>, _>("smtp")
            .map(serde_json::from_value::<SmtpSettings>)
            .transpose()
            .map_err(|e| format!("the channel's SMTP settings cannot be read ({e}); edit the channel"))?;
        Ok(Channel {
            id: r.get("id"),
            name: r.get("name"),
            kind,
            url,
            signing_secret: decrypt("signing_secret")?,
            smtp,
            password,
        })
    })();
    Ok(Some(built))
}

/// The form of a stored channel, secrets left empty.
pub fn form_of(r: &sqlx::postgres::PgRow) -> ChannelForm {
    let smtp: Option<SmtpSettings> =
        r.get::<Option<serde_json::Value>, _>("smtp").and_then(|v| serde_json::from_value(v).ok());
    ChannelForm {
        name: r.get("name"),
        kind: r.get("kind"),
        min_severity: r.get("min_severity"),
        sources: r.get("sources"),
        tenants: r.get::<Vec<String>, _>("tenants").join(", "),
        regions: r.get::<Vec<String>, _>("regions").join(", "),
        smtp_host: smtp.as_ref().map(|s| s.host.clone()).unwrap_or_default(),
        smtp_port: smtp.as_ref().map(|s| s.port.to_string()).unwrap_or_default(),
        smtp_security: smtp.as_ref().map(|s| s.security.as_str().to_string()).unwrap_or_else(|| "starttls".into()),
        smtp_username: smtp.as_ref().and_then(|s| s.username.clone()).unwrap_or_default(),
        mail_from: smtp.as_ref().map(|s| s.from.clone()).unwrap_or_default(),
        mail_to: smtp.as_ref().map(|s| s.to.join(", ")).unwrap_or_default(),
        ..ChannelForm::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(kind: &str) -> ChannelForm {
        ChannelForm {
            name: "Ops".into(),
            kind: kind.into(),
            min_severity: "warning".into(),
            smtp_security: "starttls".into(),
            ..ChannelForm::default()
        }
    }

    #[test]
    fn pages_show_no_webhook_token() {
        assert_eq!(shown("https://hooks.slack.com/services/T000/B000/XXXX"), "https://hooks.slack.com/services/…");
        assert_eq!(shown("https://ops.example.test/hook?token=abc"), "https://ops.example.test/hook/…");
        assert_eq!(shown("http://127.0.0.1:8080/hook"), "http://127.0.0.1:8080/hook");
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let mut f = form("webhook");
        f.name = String::new();
        f.url = "ftp://x".into();
        f.signing_secret = "short".into();
        f.min_severity = "loud".into();
        f.sources = vec!["auth0_status".into(), "rumours".into()];
        f.tenants = "acme-prod, ghost".into();
        f.regions = "eu, mars".into();
        let e = check(&f, false, &["acme-prod".into()]).expect_err("bad");
        for part in [
            "Name: give the channel a name",
            "URL: \"ftp://x\" is not an http(s) URL",
            "Signing secret: at least 16 characters",
            "Minimum severity: \"loud\"",
            "Sources: \"rumours\" is not a notification source",
            "Tenants: \"ghost\" is not registered",
            "Regions: \"mars\" is not one of us, eu, au, jp, ca, uk",
        ] {
            assert!(e.contains(part), "{part:?} missing from {e}");
        }
    }

    #[test]
    fn a_webhook_needs_a_url_and_a_secret_unless_it_is_edited() {
        let f = form("webhook");
        let e = check(&f, false, &[]).expect_err("empty");
        assert!(e.contains("URL: give the webhook's URL") && e.contains("Signing secret: give a secret"), "{e}");
        let kept = check(&f, true, &[]).expect("editing keeps the stored URL and secret");
        assert_eq!((kept.url, kept.signing_secret), (None, None));
    }

    #[test]
    fn email_channels_get_a_default_port_and_a_readable_target() {
        let mut f = form("email");
        f.smtp_host = "SMTP.example.test".into();
        f.mail_from = "Tenantry <tenantry@example.test>".into();
        f.mail_to = "ops@example.test, oncall@example.test".into();
        let c = check(&f, false, &[]).expect("ok");
        let smtp = c.smtp.expect("smtp");
        assert_eq!((smtp.host.as_str(), smtp.port, smtp.security), ("smtp.example.test", 587, SmtpSecurity::StartTls));
        assert_eq!(c.target, "smtp.example.test:587 (starttls) → ops@example.test, oncall@example.test");
        f.mail_to = "not an address".into();
        assert!(check(&f, false, &[]).expect_err("bad to").contains("To: \"not an address\" is not an email address"));
    }
}
