//! What a snapshot keeps of each Management API answer. Secrets never: of the email provider's credentials only
//! the SMTP host and port; of a log stream's sink only where it sends (an HTTP endpoint's origin, a Splunk host and
//! port); of a connection its name, strategy and — for a custom database — which scripts it has and the origins
//! their code names (never the code, never `configuration`), for SAML when the identity provider's certificate
//! expires and whether requests are signed (never the certificate); of an Action its name, triggers, state and the origins
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
        if raw.get("strategy").and_then(Value::as_str) == Some("samlp") {
            // When the identity provider's signing certificate expires, and whether requests to it are signed.
            let expires = options
                .get("expires")
                .and_then(Value::as_str)
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&chrono::Utc).to_rfc3339())
                .or_else(|| options.get("signingCert").and_then(Value::as_str).and_then(saml_cert_expiry));
            kept["cert_expires"] = expires.map_or(Value::Null, Value::String);
            kept["sign_saml_request"] =
                Value::Bool(options.get("signSAMLRequest").and_then(Value::as_bool).unwrap_or(false));
        }
        // A social connection's own OAuth client id (public; empty = Auth0's developer keys). Never its secret.
        kept["client_id"] = options
            .get("client_id")
            .and_then(Value::as_str)
            .map_or(Value::Null, |id| Value::String(crate::text::cut(id, 200).to_string()));
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

/// The fields of an application the snapshot asks for (so a client secret or key is never even sent) and keeps.
pub const CLIENT_FIELDS: &str = "client_id,name,app_type,is_first_party,global,grant_types,callbacks,allowed_origins,\
web_origins,allowed_logout_urls,initiate_login_uri,jwt_configuration,token_endpoint_auth_method,oidc_conformant,\
cross_origin_authentication,refresh_token";

/// Only the named top-level fields of an object.
fn pick(raw: &Value, fields: &[&str]) -> Value {
    Value::Object(fields.iter().filter_map(|f| raw.get(*f).map(|v| (f.to_string(), v.clone()))).collect())
}

/// One application: what the readiness items read (URLs, grants, signing algorithm, refresh-token policy).
pub fn client(raw: &Value) -> Value {
    let fields: Vec<&str> =
        CLIENT_FIELDS.split(',').filter(|f| !matches!(*f, "jwt_configuration" | "refresh_token")).collect();
    let mut kept = pick(raw, &fields);
    if let Some(alg) = raw.pointer("/jwt_configuration/alg") {
        kept["jwt_alg"] = alg.clone();
    }
    if let Some(refresh) = raw.get("refresh_token") {
        kept["refresh_token"] =
            pick(refresh, &["rotation_type", "expiration_type", "token_lifetime", "idle_token_lifetime"]);
    }
    kept
}

/// One rule (legacy): never its script.
pub fn rule(raw: &Value) -> Value {
    pick(raw, &["id", "name", "enabled", "order", "stage"])
}

/// One hook (legacy): never its script or secrets.
pub fn hook(raw: &Value) -> Value {
    pick(raw, &["id", "name", "triggerId", "enabled"])
}

/// One API: never its signing secret.
pub fn resource_server(raw: &Value) -> Value {
    pick(
        raw,
        &[
            "id",
            "name",
            "identifier",
            "is_system",
            "signing_alg",
            "token_lifetime",
            "token_lifetime_for_web",
            "allow_offline_access",
            "skip_consent_for_verifiable_first_party_clients",
            "enforce_policies",
            "token_dialect",
        ],
    )
}

/// One MFA factor.
pub fn factor(raw: &Value) -> Value {
    pick(raw, &["name", "enabled", "trial_expired"])
}

/// One attack-protection setting; of its allow-list only how many entries it has.
pub fn attack_protection(raw: &Value) -> Value {
    let mut kept = pick(raw, &["enabled", "shields", "mode", "max_attempts", "method", "admin_notification_frequency"]);
    if let Some(list) = raw.get("allowlist").and_then(Value::as_array) {
        kept["allowlist_size"] = json!(list.len());
    }
    kept
}

/// The Universal Login prompt settings.
pub fn prompts(raw: &Value) -> Value {
    pick(raw, &["universal_login_experience", "identifier_first", "webauthn_platform_first_factor"])
}

/// The templates the readiness checklist asks about (read one by one: 404 means never customized).
pub const EMAIL_TEMPLATES: [&str; 5] =
    ["verify_email", "reset_email", "welcome_email", "blocked_account", "stolen_credentials"];

/// When a PEM certificate stops being valid (RFC 3339), if it can be read.
fn not_after(pem: &str) -> Option<String> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).ok()?;
    let cert = pem.parse_x509().ok()?;
    chrono::DateTime::<chrono::Utc>::from_timestamp(cert.validity().not_after.timestamp(), 0).map(|t| t.to_rfc3339())
}

/// When a SAML connection's `signingCert` (Base64 of the PEM text, or of the DER) stops being valid (RFC 3339).
fn saml_cert_expiry(signing_cert: &str) -> Option<String> {
    use base64::Engine;
    let cleaned: String = signing_cert.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD.decode(crate::text::cut(&cleaned, 20_000)).ok()?;
    match std::str::from_utf8(&bytes) {
        Ok(pem) if pem.contains("-----BEGIN") => not_after(pem),
        _ => {
            let (_, cert) = x509_parser::parse_x509_certificate(&bytes).ok()?;
            chrono::DateTime::<chrono::Utc>::from_timestamp(cert.validity().not_after.timestamp(), 0)
                .map(|t| t.to_rfc3339())
        }
    }
}

/// One signing key: its state and when its certificate expires (never the certificate itself).
pub fn signing_key(raw: &Value) -> Value {
    let mut kept =
        pick(raw, &["kid", "current", "next", "previous", "current_since", "current_until", "revoked", "revoked_at"]);
    if let Some(expires) = raw.get("cert").and_then(Value::as_str).and_then(not_after) {
        kept["expires_at"] = Value::String(expires);
    }
    kept
}

/// One email template: whether it was customized, and its sender and subject (never the body).
pub fn email_template(raw: &Value) -> Value {
    let mut kept = pick(raw, &["template", "enabled", "from", "subject", "syntax"]);
    kept["customized"] = Value::Bool(true);
    kept
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
    fn applications_apis_and_legacy_code_keep_no_secret() {
        let app = json!({"client_id": "c1", "name": "Web", "app_type": "spa", "client_secret": "s3cret",
            "signing_keys": [{"cert": "x"}], "encryption_key": {"pub": "k"}, "callbacks": ["http://localhost:3000"],
            "jwt_configuration": {"alg": "HS256", "lifetime_in_seconds": 36000},
            "refresh_token": {"rotation_type": "rotating", "expiration_type": "expiring", "leeway": 0}});
        let kept = client(&app);
        assert_eq!(
            (kept["jwt_alg"].as_str(), kept["callbacks"][0].as_str()),
            (Some("HS256"), Some("http://localhost:3000"))
        );
        assert_eq!(kept["refresh_token"], json!({"rotation_type": "rotating", "expiration_type": "expiring"}));
        let api = json!({"identifier": "https://api", "signing_alg": "HS256", "signing_secret": "shh"});
        let r = json!({"name": "r", "enabled": true, "script": "function (user, ctx, cb) { var KEY = 'abc'; }"});
        let h = json!({"name": "h", "triggerId": "post-user-registration", "enabled": false, "script": "x", "secrets": {"A": "b"}});
        let shield = json!({"enabled": true, "shields": ["block"], "allowlist": ["10.0.0.1", "10.0.0.2"]});
        let all = [kept, resource_server(&api), rule(&r), hook(&h), attack_protection(&shield)]
            .map(|v| v.to_string())
            .join(" ");
        for secret in ["s3cret", "signing_keys", "encryption_key", "shh", "abc", "\"b\"", "10.0.0.1"] {
            assert!(!all.contains(secret), "{secret} kept: {all}");
        }
        assert!(all.contains("\"allowlist_size\":2"));
    }

    #[test]
    fn a_signing_key_keeps_when_it_expires_and_a_template_its_sender_never_the_body() {
        let until = chrono::Utc::now() + chrono::Duration::days(40);
        let keys = SimTenant::signing_keys("acme.example", until);
        let kept = signing_key(&keys[0]);
        assert_eq!((kept["kid"].as_str(), kept["current"].as_bool()), (Some("sim-current"), Some(true)));
        assert_eq!(kept["expires_at"].as_str().map(|t| &t[..10]), Some(until.format("%Y-%m-%d").to_string().as_str()));
        assert!(!kept.to_string().contains("BEGIN"), "the certificate is not kept");
        let t = email_template(&SimTenant::email_template("verify_email", "Acme <id@acme.example>", "Verify"));
        assert_eq!(
            t,
            json!({"template": "verify_email", "enabled": true, "from": "Acme <id@acme.example>",
            "subject": "Verify", "syntax": "liquid", "customized": true})
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
