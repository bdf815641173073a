//! What the console watches, as Prometheus series appended to `/metrics`: each monitoring check's state, each
//! status source's state, each custom domain's DNS/TLS verdict and days until its certificate expires, each
//! tenant's poll, the delivery backlog and the scheduler's lateness. Read from every area's repo at scrape time
//! (so a removed thing leaves no stale series) and rendered by a pure function. Labels are ids and fixed
//! vocabularies, never text someone typed, so the label sets stay bounded.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::domains::repo::DomainMetric;
use crate::monitoring::repo::views::CheckMetric;
use crate::status::repo::SourceMetric;
use crate::tenants::repo::PollMetric;

/// Everything read for one scrape.
pub struct Watched {
    pub checks: Vec<CheckMetric>,
    pub sources: Vec<SourceMetric>,
    pub domains: Vec<DomainMetric>,
    pub polls: Vec<PollMetric>,
    pub outbox: (i64, Option<DateTime<Utc>>),
    pub scheduler: (i64, Option<DateTime<Utc>>),
}

/// Reads what the series show.
pub async fn read(pool: &PgPool, now: DateTime<Utc>) -> Result<Watched, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    Ok(Watched {
        checks: crate::monitoring::repo::views::check_metrics(&mut conn).await?,
        sources: crate::status::repo::source_metrics(&mut conn).await?,
        domains: crate::domains::repo::domain_metrics(&mut conn).await?,
        polls: crate::tenants::repo::poll_metrics(&mut conn).await?,
        outbox: crate::notifications::delivery::repo::backlog(&mut conn).await?,
        scheduler: crate::scheduler::lateness(&mut conn, now).await?,
    })
}

/// A label value as the text format wants it (the values are ids and fixed words; escaped all the same).
fn label(value: &str) -> String {
    crate::text::cut(value, 100).replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn family(out: &mut String, name: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
}

fn seconds_since(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> f64 {
    at.map_or(0.0, |at| ((now - at).num_milliseconds() as f64 / 1000.0).max(0.0))
}

/// The series of `w` at `now`, in Prometheus' text format.
pub fn render(w: &Watched, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    family(
        &mut out,
        "tenantry_check_up",
        "A monitoring check's last run: 1 passed, 0 failed; paused and never-run checks are left out.",
    );
    for c in w.checks.iter().filter(|c| c.enabled) {
        if let Some(outcome) = &c.last_outcome {
            let up = u8::from(outcome == "ok");
            let _ = writeln!(out, "tenantry_check_up{{check=\"{}\",kind=\"{}\"}} {up}", c.id, label(&c.kind));
        }
    }
    family(&mut out, "tenantry_status_source_state", "A status source's state (1 for the state it is in).");
    for s in w.sources.iter().filter(|s| s.enabled) {
        let _ = writeln!(
            out,
            "tenantry_status_source_state{{source=\"{}\",category=\"{}\",state=\"{}\"}} 1",
            s.id,
            label(&s.category),
            app::status::Health::parse(&s.state).as_str()
        );
    }
    family(&mut out, "tenantry_status_source_read_failing", "1 when a status source's last read failed.");
    for s in w.sources.iter().filter(|s| s.enabled) {
        let _ = writeln!(out, "tenantry_status_source_read_failing{{source=\"{}\"}} {}", s.id, u8::from(s.failing));
    }
    family(
        &mut out,
        "tenantry_custom_domain_state",
        "A custom domain's DNS and TLS verdicts (1 for the verdict it has).",
    );
    for d in &w.domains {
        for (check, outcome) in [("dns", &d.dns_outcome), ("tls", &d.tls_outcome)] {
            if let Some(outcome) = outcome {
                let _ = writeln!(
                    out,
                    "tenantry_custom_domain_state{{domain=\"{}\",check=\"{check}\",outcome=\"{}\"}} 1",
                    d.id,
                    label(outcome)
                );
            }
        }
    }
    family(
        &mut out,
        "tenantry_certificate_expiry_days",
        "Days until a custom domain's certificate expires (negative: expired).",
    );
    for d in &w.domains {
        if let Some(until) = d.tls_not_after {
            let days = (until - now).num_seconds() as f64 / 86_400.0;
            let _ = writeln!(out, "tenantry_certificate_expiry_days{{domain=\"{}\"}} {days:.2}", d.id);
        }
    }
    family(&mut out, "tenantry_tenant_poll_failing", "1 when the last read of a tenant from Auth0 failed.");
    for p in &w.polls {
        let _ = writeln!(out, "tenantry_tenant_poll_failing{{tenant=\"{}\"}} {}", p.id, u8::from(p.failing));
    }
    family(
        &mut out,
        "tenantry_tenant_poll_age_seconds",
        "Seconds since a tenant was last read from Auth0 successfully.",
    );
    for p in w.polls.iter().filter(|p| p.last_success_at.is_some()) {
        let _ = writeln!(
            out,
            "tenantry_tenant_poll_age_seconds{{tenant=\"{}\"}} {:.0}",
            p.id,
            seconds_since(p.last_success_at, now)
        );
    }
    family(&mut out, "tenantry_outbox_pending", "Notification deliveries waiting to go out.");
    let _ = writeln!(out, "tenantry_outbox_pending {}", w.outbox.0);
    family(&mut out, "tenantry_outbox_oldest_pending_age_seconds", "Age of the oldest delivery waiting (0 when none).");
    let _ = writeln!(out, "tenantry_outbox_oldest_pending_age_seconds {:.0}", seconds_since(w.outbox.1, now));
    family(&mut out, "tenantry_scheduler_due_jobs", "Scheduler jobs due and not yet taken by a worker.");
    let _ = writeln!(out, "tenantry_scheduler_due_jobs {}", w.scheduler.0);
    family(&mut out, "tenantry_scheduler_lateness_seconds", "How late the most overdue job waiting is (0 when none).");
    let _ = writeln!(out, "tenantry_scheduler_lateness_seconds {:.1}", seconds_since(w.scheduler.1, now));
    out
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[test]
    fn each_watched_thing_is_one_series_with_bounded_labels() {
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).single().expect("t");
        let id = uuid::Uuid::nil();
        let w = Watched {
            checks: vec![
                CheckMetric { id: id.into(), kind: "login".into(), enabled: true, last_outcome: Some("ok".into()) },
                CheckMetric {
                    id: id.into(),
                    kind: "https".into(),
                    enabled: true,
                    last_outcome: Some("refused".into()),
                },
                CheckMetric { id: id.into(), kind: "tcp".into(), enabled: false, last_outcome: Some("ok".into()) },
                CheckMetric { id: id.into(), kind: "test".into(), enabled: true, last_outcome: None },
            ],
            sources: vec![SourceMetric {
                id: id.into(),
                category: "auth0".into(),
                enabled: true,
                // A word outside the vocabulary (never stored by Tenantry) is shown as unknown, not as a new label.
                state: "weird\"x".into(),
                failing: true,
            }],
            domains: vec![DomainMetric {
                id: id.into(),
                dns_outcome: Some("ok".into()),
                tls_outcome: None,
                tls_not_after: Some(now + Duration::hours(36)),
            }],
            polls: vec![PollMetric { id, failing: false, last_success_at: Some(now - Duration::seconds(90)) }],
            outbox: (3, Some(now - Duration::minutes(2))),
            scheduler: (0, None),
        };
        let text = render(&w, now);
        let nil = "00000000-0000-0000-0000-000000000000";
        for line in [
            format!("tenantry_check_up{{check=\"{nil}\",kind=\"login\"}} 1"),
            format!("tenantry_check_up{{check=\"{nil}\",kind=\"https\"}} 0"),
            format!("tenantry_status_source_state{{source=\"{nil}\",category=\"auth0\",state=\"unknown\"}} 1"),
            format!("tenantry_status_source_read_failing{{source=\"{nil}\"}} 1"),
            format!("tenantry_custom_domain_state{{domain=\"{nil}\",check=\"dns\",outcome=\"ok\"}} 1"),
            format!("tenantry_certificate_expiry_days{{domain=\"{nil}\"}} 1.50"),
            format!("tenantry_tenant_poll_age_seconds{{tenant=\"{nil}\"}} 90"),
            "tenantry_outbox_pending 3".into(),
            "tenantry_outbox_oldest_pending_age_seconds 120".into(),
            "tenantry_scheduler_lateness_seconds 0.0".into(),
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
        assert_eq!(text.matches("tenantry_check_up{").count(), 2, "paused and never-run checks are left out");
        assert!(!text.contains("check=\"tls\""), "no TLS verdict yet, no series");
    }
}
