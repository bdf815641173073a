//! A tenant's log events as Auth0 writes them: a deterministic, realistic flow per tenant (the same domain and
//! start always give the same events) in the shape of `GET /api/v2/logs` answers (compare the recordings in
//! `fixtures/auth0/go-auth0_logs_*`): successful and failed logins (`s`, `f`, `fp`, `fu`), logouts (`slo`),
//! client-credentials exchanges (`seccft`), signups (`ss`), Management API writes (`sapi`), and a burst of
//! `api_limit` at a peak in the middle of the flow. Log ids grow with time (56 digits, as Auth0's).

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

/// A small deterministic generator (xorshift64*), seeded from the tenant's domain.
struct Rng(u64);

impl Rng {
    fn new(seed: &str) -> Rng {
        // FNV-1a: stable across runs and Rust versions.
        let hash = seed.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        Rng(hash | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const CLIENTS: &[(&str, &str)] = &[
    ("naTYUHwINwCEtmhj8umEL7bHoB57L5e2", "Storefront"),
    ("WC5ESxuFU9JEQOQNnUskg3Lr5if0nRVG", "Mobile App"),
    ("11tYwy5rk6iavoGW9BgtXYuzcVrCasjE", "Backoffice Sync"),
];
const USERS: u64 = 24;

/// The log id of the `n`th event, at `at`: `900` + time to the microsecond + a sequence, 56 digits.
pub fn log_id(at: DateTime<Utc>, n: u64) -> String {
    format!("900{}{:06}{:033}", at.format("%Y%m%d%H%M%S"), at.timestamp_subsec_micros(), n)
}

/// `count` events of the tenant at `domain` from `start` on, about 20 s apart, the busiest minutes in the middle.
pub fn flow(domain: &str, start: DateTime<Utc>, count: usize) -> Vec<Value> {
    let mut rng = Rng::new(domain);
    let mut at = start;
    let peak = (count * 2 / 5)..(count * 2 / 5 + count / 20).max(count * 2 / 5 + 1);
    (0..count)
        .map(|i| {
            let in_peak = peak.contains(&i);
            at += Duration::milliseconds(if in_peak {
                50 + rng.below(200) as i64
            } else {
                5_000 + rng.below(30_000) as i64
            });
            let roll = rng.below(100);
            let kind = match roll {
                _ if in_peak && roll < 35 => "api_limit",
                0..=39 => "s",
                40..=44 => "fp",
                45..=47 => "fu",
                48..=49 => "f",
                50..=61 => "slo",
                62..=79 => "seccft",
                80..=87 => "ss",
                _ => "sapi",
            };
            event(domain, &mut rng, kind, at, i as u64 + 1)
        })
        .collect()
}

fn event(domain: &str, rng: &mut Rng, kind: &str, at: DateTime<Utc>, n: u64) -> Value {
    let id = log_id(at, n);
    let user = rng.below(USERS);
    let user_id = format!("auth0|6479cb{:018x}", user * 7919 + 1);
    let user_name = format!("customer{user}@example.com");
    let (client_id, client_name) = match kind {
        "seccft" | "sapi" => CLIENTS[2],
        _ => CLIENTS[rng.below(2) as usize],
    };
    let ip = if rng.below(10) < 7 {
        format!("203.0.113.{}", 1 + rng.below(200))
    } else {
        let (net, host) = (rng.below(16) as u16, 1 + rng.below(4000) as u16);
        std::net::Ipv6Addr::new(0x2001, 0xdb8, net, 0, 0, 0, 0, host).to_string()
    };
    let login = matches!(kind, "s" | "f" | "fp" | "fu" | "slo" | "ss");
    let description = match kind {
        "f" => "Something went wrong, please try again later.",
        "fp" | "fu" => "Wrong email or password.",
        "sapi" => ["Update a User", "Create a User", "Delete a User"][rng.below(3) as usize],
        "api_limit" => "Global per second default group limit has been reached",
        _ => "",
    };
    let details = match kind {
        "api_limit" => json!({
            "limit": {"bucket": "per_ip_per_client_id", "global": true, "size": 300},
            "request": {"method": "post", "path": "/oauth/token"},
            "response": {"statusCode": 429},
        }),
        "sapi" => json!({"request": {"method": "patch", "path": format!("/api/v2/users/{user_id}"), "channel": "api"},
                         "response": {"statusCode": 200}}),
        "fp" | "fu" | "f" => json!({"error": {"message": description}}),
        "ss" => {
            json!({"body": {"email": user_name, "connection": "Username-Password-Authentication", "password": "*****"}})
        }
        _ => Value::Null,
    };
    let user_known = login && kind != "fu";
    let mut event = json!({
        "_id": id,
        "log_id": id,
        "date": at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "type": kind,
        "description": description,
        "connection": if login { Value::from("Username-Password-Authentication") } else { Value::Null },
        "connection_id": if login { "con_RM2Tx4kqsiaBfHkh" } else { "" },
        "organization_id": null,
        "organization_name": null,
        "client_id": client_id,
        "client_name": client_name,
        "ip": ip,
        "hostname": domain,
        "details": details,
        "user_id": if user_known { Value::from(user_id) } else { Value::from("") },
        "user_name": if login { Value::from(user_name) } else { Value::from("") },
        "user_agent": if login { "Chrome 120.0.0 / Mac OS X 10.15.7" } else { "Other 0.0.0 / Other 0.0.0" },
        "audience": if kind == "seccft" { Value::from(format!("https://{domain}/api/v2/")) } else { Value::Null },
        "strategy": if login { Value::from("auth0") } else { Value::Null },
        "strategy_type": if login { Value::from("database") } else { Value::Null },
        "isMobile": false,
        "location_info": null,
    });
    if kind == "seccft" {
        event["scope"] = Value::from("read:users update:users");
    }
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flow_is_deterministic_ordered_and_has_a_peak() {
        let start = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 1, 0, 0, 0).single().expect("date");
        let a = flow("acme.us.auth0.com", start, 500);
        assert_eq!(a, flow("acme.us.auth0.com", start, 500));
        assert_ne!(a, flow("other.us.auth0.com", start, 500));
        let ids: Vec<&str> = a.iter().filter_map(|e| e["log_id"].as_str()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]) && ids.iter().all(|id| id.len() == 56));
        let count = |t: &str| a.iter().filter(|e| e["type"] == t).count();
        assert!(count("api_limit") >= 3, "a burst of api_limit");
        for kind in ["s", "fp", "slo", "seccft", "ss", "sapi"] {
            assert!(count(kind) > 0, "{kind}");
        }
    }
}
