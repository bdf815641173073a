//! A tenant's email provider, read from its latest snapshot, and its verdict: Auth0's built-in provider (the
//! Management API answers 404 "not configured") is for testing only, so on a production tenant it is a required
//! fix; so is a provider that is configured but turned off.

use app::infra::{EmailRow, EmailVerdict};
use serde_json::Value;

use super::repo::TenantRow;

/// The provider's name in words (`name` as the Management API spells it).
pub fn provider_words(name: &str) -> String {
    match name {
        "mailgun" => "Mailgun",
        "mandrill" => "Mandrill",
        "sendgrid" => "SendGrid",
        "resend" => "Resend",
        "ses" => "Amazon SES",
        "sparkpost" => "SparkPost",
        "smtp" => "SMTP server",
        "azure_cs" => "Azure Communication Services",
        "ms365" => "Microsoft 365 Exchange Online",
        "custom" => "Custom (an Action)",
        other => return crate::text::cut(other, 40).to_string(),
    }
    .to_string()
}

const BUILT_IN: &str = "Auth0's built-in provider";
const WHY: &str = "Auth0's built-in provider sends at most 10 emails a minute (shared by verification, password \
                   reset, welcome and every other email), always from no-reply@auth0user.net, and ignores custom \
                   templates; a high bounce rate can get the tenant's sending blocked.";

/// The row `/infra` shows for one tenant.
pub fn row(t: &TenantRow) -> EmailRow {
    let production = t.environment == "production";
    let (provider, enabled, sender, verdict, advice) = match &t.provider {
        None => (
            "unknown".to_string(),
            None,
            None,
            EmailVerdict::Unknown,
            if t.snapshot_at.is_none() {
                "No snapshot yet: the provider shows after the tenant's first successful poll.".to_string()
            } else {
                "The snapshot could not read the provider: grant the application read:email_provider.".to_string()
            },
        ),
        Some(Value::Null) if production => (
            BUILT_IN.to_string(),
            None,
            Some("no-reply@auth0user.net".to_string()),
            EmailVerdict::Required,
            format!(
                "{WHY} Configure your own provider (Amazon SES, SendGrid, Mailgun, SparkPost, Microsoft 365, an SMTP server…) before going live."
            ),
        ),
        Some(Value::Null) => (
            BUILT_IN.to_string(),
            None,
            Some("no-reply@auth0user.net".to_string()),
            EmailVerdict::Ok,
            "Fine for testing; production tenants need their own provider.".to_string(),
        ),
        Some(p) => {
            let name = p.get("name").and_then(Value::as_str).unwrap_or("unknown");
            let enabled = p.get("enabled").and_then(Value::as_bool);
            let sender = p
                .get("default_from_address")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(|s| crate::text::cut(s, 200).to_string());
            let (verdict, advice) = if enabled == Some(false) {
                let verdict = if production { EmailVerdict::Required } else { EmailVerdict::Warning };
                (
                    verdict,
                    format!("The provider is configured but turned off, so Auth0's built-in provider sends. {WHY}"),
                )
            } else if sender.is_none() {
                (
                    EmailVerdict::Warning,
                    "No default sender: each email template must set its From address, or mail goes out from the \
                     provider's default. Set a From on your own domain, with SPF and DKIM."
                        .to_string(),
                )
            } else {
                (EmailVerdict::Ok, "Your own provider sends the tenant's email.".to_string())
            };
            (provider_words(name), enabled, sender, verdict, advice)
        }
    };
    EmailRow {
        tenant_id: t.id.into(),
        tenant: t.name.clone(),
        environment: t.environment.clone(),
        provider,
        enabled,
        sender,
        verdict,
        advice,
        domain: None,
        checks: Vec::new(),
        checked_at: None,
        selectors: Vec::new(),
    }
}

/// The row with what the last mail-record check found.
pub fn with_mail(mut row: EmailRow, mail: Option<&super::repo::MailRow>) -> EmailRow {
    if let Some(m) = mail {
        row.selectors = m.selectors.clone();
        row.checked_at = m.checked_at;
        row.domain = m.domain.clone();
        row.checks = serde_json::from_value(m.checks.clone()).unwrap_or_default();
    }
    row
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn tenant(environment: &str, provider: Option<Value>) -> TenantRow {
        TenantRow {
            id: uuid::Uuid::nil(),
            name: "acme-prod".into(),
            environment: environment.into(),
            region: Some("eu".into()),
            snapshot_at: Some(chrono::Utc::now()),
            snapshot_id: Some(1),
            provider,
            ..TenantRow::default()
        }
    }

    #[test]
    fn the_built_in_provider_is_required_to_change_in_production_only() {
        let prod = row(&tenant("production", Some(Value::Null)));
        assert_eq!((prod.verdict, prod.provider.as_str()), (EmailVerdict::Required, BUILT_IN));
        assert!(prod.advice.contains("10 emails a minute"), "{}", prod.advice);
        assert_eq!(row(&tenant("development", Some(Value::Null))).verdict, EmailVerdict::Ok);
    }

    #[test]
    fn a_configured_provider_reads_in_words() {
        let p = row(&tenant(
            "production",
            Some(json!({"name": "ses", "enabled": true, "default_from_address": "login@acme.example"})),
        ));
        assert_eq!(
            (p.provider.as_str(), p.sender.as_deref(), p.verdict),
            ("Amazon SES", Some("login@acme.example"), EmailVerdict::Ok)
        );
        let off = row(&tenant("production", Some(json!({"name": "sendgrid", "enabled": false}))));
        assert_eq!(off.verdict, EmailVerdict::Required);
        assert!(off.advice.contains("turned off"));
        let no_sender = row(&tenant("qa", Some(json!({"name": "smtp", "enabled": true}))));
        assert_eq!(no_sender.verdict, EmailVerdict::Warning);
        let unknown = row(&TenantRow { snapshot_at: None, ..tenant("production", None) });
        assert_eq!(unknown.verdict, EmailVerdict::Unknown);
        assert!(unknown.advice.contains("first successful poll"));
    }
}
