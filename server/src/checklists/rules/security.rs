//! The security items: social connections on developer keys, the SMS provider, MFA factors, attack protection
//! and the signing certificate's rollover.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::read::{
    CONNECTIONS, Cx, Decided, FACTORS, SIGNING_KEYS, SMS_PROVIDER, capped, combine, ev, fail, finding, json, name_of,
    names, not_applicable, pass, plural, settle, text,
};
use crate::checklists::model::{Evidence, Finding, Verdict};

/// Strategies of social connections Auth0 can run on its own developer keys.
const SOCIAL: [&str; 27] = [
    "google-oauth2",
    "facebook",
    "apple",
    "github",
    "linkedin",
    "twitter",
    "windowslive",
    "amazon",
    "yahoo",
    "dropbox",
    "bitbucket",
    "paypal",
    "paypal-sandbox",
    "salesforce",
    "salesforce-sandbox",
    "salesforce-community",
    "box",
    "instagram",
    "yandex",
    "baidu",
    "vkontakte",
    "weibo",
    "shopify",
    "soundcloud",
    "evernote",
    "fitbit",
    "line",
];
/// How long before the signing certificate expires its rollover should be planned.
const ROLLOVER_DAYS: i64 = 60;
/// The attack-protection settings: snapshot key, endpoint, name.
const PROTECTIONS: [(&str, &str, &str); 3] = [
    ("brute_force", "GET /api/v2/attack-protection/brute-force-protection", "Brute-force protection"),
    ("breached_passwords", "GET /api/v2/attack-protection/breached-password-detection", "Breached password detection"),
    ("suspicious_ip_throttling", "GET /api/v2/attack-protection/suspicious-ip-throttling", "Suspicious IP throttling"),
];

/// Whether a social connection runs on Auth0's developer keys (an empty client id), if the snapshot tells.
fn dev_keys(connection: &Value) -> Option<bool> {
    let id = connection.get("client_id").or_else(|| connection.pointer("/options/client_id"))?;
    Some(id.as_str().is_none_or(|s| s.trim().is_empty()))
}

pub fn social_devkeys(cx: &Cx) -> Decided {
    let connections = cx.list("connections")?;
    let mut social: Vec<&Value> = connections.iter().filter(|c| SOCIAL.contains(&text(c, "strategy"))).collect();
    social.sort_by_key(|c| name_of(c));
    if social.is_empty() {
        let row = ev(CONNECTIONS, "connections", format!("{}, none social", plural(connections.len(), "connection")));
        return pass("No social connection", vec![row]);
    }
    let state = |c: &Value| match dev_keys(c) {
        Some(true) => "Auth0 developer keys",
        Some(false) => "own keys",
        None => "keys not kept by Tenantry",
    };
    let rows =
        capped(social.iter().map(|c| ev(CONNECTIONS, format!("connections[{}]", name_of(c)), state(c))).collect());
    let with = |want: Option<bool>| -> Vec<String> {
        social.iter().filter(|c| dev_keys(c) == want).map(|c| name_of(c)).collect()
    };
    let (dev, unknown) = (with(Some(true)), with(None));
    if !dev.is_empty() {
        let verb = if dev.len() == 1 { "uses" } else { "use" };
        return fail(
            format!("{} {verb} Auth0's developer keys: {}", plural(dev.len(), "social connection"), names(&dev)),
            rows,
        );
    }
    if !unknown.is_empty() {
        let summary = format!("Check the keys of {} in Dashboard > Authentication > Social", names(&unknown));
        return Ok(finding(Verdict::Unknown, summary, rows));
    }
    pass(format!("{} on their own keys", plural(social.len(), "social connection")), rows)
}

fn factor<'a>(factors: &'a Value, name: &str) -> Option<&'a Value> {
    factors.as_array()?.iter().find(|f| text(f, "name") == name)
}

pub fn sms_provider(cx: &Cx) -> Decided {
    let factors = cx.part("guardian_factors")?;
    let sms = factor(factors, "sms");
    let enabled = sms.and_then(|f| f["enabled"].as_bool()) == Some(true);
    let mut evidence = vec![ev(FACTORS, "factors[sms].enabled", json(sms.and_then(|f| f.get("enabled"))))];
    if !enabled {
        return not_applicable("SMS is not an MFA factor", evidence);
    }
    let provider = cx.part("sms_provider")?;
    let name = provider.as_str().unwrap_or("").trim();
    evidence.push(ev(SMS_PROVIDER, "provider", json(Some(provider))));
    let expired = sms.and_then(|f| f["trial_expired"].as_bool()) == Some(true);
    evidence.push(ev(FACTORS, "factors[sms].trial_expired", json(sms.and_then(|f| f.get("trial_expired")))));
    match name {
        "" | "auth0" if expired => {
            fail("SMS codes go through Auth0's default provider, whose trial has expired", evidence)
        }
        "" | "auth0" => fail("SMS codes go through Auth0's default provider", evidence),
        other => pass(format!("SMS codes go through {other}"), evidence),
    }
}

pub fn mfa(cx: &Cx) -> Decided {
    let factors = cx.part("guardian_factors")?;
    let list = factors.as_array().map(Vec::as_slice).unwrap_or_default();
    let on: Vec<String> =
        list.iter().filter(|f| f["enabled"].as_bool() == Some(true)).map(|f| text(f, "name").to_string()).collect();
    let rows =
        list.iter().map(|f| ev(FACTORS, format!("factors[{}].enabled", text(f, "name")), json(f.get("enabled"))));
    let mut rows: Vec<Evidence> = rows.collect();
    rows.sort_by_key(|r| r.value != "true");
    if on.is_empty() {
        fail("No MFA factor is enabled (MFA may still be enforced in an Action)", capped(rows))
    } else {
        pass(format!("MFA factors enabled: {}", names(&on)), capped(rows))
    }
}

fn protection(cx: &Cx, key: &str, endpoint: &str, label: &str) -> Finding {
    settle(cx.attack_protection(key).map(|p| {
        let shields: Vec<&str> = p["shields"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let rows = vec![
            ev(endpoint, "enabled", json(p.get("enabled"))),
            ev(endpoint, "shields", if shields.is_empty() { "none".into() } else { shields.join(", ") }),
        ];
        if p["enabled"].as_bool() != Some(true) {
            return finding(Verdict::Fail, format!("{label} is off"), rows);
        }
        let emails = shields.iter().any(|s| matches!(*s, "user_notification" | "admin_notification"));
        // Notifications go out by email: without a provider, through Auth0's built-in one (test volumes only).
        if emails && cx.snap.get("email_provider").is_some_and(Value::is_null) {
            return finding(Verdict::Warn, format!("{label} sends emails, but no email provider is configured"), rows);
        }
        finding(Verdict::Pass, format!("{label} is on"), rows)
    }))
}

pub fn attack_protection(cx: &Cx) -> Decided {
    let parts: Vec<Finding> =
        PROTECTIONS.iter().map(|(key, endpoint, label)| protection(cx, key, endpoint, label)).collect();
    let mut all = combine(parts);
    if all.verdict == Verdict::Pass {
        all.summary = "Brute-force, breached password and suspicious IP protection are on".into();
    }
    Ok(all)
}

pub fn saml_certs(cx: &Cx) -> Decided {
    let keys = cx.list("signing_keys")?;
    let current = keys.iter().find(|k| k["current"].as_bool() == Some(true));
    let mut rows: Vec<Evidence> = Vec::new();
    let expires = current.and_then(|k| {
        rows.push(ev(SIGNING_KEYS, format!("keys[{}].expires_at", name_of(k)), json(k.get("expires_at"))));
        DateTime::parse_from_rfc3339(text(k, "expires_at")).ok().map(|t| t.with_timezone(&Utc))
    });
    let next = keys.iter().find(|k| k["next"].as_bool() == Some(true));
    rows.push(ev(SIGNING_KEYS, "next key", next.map_or("none".into(), name_of)));
    let mut saml: Vec<&Value> = match cx.list("connections") {
        Ok(list) => list.iter().filter(|c| text(c, "strategy") == "samlp").collect(),
        Err(_) => Vec::new(),
    };
    saml.sort_by_key(|c| name_of(c));
    // Each SAML connection: its identity provider's certificate and whether requests to it are signed.
    let mut problems: Vec<(Verdict, String)> = Vec::new();
    let mut unread: Vec<String> = Vec::new();
    for c in &saml {
        let n = name_of(c);
        if c.get("sign_saml_request").is_none() {
            unread.push(n);
            continue;
        }
        let cert = DateTime::parse_from_rfc3339(text(c, "cert_expires")).ok().map(|t| t.with_timezone(&Utc));
        rows.push(ev(CONNECTIONS, format!("connections[{n}].cert_expires"), json(c.get("cert_expires"))));
        rows.push(ev(CONNECTIONS, format!("connections[{n}].sign_saml_request"), json(c.get("sign_saml_request"))));
        match cert {
            Some(at) if at <= cx.facts.now => {
                problems.push((Verdict::Fail, format!("the certificate of {n} expired on {}", at.format("%Y-%m-%d"))));
            }
            Some(at) if (at - cx.facts.now).num_days() < ROLLOVER_DAYS => {
                problems.push((Verdict::Warn, format!("the certificate of {n} expires on {}", at.format("%Y-%m-%d"))));
            }
            Some(_) => {}
            None => problems.push((Verdict::Warn, format!("the certificate expiry of {n} was not read"))),
        }
        if c["sign_saml_request"] != Value::Bool(true) {
            problems.push((Verdict::Warn, format!("{n} does not sign its SAML requests")));
        }
    }
    let check_saml = if unread.is_empty() {
        String::new()
    } else {
        format!("; check the certificates and request signing of {} (needs read:connections_options)", names(&unread))
    };
    let rows = capped(rows);
    let Some(expires) = expires else {
        return Ok(finding(
            Verdict::Unknown,
            format!("No current signing certificate expiry was read{check_saml}"),
            rows,
        ));
    };
    let days = (expires - cx.facts.now).num_days();
    let day = expires.format("%Y-%m-%d");
    let (mut verdict, mut summary) = if expires <= cx.facts.now {
        (Verdict::Fail, format!("The signing certificate expired on {day}"))
    } else if days < ROLLOVER_DAYS {
        let left = plural(usize::try_from(days).unwrap_or(0), "day");
        (Verdict::Warn, format!("The signing certificate expires on {day}, in {left}: plan the rollover"))
    } else {
        (Verdict::Pass, format!("The signing certificate is valid until {day}"))
    };
    for (v, words) in problems {
        if v == Verdict::Fail || (v == Verdict::Warn && verdict == Verdict::Pass) {
            verdict = v;
        }
        summary.push_str("; ");
        summary.push_str(&words);
    }
    summary.push_str(&check_saml);
    Ok(finding(verdict, summary, rows))
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use serde_json::json;

    use super::super::testing::{good, now, on, verdict};
    use crate::checklists::model::Verdict;
    use crate::simulator::SimTenant;
    use crate::tenants::keep;

    #[test]
    fn social_connections_on_developer_keys_fail() {
        let mut snap = good();
        assert_eq!(on(&snap, "social-devkeys").summary, "No social connection");
        // Without read:connections_options the snapshot keeps no options, so Tenantry cannot tell.
        let mut without_options = SimTenant::social_connection("google-oauth2");
        without_options.as_object_mut().map(|c| c.remove("options"));
        snap["connections"].as_array_mut().expect("a list").push(keep::connection(&without_options));
        let f = on(&snap, "social-devkeys");
        assert_eq!(f.verdict, Verdict::Unknown);
        assert_eq!(f.summary, "Check the keys of google-oauth2 in Dashboard > Authentication > Social");
        // What the snapshot keeps of it with the options: the (empty) client id of Auth0's developer keys.
        snap["connections"][1] = keep::connection(&SimTenant::social_connection("google-oauth2"));
        let f = on(&snap, "social-devkeys");
        assert_eq!(
            (f.verdict, f.summary.as_str()),
            (Verdict::Fail, "1 social connection uses Auth0's developer keys: google-oauth2")
        );
        assert!(!snap.to_string().contains("client_secret"), "the secret is never kept");
        snap["connections"][1] = SimTenant::social_connection("google-oauth2");
        snap["connections"][1]["options"]["client_id"] = json!("123.apps.googleusercontent.com");
        assert_eq!(verdict(&snap, "social-devkeys"), Verdict::Pass);
    }

    #[test]
    fn sms_through_auth0_fails_and_only_when_sms_is_a_factor() {
        let mut snap = good();
        assert_eq!(on(&snap, "sms-provider").summary, "SMS codes go through twilio");
        snap["sms_provider"] = json!("auth0");
        let f = on(&snap, "sms-provider");
        assert_eq!((f.verdict, f.summary.as_str()), (Verdict::Fail, "SMS codes go through Auth0's default provider"));
        snap["guardian_factors"][0]["enabled"] = json!(false);
        assert_eq!(verdict(&snap, "sms-provider"), Verdict::NotApplicable);
        snap["guardian_factors"] = json!(null);
        snap["sms_provider"] = json!(null);
        snap["missing_scopes"] = json!(["read:guardian_factors"]);
        assert_eq!(on(&snap, "sms-provider").summary, "Needs the read:guardian_factors scope");
        assert_eq!(on(&snap, "mfa").summary, "Needs the read:guardian_factors scope");
    }

    #[test]
    fn mfa_needs_one_factor() {
        let mut snap = good();
        assert_eq!(on(&snap, "mfa").summary, "MFA factors enabled: sms, otp");
        for factor in snap["guardian_factors"].as_array_mut().expect("a list") {
            factor["enabled"] = json!(false);
        }
        let f = on(&snap, "mfa");
        assert_eq!(f.verdict, Verdict::Fail);
        assert_eq!(f.evidence.len(), 8);
    }

    #[test]
    fn attack_protection_off_fails_and_emails_without_a_provider_warn() {
        let mut snap = good();
        snap["attack_protection"]["breached_passwords"]["enabled"] = json!(false);
        let f = on(&snap, "attack-protection");
        assert_eq!((f.verdict, f.summary.as_str()), (Verdict::Fail, "Breached password detection is off"));
        let mut snap = good();
        snap["email_provider"] = json!(null);
        let f = on(&snap, "attack-protection");
        assert_eq!(f.verdict, Verdict::Warn);
        assert!(f.summary.starts_with("Brute-force protection sends emails, but no email provider is configured"));
    }

    #[test]
    fn an_expiring_signing_certificate_warns_and_an_expired_one_fails() {
        let mut snap = good();
        assert!(on(&snap, "saml-certs").summary.starts_with("The signing certificate is valid until 2027-09-27"));
        snap["signing_keys"][0]["expires_at"] = json!((now() + Duration::days(20)).to_rfc3339());
        snap["connections"]
            .as_array_mut()
            .expect("a list")
            .push(json!({"id": "con_s", "name": "Partner IdP", "strategy": "samlp"}));
        let f = on(&snap, "saml-certs");
        assert_eq!(f.verdict, Verdict::Warn);
        assert_eq!(
            f.summary,
            "The signing certificate expires on 2026-12-21, in 20 days: plan the rollover; check the certificates and \
             request signing of Partner IdP (needs read:connections_options)"
        );
        snap["signing_keys"][0]["expires_at"] = json!((now() - Duration::days(1)).to_rfc3339());
        assert_eq!(verdict(&snap, "saml-certs"), Verdict::Fail);
        // The simulator's keys, as the snapshot keeps them: the certificate's expiry, read from the PEM.
        snap["signing_keys"] = json!(
            SimTenant::signing_keys("acme.example", now() + Duration::days(40))
                .iter()
                .map(keep::signing_key)
                .collect::<Vec<_>>()
        );
        assert_eq!(verdict(&snap, "saml-certs"), Verdict::Warn);
    }

    #[test]
    fn a_saml_connection_is_judged_by_its_identity_providers_certificate_and_request_signing() {
        use base64::Engine;
        let mut snap = good();
        // Auth0 answers `signingCert` as the Base64 of the PEM text; the snapshot keeps only when it expires.
        let pem = SimTenant::signing_keys("idp.partner.example", now() + Duration::days(30))[0]["cert"].clone();
        let signing_cert = base64::engine::general_purpose::STANDARD.encode(pem.as_str().expect("pem"));
        let raw = json!({"id": "con_s", "name": "Partner IdP", "strategy": "samlp",
            "options": {"signingCert": signing_cert, "signSAMLRequest": true, "signInEndpoint": "https://idp.partner.example/sso"}});
        let kept = keep::connection(&raw);
        assert!(
            kept["cert_expires"]
                .as_str()
                .is_some_and(|t| t.starts_with(&(now() + Duration::days(30)).format("%Y-%m-%d").to_string()))
        );
        assert!(!kept.to_string().contains(&signing_cert[..40]), "the certificate itself is not kept");
        snap["connections"].as_array_mut().expect("a list").push(kept);
        let f = on(&snap, "saml-certs");
        assert_eq!(f.verdict, Verdict::Warn, "{}", f.summary);
        assert!(f.summary.contains("the certificate of Partner IdP expires on"), "{}", f.summary);
        // Valid for long, but requests unsigned: still a warning; expired: a failure.
        let at = |days: i64| (now() + Duration::days(days)).to_rfc3339();
        snap["connections"][1] = keep::connection(&json!({"name": "Partner IdP", "strategy": "samlp",
            "options": {"expires": at(400), "signSAMLRequest": false}}));
        let f = on(&snap, "saml-certs");
        assert_eq!(
            (f.verdict, f.summary.ends_with("Partner IdP does not sign its SAML requests")),
            (Verdict::Warn, true),
            "{}",
            f.summary
        );
        snap["connections"][1] = keep::connection(&json!({"name": "Partner IdP", "strategy": "samlp",
            "options": {"expires": at(-2), "signSAMLRequest": true}}));
        assert_eq!(verdict(&snap, "saml-certs"), Verdict::Fail);
    }
}
