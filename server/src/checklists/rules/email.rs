//! The email and domain items: the email provider, the custom domain, the custom domain in emails and the email
//! templates.

use serde_json::Value;

use super::read::{
    CUSTOM_DOMAINS, Cx, Decided, EMAIL_PROVIDER, NOT_READ_YET, SETTINGS, capped, ev, fail, json, names, pass, plural,
    text, warn,
};
use crate::checklists::model::Evidence;
use crate::tenants::keep::EMAIL_TEMPLATES;

pub fn provider(cx: &Cx) -> Decided {
    // `null` is Auth0's 404: no provider, so Auth0's built-in one sends (not an unread part).
    let provider = match cx.snap.get("email_provider") {
        None => return Err(NOT_READ_YET.into()),
        Some(Value::Null) => {
            let evidence = vec![ev(EMAIL_PROVIDER, "name", "none configured (404)")];
            return fail("No email provider: Auth0's built-in provider sends the tenant's emails", evidence);
        }
        Some(p) => p,
    };
    let name = text(provider, "name");
    let evidence = ["name", "enabled", "default_from_address"]
        .iter()
        .map(|k| ev(EMAIL_PROVIDER, *k, json(provider.get(*k))))
        .collect();
    if provider["enabled"].as_bool() != Some(true) {
        fail(format!("The email provider ({}) is disabled", if name.is_empty() { "unnamed" } else { name }), evidence)
    } else if name.is_empty() {
        fail("The email provider has no name", evidence)
    } else {
        pass(format!("{name} sends the tenant's emails"), evidence)
    }
}

/// The custom domains that are ready, and a row per domain with its status.
fn domains(cx: &Cx) -> Result<(Vec<String>, Vec<Evidence>), String> {
    let list = cx.list("custom_domains")?;
    let ready = list.iter().filter(|d| text(d, "status") == "ready").map(|d| text(d, "domain").to_string()).collect();
    let rows = list
        .iter()
        .map(|d| ev(CUSTOM_DOMAINS, format!("custom_domains[{}].status", text(d, "domain")), text(d, "status")))
        .collect();
    Ok((ready, capped(rows)))
}

pub fn custom_domain(cx: &Cx) -> Decided {
    let (ready, rows) = domains(cx)?;
    let all = cx.list("custom_domains")?;
    if !ready.is_empty() {
        let verb = if ready.len() == 1 { "is" } else { "are" };
        return pass(format!("{} {verb} ready: {}", plural(ready.len(), "custom domain"), names(&ready)), rows);
    }
    if all.is_empty() {
        return fail("No custom domain", vec![ev(CUSTOM_DOMAINS, "custom_domains", "none")]);
    }
    let waiting: Vec<String> =
        all.iter().map(|d| format!("{} ({})", text(d, "domain"), text(d, "status").replace('_', " "))).collect();
    fail(format!("No custom domain is ready: {}", names(&waiting)), rows)
}

pub fn custom_domain_in_emails(cx: &Cx) -> Decided {
    let s = cx.part("settings")?;
    let flag = s.get("flags").and_then(|f| f.get("enable_custom_domain_in_emails"));
    let (ready, _) = domains(cx)?;
    let mut evidence = vec![ev(SETTINGS, "flags.enable_custom_domain_in_emails", json(flag))];
    let shown = if ready.is_empty() { "none".to_string() } else { ready.join(", ") };
    evidence.push(ev(CUSTOM_DOMAINS, "custom_domains (ready)", shown));
    match (flag.and_then(Value::as_bool) == Some(true), ready.first()) {
        (true, Some(domain)) => pass(format!("Email links use {domain}"), evidence),
        (true, None) => fail("Custom domains in emails are on, but no custom domain is ready", evidence),
        (false, _) => fail("Email links use the tenant's Auth0 domain", evidence),
    }
}

/// What is missing of a template for it to count ("" when it is ready).
fn template_gap(t: Option<&Value>) -> &'static str {
    let Some(t) = t else { return "not read" };
    if t["customized"].as_bool() != Some(true) {
        "not customized"
    } else if t["enabled"].as_bool() == Some(false) {
        "disabled"
    } else if text(t, "subject").is_empty() {
        "no subject"
    } else if text(t, "from").is_empty() {
        "no sender"
    } else {
        ""
    }
}

pub fn templates(cx: &Cx) -> Decided {
    let list = cx.list("email_templates")?;
    let mut gaps: Vec<String> = Vec::new();
    let mut evidence = Vec::new();
    for name in EMAIL_TEMPLATES {
        let found = list.iter().find(|t| text(t, "template") == name);
        let gap = template_gap(found);
        let endpoint = format!("GET /api/v2/email-templates/{name}");
        let shown = match found {
            Some(t) if gap.is_empty() || gap != "not customized" => format!(
                "customized, {}, from {}, subject {}",
                if t["enabled"].as_bool() == Some(false) { "disabled" } else { "enabled" },
                json(t.get("from")),
                json(t.get("subject"))
            ),
            Some(_) => "not customized (Auth0's default text)".into(),
            None => "not read".into(),
        };
        evidence.push(ev(&endpoint, name, shown));
        if !gap.is_empty() {
            gaps.push(format!("{name} ({gap})"));
        }
    }
    let customized = list.iter().filter(|t| t["customized"].as_bool() == Some(true)).count();
    if gaps.is_empty() {
        pass(format!("All {} templates are customized", EMAIL_TEMPLATES.len()), evidence)
    } else if customized == 0 {
        fail("No email template is customized: users get Auth0's default text", evidence)
    } else {
        warn(format!("Not ready: {}", names(&gaps)), evidence)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::{good, on, verdict};
    use crate::checklists::model::Verdict;

    #[test]
    fn no_email_provider_fails_and_a_disabled_one_too() {
        let mut snap = good();
        let f = on(&snap, "email-provider");
        assert_eq!((f.verdict, f.summary.as_str()), (Verdict::Pass, "sendgrid sends the tenant's emails"));
        snap["email_provider"]["enabled"] = json!(false);
        assert_eq!(on(&snap, "email-provider").summary, "The email provider (sendgrid) is disabled");
        snap["email_provider"] = json!(null);
        let f = on(&snap, "email-provider");
        assert_eq!(f.verdict, Verdict::Fail, "null is Auth0's 404, not an unread part");
        assert_eq!(f.evidence[0].value, "none configured (404)");
    }

    #[test]
    fn a_custom_domain_must_be_ready_and_used_in_emails() {
        let mut snap = good();
        assert_eq!(verdict(&snap, "custom-domain"), Verdict::Pass);
        assert_eq!(on(&snap, "email-custom-domain").summary, "Email links use login.acme.example");
        snap["custom_domains"][0]["status"] = json!("pending_verification");
        let f = on(&snap, "custom-domain");
        assert_eq!(
            (f.verdict, f.summary.as_str()),
            (Verdict::Fail, "No custom domain is ready: login.acme.example (pending verification)")
        );
        assert_eq!(f.evidence[0].field, "custom_domains[login.acme.example].status");
        let f = on(&snap, "email-custom-domain");
        assert_eq!(f.summary, "Custom domains in emails are on, but no custom domain is ready");
        let mut snap = good();
        snap["settings"]["flags"]["enable_custom_domain_in_emails"] = json!(false);
        assert_eq!(on(&snap, "email-custom-domain").summary, "Email links use the tenant's Auth0 domain");
        snap["custom_domains"] = json!([]);
        assert_eq!(on(&snap, "custom-domain").summary, "No custom domain");
    }

    #[test]
    fn email_templates_name_what_is_not_ready() {
        let mut snap = good();
        assert_eq!(on(&snap, "email-templates").summary, "All 5 templates are customized");
        snap["email_templates"][2] = json!({"template": "welcome_email", "customized": false});
        snap["email_templates"][3]["enabled"] = json!(false);
        let f = on(&snap, "email-templates");
        assert_eq!(f.verdict, Verdict::Warn);
        assert_eq!(f.summary, "Not ready: welcome_email (not customized), blocked_account (disabled)");
        assert_eq!(f.evidence[2].value, "not customized (Auth0's default text)");
        assert_eq!(f.evidence[2].endpoint, "GET /api/v2/email-templates/welcome_email");
        let none: Vec<_> =
            crate::tenants::keep::EMAIL_TEMPLATES.iter().map(|t| json!({"template": t, "customized": false})).collect();
        snap["email_templates"] = json!(none);
        assert_eq!(verdict(&snap, "email-templates"), Verdict::Fail);
        snap["email_templates"] = json!(null);
        snap["missing_scopes"] = json!(["read:email_templates"]);
        assert_eq!(on(&snap, "email-templates").summary, "Needs the read:email_templates scope");
    }
}
