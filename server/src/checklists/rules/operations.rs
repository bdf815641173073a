//! The operations and environment items: log streaming, the console's own log scanning, deprecation notices,
//! synthetic logins, AD/LDAP load balancers, the environment tag, and the sign-offs no data speaks to.

use super::read::{
    CONNECTIONS, Cx, Decided, KEPT_LOGS, LOG_STREAMS, MONITORING, REGISTRY, capped, ev, fail, manual, name_of, names,
    not_applicable, pass, plural, text, warn,
};
use chrono::Duration;

/// How old the newest kept event may be before the scanning looks stopped.
const STALE_LOGS: Duration = Duration::hours(24);

/// The manual items no data speaks to, and what their sign-off asks.
pub const PLAIN: [(&str, &str); 6] = [
    ("admin-mfa", "Check every tenant member has MFA on (Dashboard > Settings > Tenant Members)"),
    ("tenants-admins", "Review the tenant's administrators and retire unused tenants"),
    ("status-sub", "Check the team is subscribed to Auth0's and the identity providers' status pages"),
    ("ntp", "Check NTP runs with alerting on your servers and remote identity providers"),
    ("sdlc-tenants", "Check development, test and production tenants are separate and linked to the contract"),
    ("backup-dr", "Check backup, restore and disaster-recovery processes are documented"),
];

/// The sign-off summary of a manual item no data speaks to.
pub fn plain(id: &str) -> Option<&'static str> {
    PLAIN.iter().find(|(item, _)| *item == id).map(|(_, ask)| *ask)
}

pub fn log_streaming(cx: &Cx) -> Decided {
    let streams = cx.list("log_streams")?;
    if streams.is_empty() {
        let row = ev(LOG_STREAMS, "log_streams", "none");
        return fail("No log stream: Auth0 keeps logs only 1 to 30 days", vec![row]);
    }
    let rows = streams
        .iter()
        .map(|s| {
            ev(
                LOG_STREAMS,
                format!("log_streams[{}].status", name_of(s)),
                format!("{} ({})", text(s, "status"), text(s, "type")),
            )
        })
        .collect();
    let shown = |active: bool| -> Vec<String> {
        streams
            .iter()
            .filter(|s| (text(s, "status") == "active") == active)
            .map(|s| format!("{} ({})", name_of(s), if active { text(s, "type") } else { text(s, "status") }))
            .collect()
    };
    let (active, stopped) = (shown(true), shown(false));
    if active.is_empty() {
        return fail(format!("No log stream is active: {}", names(&stopped)), capped(rows));
    }
    let mut summary = format!("{}: {}", plural(active.len(), "active log stream"), names(&active));
    if !stopped.is_empty() {
        summary.push_str(&format!("; not active: {}", names(&stopped)));
    }
    pass(summary, capped(rows))
}

pub fn rate_limit_scan(cx: &Cx) -> Decided {
    let logs = &cx.facts.logs;
    let Some(newest) = logs.newest_event else {
        let row = ev(KEPT_LOGS, "newest event", "none");
        return fail(
            "Tenantry keeps none of this tenant's logs: start the log pull or the log stream on /logs",
            vec![row],
        );
    };
    let top = logs.top_limit_client.as_deref().unwrap_or("none");
    let rows = vec![
        ev(KEPT_LOGS, "newest event", newest.to_rfc3339()),
        ev(KEPT_LOGS, "rate-limit events, last 7 days", logs.limit_events_7d.to_string()),
        ev(KEPT_LOGS, "top client", top),
    ];
    let age = cx.facts.now - newest;
    if age > STALE_LOGS {
        let summary = format!(
            "The newest kept event is {} old: check the log pull or the log stream on /logs",
            plural(usize::try_from(age.num_hours()).unwrap_or(0), "hour")
        );
        return warn(summary, rows);
    }
    if logs.limit_events_7d > 0 {
        let events = plural(usize::try_from(logs.limit_events_7d).unwrap_or(0), "rate-limit event");
        return pass(format!("Tenantry scans this tenant's logs: {events} in 7 days, most from {top}"), rows);
    }
    pass("Tenantry scans this tenant's logs: no rate-limit event in 7 days", rows)
}

pub fn notifications(cx: &Cx) -> Decided {
    let count = cx.facts.logs.depnotes_30d;
    let rows = vec![ev(KEPT_LOGS, "deprecation notices (depnote), last 30 days", count.to_string())];
    let seen = match count {
        0 => "No deprecation notice in 30 days".to_string(),
        n => format!("{} in 30 days", plural(usize::try_from(n).unwrap_or(0), "deprecation notice")),
    };
    manual(format!("{seen}: check the right people read Dashboard notifications and the changelog"), rows)
}

pub fn synthetic_mon(cx: &Cx) -> Decided {
    let s = &cx.facts.synthetic;
    // Evidence stays the same between runs (a sign-off lapses when it changes): no last-success time in it.
    let interval = s.shortest_interval_s.map_or("none".into(), |i| format!("{i} s"));
    let rows = vec![
        ev(MONITORING, "enabled synthetic-login checks", s.checks.to_string()),
        ev(MONITORING, "shortest interval", interval.clone()),
    ];
    if s.checks == 0 {
        return manual("No synthetic login check: add one on /monitoring", rows);
    }
    let last =
        s.last_success.map_or("never succeeded".into(), |t| format!("last success {}", t.format("%Y-%m-%d %H:%M UTC")));
    manual(
        format!("{}, the shortest every {interval}; {last}", plural(s.checks as usize, "synthetic login check")),
        rows,
    )
}

pub fn load_balancers(cx: &Cx) -> Decided {
    let connections = match cx.list("connections") {
        Ok(list) => list,
        Err(why) => {
            return manual(
                "Could not tell whether an AD/LDAP connection exists",
                vec![ev(CONNECTIONS, "connections", why)],
            );
        }
    };
    let mut ad: Vec<String> = connections.iter().filter(|c| text(c, "strategy") == "ad").map(name_of).collect();
    ad.sort();
    if ad.is_empty() {
        let row = ev(CONNECTIONS, "connections", format!("{}, none AD/LDAP", plural(connections.len(), "connection")));
        return not_applicable("No AD/LDAP connection", vec![row]);
    }
    let rows = ad.iter().map(|n| ev(CONNECTIONS, format!("connections[{n}].strategy"), "ad")).collect();
    manual(format!("Check the load balancers in front of {}", names(&ad)), capped(rows))
}

pub fn env_tag(cx: &Cx) -> Decided {
    let label = cx.facts.environment.label();
    let rows = vec![ev(REGISTRY, "environment", label)];
    manual(format!("Registered here as {label}: check the Dashboard's environment tag says the same"), rows)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use serde_json::json;

    use super::super::evaluate;
    use super::super::testing::{facts_for, good, now, on};
    use crate::checklists::model::{Finding, Verdict};
    use app::tenants::Environment;

    fn with(change: impl FnOnce(&mut crate::checklists::model::Facts), id: &str) -> Finding {
        let snap = good();
        let mut facts = facts_for(Some(&snap), Environment::Production);
        change(&mut facts);
        evaluate(&facts).into_iter().find(|f| f.item == id).expect("a finding per item")
    }

    #[test]
    fn log_streams_must_be_active() {
        let mut snap = good();
        assert_eq!(on(&snap, "log-streaming").verdict, Verdict::Pass);
        snap["log_streams"][0]["status"] = json!("paused");
        let f = on(&snap, "log-streaming");
        assert_eq!(
            (f.verdict, f.summary.as_str()),
            (Verdict::Fail, "No log stream is active: Test-LogStream-1751995604 (paused)")
        );
        snap["log_streams"] = json!([]);
        assert_eq!(on(&snap, "log-streaming").summary, "No log stream: Auth0 keeps logs only 1 to 30 days");
    }

    #[test]
    fn the_console_must_keep_recent_logs_to_scan_them() {
        let f = with(|f| f.logs.newest_event = None, "rate-limit-scan");
        assert_eq!(f.verdict, Verdict::Fail);
        assert!(f.summary.contains("/logs"));
        let f = with(|f| f.logs.newest_event = Some(now() - Duration::hours(30)), "rate-limit-scan");
        assert_eq!(
            (f.verdict, f.summary.as_str()),
            (Verdict::Warn, "The newest kept event is 30 hours old: check the log pull or the log stream on /logs")
        );
        let f = with(
            |f| {
                f.logs.limit_events_7d = 12;
                f.logs.top_limit_client = Some("Orders worker".into());
            },
            "rate-limit-scan",
        );
        assert_eq!(f.verdict, Verdict::Pass);
        assert_eq!(
            f.summary,
            "Tenantry scans this tenant's logs: 12 rate-limit events in 7 days, most from Orders worker"
        );
        assert_eq!(f.evidence[2].value, "Orders worker");
    }

    #[test]
    fn sign_offs_show_what_the_console_knows() {
        let f = with(|f| f.logs.depnotes_30d = 3, "notifications");
        assert_eq!(f.verdict, Verdict::Manual);
        assert_eq!(f.evidence[0].value, "3");
        let f = with(|_| {}, "synthetic-mon");
        assert_eq!(f.summary, "1 synthetic login check, the shortest every 60 s; last success 2026-12-01 11:59 UTC");
        assert_eq!(f.evidence.iter().map(|e| e.value.as_str()).collect::<Vec<_>>(), ["1", "60 s"]);
        let f = with(|f| f.environment = Environment::Staging, "env-tag");
        assert_eq!(
            (f.evidence[0].endpoint.as_str(), f.evidence[0].value.as_str()),
            ("Tenantry: tenant registry", "Staging")
        );
        let mut snap = good();
        assert_eq!(on(&snap, "load-balancers").verdict, Verdict::NotApplicable);
        snap["connections"]
            .as_array_mut()
            .expect("a list")
            .push(json!({"id": "con_ad", "name": "corp-ad", "strategy": "ad"}));
        let f = on(&snap, "load-balancers");
        assert_eq!((f.verdict, f.summary.as_str()), (Verdict::Manual, "Check the load balancers in front of corp-ad"));
        assert_eq!(on(&snap, "ntp").verdict, Verdict::Manual);
    }
}
