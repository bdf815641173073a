//! Field-level differences between two snapshots: `settings.support_email: a@x → b@x`.

use std::collections::BTreeMap;

use serde_json::Value;

/// One changed field; `None` means absent on that side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Longest value text kept in a change (long HTML templates are cut).
const MAX_TEXT: usize = 300;

/// Arrays of objects are keyed by these fields when present, so a reordered list is not a change.
const ID_FIELDS: &[&str] = &["domain", "id", "custom_domain_id", "name"];

/// A list of objects (applications, connections) flattened by name — ids differ between tenants, names are what
/// environments share — leaving out the `skip` fields and Auth0's global client; a list not read (no scope, an
/// old snapshot) says so once.
pub fn flatten_by_name(prefix: &str, list: &Value, skip: &[&str], out: &mut BTreeMap<String, String>) {
    let Some(items) = list.as_array() else {
        out.insert(format!("{prefix} (count)"), "not read".into());
        return;
    };
    let named: Vec<(&str, &serde_json::Map<String, Value>)> = items
        .iter()
        .filter(|i| i.get("global") != Some(&Value::Bool(true)))
        .filter_map(|i| Some((i.get("name")?.as_str()?, i.as_object()?)))
        .collect();
    out.insert(format!("{prefix} (count)"), named.len().to_string());
    for (name, fields) in named {
        for (key, value) in fields.iter().filter(|(k, _)| !skip.contains(&k.as_str())) {
            flatten(&format!("{prefix}[{name}].{key}"), value, out);
        }
    }
}

/// Flattens JSON into `path → text` (objects by key, lists of objects by their id field).
pub fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            if map.is_empty() {
                out.insert(prefix.to_string(), "{}".into());
            }
            for (k, v) in map {
                let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&path, v, out);
            }
        }
        Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                let id = ID_FIELDS.iter().find_map(|f| item.get(*f).and_then(Value::as_str)).map(str::to_string);
                let label = id.unwrap_or_else(|| i.to_string());
                flatten(&format!("{prefix}[{label}]"), item, out);
            }
        }
        Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

/// Cuts long text (HTML templates) for display.
pub fn cut(text: String) -> String {
    if text.chars().count() <= MAX_TEXT {
        text
    } else {
        let mut cut: String = text.chars().take(MAX_TEXT).collect();
        cut.push('…');
        cut
    }
}

/// The fields that differ, in path order.
pub fn diff(before: &Value, after: &Value) -> Vec<Change> {
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    flatten("", before, &mut a);
    flatten("", after, &mut b);
    let mut fields: Vec<&String> = a.keys().chain(b.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|f| a.get(*f) != b.get(*f))
        .map(|f| Change { field: f.clone(), before: a.get(f).cloned().map(cut), after: b.get(f).cloned().map(cut) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn applications_and_connections_are_compared_by_name_without_their_ids() {
        let clients = json!([
            {"client_id": "abc", "name": "Web", "app_type": "spa", "grant_types": ["implicit"]},
            {"client_id": "glob", "name": "All Applications", "global": true}
        ]);
        let mut out = BTreeMap::new();
        flatten_by_name("applications", &clients, &["client_id", "name"], &mut out);
        let keys: Vec<&str> = out.keys().map(String::as_str).collect();
        assert_eq!(keys, ["applications (count)", "applications[Web].app_type", "applications[Web].grant_types"]);
        assert_eq!(out["applications (count)"], "1", "Auth0's global client is not an application to compare");
        let mut unread = BTreeMap::new();
        flatten_by_name("connections", &Value::Null, &[], &mut unread);
        assert_eq!(unread.get("connections (count)").map(String::as_str), Some("not read"));
    }

    #[test]
    fn changes_are_reported_per_field_and_lists_are_matched_by_id() {
        let before = json!({
            "settings": {"support_email": "a@x", "flags": {"enable_sso": true}},
            "custom_domains": [{"domain": "login.a.com", "status": "pending_verification"}, {"domain": "b.com", "status": "ready"}],
            "email_provider": null
        });
        let after = json!({
            "settings": {"support_email": "b@x", "flags": {"enable_sso": true}},
            "custom_domains": [{"domain": "b.com", "status": "ready"}, {"domain": "login.a.com", "status": "ready"}],
            "email_provider": {"name": "sendgrid"}
        });
        let changes = diff(&before, &after);
        let shown: Vec<String> = changes
            .iter()
            .map(|c| {
                format!("{}: {} → {}", c.field, c.before.as_deref().unwrap_or("∅"), c.after.as_deref().unwrap_or("∅"))
            })
            .collect();
        assert_eq!(
            shown,
            [
                "custom_domains[login.a.com].status: pending_verification → ready",
                "email_provider: null → ∅",
                "email_provider.name: ∅ → sendgrid",
                "settings.support_email: a@x → b@x",
            ]
        );
        assert!(diff(&after, &after).is_empty());
    }
}
