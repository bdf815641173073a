//! The simulator's tenant configuration beyond its settings, in the Management API's shapes: `GET
//! /api/v2/connections` (a plain array, `strategy` and `name` filters, offset pages of at most 100, `options` only
//! for a token with `read:connections_options`), `GET /api/v2/actions/actions` (`{actions, total, page,
//! per_page}`), applications, APIs, rules, hooks, MFA factors, attack protection and prompts, and the `fields` /
//! `include_fields` selection the Management API applies to an object (or to each object of a list).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::SimTenant;

/// 16 hex digits made from `name`, the same at every start (ids the console's snapshots compare).
fn stable_hex(name: &str) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hash::hash(name, &mut hasher);
    format!("{:016x}", std::hash::Hasher::finish(&hasher))
}

impl SimTenant {
    /// A database connection as Auth0 answers it; `scripts` (name, code) make it a custom database (its
    /// `configuration` holds a secret, as real ones do).
    pub fn database_connection(name: &str, scripts: &[(&str, &str)]) -> Value {
        let custom = !scripts.is_empty();
        let scripts: serde_json::Map<String, Value> =
            scripts.iter().map(|(k, v)| (k.to_string(), Value::String(v.to_string()))).collect();
        json!({
            "id": format!("con_{}", stable_hex(name)),
            "options": {
                "mfa": {"active": true, "return_enroll_settings": true},
                "import_mode": false,
                "customScripts": scripts,
                "disable_signup": false,
                "passwordPolicy": "good",
                "brute_force_protection": true,
                "enabledDatabaseCustomization": custom,
                "configuration": if custom { json!({"API_KEY": "sim-connection-secret"}) } else { json!({}) },
                "strategy_version": 2
            },
            "strategy": "auth0",
            "name": name,
            "is_domain_connection": false,
            "realms": [name]
        })
    }

    /// A social connection on Auth0's developer keys (no client id of its own).
    pub fn social_connection(strategy: &str) -> Value {
        json!({
            "id": format!("con_{strategy}0000000000"),
            "options": {"scope": ["email", "profile"], "client_id": "", "client_secret": ""},
            "strategy": strategy,
            "name": strategy,
            "is_domain_connection": false,
            "realms": [strategy]
        })
    }

    /// An Action bound to `trigger`, built and deployed, with one secret (its value is never returned).
    pub fn action(name: &str, trigger: &str, code: &str) -> Value {
        json!({
            "id": format!("act_{}", stable_hex(name)),
            "name": name,
            "supported_triggers": [{"id": trigger, "version": "v3"}],
            "created_at": "2026-10-01T09:00:00.000Z",
            "updated_at": "2026-11-20T14:30:00.000Z",
            "code": code,
            "dependencies": [{"name": "axios", "version": "1.7.7"}],
            "runtime": "node22",
            "status": "built",
            "secrets": [{"name": "API_TOKEN", "updated_at": "2026-10-01T09:00:00.000Z"}],
            "deployed_version": {"id": "ver_1", "deployed": true, "number": 3, "status": "built", "runtime": "node22"},
            "all_changes_deployed": true
        })
    }
}

impl SimTenant {
    /// A new tenant's applications: the Default App (a regular web app) and the console's own machine-to-machine
    /// application, each with the secrets Auth0 holds for it.
    pub fn default_clients(console_client_id: &str) -> Vec<Value> {
        let app = |id: &str, name: &str, app_type: &str, grants: &[&str]| {
            json!({
                "client_id": id, "name": name, "app_type": app_type, "is_first_party": true, "global": false,
                "client_secret": format!("{id}-client-secret-held-by-auth0"),
                "signing_keys": [{"cert": "-----BEGIN CERTIFICATE-----\nMIIsim\n-----END CERTIFICATE-----", "subject": "/CN=sim"}],
                "grant_types": grants, "callbacks": [], "allowed_origins": [], "web_origins": [], "allowed_logout_urls": [],
                "jwt_configuration": {"alg": "RS256", "lifetime_in_seconds": 36000, "secret_encoded": false},
                "token_endpoint_auth_method": "client_secret_post", "oidc_conformant": true,
                "cross_origin_authentication": false,
                "refresh_token": {"rotation_type": "non-rotating", "expiration_type": "non-expiring", "leeway": 0,
                                  "token_lifetime": 2592000, "infinite_token_lifetime": true}
            })
        };
        vec![
            app(
                "defaultapp0000000000000000000000",
                "Default App",
                "regular_web",
                &["authorization_code", "implicit", "refresh_token", "client_credentials"],
            ),
            app(console_client_id, "Tenantry (read-only)", "non_interactive", &["client_credentials"]),
        ]
    }

    /// The Auth0 Management API every tenant has (a system API).
    pub fn management_api(domain: &str) -> Value {
        json!({
            "id": "rs_management", "name": "Auth0 Management API", "identifier": format!("https://{domain}/api/v2/"),
            "is_system": true, "signing_alg": "RS256", "token_lifetime": 86400, "token_lifetime_for_web": 7200,
            "allow_offline_access": false, "skip_consent_for_verifiable_first_party_clients": false,
            "enforce_policies": false, "token_dialect": "access_token"
        })
    }

    /// A new tenant's MFA factors: every one off.
    pub fn default_factors() -> Vec<Value> {
        ["sms", "push-notification", "email", "duo", "otp", "webauthn-roaming", "webauthn-platform", "recovery-code"]
            .iter()
            .map(|name| json!({"name": name, "enabled": false, "trial_expired": false}))
            .collect()
    }

    /// A new tenant's attack protection: brute force and suspicious-IP throttling on, breached passwords off.
    pub fn default_attack_protection() -> Value {
        json!({
            "brute-force-protection": {"enabled": true, "shields": ["block", "user_notification"], "mode": "count_per_identifier_and_ip", "allowlist": [], "max_attempts": 10},
            "breached-password-detection": {"enabled": false, "shields": [], "admin_notification_frequency": ["immediately"], "method": "standard", "stage": {"pre-user-registration": {"shields": []}}},
            "suspicious-ip-throttling": {"enabled": true, "shields": ["admin_notification", "block"], "allowlist": [], "stage": {"pre-login": {"max_attempts": 100, "rate": 864000}, "pre-user-registration": {"max_attempts": 50, "rate": 1200}}}
        })
    }
}

/// A page of `list` (`page`, `per_page` ≤ 100), each item narrowed by `fields` when asked.
pub fn paged(list: &[Value], query: &HashMap<String, String>) -> Value {
    let (page, per_page) = page_of(query);
    Value::Array(list.iter().skip(page * per_page).take(per_page).map(|v| select_fields(v.clone(), query)).collect())
}

fn page_of(query: &HashMap<String, String>) -> (usize, usize) {
    let per_page = query.get("per_page").and_then(|t| t.parse::<usize>().ok()).unwrap_or(50).clamp(1, 100);
    (query.get("page").and_then(|t| t.parse::<usize>().ok()).unwrap_or(0), per_page)
}

/// `GET /api/v2/connections`; `options`: whether the token may read them.
pub fn connections(tenant: &SimTenant, query: &HashMap<String, String>, options: bool) -> Value {
    let (page, per_page) = page_of(query);
    let wanted = |c: &&Value, key: &str| query.get(key).is_none_or(|v| c[key].as_str() == Some(v.as_str()));
    let list: Vec<Value> = tenant
        .connections
        .iter()
        .filter(|c| wanted(c, "strategy") && wanted(c, "name"))
        .skip(page * per_page)
        .take(per_page)
        .map(|c| {
            let mut c = c.clone();
            if !options && let Some(map) = c.as_object_mut() {
                map.remove("options");
            }
            c
        })
        .collect();
    Value::Array(list)
}

/// `GET /api/v2/actions/actions`.
pub fn actions(tenant: &SimTenant, query: &HashMap<String, String>) -> Value {
    let (page, per_page) = page_of(query);
    let list: Vec<Value> = tenant.actions.iter().skip(page * per_page).take(per_page).cloned().collect();
    json!({"actions": list, "total": tenant.actions.len(), "page": page, "per_page": per_page})
}

/// `fields=a,b&include_fields=true` (the default) keeps only those top-level fields of an object; `false` drops them.
pub fn select_fields(value: Value, query: &HashMap<String, String>) -> Value {
    let Some(fields) = query.get("fields") else { return value };
    let named: Vec<&str> = fields.split(',').map(str::trim).collect();
    let include = query.get("include_fields").is_none_or(|v| v != "false");
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(k, _)| named.contains(&k.as_str()) == include).collect())
        }
        other => other,
    }
}
