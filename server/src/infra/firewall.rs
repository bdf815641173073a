//! The firewall guide of one tenant: what Auth0 calls into the company's network, read from the tenant's latest
//! snapshot — the SMTP server of an `smtp` email provider, the endpoints of HTTP and Splunk log streams, the
//! custom databases and the Actions with the origins their code names — with the ports to open and the ranges of
//! the tenant's region. Code can call what it does not spell out (a URL built at run time, a library, a secret):
//! each custom database and Action is listed even without a URL, and a part the snapshot could not read for lack
//! of a scope says which.

use app::infra::{FirewallEntry, FirewallRow};
use serde_json::Value;

use super::repo::TenantRow;

fn entry(what: &str, target: String, ports: String, note: &str) -> FirewallEntry {
    FirewallEntry { what: what.to_string(), target, ports, note: note.to_string() }
}

/// The guide for one tenant; `ranges` = how many ranges its region has in the latest IP list.
pub fn guide(t: &TenantRow, ranges: Option<usize>) -> FirewallRow {
    let mut entries = Vec::new();
    if let Some(p) = t.provider.as_ref().filter(|p| p.get("name").and_then(Value::as_str) == Some("smtp")) {
        let host =
            p.pointer("/credentials/smtp_host").and_then(Value::as_str).map(|h| crate::text::cut(h, 253).to_string());
        let port = p.pointer("/credentials/smtp_port").and_then(Value::as_u64);
        let note = match port {
            Some(25) => "Port 25 is often blocked between networks; Auth0 recommends 587 (STARTTLS) or 465.",
            Some(587) | Some(465) => {
                "The server must offer TLS 1.2 or later, AUTH LOGIN and a publicly trusted certificate."
            }
            _ => {
                "Auth0 recommends 587 (STARTTLS) or 465; the server needs TLS 1.2+ and a publicly trusted certificate."
            }
        };
        entries.push(entry(
            "SMTP email provider",
            host.unwrap_or_else(|| "the SMTP host (not in the snapshot)".into()),
            port.map(|p| p.to_string()).unwrap_or_else(|| "587 or 465".into()),
            note,
        ));
    }
    for s in t.log_streams.as_ref().and_then(Value::as_array).into_iter().flatten().take(50) {
        let name = s.get("name").and_then(Value::as_str).unwrap_or("log stream");
        let kind = s.get("type").and_then(Value::as_str).unwrap_or("");
        let what = format!("Log stream {:?} ({kind})", crate::text::cut(name, 80));
        match kind {
            "http" => {
                let target = s.pointer("/sink/httpEndpoint").and_then(Value::as_str).and_then(crate::text::origin_of);
                match target {
                    Some((shown, port)) => {
                        entries.push(entry(&what, shown, port.to_string(), "Auth0 POSTs batches of events here."))
                    }
                    None => entries.push(entry(
                        &what,
                        "the endpoint (not in the snapshot)".into(),
                        "443".into(),
                        "Auth0 POSTs batches of events to the stream's endpoint.",
                    )),
                }
            }
            "splunk" => {
                let host = s
                    .pointer("/sink/splunkDomain")
                    .and_then(Value::as_str)
                    .map(|h| crate::text::cut(h, 253).to_string());
                let port = s
                    .pointer("/sink/splunkPort")
                    .and_then(|v| v.as_str().map(str::to_string).or_else(|| v.as_u64().map(|p| p.to_string())));
                entries.push(entry(
                    &what,
                    host.unwrap_or_else(|| "the Splunk host (not in the snapshot)".into()),
                    port.unwrap_or_else(|| "8088".into()),
                    "Auth0 sends events to Splunk's HTTP Event Collector.",
                ));
            }
            // Datadog, Sumo Logic, EventBridge, Event Grid, Mixpanel, Segment: Auth0 calls the vendor, not you.
            _ => {}
        }
    }
    code_entries(t, &mut entries);
    FirewallRow {
        tenant_id: t.id.into(),
        tenant: t.name.clone(),
        region: t.region.clone(),
        ranges,
        read: t.snapshot_at.is_some(),
        entries,
    }
}

/// The most custom databases and Actions listed per tenant.
const MAX_CODE_ITEMS: usize = 50;

/// An entry per origin a custom database's scripts or an Action's code names, or one saying none is spelled out.
fn code_entries(t: &TenantRow, entries: &mut Vec<FirewallEntry>) {
    let missing = |scope: &str| {
        t.missing_scopes.as_ref().and_then(Value::as_array).is_some_and(|m| m.iter().any(|s| s.as_str() == Some(scope)))
    };
    let named =
        |v: &Value| crate::text::cut(v.get("name").and_then(Value::as_str).unwrap_or("unnamed"), 80).to_string();
    let list = |v: &Value, key: &str| -> Vec<String> {
        v.get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    };
    let mut add = |what: String, calls: Vec<String>, none: &str, note: &str| {
        if calls.is_empty() {
            entries.push(entry(&what, none.into(), "—".into(), note));
        }
        for origin in calls {
            let port = crate::text::origin_of(&origin).map(|(_, p)| p.to_string()).unwrap_or_else(|| "443".into());
            entries.push(entry(&what, origin, port, note));
        }
    };
    if missing("read:connections") {
        add("Custom databases".into(), Vec::new(), "unknown: needs read:connections", "Grant the scope to see them.");
    }
    let databases = t.connections.as_ref().and_then(Value::as_array).into_iter().flatten();
    for c in databases.filter(|c| c.get("custom_database").and_then(Value::as_bool) == Some(true)).take(MAX_CODE_ITEMS)
    {
        let scripts = list(c, "scripts");
        let what = format!(
            "Custom database {:?} ({} script{})",
            named(c),
            scripts.join(", "),
            if scripts.len() == 1 { "" } else { "s" }
        );
        add(
            what,
            list(c, "calls"),
            "no URL in its scripts",
            "Its scripts run in Auth0 and call from the region's ranges.",
        );
    }
    if missing("read:actions") {
        add("Actions".into(), Vec::new(), "unknown: needs read:actions", "Grant the scope to see them.");
    }
    for a in t.actions.as_ref().and_then(Value::as_array).into_iter().flatten().take(MAX_CODE_ITEMS) {
        let what = format!("Action {:?} ({})", named(a), list(a, "triggers").join(", "));
        add(what, list(a, "calls"), "no URL in its code", "Its code runs in Auth0 and calls from the region's ranges.");
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_guide_lists_what_auth0_calls_with_its_ports() {
        let t = TenantRow {
            id: uuid::Uuid::nil(),
            name: "acme-prod".into(),
            environment: "production".into(),
            region: Some("us".into()),
            snapshot_at: None,
            snapshot_id: None,
            provider: Some(json!({"name": "smtp", "credentials": {"smtp_host": "mail.acme.example", "smtp_port": 25}})),
            log_streams: Some(json!([
                {"name": "SIEM", "type": "http", "status": "active", "sink": {"httpEndpoint": "https://siem.acme.example:8443/auth0?key=x"}},
                {"name": "Splunk", "type": "splunk", "status": "active", "sink": {"splunkDomain": "splunk.acme.example", "splunkPort": "8088"}},
                {"name": "DD", "type": "datadog", "status": "active"}
            ])),
            connections: Some(json!([
                {"name": "Username-Password-Authentication", "strategy": "auth0", "custom_database": false},
                {"name": "legacy", "strategy": "auth0", "custom_database": true, "scripts": ["login", "get_user"], "calls": ["https://users.acme.example", "http://10.2.3.4:8080"]},
                {"name": "google-oauth2", "strategy": "google-oauth2"}
            ])),
            actions: Some(json!([
                {"name": "Enrich", "triggers": ["post-login"], "calls": ["https://crm.acme.example:8443"]},
                {"name": "Deny list", "triggers": ["pre-user-registration"], "calls": []}
            ])),
            missing_scopes: Some(json!([])),
        };
        let g = guide(&t, Some(6));
        let rows: Vec<(&str, &str, &str)> =
            g.entries.iter().map(|e| (e.what.as_str(), e.target.as_str(), e.ports.as_str())).collect();
        assert_eq!(
            rows,
            [
                ("SMTP email provider", "mail.acme.example", "25"),
                ("Log stream \"SIEM\" (http)", "https://siem.acme.example:8443", "8443"),
                ("Log stream \"Splunk\" (splunk)", "splunk.acme.example", "8088"),
                ("Custom database \"legacy\" (login, get_user scripts)", "https://users.acme.example", "443"),
                ("Custom database \"legacy\" (login, get_user scripts)", "http://10.2.3.4:8080", "8080"),
                ("Action \"Enrich\" (post-login)", "https://crm.acme.example:8443", "8443"),
                ("Action \"Deny list\" (pre-user-registration)", "no URL in its code", "—"),
            ]
        );
        let unread = TenantRow {
            connections: Some(Value::Null),
            actions: Some(Value::Null),
            missing_scopes: Some(json!(["read:connections", "read:actions"])),
            ..t.clone()
        };
        let targets: Vec<String> = guide(&unread, None).entries.into_iter().skip(3).map(|e| e.target).collect();
        assert_eq!(targets, ["unknown: needs read:connections", "unknown: needs read:actions"]);
        assert!(g.entries[0].note.contains("often blocked"));
        assert!(!format!("{g:?}").contains("key=x"), "no query string kept");
        assert_eq!((g.region.as_deref(), g.ranges), (Some("us"), Some(6)));
    }
}
