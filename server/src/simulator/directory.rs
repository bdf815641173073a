//! The simulator's connections and Actions, in the Management API's shapes: `GET /api/v2/connections` (a plain
//! array, `strategy` and `name` filters, offset pages of at most 100, `options` only for a token with
//! `read:connections_options`) and `GET /api/v2/actions/actions` (`{actions, total, page, per_page}`), and the
//! `fields` / `include_fields` selection the Management API applies to an object answer.

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

    /// A social connection (no options of interest).
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
