//! The items about applications and APIs: localhost URLs, signing algorithms, application login URIs, and the
//! manual reviews of grant types, client IDs and API token lifetimes (with their evidence).

use serde_json::Value;

use super::read::{
    CLIENTS, Cx, Decided, RESOURCE_SERVERS, capped, combine, ev, fail, finding, is_local, json, manual, name_of, names,
    not_applicable, pass, plural, settle, text, warn,
};
use crate::checklists::model::{Evidence, Verdict};

/// The URL lists of an application that must not point at a developer's machine.
const URL_FIELDS: [&str; 3] = ["callbacks", "allowed_origins", "web_origins"];
/// Grant types that hand tokens out with less protection than the authorization code flow.
const RISKY_GRANTS: [&str; 3] = ["password", "http://auth0.com/oauth/grant-type/password-realm", "implicit"];
const LEGACY_GRANT_PREFIX: &str = "http://auth0.com/oauth/legacy/grant-type/";

/// The tenant's applications, without the "All Applications" global client, sorted by name then client id.
fn apps<'a>(cx: &Cx<'a>) -> Result<Vec<&'a Value>, String> {
    let mut apps: Vec<&Value> = cx.list("clients")?.iter().filter(|c| c["global"].as_bool() != Some(true)).collect();
    apps.sort_by(|a, b| (name_of(a), text(a, "client_id")).cmp(&(name_of(b), text(b, "client_id"))));
    Ok(apps)
}

fn strings(v: &Value) -> impl Iterator<Item = &str> {
    v.as_array().into_iter().flatten().filter_map(Value::as_str)
}

pub fn no_localhost(cx: &Cx) -> Decided {
    let apps = apps(cx)?;
    let (mut local, mut wild) = (Vec::new(), Vec::new());
    let (mut local_rows, mut wild_rows) = (Vec::new(), Vec::new());
    for app in &apps {
        let name = name_of(app);
        for field in URL_FIELDS {
            for url in strings(&app[field]) {
                let (who, rows) = if is_local(url) {
                    (&mut local, &mut local_rows)
                } else if url.contains('*') {
                    (&mut wild, &mut wild_rows)
                } else {
                    continue;
                };
                rows.push(ev(CLIENTS, format!("clients[{name}].{field}"), url));
                if !who.contains(&name) {
                    who.push(name.clone());
                }
            }
        }
    }
    local_rows.extend(wild_rows);
    let rows = capped(local_rows);
    let allow = |n: usize| if n == 1 { "allows" } else { "allow" };
    if !local.is_empty() {
        let mut summary =
            format!("{} {} localhost: {}", plural(local.len(), "application"), allow(local.len()), names(&local));
        if !wild.is_empty() {
            summary.push_str(&format!("; wildcards in {}", names(&wild)));
        }
        fail(summary, rows)
    } else if !wild.is_empty() {
        warn(
            format!("{} {} wildcard URLs: {}", plural(wild.len(), "application"), allow(wild.len()), names(&wild)),
            rows,
        )
    } else {
        let checked = vec![ev(CLIENTS, "clients", format!("{} checked", plural(apps.len(), "application")))];
        pass("No application allows localhost, file:// or wildcard URLs", checked)
    }
}

pub fn rs256(cx: &Cx) -> Decided {
    let clients = settle(apps(cx).map(|apps| {
        let hs: Vec<String> = apps.iter().filter(|a| text(a, "jwt_alg") == "HS256").map(|a| name_of(a)).collect();
        if hs.is_empty() {
            let row = ev(CLIENTS, "clients", format!("{} checked", plural(apps.len(), "application")));
            return finding(Verdict::Pass, "Applications sign tokens with RS256", vec![row]);
        }
        let rows = hs.iter().map(|n| ev(CLIENTS, format!("clients[{n}].jwt_configuration.alg"), "HS256")).collect();
        let verb = if hs.len() == 1 { "signs" } else { "sign" };
        finding(Verdict::Fail, format!("{} {verb} with HS256: {}", plural(hs.len(), "application"), names(&hs)), rows)
    }));
    let apis = settle(cx.list("resource_servers").map(|apis| {
        let hs: Vec<String> = apis.iter().filter(|a| text(a, "signing_alg") == "HS256").map(name_of).collect();
        if hs.is_empty() {
            let row = ev(RESOURCE_SERVERS, "resource_servers", format!("{} checked", plural(apis.len(), "API")));
            return finding(Verdict::Pass, "APIs sign tokens with RS256", vec![row]);
        }
        let rows =
            hs.iter().map(|n| ev(RESOURCE_SERVERS, format!("resource_servers[{n}].signing_alg"), "HS256")).collect();
        let verb = if hs.len() == 1 { "signs" } else { "sign" };
        finding(Verdict::Fail, format!("{} {verb} with HS256: {}", plural(hs.len(), "API"), names(&hs)), rows)
    }));
    let mut both = combine(vec![clients, apis]);
    both.evidence = capped(both.evidence);
    if both.verdict == Verdict::Pass {
        both.summary = "Applications and APIs sign tokens with RS256".into();
    }
    Ok(both)
}

pub fn app_login_uri(cx: &Cx) -> Decided {
    let interactive: Vec<&Value> =
        apps(cx)?.into_iter().filter(|a| matches!(text(a, "app_type"), "regular_web" | "spa")).collect();
    if interactive.is_empty() {
        return not_applicable("No web or single-page application", vec![ev(CLIENTS, "clients", "none interactive")]);
    }
    let (missing, set): (Vec<&Value>, Vec<&Value>) =
        interactive.iter().partition(|a| text(a, "initiate_login_uri").is_empty());
    let rows = missing
        .iter()
        .chain(set.iter())
        .map(|a| ev(CLIENTS, format!("clients[{}].initiate_login_uri", name_of(a)), json(a.get("initiate_login_uri"))))
        .collect();
    if missing.is_empty() {
        let all = match set.len() {
            1 => "The interactive application has".to_string(),
            n => format!("All {n} interactive applications have"),
        };
        return pass(format!("{all} a login URI"), capped(rows));
    }
    let named: Vec<String> = missing.iter().map(|a| name_of(a)).collect();
    let verb = if named.len() == 1 { "has" } else { "have" };
    fail(format!("{} {verb} no login URI: {}", plural(named.len(), "application"), names(&named)), capped(rows))
}

/// Why a grant type is risky, if it is.
fn risky(grant: &str) -> Option<&'static str> {
    if grant.starts_with(LEGACY_GRANT_PREFIX) {
        Some("a legacy grant")
    } else if RISKY_GRANTS.contains(&grant) {
        Some(if grant == "implicit" { "implicit" } else { "password" })
    } else {
        None
    }
}

pub fn grant_types(cx: &Cx) -> Decided {
    let apps = apps(cx)?;
    let (mut flagged, mut rows_flagged, mut rows_other) = (Vec::new(), Vec::new(), Vec::new());
    for app in &apps {
        let grants: Vec<&str> = strings(&app["grant_types"]).collect();
        let mut why: Vec<&str> = grants.iter().filter_map(|g| risky(g)).collect();
        why.sort_unstable();
        why.dedup();
        let row = ev(
            CLIENTS,
            format!("clients[{}].grant_types", name_of(app)),
            if grants.is_empty() { "none".to_string() } else { grants.join(", ") },
        );
        if why.is_empty() {
            rows_other.push(row);
        } else {
            flagged.push(format!("{} allows {}", name_of(app), why.join(" and ")));
            rows_flagged.push(row);
        }
    }
    rows_flagged.extend(rows_other);
    let rows = capped(rows_flagged);
    if flagged.is_empty() {
        manual(format!("Check the grant types of {} are all needed", plural(apps.len(), "application")), rows)
    } else {
        warn(names(&flagged), rows)
    }
}

pub fn client_ids(cx: &Cx) -> Decided {
    let apps = apps(cx)?;
    let rows: Vec<Evidence> = apps
        .iter()
        .map(|a| {
            let kind = if text(a, "app_type").is_empty() { "no type" } else { text(a, "app_type") };
            ev(CLIENTS, format!("clients[{}]", name_of(a)), format!("{} ({kind})", text(a, "client_id")))
        })
        .collect();
    manual(
        format!("Compare the client IDs of {} with their configuration", plural(apps.len(), "application")),
        capped(rows),
    )
}

pub fn api_tokens(cx: &Cx) -> Decided {
    let mut apis: Vec<&Value> =
        cx.list("resource_servers")?.iter().filter(|a| a["is_system"].as_bool() != Some(true)).collect();
    apis.sort_by(|a, b| (name_of(a), text(a, "identifier")).cmp(&(name_of(b), text(b, "identifier"))));
    if apis.is_empty() {
        let row = ev(RESOURCE_SERVERS, "resource_servers", "system APIs only");
        return not_applicable("No API of your own: only Auth0's system APIs", vec![row]);
    }
    let rows = apis
        .iter()
        .map(|a| {
            let lifetime = a["token_lifetime"].as_i64().map_or("not set".into(), |s| format!("{s} s"));
            let value =
                format!("token_lifetime {lifetime}, allow_offline_access {}", json(a.get("allow_offline_access")));
            ev(RESOURCE_SERVERS, format!("resource_servers[{}]", name_of(a)), value)
        })
        .collect();
    let offline: Vec<String> =
        apis.iter().filter(|a| a["allow_offline_access"].as_bool() == Some(true)).map(|a| name_of(a)).collect();
    let mut summary = format!("Review the token lifetimes of {}", plural(apis.len(), "API"));
    if !offline.is_empty() {
        summary.push_str(&format!("; offline access on {}", names(&offline)));
    }
    manual(summary, capped(rows))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::{good, on, verdict};
    use crate::checklists::model::Verdict;

    #[test]
    fn localhost_fails_and_wildcards_warn() {
        let mut snap = good();
        assert_eq!(verdict(&snap, "no-localhost"), Verdict::Pass);
        snap["clients"][1]["web_origins"] = json!(["https://*.acme.example"]);
        let f = on(&snap, "no-localhost");
        assert_eq!((f.verdict, f.summary.as_str()), (Verdict::Warn, "1 application allows wildcard URLs: Admin SPA"));
        snap["clients"][0]["callbacks"] = json!(["https://app.acme.example/cb", "http://localhost:3000/callback"]);
        snap["clients"][1]["allowed_origins"] = json!(["http://127.0.0.1:8080"]);
        let f = on(&snap, "no-localhost");
        assert_eq!(f.verdict, Verdict::Fail);
        assert_eq!(f.summary, "2 applications allow localhost: Admin SPA, Web app; wildcards in Admin SPA");
        assert_eq!(f.evidence[1].field, "clients[Web app].callbacks");
        assert_eq!(f.evidence[1].value, "http://localhost:3000/callback");
    }

    #[test]
    fn hs256_applications_and_apis_fail() {
        let mut snap = good();
        assert_eq!(on(&snap, "rs256").summary, "Applications and APIs sign tokens with RS256");
        snap["clients"][0]["jwt_alg"] = json!("HS256");
        snap["resource_servers"][1]["signing_alg"] = json!("HS256");
        let f = on(&snap, "rs256");
        assert_eq!(f.verdict, Verdict::Fail);
        assert_eq!(f.summary, "1 application signs with HS256: Web app; 1 API signs with HS256: Orders API");
    }

    #[test]
    fn interactive_applications_need_a_login_uri() {
        let mut snap = good();
        assert_eq!(verdict(&snap, "app-login-uri"), Verdict::Pass);
        snap["clients"][1].as_object_mut().expect("an object").remove("initiate_login_uri");
        let f = on(&snap, "app-login-uri");
        assert_eq!((f.verdict, f.summary.as_str()), (Verdict::Fail, "1 application has no login URI: Admin SPA"));
        assert_eq!(f.evidence[0].value, "not set");
        snap["clients"] = json!([snap["clients"][2].clone()]);
        assert_eq!(verdict(&snap, "app-login-uri"), Verdict::NotApplicable);
    }

    #[test]
    fn risky_grant_types_turn_the_sign_off_into_a_warning() {
        let mut snap = good();
        let f = on(&snap, "grant-types");
        assert_eq!(f.verdict, Verdict::Manual);
        assert_eq!(f.evidence[0].field, "clients[Admin SPA].grant_types", "sorted by name");
        snap["clients"][0]["grant_types"] = json!(["implicit", "password", "authorization_code"]);
        snap["clients"][2]["grant_types"] = json!(["http://auth0.com/oauth/legacy/grant-type/ro"]);
        let f = on(&snap, "grant-types");
        assert_eq!(f.verdict, Verdict::Warn);
        assert_eq!(f.summary, "Orders worker allows a legacy grant, Web app allows implicit and password");
        assert_eq!(f.evidence[0].value, "http://auth0.com/oauth/legacy/grant-type/ro", "flagged first");
    }

    #[test]
    fn client_ids_and_api_tokens_list_their_evidence() {
        let mut snap = good();
        let f = on(&snap, "client-ids");
        assert_eq!(f.verdict, Verdict::Manual);
        assert_eq!(
            (f.evidence[2].field.as_str(), f.evidence[2].value.as_str()),
            ("clients[Web app]", "webapp01 (regular_web)")
        );
        let f = on(&snap, "api-tokens");
        assert_eq!(f.evidence.len(), 1, "the system API is left out");
        assert_eq!(f.evidence[0].value, "token_lifetime 86400 s, allow_offline_access true");
        assert_eq!(f.summary, "Review the token lifetimes of 1 API; offline access on Orders API");
        snap["resource_servers"] = json!([snap["resource_servers"][0].clone()]);
        assert_eq!(verdict(&snap, "api-tokens"), Verdict::NotApplicable);
    }
}
