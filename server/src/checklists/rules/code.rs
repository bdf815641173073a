//! The items about code Auth0 runs for the tenant: Node.js runtimes, Rules and Hooks, configuration kept out of
//! code, deployment drafts, and whether that code (or SMTP delivery) calls the customer's network.

use serde_json::Value;

use super::read::{
    ACTIONS, CONNECTIONS, Cx, Decided, EMAIL_PROVIDER, HOOKS, RULES, SETTINGS, capped, combine, ev, finding, json,
    manual, name_of, names, not_applicable, plural, settle, text,
};
use crate::checklists::model::{Evidence, Finding, Verdict};

/// The oldest Node.js major version that passes; the one before it still works but should be upgraded.
const RECOMMENDED_NODE: u32 = 22;
const SUPPORTED_NODE: u32 = 20;

/// The major version of a runtime ("node22", "22", "v18.3").
fn node_major(runtime: &str) -> Option<u32> {
    let t = runtime.trim().trim_start_matches("node").trim_start_matches('v');
    t.split('.').next()?.parse().ok()
}

/// Pass, warn (still supported, upgrade soon) or fail (no more security patches); warn when unreadable.
fn grade(runtime: &str) -> Verdict {
    match node_major(runtime) {
        Some(n) if n >= RECOMMENDED_NODE => Verdict::Pass,
        Some(n) if n >= SUPPORTED_NODE => Verdict::Warn,
        Some(_) => Verdict::Fail,
        None => Verdict::Warn,
    }
}

fn sorted(mut list: Vec<&Value>) -> Vec<&Value> {
    list.sort_by_key(|v| (name_of(v), text(v, "id").to_string()));
    list
}

fn actions_runtime(cx: &Cx) -> Finding {
    settle(cx.list("actions").map(|actions| {
        if actions.is_empty() {
            return finding(Verdict::NotApplicable, "No Action", Vec::new());
        }
        let graded: Vec<(&Value, Verdict)> =
            sorted(actions.iter().collect()).into_iter().map(|a| (a, grade(text(a, "runtime")))).collect();
        let named = |v: Verdict| -> Vec<String> {
            graded
                .iter()
                .filter(|(_, g)| *g == v)
                .map(|(a, _)| format!("{} ({})", name_of(a), text(a, "runtime")))
                .collect()
        };
        let mut rows: Vec<Evidence> = Vec::new();
        for want in [Verdict::Fail, Verdict::Warn, Verdict::Pass] {
            for (a, _) in graded.iter().filter(|(_, g)| *g == want) {
                rows.push(ev(ACTIONS, format!("actions[{}].runtime", name_of(a)), json(a.get("runtime"))));
            }
        }
        let (old, soon) = (named(Verdict::Fail), named(Verdict::Warn));
        let run = |n: usize| if n == 1 { "runs" } else { "run" };
        if !old.is_empty() {
            let summary =
                format!("{} {} an unsupported Node.js: {}", plural(old.len(), "Action"), run(old.len()), names(&old));
            finding(Verdict::Fail, summary, rows)
        } else if !soon.is_empty() {
            let summary = format!(
                "{} {} an older Node.js (upgrade soon): {}",
                plural(soon.len(), "Action"),
                run(soon.len()),
                names(&soon)
            );
            finding(Verdict::Warn, summary, rows)
        } else {
            let all = if actions.len() == 1 {
                "The Action runs".into()
            } else {
                format!("All {} Actions run", actions.len())
            };
            finding(Verdict::Pass, format!("{all} Node {RECOMMENDED_NODE}"), rows)
        }
    }))
}

/// The tenant's default runtime, and the legacy one when it reads as a Node.js version.
fn sandbox(cx: &Cx, key: &str, what: &str) -> Finding {
    settle(cx.part("settings").map(|s| {
        let version = text(s, key);
        let row = vec![ev(SETTINGS, key, json(s.get(key)))];
        let numeric = version.trim_start_matches("node").chars().all(|c| c.is_ascii_digit() || c == '.');
        if version.is_empty() || !numeric {
            return finding(Verdict::NotApplicable, format!("No {what} is set"), row);
        }
        let verdict = grade(version);
        let summary = match verdict {
            Verdict::Pass => format!("The {what} is Node {version}"),
            Verdict::Warn => format!("The {what} is Node {version} (upgrade soon)"),
            _ => format!("The {what} is Node {version}, no longer supported"),
        };
        finding(verdict, summary, row)
    }))
}

pub fn node_runtime(cx: &Cx) -> Decided {
    let parts = vec![
        actions_runtime(cx),
        sandbox(cx, "sandbox_version", "tenant's default runtime"),
        sandbox(cx, "legacy_sandbox_version", "legacy runtime"),
    ];
    let mut all = combine(parts);
    all.evidence = capped(all.evidence);
    Ok(all)
}

/// Whether Auth0's answer for Rules or Hooks says it no longer serves them (end of life: 404, or a 403 that is
/// not about a scope).
fn no_longer_served(reason: &str) -> bool {
    let r = reason.to_ascii_lowercase();
    r.starts_with("not found") || r.starts_with("bad credentials") || r.contains("end of life") || r.contains("404")
}

/// Rules or Hooks (`one`: "Rule", "Hook"): none may be enabled; Auth0 no longer serving them passes.
fn legacy(cx: &Cx, key: &str, endpoint: &str, one: &str) -> Finding {
    let list = match cx.snap.get(key) {
        Some(Value::Null) => {
            let scope = format!("read:{key}");
            return match cx.unavailable(key) {
                Some(reason) if !cx.scope_missing(&scope) && no_longer_served(reason) => finding(
                    Verdict::Pass,
                    format!("{one}s are no longer served for this tenant"),
                    vec![ev(endpoint, key, reason)],
                ),
                _ => finding(Verdict::Unknown, cx.why_unread(key), Vec::new()),
            };
        }
        _ => match cx.list(key) {
            Ok(list) => list,
            Err(why) => return finding(Verdict::Unknown, why, Vec::new()),
        },
    };
    let enabled: Vec<&Value> = sorted(list.iter().filter(|r| r["enabled"].as_bool() == Some(true)).collect());
    if enabled.is_empty() {
        let row = ev(endpoint, key, format!("{}, none enabled", plural(list.len(), one)));
        return finding(Verdict::Pass, format!("No {one} is enabled"), vec![row]);
    }
    let named: Vec<String> = enabled.iter().map(|r| name_of(r)).collect();
    let rows = named.iter().map(|n| ev(endpoint, format!("{key}[{n}].enabled"), "true")).collect();
    let summary = format!("{} still enabled: {}", plural(named.len(), one), names(&named));
    finding(Verdict::Fail, summary, capped(rows))
}

pub fn rules_hooks(cx: &Cx) -> Decided {
    let (rules, hooks) = (legacy(cx, "rules", RULES, "Rule"), legacy(cx, "hooks", HOOKS, "Hook"));
    let none_enabled = [&rules, &hooks].iter().all(|p| p.summary.starts_with("No "));
    let mut both = combine(vec![rules, hooks]);
    if both.verdict == Verdict::Pass && none_enabled {
        both.summary = "No Rule or Hook is enabled".into();
    }
    Ok(both)
}

/// What holds code: evidence rows naming the Actions, custom databases, Rules and Hooks, how many of each there
/// are, and the parts that were not read.
struct Code {
    rows: Vec<Evidence>,
    counts: Vec<String>,
    unread: Vec<&'static str>,
}

fn code(cx: &Cx) -> Code {
    let mut code = Code { rows: Vec::new(), counts: Vec::new(), unread: Vec::new() };
    let mut group = |key: &'static str, endpoint: &str, what: &str, keep: &dyn Fn(&Value) -> Option<String>| {
        match cx.snap.get(key) {
            Some(Value::Array(list)) => {
                let kept: Vec<(String, String)> = sorted(list.iter().collect())
                    .into_iter()
                    .filter_map(|v| keep(v).map(|d| (name_of(v), d)))
                    .collect();
                if !kept.is_empty() {
                    code.counts.push(plural(kept.len(), what));
                }
                code.rows.extend(kept.into_iter().map(|(n, d)| ev(endpoint, format!("{key}[{n}]"), d)));
            }
            // Rules and Hooks Auth0 no longer serves hold no code.
            Some(Value::Null)
                if matches!(key, "rules" | "hooks") && cx.unavailable(key).is_some_and(no_longer_served) => {}
            _ => {
                code.unread.push(key);
                code.rows.push(ev(endpoint, key, cx.part(key).err().unwrap_or_else(|| cx.why_unread(key))));
            }
        }
    };
    group("actions", ACTIONS, "Action", &|a| {
        let triggers: Vec<&str> = a["triggers"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        Some(format!("Action ({})", triggers.join(", ")))
    });
    group("connections", CONNECTIONS, "custom database", &|c| {
        (c["custom_database"].as_bool() == Some(true)).then(|| {
            let scripts: Vec<&str> = c["scripts"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            format!("custom database ({})", scripts.join(", "))
        })
    });
    group("rules", RULES, "Rule", &|r| Some(format!("Rule, enabled {}", json(r.get("enabled")))));
    group("hooks", HOOKS, "Hook", &|h| Some(format!("Hook, enabled {}", json(h.get("enabled")))));
    code
}

pub fn externalize_config(cx: &Cx) -> Decided {
    let code = code(cx);
    let mut summary = match code.counts.is_empty() {
        true => "No Action, custom database, Rule or Hook found".to_string(),
        false => format!("Check {} for keys and URLs written into the code", code.counts.join(", ")),
    };
    if !code.unread.is_empty() {
        summary.push_str(&format!(" ({} not read)", code.unread.join(", ")));
    }
    manual(summary, capped(code.rows))
}

pub fn deploy_automation(cx: &Cx) -> Decided {
    let summary = "Sign off once deployments come from version control";
    let actions = match cx.list("actions") {
        Ok(list) => list,
        Err(why) => return manual(summary, vec![ev(ACTIONS, "actions", why)]),
    };
    let drafts: Vec<&Value> =
        sorted(actions.iter().filter(|a| a["all_changes_deployed"].as_bool() == Some(false)).collect());
    if drafts.is_empty() {
        let row = ev(ACTIONS, "actions", format!("{}, all changes deployed", plural(actions.len(), "Action")));
        return manual(summary, vec![row]);
    }
    let named: Vec<String> = drafts.iter().map(|a| name_of(a)).collect();
    let rows = named.iter().map(|n| ev(ACTIONS, format!("actions[{n}].all_changes_deployed"), "false")).collect();
    let verb = if named.len() == 1 { "has" } else { "have" };
    manual(
        format!("{} {verb} undeployed Dashboard drafts: {}", plural(named.len(), "Action"), names(&named)),
        capped(rows),
    )
}

pub fn ip_allowlist(cx: &Cx) -> Decided {
    let (mut rows, mut found, mut unread) = (Vec::new(), Vec::new(), Vec::new());
    let mut part = |key: &str, endpoint: &str, what: &str, calls: &dyn Fn(&Value) -> bool| match cx.list(key) {
        Ok(list) => {
            let hits: Vec<&Value> = sorted(list.iter().filter(|v| calls(v)).collect());
            if !hits.is_empty() {
                found.push(plural(hits.len(), what));
            }
            rows.extend(hits.iter().map(|v| ev(endpoint, format!("{key}[{}]", name_of(v)), what)));
        }
        // Rules Auth0 no longer serves run nothing.
        Err(_) if key == "rules" && cx.unavailable(key).is_some_and(no_longer_served) => {}
        Err(why) => {
            unread.push(key.to_string());
            rows.push(ev(endpoint, key, why));
        }
    };
    part("actions", ACTIONS, "deployed Action", &|a| a["deployed"].as_bool() == Some(true));
    part("rules", RULES, "enabled Rule", &|r| r["enabled"].as_bool() == Some(true));
    part("connections", CONNECTIONS, "custom database", &|c| c["custom_database"].as_bool() == Some(true));
    match cx.snap.get("email_provider") {
        Some(p) if text(p, "name") == "smtp" => {
            found.push("SMTP delivery".into());
            let host = p.pointer("/credentials/smtp_host");
            rows.push(ev(EMAIL_PROVIDER, "name", "\"smtp\""));
            rows.push(ev(EMAIL_PROVIDER, "credentials.smtp_host", json(host)));
        }
        Some(_) => {}
        None => {
            unread.push("email_provider".into());
            rows.push(ev(EMAIL_PROVIDER, "email_provider", super::read::NOT_READ_YET));
        }
    }
    let rows = capped(rows);
    if !found.is_empty() {
        manual(format!("Auth0 calls your network from {}: allow its IP addresses", found.join(", ")), rows)
    } else if !unread.is_empty() {
        manual(format!("Could not tell whether Auth0 calls your network ({} not read)", unread.join(", ")), rows)
    } else {
        let checked = vec![
            ev(ACTIONS, "actions", "none deployed"),
            ev(RULES, "rules", "none enabled"),
            ev(CONNECTIONS, "connections", "no custom database"),
            ev(EMAIL_PROVIDER, "name", json(cx.snap.get("email_provider").and_then(|p| p.get("name")))),
        ];
        not_applicable("Nothing Auth0 runs for this tenant calls your network", checked)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::{good, on, verdict};
    use crate::checklists::model::Verdict;
    use crate::simulator::SimTenant;
    use crate::tenants::keep;

    #[test]
    fn old_node_runtimes_fail_and_node_20_warns() {
        let mut snap = good();
        assert_eq!(
            on(&snap, "node-runtime").summary,
            "The Action runs Node 22; the tenant's default runtime is Node 22"
        );
        snap["actions"][0]["runtime"] = json!("node20");
        let f = on(&snap, "node-runtime");
        assert_eq!(
            (f.verdict, f.summary.as_str()),
            (Verdict::Warn, "1 Action runs an older Node.js (upgrade soon): Add roles (node20)")
        );
        snap["settings"]["sandbox_version"] = json!("18");
        let f = on(&snap, "node-runtime");
        assert_eq!(f.verdict, Verdict::Fail);
        assert_eq!(
            f.summary,
            "The tenant's default runtime is Node 18, no longer supported; 1 Action runs an older Node.js (upgrade \
             soon): Add roles (node20)"
        );
        let mut snap = good();
        snap["actions"] = json!([]);
        snap["settings"].as_object_mut().expect("an object").remove("sandbox_version");
        assert_eq!(verdict(&snap, "node-runtime"), Verdict::NotApplicable);
        snap["actions"] = json!(null);
        snap["missing_scopes"] = json!(["read:actions"]);
        assert_eq!(on(&snap, "node-runtime").summary, "Needs the read:actions scope");
    }

    #[test]
    fn enabled_rules_fail_and_rules_no_longer_served_pass() {
        let mut snap = good();
        assert_eq!(on(&snap, "rules-hooks").summary, "No Rule or Hook is enabled");
        snap["rules"] = json!([keep::rule(&json!({"id": "rul_1", "name": "Add roles (legacy)", "enabled": true,
            "script": "function (u, c, cb) {}"}))]);
        let f = on(&snap, "rules-hooks");
        assert_eq!((f.verdict, f.summary.as_str()), (Verdict::Fail, "1 Rule still enabled: Add roles (legacy)"));
        assert_eq!(f.evidence[0].field, "rules[Add roles (legacy)].enabled");
        snap["rules"] = json!(null);
        snap["hooks"] = json!(null);
        let gone = "not found: feature_unavailable";
        snap["unavailable"] = json!({"rules": gone, "hooks": gone});
        let f = on(&snap, "rules-hooks");
        assert_eq!(f.verdict, Verdict::Pass);
        assert_eq!(f.summary, "Rules are no longer served for this tenant; hooks are no longer served for this tenant");
        snap["unavailable"] = json!({});
        snap["missing_scopes"] = json!(["read:rules", "read:hooks"]);
        assert_eq!(on(&snap, "rules-hooks").summary, "Needs the read:rules scope; needs the read:hooks scope");
    }

    #[test]
    fn code_evidence_and_deployment_drafts() {
        let mut snap = good();
        let custom = SimTenant::database_connection("legacy-users", &[("login", "function login() {}")]);
        snap["connections"].as_array_mut().expect("a list").push(keep::connection(&custom));
        let f = on(&snap, "externalize-config");
        assert_eq!(f.verdict, Verdict::Manual);
        assert_eq!(f.summary, "Check 1 Action, 1 custom database for keys and URLs written into the code");
        assert_eq!(f.evidence[1].value, "custom database (login)");
        assert_eq!(on(&snap, "deploy-automation").evidence[0].value, "1 Action, all changes deployed");
        snap["actions"][0]["all_changes_deployed"] = json!(false);
        let f = on(&snap, "deploy-automation");
        assert_eq!(f.summary, "1 Action has undeployed Dashboard drafts: Add roles");
    }

    #[test]
    fn the_firewall_item_applies_only_when_auth0_calls_the_network() {
        let mut snap = good();
        let f = on(&snap, "ip-allowlist");
        assert_eq!(
            (f.verdict, f.summary.as_str()),
            (Verdict::Manual, "Auth0 calls your network from 1 deployed Action: allow its IP addresses")
        );
        assert_eq!(f.evidence[0].field, "actions[Add roles]");
        snap["actions"] = json!([]);
        assert_eq!(verdict(&snap, "ip-allowlist"), Verdict::NotApplicable);
        snap["connections"] = json!(null);
        snap["missing_scopes"] = json!(["read:connections"]);
        let f = on(&snap, "ip-allowlist");
        assert_eq!(f.verdict, Verdict::Manual, "unknown connections might be custom databases");
        assert_eq!(f.summary, "Could not tell whether Auth0 calls your network (connections not read)");
    }
}
