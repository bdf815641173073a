//! Auth0's published outbound IP ranges as the simulator serves them at `/ip-ranges.json` (the shape of
//! `https://cdn.auth0.com/ip-ranges.json`: `last_updated_at`, `regions.*.ipv4_cidrs`, `changelog`), with addresses
//! from the documentation ranges (RFC 5737). Version 2 swaps one US address, as Auth0 announces such a change:
//! the new address added ahead of time, the old one removed from a later date.

use serde_json::{Value, json};

const US: [&str; 6] =
    ["192.0.2.10/32", "192.0.2.11/32", "192.0.2.12/32", "192.0.2.13/32", "192.0.2.14/32", "192.0.2.15/32"];
const EU: [&str; 4] = ["198.51.100.20/32", "198.51.100.21/32", "198.51.100.22/32", "198.51.100.23/32"];
const AU: [&str; 3] = ["203.0.113.30/32", "203.0.113.31/32", "203.0.113.32/32"];
const CA: [&str; 2] = ["203.0.113.40/32", "203.0.113.41/32"];
const JP: [&str; 2] = ["203.0.113.50/32", "203.0.113.51/32"];
const UK: [&str; 2] = ["203.0.113.60/32", "203.0.113.61/32"];

/// The list body, version 1 or 2.
pub fn body(version: u8) -> String {
    let mut us: Vec<&str> = US.to_vec();
    let mut changelog: Vec<Value> = vec![
        json!({"date": "2025-03-10", "region": "US", "action": "add", "ipv4_cidrs": &US[..]}),
        json!({"date": "2025-03-10", "region": "EU", "action": "add", "ipv4_cidrs": &EU[..]}),
        json!({"date": "2025-03-10", "region": "AU", "action": "add", "ipv4_cidrs": &AU[..]}),
        json!({"date": "2025-06-02", "region": "CA", "action": "add", "ipv4_cidrs": &CA[..]}),
        json!({"date": "2025-06-02", "region": "JP", "action": "add", "ipv4_cidrs": &JP[..]}),
        json!({"date": "2025-09-15", "region": "UK", "action": "add", "ipv4_cidrs": &UK[..]}),
    ];
    let mut updated = "2025-09-15T09:00:00Z";
    if version >= 2 {
        us.retain(|a| *a != "192.0.2.15/32");
        us.push("192.0.2.16/32");
        changelog.push(json!({"date": "2027-01-15", "region": "US", "action": "add", "ipv4_cidrs": ["192.0.2.16/32"]}));
        changelog
            .push(json!({"date": "2027-03-01", "region": "US", "action": "remove", "ipv4_cidrs": ["192.0.2.15/32"]}));
        updated = "2026-11-30T09:00:00Z";
    }
    let body = json!({
        "last_updated_at": updated,
        "regions": {
            "US": {"ipv4_cidrs": us},
            "EU": {"ipv4_cidrs": EU},
            "AU": {"ipv4_cidrs": AU},
            "CA": {"ipv4_cidrs": CA},
            "JP": {"ipv4_cidrs": JP},
            "UK": {"ipv4_cidrs": UK},
        },
        "changelog": changelog,
    });
    serde_json::to_string_pretty(&body).unwrap_or_default()
}
