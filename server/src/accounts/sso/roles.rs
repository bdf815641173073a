//! From a roles or groups claim to a console role: pure, so every shape a provider sends is tested here.

use serde_json::Value;

use app::accounts::Role;

/// The most values read from one claim (a groups claim can be long; the rest are ignored).
const MAX_VALUES: usize = 200;
/// The longest value kept.
const MAX_VALUE_CHARS: usize = 256;

/// The claim's values: an array of strings (Auth0's roles added by an Action, Okta's and Entra ID's groups) or one
/// string (space- or comma-separated, as some providers send a single role). Anything else reads as no value.
pub fn claim_values(claim: Option<&Value>) -> Vec<String> {
    let values: Vec<String> = match claim {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        Some(Value::String(s)) => s.split([' ', ',']).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    values
        .into_iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty() && v.chars().count() <= MAX_VALUE_CHARS)
        .take(MAX_VALUES)
        .collect()
}

/// The highest role any value maps to. With no map, the role names themselves (`ops_lead`) are the values.
pub fn role_from(values: &[String], map: &[(String, Role)]) -> Option<Role> {
    values
        .iter()
        .filter_map(|value| {
            if map.is_empty() {
                Role::parse(value).ok()
            } else {
                map.iter().find(|(from, _)| from == value).map(|(_, role)| *role)
            }
        })
        .max()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn values(v: Value) -> Vec<String> {
        claim_values(Some(&v))
    }

    #[test]
    fn arrays_single_strings_and_lists_in_a_string_are_read() {
        assert_eq!(values(json!(["ops", "support"])), ["ops", "support"]);
        assert_eq!(values(json!("admin")), ["admin"]);
        assert_eq!(values(json!("ops support,  dev")), ["ops", "support", "dev"]);
        assert!(values(json!(42)).is_empty());
        assert!(values(json!({"role": "admin"})).is_empty());
        assert!(claim_values(None).is_empty());
        // Non-strings in an array are skipped, not fatal.
        assert_eq!(values(json!(["ops", 7, null, "  "])), ["ops"]);
        assert_eq!(values(json!((0..500).map(|i| format!("g{i}")).collect::<Vec<_>>())).len(), MAX_VALUES);
    }

    #[test]
    fn the_highest_mapped_role_wins() {
        let map =
            crate::config::sso::parse_map("tenantry-support=helpdesk, tenantry-ops=ops_lead, tenantry-dev=developer")
                .expect("map");
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(role_from(&v(&["tenantry-dev", "tenantry-ops", "unrelated"]), &map), Some(Role::OpsLead));
        assert_eq!(role_from(&v(&["unrelated"]), &map), None);
        // A value that is a role name means nothing when a map is set.
        assert_eq!(role_from(&v(&["admin"]), &map), None);
        assert_eq!(role_from(&v(&["admin", "helpdesk"]), &[]), Some(Role::Admin));
        assert_eq!(role_from(&[], &[]), None);
    }
}
