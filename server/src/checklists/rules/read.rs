//! What every rule shares: reading a part of the snapshot (or saying why it is unknown), building findings and
//! evidence rows (values cut, long lists capped), combining the verdicts of an item's parts, and telling a local URL.

use serde_json::Value;

use crate::checklists::model::{Evidence, Facts, Finding, Verdict};

pub const SETTINGS: &str = "GET /api/v2/tenants/settings";
pub const CLIENTS: &str = "GET /api/v2/clients";
pub const CONNECTIONS: &str = "GET /api/v2/connections";
pub const ACTIONS: &str = "GET /api/v2/actions/actions";
pub const RESOURCE_SERVERS: &str = "GET /api/v2/resource-servers";
pub const RULES: &str = "GET /api/v2/rules";
pub const HOOKS: &str = "GET /api/v2/hooks";
pub const FACTORS: &str = "GET /api/v2/guardian/factors";
pub const SMS_PROVIDER: &str = "GET /api/v2/guardian/factors/phone/selected-provider";
pub const PROMPTS: &str = "GET /api/v2/prompts";
pub const SIGNING_KEYS: &str = "GET /api/v2/keys/signing";
pub const EMAIL_PROVIDER: &str = "GET /api/v2/emails/provider";
pub const CUSTOM_DOMAINS: &str = "GET /api/v2/custom-domains";
pub const LOG_STREAMS: &str = "GET /api/v2/log-streams";
pub const KEPT_LOGS: &str = "Tenantry: kept logs";
pub const REGISTRY: &str = "Tenantry: tenant registry";
pub const MONITORING: &str = "Tenantry: synthetic logins";

/// Why an item is unknown when the tenant was never read, or its snapshot predates the part.
pub const NOT_READ_YET: &str = "Not read yet: refresh the tenant";

/// The most evidence rows a finding lists before "… and N more".
const MAX_ROWS: usize = 10;
/// The longest evidence value.
const MAX_VALUE: usize = 200;
/// The most names a summary lists.
const MAX_NAMES: usize = 5;

/// A rule's answer: its finding (the item id is set by `evaluate`), or why what it needs was not read.
pub type Decided = Result<Finding, String>;

/// What a rule reads: the snapshot's data and the facts around it.
pub struct Cx<'a> {
    pub snap: &'a Value,
    pub facts: &'a Facts<'a>,
}

/// The scope a snapshot part needs (the part is `null` and the scope listed in `missing_scopes` without it).
fn scope_of(part: &str) -> Option<&'static str> {
    Some(match part {
        "clients" => "read:clients",
        "connections" => "read:connections",
        "actions" => "read:actions",
        "resource_servers" => "read:resource_servers",
        "rules" => "read:rules",
        "hooks" => "read:hooks",
        "guardian_factors" | "sms_provider" => "read:guardian_factors",
        "brute_force" | "breached_passwords" | "suspicious_ip_throttling" => "read:attack_protection",
        "prompts" => "read:prompts",
        "signing_keys" => "read:signing_keys",
        "email_templates" => "read:email_templates",
        _ => return None,
    })
}

impl<'a> Cx<'a> {
    /// A part of the snapshot, or why it was not read.
    pub fn part(&self, key: &str) -> Result<&'a Value, String> {
        self.resolve(key, self.snap.get(key))
    }

    /// A part as a list (anything else reads as empty).
    pub fn list(&self, key: &str) -> Result<&'a [Value], String> {
        self.part(key).map(|v| v.as_array().map(Vec::as_slice).unwrap_or_default())
    }

    /// One of the attack-protection settings (`brute_force`, `breached_passwords`, `suspicious_ip_throttling`).
    pub fn attack_protection(&self, key: &str) -> Result<&'a Value, String> {
        match self.snap.get("attack_protection") {
            None | Some(Value::Null) => Err(NOT_READ_YET.into()),
            Some(all) => self.resolve(key, all.get(key)),
        }
    }

    fn resolve(&self, key: &str, found: Option<&'a Value>) -> Result<&'a Value, String> {
        match found {
            None => Err(NOT_READ_YET.into()),
            Some(Value::Null) => Err(self.why_unread(key)),
            Some(value) => Ok(value),
        }
    }

    /// Why a `null` part was not read: its scope is missing, Auth0 answered something else, or nobody knows.
    pub fn why_unread(&self, key: &str) -> String {
        if let Some(scope) = scope_of(key).filter(|s| self.scope_missing(s)) {
            return format!("Needs the {scope} scope");
        }
        match self.unavailable(key) {
            Some(reason) => format!("Not read: {reason}"),
            None => NOT_READ_YET.into(),
        }
    }

    pub fn scope_missing(&self, scope: &str) -> bool {
        self.snap["missing_scopes"].as_array().is_some_and(|m| m.iter().any(|s| s.as_str() == Some(scope)))
    }

    /// What Auth0 answered for a part it did not serve.
    pub fn unavailable(&self, key: &str) -> Option<&'a str> {
        self.snap.get("unavailable").and_then(|u| u.get(key)).and_then(Value::as_str)
    }
}

pub fn finding(verdict: Verdict, summary: impl Into<String>, evidence: Vec<Evidence>) -> Finding {
    Finding { item: "", verdict, summary: summary.into(), evidence }
}

pub fn pass(summary: impl Into<String>, evidence: Vec<Evidence>) -> Decided {
    Ok(finding(Verdict::Pass, summary, evidence))
}

pub fn fail(summary: impl Into<String>, evidence: Vec<Evidence>) -> Decided {
    Ok(finding(Verdict::Fail, summary, evidence))
}

pub fn warn(summary: impl Into<String>, evidence: Vec<Evidence>) -> Decided {
    Ok(finding(Verdict::Warn, summary, evidence))
}

pub fn manual(summary: impl Into<String>, evidence: Vec<Evidence>) -> Decided {
    Ok(finding(Verdict::Manual, summary, evidence))
}

pub fn not_applicable(summary: impl Into<String>, evidence: Vec<Evidence>) -> Decided {
    Ok(finding(Verdict::NotApplicable, summary, evidence))
}

pub fn unknown(reason: impl Into<String>) -> Finding {
    finding(Verdict::Unknown, reason, Vec::new())
}

/// One evidence row, its value cut to `MAX_VALUE` characters.
pub fn ev(endpoint: &str, field: impl Into<String>, value: impl AsRef<str>) -> Evidence {
    Evidence {
        endpoint: endpoint.to_string(),
        field: field.into(),
        value: crate::text::cut_marked(value.as_ref(), MAX_VALUE),
    }
}

/// A field's value as JSON text (`"help@acme.example"` quoted, `720`, `true`), or "not set".
pub fn json(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "not set".into(),
        Some(v) => v.to_string(),
    }
}

/// At most `MAX_ROWS` rows, then one saying how many more there were.
pub fn capped(mut rows: Vec<Evidence>) -> Vec<Evidence> {
    if rows.len() > MAX_ROWS {
        let more = rows.len() - MAX_ROWS;
        let endpoint = rows[MAX_ROWS].endpoint.clone();
        rows.truncate(MAX_ROWS);
        rows.push(ev(&endpoint, "…", format!("… and {more} more")));
    }
    rows
}

/// A string field, trimmed ("" when absent or not a string).
pub fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).map(str::trim).unwrap_or("")
}

/// How an object is called in evidence and summaries: its name, else its id.
pub fn name_of(v: &Value) -> String {
    ["name", "domain", "identifier", "client_id", "id", "kid", "template"]
        .iter()
        .map(|k| text(v, k))
        .find(|t| !t.is_empty())
        .unwrap_or("unnamed")
        .to_string()
}

/// `count word(s)`: "1 application", "2 applications".
pub fn plural(count: usize, word: &str) -> String {
    format!("{count} {word}{}", if count == 1 { "" } else { "s" })
}

/// Names for a summary, at most `MAX_NAMES` of them then "and N more".
pub fn names(list: &[String]) -> String {
    if list.len() <= MAX_NAMES {
        return list.join(", ");
    }
    format!("{} and {} more", list[..MAX_NAMES].join(", "), list.len() - MAX_NAMES)
}

fn rank(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::Fail => 5,
        Verdict::Warn => 4,
        Verdict::Unknown => 3,
        Verdict::Manual => 2,
        Verdict::Pass => 1,
        Verdict::NotApplicable => 0,
    }
}

/// Sentences joined with "; ", each after the first starting in lower case (unless it starts with an acronym).
pub fn joined(pieces: &[&str]) -> String {
    let mut out = String::new();
    for piece in pieces.iter().filter(|p| !p.is_empty()) {
        if out.is_empty() {
            out.push_str(piece);
            continue;
        }
        out.push_str("; ");
        let mut chars = piece.chars();
        match (chars.next(), chars.next()) {
            (Some(first), Some(second)) if !second.is_uppercase() => {
                out.extend(first.to_lowercase());
                out.push(second);
                out.push_str(chars.as_str());
            }
            _ => out.push_str(piece),
        }
    }
    out
}

/// One finding from an item's parts: the worst verdict (a part not applicable counts only when all are), the
/// summaries of the parts that are not fine, worst first (all of them when everything is), and all their evidence.
pub fn combine(parts: Vec<Finding>) -> Finding {
    let worst = parts.iter().map(|p| p.verdict).max_by_key(|v| rank(*v)).unwrap_or(Verdict::NotApplicable);
    let mut shown: Vec<&Finding> = parts
        .iter()
        .filter(|p| if rank(worst) >= rank(Verdict::Unknown) { rank(p.verdict) >= 3 } else { p.verdict == worst })
        .collect();
    // The worst first; the same reason (two parts not read for one cause) once.
    shown.sort_by_key(|p| std::cmp::Reverse(rank(p.verdict)));
    let mut said: Vec<&str> = Vec::new();
    for p in shown {
        if !said.iter().any(|s| s.eq_ignore_ascii_case(&p.summary)) {
            said.push(p.summary.as_str());
        }
    }
    let shown = said;
    let summary = joined(&shown);
    let evidence = parts.iter().flat_map(|p| p.evidence.iter().cloned()).collect();
    finding(worst, summary, evidence)
}

/// The part as a finding: what a rule decided of it, or unknown with why it was not read.
pub fn settle(decided: Decided) -> Finding {
    decided.unwrap_or_else(unknown)
}

/// Whether a URL is local: `file:` or a host that is localhost, a loopback address or 0.0.0.0.
pub fn is_local(url: &str) -> bool {
    let url = url.trim().to_ascii_lowercase();
    if url.starts_with("file:") {
        return true;
    }
    let rest = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host_port.split(':').next().unwrap_or(""),
    };
    host == "localhost"
        || host.ends_with(".localhost")
        || host.starts_with("127.")
        || host == "::1"
        || host == "0.0.0.0"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_urls_are_told_from_public_ones() {
        for local in [
            "http://localhost:3000/callback",
            "https://LOCALHOST",
            "http://127.0.0.1:8080",
            "http://[::1]:3000/cb",
            "file:///index.html",
            "http://user@localhost/x",
            "http://app.localhost",
        ] {
            assert!(is_local(local), "{local}");
        }
        for public in ["https://app.acme.example/callback", "https://localhost.acme.example", "com.acme://callback"] {
            assert!(!is_local(public), "{public}");
        }
    }

    #[test]
    fn long_evidence_is_capped_and_cut() {
        let rows: Vec<Evidence> = (0..14).map(|n| ev(CLIENTS, format!("clients[{n}]"), "x".repeat(300))).collect();
        let rows = capped(rows);
        assert_eq!(rows.len(), 11);
        assert_eq!(rows[10].value, "… and 4 more");
        assert_eq!(rows[0].value.chars().count(), 201, "200 characters and an ellipsis");
        assert_eq!(names(&(1..=7).map(|n| n.to_string()).collect::<Vec<_>>()), "1, 2, 3, 4, 5 and 2 more");
    }

    #[test]
    fn parts_combine_to_the_worst_and_say_what_is_wrong() {
        let ok = finding(Verdict::Pass, "Sandbox is Node 22", vec![]);
        let bad = finding(Verdict::Fail, "2 Actions run node18", vec![]);
        let unread = unknown("Needs the read:actions scope");
        let both = combine(vec![ok.clone(), bad, unread.clone()]);
        assert_eq!(both.verdict, Verdict::Fail);
        assert_eq!(both.summary, "2 Actions run node18; needs the read:actions scope");
        assert_eq!(combine(vec![ok.clone(), unread]).verdict, Verdict::Unknown);
        let na = finding(Verdict::NotApplicable, "No Action", vec![]);
        assert_eq!(combine(vec![ok, na.clone()]).summary, "Sandbox is Node 22");
        assert_eq!(combine(vec![na]).verdict, Verdict::NotApplicable);
    }
}
