//! The firewall guide of one tenant: what Auth0 calls into the company's network, read from the tenant's latest
//! snapshot — the SMTP server of an `smtp` email provider, the endpoints of HTTP and Splunk log streams — with the
//! ports to open and the ranges of the tenant's region. Custom database scripts and Actions call whatever their
//! code calls; the snapshot does not read connections or Actions yet, and the guide says so instead of guessing.

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
    FirewallRow { tenant_id: t.id.into(), tenant: t.name.clone(), region: t.region.clone(), ranges, entries }
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
            ]
        );
        assert!(g.entries[0].note.contains("often blocked"));
        assert!(!format!("{g:?}").contains("key=x"), "no query string kept");
        assert_eq!((g.region.as_deref(), g.ranges), (Some("us"), Some(6)));
    }
}
