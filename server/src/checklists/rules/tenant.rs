//! The items decided from the tenant's settings (and its prompts): support contact, tenant login URI, legacy
//! flags, error page, logout URLs, the application-connections flag, session timeouts and Universal Login.

use serde_json::Value;

use super::read::{
    CLIENTS, Cx, Decided, PROMPTS, SETTINGS, capped, combine, ev, fail, finding, is_local, json, manual, name_of,
    names, pass, plural, settle, text, unknown, warn,
};
use crate::checklists::model::{Evidence, Verdict};

/// The legacy flags that must not be on.
const LEGACY_FLAGS: [&str; 5] = [
    "allow_legacy_ro_grant_types",
    "allow_legacy_delegation_grant_types",
    "allow_legacy_tokeninfo_endpoint",
    "enable_idtoken_api2",
    "enable_legacy_profile",
];

/// The grant `allowOtherLegacyGrantTypes` (no API flag) lets applications use.
pub const LEGACY_ACCESS_TOKEN_GRANT: &str = "http://auth0.com/oauth/legacy/grant-type/access_token";

fn setting(s: &Value, key: &str) -> Evidence {
    ev(SETTINGS, key, json(s.get(key)))
}

pub fn support_contact(cx: &Cx) -> Decided {
    let s = cx.part("settings")?;
    let evidence = vec![setting(s, "support_email"), setting(s, "support_url")];
    match (text(s, "support_email").is_empty(), text(s, "support_url").is_empty()) {
        (false, false) => pass("Support email and URL are set", evidence),
        (true, true) => fail("No support email or URL is set", evidence),
        (true, false) => fail("No support email is set", evidence),
        (false, true) => fail("No support URL is set", evidence),
    }
}

pub fn tenant_login_uri(cx: &Cx) -> Decided {
    let s = cx.part("settings")?;
    let uri = text(s, "default_redirection_uri");
    let evidence = vec![setting(s, "default_redirection_uri")];
    if uri.is_empty() {
        fail("No tenant login URI is set", evidence)
    } else if is_local(uri) {
        fail(format!("The tenant login URI is local: {uri}"), evidence)
    } else if !uri.to_ascii_lowercase().starts_with("https://") {
        fail(format!("The tenant login URI is not https: {uri}"), evidence)
    } else {
        pass(format!("The tenant login URI is {uri}"), evidence)
    }
}

pub fn legacy_flags(cx: &Cx) -> Decided {
    let s = cx.part("settings")?;
    let flags = s.get("flags");
    let on: Vec<String> = LEGACY_FLAGS
        .iter()
        .filter(|f| flags.and_then(|fl| fl.get(**f)).and_then(Value::as_bool) == Some(true))
        .map(|f| f.to_string())
        .collect();
    let rows = LEGACY_FLAGS.iter().map(|f| ev(SETTINGS, format!("flags.{f}"), json(flags.and_then(|fl| fl.get(*f)))));
    let flags_part = if on.is_empty() {
        finding(Verdict::Pass, "No legacy flag is on", rows.collect())
    } else {
        finding(Verdict::Fail, format!("Legacy flags on: {}", names(&on)), rows.collect())
    };
    let grants_part = settle(cx.list("clients").map(|clients| {
        let legacy: Vec<&Value> = clients
            .iter()
            .filter(|c| c["grant_types"].as_array().is_some_and(|g| g.iter().any(|t| t == LEGACY_ACCESS_TOKEN_GRANT)))
            .collect();
        if legacy.is_empty() {
            return finding(Verdict::Pass, "no application uses the legacy access_token grant", Vec::new());
        }
        let named: Vec<String> = legacy.iter().map(|c| name_of(c)).collect();
        let rows =
            named.iter().map(|n| ev(CLIENTS, format!("clients[{n}].grant_types"), LEGACY_ACCESS_TOKEN_GRANT)).collect();
        let summary = format!("{} the legacy access_token grant: {}", uses(legacy.len()), names(&named));
        finding(Verdict::Fail, summary, capped(rows))
    }));
    let mut both = combine(vec![flags_part, grants_part]);
    if both.verdict == Verdict::Pass {
        both.summary = "No legacy flag is on and no application uses a legacy grant".into();
    }
    Ok(both)
}

/// "1 application uses", "2 applications use".
fn uses(count: usize) -> String {
    format!("{} {}", plural(count, "application"), if count == 1 { "uses" } else { "use" })
}

pub fn error_page(cx: &Cx) -> Decided {
    let s = cx.part("settings")?;
    let page = s.get("error_page").unwrap_or(&Value::Null);
    let url = text(page, "url");
    let html = text(page, "html");
    let html_shown = if html.is_empty() { "not set".to_string() } else { format!("{} characters", html.len()) };
    let evidence =
        vec![ev(SETTINGS, "error_page.url", json(page.get("url"))), ev(SETTINGS, "error_page.html", html_shown)];
    if !url.is_empty() {
        pass(format!("Errors show {url}"), evidence)
    } else if !html.is_empty() {
        pass("Errors show a custom HTML page", evidence)
    } else {
        fail("Errors show Auth0's default error page", evidence)
    }
}

pub fn logout_urls(cx: &Cx) -> Decided {
    let s = cx.part("settings")?;
    let urls: Vec<&str> = s["allowed_logout_urls"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let mut rows = vec![setting(s, "allowed_logout_urls")];
    let mut local: Vec<String> = urls.iter().filter(|u| is_local(u)).map(|u| format!("tenant ({u})")).collect();
    match cx.list("clients") {
        Ok(clients) => {
            for client in clients {
                let listed: Vec<&str> =
                    client["allowed_logout_urls"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                if listed.is_empty() {
                    continue;
                }
                let name = name_of(client);
                if let Some(u) = listed.iter().find(|u| is_local(u)) {
                    local.push(format!("{name} ({u})"));
                }
                rows.push(ev(CLIENTS, format!("clients[{name}].allowed_logout_urls"), listed.join(", ")));
            }
        }
        Err(why) => rows.push(ev(CLIENTS, "clients", why)),
    }
    let rows = capped(rows);
    if urls.is_empty() {
        fail("No tenant logout URL is set", rows)
    } else if !local.is_empty() {
        fail(format!("Logout URLs include localhost: {}", names(&local)), rows)
    } else {
        pass(format!("{} set for the tenant", plural(urls.len(), "logout URL")), rows)
    }
}

pub fn client_connections_flag(cx: &Cx) -> Decided {
    let s = cx.part("settings")?;
    let flag = s.get("flags").and_then(|f| f.get("enable_client_connections"));
    let evidence = vec![ev(SETTINGS, "flags.enable_client_connections", json(flag))];
    match flag.and_then(Value::as_bool) {
        Some(false) => pass("New applications get no connection until one is enabled for them", evidence),
        Some(true) => fail("New applications get every connection", evidence),
        None => warn(
            "Auth0 does not report the flag, so it is probably on (its default): check Settings > Advanced",
            evidence,
        ),
    }
}

pub fn sso_timeouts(cx: &Cx) -> Decided {
    let s = cx.part("settings")?;
    let mut evidence = vec![setting(s, "session_lifetime"), setting(s, "idle_session_lifetime")];
    for key in ["session_lifetime_in_minutes", "idle_session_lifetime_in_minutes"] {
        if s.get(key).is_some() {
            evidence.push(setting(s, key));
        }
    }
    let hours = |key: &str| s.get(key).filter(|v| v.is_number()).map_or("Auth0's default".into(), |v| format!("{v} h"));
    let summary = format!(
        "Sessions last {}, {} when idle: check this matches your policy",
        hours("session_lifetime"),
        hours("idle_session_lifetime")
    );
    manual(summary, evidence)
}

pub fn universal_login(cx: &Cx) -> Decided {
    let prompts = cx.part("prompts")?;
    let experience = text(prompts, "universal_login_experience");
    let evidence = vec![ev(PROMPTS, "universal_login_experience", json(prompts.get("universal_login_experience")))];
    match experience {
        "new" => pass("Universal Login uses the new experience", evidence),
        "" => Ok(unknown("Auth0 did not say which Universal Login experience is used")),
        other => fail(format!("Universal Login uses the {other} experience"), evidence),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::{good, on, verdict};
    use crate::checklists::model::Verdict;

    #[test]
    fn support_contact_needs_both_email_and_url() {
        let mut snap = good();
        assert_eq!(verdict(&snap, "support-contact"), Verdict::Pass);
        snap["settings"]["support_url"] = json!("");
        let f = on(&snap, "support-contact");
        assert_eq!((f.verdict, f.summary.as_str()), (Verdict::Fail, "No support URL is set"));
        assert_eq!(f.evidence[0].value, "\"help@acme.example\"");
        snap["settings"].as_object_mut().expect("an object").remove("support_email");
        let f = on(&snap, "support-contact");
        assert_eq!(f.summary, "No support email or URL is set");
        assert_eq!((f.evidence[0].field.as_str(), f.evidence[0].value.as_str()), ("support_email", "not set"));
    }

    #[test]
    fn tenant_login_uri_must_be_a_public_https_url() {
        let mut snap = good();
        assert_eq!(verdict(&snap, "tenant-login-uri"), Verdict::Pass);
        for (uri, why) in [("", "No tenant login URI"), ("http://app.acme.example/login", "not https")] {
            snap["settings"]["default_redirection_uri"] = json!(uri);
            let f = on(&snap, "tenant-login-uri");
            assert_eq!(f.verdict, Verdict::Fail);
            assert!(f.summary.contains(why), "{}", f.summary);
        }
        snap["settings"]["default_redirection_uri"] = json!("https://localhost:3000/login");
        assert!(on(&snap, "tenant-login-uri").summary.contains("local"));
    }

    #[test]
    fn a_legacy_flag_or_a_legacy_grant_fails() {
        let mut snap = good();
        assert_eq!(verdict(&snap, "legacy-flags"), Verdict::Pass);
        snap["settings"]["flags"]["enable_legacy_profile"] = json!(true);
        let f = on(&snap, "legacy-flags");
        assert_eq!((f.verdict, f.summary.as_str()), (Verdict::Fail, "Legacy flags on: enable_legacy_profile"));
        let mut snap = good();
        snap["clients"][0]["grant_types"] = json!(["authorization_code", super::LEGACY_ACCESS_TOKEN_GRANT]);
        let f = on(&snap, "legacy-flags");
        assert_eq!(f.verdict, Verdict::Fail);
        assert_eq!(f.summary, "1 application uses the legacy access_token grant: Web app");
        assert!(f.evidence.iter().any(|e| e.field == "clients[Web app].grant_types"));
        snap["clients"] = json!(null);
        snap["missing_scopes"] = json!(["read:clients"]);
        let f = on(&snap, "legacy-flags");
        assert_eq!((f.verdict, f.summary.as_str()), (Verdict::Unknown, "Needs the read:clients scope"));
    }

    #[test]
    fn error_page_logout_urls_and_the_connections_flag() {
        let mut snap = good();
        for id in ["error-page", "logout-urls", "client-conns-flag", "universal-login"] {
            assert_eq!(verdict(&snap, id), Verdict::Pass, "{id}");
        }
        snap["settings"]["error_page"] = json!({"url": "", "html": "", "show_log_link": false});
        assert_eq!(on(&snap, "error-page").summary, "Errors show Auth0's default error page");
        snap["settings"]["allowed_logout_urls"] = json!([]);
        assert_eq!(on(&snap, "logout-urls").summary, "No tenant logout URL is set");
        snap["settings"]["allowed_logout_urls"] = json!(["https://acme.example/bye"]);
        snap["clients"][0]["allowed_logout_urls"] = json!(["http://localhost:3000"]);
        let f = on(&snap, "logout-urls");
        assert_eq!(
            (f.verdict, f.summary.as_str()),
            (Verdict::Fail, "Logout URLs include localhost: Web app (http://localhost:3000)")
        );
        snap["settings"]["flags"]["enable_client_connections"] = json!(true);
        assert_eq!(verdict(&snap, "client-conns-flag"), Verdict::Fail);
        snap["settings"]["flags"].as_object_mut().expect("an object").remove("enable_client_connections");
        assert_eq!(verdict(&snap, "client-conns-flag"), Verdict::Warn);
        snap["prompts"]["universal_login_experience"] = json!("classic");
        assert_eq!(on(&snap, "universal-login").summary, "Universal Login uses the classic experience");
    }
}
