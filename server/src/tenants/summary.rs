//! The tenant page's words for what a snapshot read of a tenant's configuration (applications, APIs, connections,
//! Actions, rules and hooks, MFA, attack protection, Universal Login), and for the parts it could not read.

use serde_json::Value;

fn count(list: &Value, what: &str) -> String {
    let n = list.as_array().map_or(0, Vec::len);
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn on_off(v: &Value) -> &'static str {
    match v.get("enabled").and_then(Value::as_bool) {
        Some(true) => "on",
        Some(false) => "off",
        None => "unknown",
    }
}

/// (part, summary) for each part the snapshot holds, and "part: why" for each it could not read.
pub fn configuration(data: &Value) -> (Vec<(String, String)>, Vec<String>) {
    let mut shown = Vec::new();
    let mut part = |label: &str, key: &str, words: &dyn Fn(&Value) -> String| {
        if !data[key].is_null() {
            shown.push((label.to_string(), words(&data[key])));
        }
    };
    let enabled = |list: &Value| list.as_array().map_or(0, |l| l.iter().filter(|x| x["enabled"] == true).count());
    part("Applications", "clients", &|v| count(v, "application"));
    part("APIs", "resource_servers", &|v| count(v, "API"));
    part("Connections", "connections", &|v| {
        let custom = v.as_array().map_or(0, |l| l.iter().filter(|c| c["custom_database"] == true).count());
        format!("{} ({custom} custom database{})", count(v, "connection"), if custom == 1 { "" } else { "s" })
    });
    part("Actions", "actions", &|v| count(v, "Action"));
    part("Rules (end of life)", "rules", &|v| format!("{}, {} enabled", count(v, "rule"), enabled(v)));
    part("Hooks (end of life)", "hooks", &|v| format!("{}, {} enabled", count(v, "hook"), enabled(v)));
    part("MFA factors on", "guardian_factors", &|v| {
        let on: Vec<&str> = v
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["enabled"] == true)
            .filter_map(|f| f["name"].as_str())
            .collect();
        if on.is_empty() { "none".into() } else { on.join(", ") }
    });
    part("Attack protection", "attack_protection", &|v| {
        format!(
            "brute force {}, breached passwords {}, suspicious IP throttling {}",
            on_off(&v["brute_force"]),
            on_off(&v["breached_passwords"]),
            on_off(&v["suspicious_ip_throttling"])
        )
    });
    part("Universal Login", "prompts", &|v| v["universal_login_experience"].as_str().unwrap_or("unknown").to_string());
    part("SMS provider", "sms_provider", &|v| v.as_str().unwrap_or("unknown").to_string());
    part("Signing key", "signing_keys", &|v| {
        let current = v.as_array().into_iter().flatten().find(|k| k["current"] == true);
        match current.and_then(|k| k["expires_at"].as_str()) {
            Some(at) => format!("current certificate expires {}", at.get(..10).unwrap_or(at)),
            None => "no current key read".into(),
        }
    });
    part("Email templates customized", "email_templates", &|v| {
        let all = v.as_array().map_or(0, Vec::len);
        let done: Vec<&str> = v
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| t["customized"] == true)
            .filter_map(|t| t["template"].as_str())
            .collect();
        format!(
            "{} of {all}{}",
            done.len(),
            if done.is_empty() { String::new() } else { format!(" ({})", done.join(", ")) }
        )
    });
    let mut unknown: Vec<String> = data["missing_scopes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|scope| format!("needs {scope}"))
        .collect();
    for (part, why) in data["unavailable"].as_object().into_iter().flatten() {
        unknown.push(format!("{part}: {}", why.as_str().unwrap_or("not served")));
    }
    (shown, unknown)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn each_part_read_is_said_in_words_and_each_gap_with_its_reason() {
        let data = json!({
            "clients": [{"name": "a"}, {"name": "b"}],
            "connections": [{"name": "db", "custom_database": true}],
            "actions": null,
            "rules": [{"enabled": true}, {"enabled": false}],
            "guardian_factors": [{"name": "otp", "enabled": true}, {"name": "sms", "enabled": false}],
            "attack_protection": {"brute_force": {"enabled": true}, "breached_passwords": {"enabled": false}, "suspicious_ip_throttling": null},
            "prompts": {"universal_login_experience": "new"},
            "signing_keys": [{"kid": "a", "current": true, "expires_at": "2027-09-29T00:00:00+00:00"}],
            "email_templates": [{"template": "verify_email", "customized": true}, {"template": "reset_email", "customized": false}],
            "missing_scopes": ["read:actions"],
            "unavailable": {"hooks": "not found: feature_unavailable"}
        });
        let (shown, unknown) = configuration(&data);
        let words: Vec<String> = shown.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        assert_eq!(
            words,
            [
                "Applications: 2 applications",
                "Connections: 1 connection (1 custom database)",
                "Rules (end of life): 2 rules, 1 enabled",
                "MFA factors on: otp",
                "Attack protection: brute force on, breached passwords off, suspicious IP throttling unknown",
                "Universal Login: new",
                "Signing key: current certificate expires 2027-09-29",
                "Email templates customized: 1 of 2 (verify_email)",
            ]
        );
        assert_eq!(unknown, ["needs read:actions", "hooks: not found: feature_unavailable"]);
        assert_eq!(configuration(&Value::Null), (Vec::new(), Vec::new()), "an old snapshot shows what it has");
    }
}
