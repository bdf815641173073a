//! Console state the collector watches for changes: each tenant's snapshot poll (failing, failing differently,
//! reading again) and the findings of the tenant registry and the custom-domain inventory (appearing, clearing).
//! `notifications_watch` keeps what was seen last; only a change becomes a notification update. Each episode — a
//! run of failures, a finding from appearing to clearing — is one notification with its own timeline.

use std::collections::BTreeMap;

use app::domains::DomainFinding;
use app::tenants::{Environment, Region, TenantCell};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::model::{Seen, Stored};
use super::record::{Incoming, apply_alone};
use super::repo;

/// An update and the watched key it is about.
pub type Change = (String, Incoming);
/// What to store for a watched key (`None`: forget it).
pub type Write = (String, Option<Stored>);

/// What changed between the stored state and now, as updates (pure, so the rules are tested without a database).
/// Returns the updates with the key each is about, and what to store per key (`None`: forget the key). Findings
/// that are no longer seen get a "cleared" update; tenants no longer seen (removed) are forgotten.
pub fn compare(stored: &BTreeMap<String, Stored>, seen: &[Seen], now: DateTime<Utc>) -> (Vec<Change>, Vec<Write>) {
    let mut updates = Vec::new();
    let mut writes = Vec::new();
    for s in seen {
        let healthy = s.state == "ok";
        let episode = match stored.get(&s.key) {
            // First sight of something healthy: remember it, say nothing.
            None if healthy => {
                writes.push((s.key.clone(), Some((s.state.clone(), now, s.title.clone()))));
                continue;
            }
            None => now,
            Some((state, _, _)) if *state == s.state => continue,
            // A new episode starts when a healthy state turns bad; a bad one changing stays in its episode.
            Some((state, _, _)) if state == "ok" => now,
            Some((_, since, _)) => *since,
        };
        updates.push((
            s.key.clone(),
            Incoming {
                origin: format!("watch:{}:{}", s.key, episode.timestamp_micros()),
                source: "console",
                kind: s.kind.to_string(),
                severity: s.severity,
                title: s.title.clone(),
                body: s.body.clone(),
                link: s.link.clone(),
                tenants: s.tenants.clone(),
                regions: s.regions.clone(),
                at: now,
                update_origin: format!("watch:{}:{}:{}", s.key, s.state, now.timestamp_micros()),
                text: s.text.clone(),
            },
        ));
        writes.push((s.key.clone(), Some((s.state.clone(), if healthy { now } else { episode }, s.title.clone()))));
    }
    // Watched things no longer seen: findings that cleared (said once), tenants that were removed (forgotten).
    for (key, (state, since, title)) in stored {
        if seen.iter().any(|s| &s.key == key) {
            continue;
        }
        if state != "ok" && key.starts_with("finding:") {
            updates.push((
                key.clone(),
                Incoming {
                    origin: format!("watch:{key}:{}", since.timestamp_micros()),
                    source: "console",
                    kind: "finding".into(),
                    severity: "info",
                    title: title.clone(),
                    body: String::new(),
                    link: None,
                    tenants: Vec::new(),
                    regions: Vec::new(),
                    at: now,
                    update_origin: format!("watch:{key}:cleared:{}", now.timestamp_micros()),
                    text: format!("Finding cleared: {title}"),
                },
            ));
        }
        writes.push((key.clone(), None));
    }
    (updates, writes)
}

/// Every tenant's poll state, from the registry's cells (a tenant never read yet counts as healthy: its first
/// failed read starts an episode).
fn tenant_polls(cells: &[TenantCell]) -> Vec<Seen> {
    cells
        .iter()
        .map(|c| {
            let severity = match (&c.failure, c.environment) {
                (None, _) => "info",
                (Some(_), Environment::Production) => "critical",
                (Some(_), _) => "warning",
            };
            Seen {
                key: format!("tenant_poll:{}", c.id),
                state: c.failure.as_ref().map(|(class, _)| class.clone()).unwrap_or_else(|| "ok".into()),
                title: format!("Reading tenant {} from Auth0 fails", c.name),
                body: String::new(),
                link: Some(format!("/tenants/{}", c.id)),
                tenants: vec![c.name.clone()],
                regions: c.region.map(|r| r.as_str().to_string()).into_iter().collect(),
                text: match &c.failure {
                    None => format!("{} is read from Auth0 again.", c.name),
                    Some((class, message)) => format!("{}: {message}", class.replace('_', " ")),
                },
                severity,
                kind: "tenant_poll",
            }
        })
        .collect()
}

/// The registry's and the domain inventory's findings, one `Seen` each.
fn findings(cells: &[TenantCell], domains: &[DomainFinding], paid_limit: usize) -> Vec<Seen> {
    let mut out = Vec::new();
    let region_of: BTreeMap<app::ids::TenantId, Option<Region>> = cells.iter().map(|c| (c.id, c.region)).collect();
    for f in crate::tenants::findings::findings(cells, paid_limit) {
        let mut ids: Vec<String> = f.tenants.iter().map(|(id, _)| id.to_string()).collect();
        ids.sort_unstable();
        let mut regions: Vec<String> = f
            .tenants
            .iter()
            .filter_map(|(id, _)| region_of.get(id).copied().flatten())
            .map(|r| r.as_str().to_string())
            .collect();
        regions.sort();
        regions.dedup();
        out.push(Seen {
            key: format!("finding:tenants:{}:{}", f.kind, ids.join(",")),
            state: "present".into(),
            title: f.title.clone(),
            body: f.reasoning.clone(),
            link: Some(f.guide.clone()),
            tenants: f.tenants.iter().map(|(_, n)| n.clone()).collect(),
            regions,
            text: format!("Finding appeared: {}", f.title),
            severity: "warning",
            kind: "finding",
        });
    }
    for f in domains {
        for (link, text) in &f.items {
            out.push(Seen {
                key: format!("finding:domains:{}:{link}", f.title),
                state: "present".into(),
                title: format!("{}: {text}", f.title),
                body: f.reasoning.clone(),
                link: Some(link.clone()),
                tenants: Vec::new(),
                regions: Vec::new(),
                text: format!("Finding appeared: {text}"),
                severity: "warning",
                kind: "finding",
            });
        }
    }
    out
}

/// One comparison of the watched state at `now`, inside the collector's transaction; returns the updates added.
/// `cells` is one read of the registry (it serves both the polls and the findings); `domains` the custom-domain
/// findings. An update that cannot be recorded is logged and its key left as it was (so the next pass tries
/// again); it does not stop the others.
pub async fn run(
    tx: &mut PgConnection,
    cells: &[TenantCell],
    domains: &[DomainFinding],
    now: DateTime<Utc>,
    paid_limit: usize,
) -> Result<usize, sqlx::Error> {
    let mut seen = tenant_polls(cells);
    seen.extend(findings(cells, domains, paid_limit));
    let stored = repo::watched(tx).await?;
    let (updates, writes) = compare(&stored, &seen, now);
    let mut added = 0;
    let mut failed: Vec<String> = Vec::new();
    for (key, update) in &updates {
        match apply_alone(tx, update, now).await? {
            Ok(applied) => added += usize::from(applied.added),
            Err(error) => {
                tracing::warn!(watch.key = %key, %error, "a watched change cannot be recorded; trying again next pass");
                failed.push(key.clone());
            }
        }
    }
    for (key, state) in writes {
        if failed.contains(&key) {
            continue;
        }
        match state {
            Some(stored) => repo::store_watched(tx, &key, &stored).await?,
            None => repo::forget_watched(tx, &key).await?,
        }
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll(state: &str) -> Seen {
        Seen {
            key: "tenant_poll:1".into(),
            state: state.into(),
            title: "Reading tenant acme-prod from Auth0 fails".into(),
            body: String::new(),
            link: None,
            tenants: vec!["acme-prod".into()],
            regions: vec!["eu".into()],
            text: state.to_string(),
            severity: if state == "ok" { "info" } else { "critical" },
            kind: "tenant_poll",
        }
    }

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-02T10:00:00Z").expect("time").with_timezone(&Utc)
            + chrono::Duration::minutes(minute)
    }

    /// Runs `compare` over successive observations, storing as `run` does; returns each step's (origin, text).
    fn steps(observed: &[Option<&str>]) -> Vec<Vec<(String, String)>> {
        let mut stored = BTreeMap::new();
        let mut out = Vec::new();
        for (i, state) in observed.iter().enumerate() {
            let seen: Vec<Seen> = state.iter().map(|s| poll(s)).collect();
            let (updates, writes) = compare(&stored, &seen, at(i as i64));
            out.push(updates.into_iter().map(|(_, u)| (u.origin, u.text)).collect());
            for (k, v) in writes {
                match v {
                    Some(v) => stored.insert(k, v),
                    None => stored.remove(&k),
                };
            }
        }
        out
    }

    #[test]
    fn a_run_of_failures_is_one_notification_until_the_tenant_reads_again() {
        let origin = |m: i64| format!("watch:tenant_poll:1:{}", at(m).timestamp_micros());
        let got = steps(&[
            Some("ok"),
            Some("unreachable"),
            Some("unreachable"),
            Some("bad_credentials"),
            Some("ok"),
            Some("ok"),
            Some("timeout"),
        ]);
        assert_eq!(got[0], [], "first sight of a healthy tenant says nothing");
        assert_eq!(got[1], [(origin(1), "unreachable".to_string())]);
        assert_eq!(got[2], [], "the same failure again says nothing");
        assert_eq!(got[3], [(origin(1), "bad_credentials".to_string())], "another failure, same episode");
        assert_eq!(got[4], [(origin(1), "ok".to_string())], "recovery closes the episode");
        assert_eq!(got[5], []);
        assert_eq!(got[6], [(origin(6), "timeout".to_string())], "a new failure is a new notification");
    }

    #[test]
    fn a_failing_tenant_seen_first_is_reported_and_a_removed_one_is_forgotten() {
        let got = steps(&[Some("timeout"), None, Some("ok")]);
        assert_eq!(got[0].len(), 1);
        assert_eq!(got[1], [], "a removed tenant clears nothing");
        assert_eq!(got[2], [], "and is new again when seen healthy");
    }
}
