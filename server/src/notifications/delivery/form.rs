//! The channel form, checked: every bad field named at once, in the order the form shows them (pure).

use app::notifications::SOURCES;
use app::notifications::channels::ChannelForm;
use app::tenants::Region;

use super::model::{ChannelKind, NewChannel, SmtpSecurity, SmtpSettings, shown};

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
