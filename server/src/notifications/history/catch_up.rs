//! The upgrade's catch-up. Until issue #13 the collector read the status, monitoring and domains areas' events past
//! a cursor per feed; now each of those areas records its notices itself, in the same transaction as its event
//! (`record::apply`). Events committed before the upgrade but not yet read by the old collector would be lost: the
//! collector's passes record them here — a batch per feed per pass, in the shapes the old collector gave them —
//! until a feed has nothing left, then mark its cursor done (`DONE`) and never read it again. Recording an event
//! its area recorded already adds nothing (`apply` is idempotent by origin), so a fresh install just marks the
//! cursors done on its first pass.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::record::{Incoming, apply_alone};
use super::repo::{self, DomainEvent, MonitoringEvent, StatusEvent};

/// A cursor at this value has nothing left to catch up.
pub const DONE: i64 = i64::MAX;
/// Events read per feed per pass.
pub const BATCH: i64 = 1000;

/// The old collector's feeds, by cursor name.
pub const FEEDS: [&str; 3] = ["status_updates", "monitoring_events", "domains_events"];

fn incident_severity(impact: Option<&str>, phase: &str) -> &'static str {
    match impact {
        Some("critical") | Some("major") => "critical",
        Some("minor") => "warning",
        _ if matches!(phase, "resolved" | "postmortem") => "info",
        _ => "warning",
    }
}

fn outcome_severity(outcome: &str) -> &'static str {
    match outcome {
        "ok" => "info",
        "flattened" | "expiring" | "lookup_error" | "no_answer" => "warning",
        _ => "critical",
    }
}

/// A status incident update as a notice (the same Auth0 incident seen through several tenants' feeds is one).
pub fn status_notice(r: StatusEvent) -> Incoming {
    let auth0 = r.source_kind == "auth0_feed";
    let scope = if auth0 { "auth0".to_string() } else { r.source_id.to_string() };
    let external = r.external_id;
    Incoming {
        origin: format!("status:{scope}:{external}"),
        source: if auth0 { "auth0_status" } else { "provider_status" },
        kind: "incident".into(),
        severity: incident_severity(r.impact.as_deref(), &r.update_phase),
        title: if auth0 { format!("Auth0: {}", r.title) } else { format!("{}: {}", r.source_name, r.title) },
        body: String::new(),
        link: r.link,
        tenants: r.tenant.into_iter().collect(),
        regions: r.region.into_iter().collect(),
        at: r.at,
        update_origin: format!("status:{scope}:{external}:{}", r.update_id),
        text: format!("{}: {}", r.update_phase, r.text),
    }
}

/// A monitoring alert event as a notice (one notification per alert).
pub fn monitoring_notice(r: MonitoringEvent) -> Incoming {
    Incoming {
        origin: format!("monitoring:alert:{}", r.alert_id.unwrap_or_default()),
        source: "console",
        kind: app::monitoring::alert_kind(&r.check_kind).into(),
        severity: if r.kind == "alert_resolved" { "info" } else { "critical" },
        title: format!("{} on {} is failing", r.name, r.tenant),
        body: String::new(),
        link: Some(format!("/monitoring/{}", r.check_id)),
        tenants: vec![r.tenant],
        regions: r.region.into_iter().collect(),
        at: r.at,
        update_origin: format!("monitoring:event:{}", r.id),
        text: format!("{}: {}", r.kind.replace('_', " "), r.detail),
    }
}

/// A custom-domain outcome change as a notice (one notification per domain and DNS or TLS).
pub fn domain_notice(r: DomainEvent) -> Incoming {
    let dns = r.kind == "dns_changed";
    let what = if dns { "DNS" } else { "TLS" };
    Incoming {
        origin: format!("domains:{}:{}", r.domain_id, r.kind),
        source: "console",
        kind: if dns { "custom_domain_dns" } else { "custom_domain_tls" }.into(),
        severity: outcome_severity(&r.after),
        title: format!("Custom domain {}: {what}", r.host),
        body: String::new(),
        link: Some(format!("/domains/{}", r.domain_id)),
        tenants: vec![r.tenant],
        regions: r.region.into_iter().collect(),
        at: r.at,
        update_origin: format!("domains:event:{}", r.id),
        text: format!("{what} {}: {}", r.after.replace('_', " "), r.detail),
    }
}

/// One catch-up pass at `now` inside the collector's transaction: a batch of each feed not done yet. Returns the
/// updates added. An event that cannot be recorded is logged and skipped; it does not stop the others.
pub async fn run(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<usize, sqlx::Error> {
    let mut added = 0;
    for feed in FEEDS {
        let Some(from) = repo::cursor(conn, feed).await? else { continue };
        let batch: Vec<(i64, Incoming)> = match feed {
            "status_updates" => {
                repo::status_events(conn, from, BATCH).await?.into_iter().map(|e| (e.id, status_notice(e))).collect()
            }
            "monitoring_events" => repo::monitoring_events(conn, from, BATCH)
                .await?
                .into_iter()
                .map(|e| (e.id, monitoring_notice(e)))
                .collect(),
            _ => repo::domain_events(conn, from, BATCH).await?.into_iter().map(|e| (e.id, domain_notice(e))).collect(),
        };
        let full = batch.len() as i64 == BATCH;
        let mut last = from;
        for (id, notice) in &batch {
            last = *id;
            match apply_alone(conn, notice, now).await? {
                Ok(applied) => added += usize::from(applied.added),
                Err(error) => tracing::warn!(feed, event.id = id, %error, "an event cannot be caught up; skipped"),
            }
        }
        repo::advance(conn, feed, if full { last } else { DONE }).await?;
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incidents_and_domain_outcomes_have_the_severities_they_had() {
        assert_eq!(incident_severity(Some("major"), "investigating"), "critical");
        assert_eq!(incident_severity(Some("minor"), "resolved"), "warning");
        assert_eq!(incident_severity(None, "resolved"), "info");
        assert_eq!(incident_severity(Some("none"), "identified"), "warning");
        assert_eq!(outcome_severity("ok"), "info");
        assert_eq!(outcome_severity("expiring"), "warning");
        assert_eq!(outcome_severity("expired"), "critical");
    }
}
