//! What a snapshot keeps of each Management API answer. Secrets never: of the email provider's credentials only
//! the SMTP host and port; of a log stream's sink only where it sends (an HTTP endpoint's origin, a Splunk host and
//! port); of a connection its name, strategy and — for a custom database — which scripts it has and the origins
//! their code names (never the code, never `configuration`); of an Action its name, triggers, state and the origins
//! its code names (never the code, never its secrets). Origins are what the firewall guide needs.

use serde_json::{Map, Value, json};

/// The most origins kept for one script or Action.
const MAX_CALLS: usize = 20;
/// The most code read from one script or Action.
const MAX_CODE: usize = 200_000;

/// Whether the URL starting at `at` is a name rather than a call: a namespaced claim
/// (`api.idToken.setCustomClaim('https://acme.example/roles', …)`) or a property key (`context.idToken['https://…']`).
fn is_a_name(code: &str, at: usize) -> bool {
    let before = code[..at].trim_end_matches(['"', '\'', '`']).trim_end();
    before.ends_with('[') || before.ends_with("CustomClaim(")
}

/// The origins (`https://host[:port]`) an `http://` or `https://` URL in `code` names, in order, each once —
/// leaving out URLs that are names (claim namespaces, property keys), not calls.
pub fn calls_in(code: &str) -> Vec<String> {
    let code = crate::text::cut(code, MAX_CODE);
    let mut found: Vec<String> = Vec::new();
    let mut offset = 0;
    while let Some(at) = code[offset..].find("http") {
        let start = offset + at;
        let candidate = &code[start..];
        let end = candidate
            .find(|c: char| {
                c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ')' | '(' | ',' | ';' | '<' | '>' | '$' | '{' | '}')
            })
            .unwrap_or(candidate.len());
        if let Some((origin, _)) = crate::text::origin_of(&candidate[..end])
            && (candidate.starts_with("http://") || candidate.starts_with("https://"))
            && !found.contains(&origin)
            && !is_a_name(code, start)
        {
            found.push(origin);
            if found.len() == MAX_CALLS {
                break;
            }
        }
        offset = start + 4;
    }
    found
}

/// The email provider without its credentials, but the SMTP host and port.
pub fn email_provider(mut raw: Value) -> Value {
    if let Some(map) = raw.as_object_mut() {
        let credentials = map.remove("credentials");
        map.remove("settings");
        let kept: Map<String, Value> = credentials
            .as_ref()
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(k, _)| matches!(k.as_str(), "smtp_host" | "smtp_port"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !kept.is_empty() {
            map.insert("credentials".into(), Value::Object(kept));
        }
    }
    raw
}

/// Log streams with only where each sends.
pub fn log_streams(mut raw: Value) -> Value {
    for stream in raw.as_array_mut().into_iter().flatten() {
        if let Some(map) = stream.as_object_mut() {
            let sink = map.remove("sink");
            let at = |key: &str| sink.as_ref().and_then(|s| s.get(key)).cloned();
            let mut kept = Map::new();
            if let Some((origin, _)) =
                at("httpEndpoint").as_ref().and_then(Value::as_str).and_then(crate::text::origin_of)
            {
                kept.insert("httpEndpoint".into(), Value::String(origin));
            }
            for key in ["splunkDomain", "splunkPort"] {
                if let Some(v) = at(key).filter(|v| v.is_string() || v.is_number()) {
                    kept.insert(key.into(), v);
                }
            }
            if !kept.is_empty() {
                map.insert("sink".into(), Value::Object(kept));
            }
        }
    }
    raw
}

fn text(v: &Value, key: &str) -> Value {
    v.get(key)
        .and_then(Value::as_str)
        .map(|s| Value::String(crate::text::cut(s, 200).to_string()))
        .unwrap_or(Value::Null)
}

/// One connection: name, strategy, and for a database whether it is a custom database (`null` without
/// `read:connections_options`), its scripts' names and what they call.
pub fn connection(raw: &Value) -> Value {
    let mut kept = json!({"id": text(raw, "id"), "name": text(raw, "name"), "strategy": text(raw, "strategy")});
    if let Some(options) = raw.get("options").and_then(Value::as_object) {
        kept["custom_database"] = options.get("enabledDatabaseCustomization").cloned().unwrap_or(Value::Bool(false));
        let scripts: Vec<(&String, &str)> = options
            .get("customScripts")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(name, code)| code.as_str().filter(|c| !c.trim().is_empty()).map(|c| (name, c)))
            .collect();
        if !scripts.is_empty() {
            kept["scripts"] = scripts.iter().map(|(name, _)| Value::String(name.to_string())).collect();
            let mut calls: Vec<String> = Vec::new();
            for (_, code) in &scripts {
                for origin in calls_in(code) {
                    if !calls.contains(&origin) && calls.len() < MAX_CALLS {
                        calls.push(origin);
                    }
                }
            }
            kept["calls"] = calls.into_iter().map(Value::String).collect();
        }
    }
    kept
}

/// One Action: name, triggers, build state, whether every change is deployed, and what its code calls.
pub fn action(raw: &Value) -> Value {
    let triggers: Vec<Value> = raw
        .get("supported_triggers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| text(t, "id"))
        .filter(|t| !t.is_null())
        .collect();
    let calls: Vec<Value> = raw
        .get("code")
        .and_then(Value::as_str)
        .map(calls_in)
        .unwrap_or_default()
        .into_iter()
        .map(Value::String)
        .collect();
    json!({
        "id": text(raw, "id"),
        "name": text(raw, "name"),
        "triggers": triggers,
        "status": text(raw, "status"),
        "runtime": text(raw, "runtime"),
        "deployed": raw.pointer("/deployed_version/deployed").and_then(Value::as_bool).unwrap_or(false),
        "all_changes_deployed": raw.get("all_changes_deployed").and_then(Value::as_bool),
        "calls": calls,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulator::SimTenant;

    #[test]
    fn urls_in_code_become_origins_once_each_and_nothing_else_is_kept() {
        let code = r#"const r = await axios.post("https://users.acme.example/v1/login?key=" + KEY, body);
            fetch(`https://users.acme.example/v1/user/${id}`); request('http://10.2.3.4:8080/legacy');
            // see https://auth0.com/docs and httpfoo and "http:/broken"
            const url = `${base}/x`; ws('wss://not.http.example');
            api.idToken.setCustomClaim('https://claims.acme.example/roles', roles);
            context.idToken['https://claims.acme.example/groups'] = groups;
            api.accessToken.setCustomClaim(
                "https://claims.acme.example/tier", tier);"#;
        assert_eq!(calls_in(code), ["https://users.acme.example", "http://10.2.3.4:8080", "https://auth0.com"]);
        let many: String = (0..50).map(|n| format!("https://h{n}.example/ ")).collect();
        assert_eq!(calls_in(&many).len(), MAX_CALLS);
    }

    #[test]
    fn a_custom_database_keeps_script_names_and_origins_never_code_or_configuration() {
        let raw = SimTenant::database_connection(
            "legacy-users",
            &[
                (
                    "login",
                    "function login(e, p, cb) { request.post('https://users.acme.example/login', {key: configuration.API_KEY}) }",
                ),
                ("get_user", ""),
            ],
        );
        let kept = connection(&raw);
        assert_eq!(kept["name"], "legacy-users");
        assert_eq!(kept["custom_database"], true);
        assert_eq!(kept["scripts"], json!(["login"]));
        assert_eq!(kept["calls"], json!(["https://users.acme.example"]));
        let text = kept.to_string();
        assert!(!text.contains("sim-connection-secret") && !text.contains("function login"), "{text}");
        let mut without_options = raw.clone();
        without_options.as_object_mut().map(|m| m.remove("options"));
        assert!(
            connection(&without_options).get("custom_database").is_none(),
            "unknown without read:connections_options"
        );
    }

    #[test]
    fn an_action_keeps_its_triggers_state_and_origins_never_code_or_secrets() {
        let raw = SimTenant::action(
            "Enrich profile",
            "post-login",
            "await fetch('https://crm.acme.example:8443/p', {headers: {a: event.secrets.API_TOKEN}})",
        );
        let kept = action(&raw);
        assert_eq!(kept["triggers"], json!(["post-login"]));
        assert_eq!((kept["status"].as_str(), kept["deployed"].as_bool()), (Some("built"), Some(true)));
        assert_eq!(kept["calls"], json!(["https://crm.acme.example:8443"]));
        assert!(!kept.to_string().contains("API_TOKEN") && !kept.to_string().contains("fetch("));
    }
}
