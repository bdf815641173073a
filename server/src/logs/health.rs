//! Stream health (`logs.health` / `all`, every minute): for each tenant, its Auth0 log streams as its latest
//! snapshot lists them, what the receiver has had, the pull and its lag, and the findings — a production tenant
//! whose logs reach neither an active stream nor the pull, a stream paused or suspended, and events already past
//! Auth0's retention before anything stored them. A finding is a notification when it appears and an update when
//! it clears, recorded in the transaction that records the tenant's findings.

use std::time::Duration;

use app::logs::{HealthFinding, HealthRow, StreamRow};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::PgPool;

use super::repo::health::{self as repo, Observed};
use crate::notifications::record::{self, Incoming};
use crate::scheduler::{Job, kinds};

pub const KIND: &str = kinds::LOGS_HEALTH;
/// How often stream health is assessed.
pub const INTERVAL: Duration = Duration::from_secs(60);

/// One finding, keyed so the same finding is recognised from one run to the next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub key: String,
    pub severity: &'static str,
    pub text: String,
}

/// The streams of a snapshot's `log_streams` (anything unreadable is skipped).
pub fn streams(value: Option<&Value>) -> Vec<(String, StreamRow)> {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|s| {
            let name = text(s, "name");
            let id = Some(text(s, "id")).filter(|i| !i.is_empty()).unwrap_or_else(|| name.clone());
            (id, StreamRow { name, kind: text(s, "type"), status: text(s, "status").to_ascii_lowercase() })
        })
        .collect()
}

/// How many days Auth0 keeps the tenant's logs and on what that rests. The console does not know a tenant's plan:
/// a tenant with paid features is taken to be on the shortest paid plan (B2C or B2B Essentials, 5 days), any
/// other on Starter (1 day) — the shortest retention it can have, so a loss is never missed.
pub fn auth0_retention(paid_features: bool) -> (i64, &'static str) {
    if paid_features {
        (5, "plan unknown: assumed Essentials, the shortest paid plan (Auth0 keeps 1, 5, 10 or 30 days by plan)")
    } else {
        (1, "plan unknown: assumed Starter (Auth0 keeps 1, 5, 10 or 30 days by plan)")
    }
}

/// "1 day", "5 days".
fn days(n: i64) -> String {
    if n == 1 { "1 day".into() } else { format!("{n} days") }
}

/// The findings of one tenant at `now`.
pub fn findings(o: &Observed, now: DateTime<Utc>) -> Vec<Finding> {
    let mut out = Vec::new();
    let streams = streams(o.streams.as_ref());
    let pull_running = o.pull_scheduled && o.last_pull_error.is_none();
    let any_active = streams.iter().any(|(_, s)| s.status == "active");
    let (retention, basis) = auth0_retention(o.paid_features);
    if o.environment == "production" && o.has_snapshot && !any_active && !pull_running {
        let why = if o.pull_scheduled { "the pull is failing" } else { "the pull is not set up" };
        out.push(Finding {
            key: "no-capture".into(),
            severity: "critical",
            text: format!(
                "Production tenant with no active Auth0 log stream and {why}: its events are lost after Auth0's \
                 retention ({}; {basis}). Point a custom-webhook log stream at the receiver (the tenant page \
                 shows its address) or start the pull with: tenantry logs pull {}",
                days(retention),
                o.name
            ),
        });
    }
    for (id, s) in &streams {
        let severity = match s.status.as_str() {
            "paused" => "warning",
            "suspended" => "critical",
            _ => continue,
        };
        let what = if s.status == "paused" {
            "someone paused it"
        } else {
            "Auth0 suspended it after its deliveries kept failing"
        };
        out.push(Finding {
            key: format!("stream:{id}:{}", s.status),
            severity,
            text: format!(
                "Log stream \"{}\" ({}) is {}: {what}, so it sends nothing. Events it misses are gone after \
                 Auth0's retention ({}) unless the pull reads them; resume it in the Auth0 dashboard \
                 (Monitoring → Streams).",
                s.name,
                s.kind,
                s.status,
                days(retention)
            ),
        });
    }
    if let Some(newest) = o.newest_at {
        let gap = now - newest;
        let past = gap - chrono::TimeDelta::days(retention);
        if past > chrono::TimeDelta::zero() {
            // Whole or partial days between the newest stored event and the oldest Auth0 still has.
            let lost = (past.num_minutes() + 1439) / 1440;
            out.push(Finding {
                key: "lost".into(),
                severity: "critical",
                text: format!(
                    "Events already lost: the newest stored event is {} old and Auth0 keeps {} ({basis}), so \
                     about {} of events after it are gone from Auth0 and from here. Get \
                     the stream or the pull going again; an Auth0 export, if one was made, can be imported.",
                    days(gap.num_days()),
                    days(retention),
                    days(lost)
                ),
            });
        }
    }
    out
}

/// The tenant's row of the "Stream health" section at `now`.
pub fn row(o: &Observed, now: DateTime<Utc>) -> HealthRow {
    let (days, basis) = auth0_retention(o.paid_features);
    HealthRow {
        tenant_id: o.tenant_id,
        tenant_name: o.name.clone(),
        environment: o.environment.clone(),
        streams: o.has_snapshot.then(|| streams(o.streams.as_ref()).into_iter().map(|(_, s)| s).collect()),
        last_delivery_at: o.last_delivery_at,
        stream_deliveries: o.stream_deliveries.unwrap_or(0),
        stream_events: o.stream_events.unwrap_or(0),
        pull_running: o.pull_scheduled && o.last_pull_error.is_none(),
        lag_minutes: o.newest_at.map(|n| (now - n).num_minutes()),
        auth0_retention_days: days,
        retention_basis: basis.to_string(),
        findings: findings(o, now)
            .into_iter()
            .map(|f| HealthFinding { severity: f.severity.into(), text: f.text })
            .collect(),
    }
}

fn recorded(o: &Observed) -> Vec<(String, String)> {
    o.recorded
        .as_ref()
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| Some((f.get("key")?.as_str()?.to_string(), f.get("text")?.as_str()?.to_string())))
        .collect()
}

fn notice(o: &Observed, key: &str, severity: &'static str, state: &str, text: String, now: DateTime<Utc>) -> Incoming {
    let origin = format!("logs:health:{}:{key}", o.tenant_id);
    Incoming {
        update_origin: format!("{origin}:{state}:{}", now.timestamp_micros()),
        origin,
        source: "console",
        kind: "logs".into(),
        severity,
        title: format!("{}: log stream health", o.name),
        body: String::new(),
        link: Some("/logs#stream-health".into()),
        tenants: vec![o.name.clone()],
        regions: o.region.clone().into_iter().collect(),
        at: now,
        text,
    }
}

/// What one assessment did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assessed {
    pub appeared: usize,
    pub cleared: usize,
}

/// Assesses every tenant at `now`; a finding that appeared or cleared since the last run is a notice.
pub async fn assess_all(pool: &PgPool, now: DateTime<Utc>) -> Result<Assessed, sqlx::Error> {
    let tenants = repo::observed(&mut *pool.acquire().await?).await?;
    let mut done = Assessed::default();
    for o in &tenants {
        let found = findings(o, now);
        let before = recorded(o);
        let appeared: Vec<&Finding> = found.iter().filter(|f| !before.iter().any(|(k, _)| *k == f.key)).collect();
        let cleared: Vec<&(String, String)> =
            before.iter().filter(|(k, _)| !found.iter().any(|f| f.key == *k)).collect();
        if o.recorded.is_some() && appeared.is_empty() && cleared.is_empty() {
            continue;
        }
        let mut tx = pool.begin().await?;
        let saved: Vec<Value> =
            found.iter().map(|f| json!({"key": f.key, "severity": f.severity, "text": f.text})).collect();
        repo::save(&mut tx, o.tenant_id, &Value::Array(saved), now).await?;
        for f in &appeared {
            record::apply(&mut tx, &notice(o, &f.key, f.severity, "found", f.text.clone(), now), now).await?;
        }
        for (key, text) in &cleared {
            let text = format!("Cleared: {text}");
            record::apply(&mut tx, &notice(o, key, "info", "cleared", text, now), now).await?;
        }
        tx.commit().await?;
        done.appeared += appeared.len();
        done.cleared += cleared.len();
    }
    Ok(done)
}

/// `logs.health` / `all`.
pub struct HealthJob {
    pub pool: PgPool,
}

#[async_trait::async_trait]
impl Job for HealthJob {
    fn kind(&self) -> &'static str {
        KIND
    }

    async fn run_once(&self, _key: &str, now: DateTime<Utc>) -> Result<(), String> {
        assess_all(&self.pool, now).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observed(environment: &str, streams: Value) -> Observed {
        Observed {
            tenant_id: app::ids::TenantId(uuid::Uuid::nil()),
            name: "acme-prod".into(),
            environment: environment.into(),
            region: None,
            paid_features: true,
            streams: Some(streams),
            has_snapshot: true,
            newest_at: None,
            last_pull_at: None,
            last_pull_error: None,
            last_delivery_at: None,
            stream_deliveries: None,
            stream_events: None,
            pull_scheduled: false,
            recorded: None,
        }
    }

    fn keys(o: &Observed, now: DateTime<Utc>) -> Vec<String> {
        findings(o, now).into_iter().map(|f| f.key).collect()
    }

    #[test]
    fn a_production_tenant_needs_an_active_stream_or_the_pull() {
        let now = Utc::now();
        let none = observed("production", json!([]));
        assert_eq!(keys(&none, now), ["no-capture"]);
        assert!(keys(&observed("development", json!([])), now).is_empty(), "only production is told");
        let pulled = Observed { pull_scheduled: true, ..none.clone() };
        assert!(keys(&pulled, now).is_empty());
        let failing = Observed { last_pull_error: Some("401".into()), ..pulled };
        assert_eq!(keys(&failing, now), ["no-capture"], "a failing pull keeps nothing");
        let active = observed("production", json!([{"id": "lst_1", "name": "s", "type": "http", "status": "active"}]));
        assert!(keys(&active, now).is_empty());
    }

    #[test]
    fn a_paused_or_suspended_stream_is_a_finding() {
        let o = observed(
            "development",
            json!([{"id": "lst_1", "name": "a", "type": "http", "status": "paused"},
                   {"id": "lst_2", "name": "b", "type": "datadog", "status": "suspended"}]),
        );
        let found = findings(&o, Utc::now());
        assert_eq!(
            found.iter().map(|f| (f.key.as_str(), f.severity)).collect::<Vec<_>>(),
            [("stream:lst_1:paused", "warning"), ("stream:lst_2:suspended", "critical")]
        );
        assert!(found[0].text.contains("\"a\" (http) is paused"), "{}", found[0].text);
    }

    #[test]
    fn events_past_auth0_retention_are_counted_in_days() {
        let now = Utc::now();
        let mut o = observed("development", json!([]));
        o.newest_at = Some(now - chrono::TimeDelta::days(4));
        assert!(keys(&o, now).is_empty(), "4 days is within the 5 days of a paid plan");
        o.newest_at = Some(now - chrono::TimeDelta::days(8) - chrono::TimeDelta::hours(1));
        let found = findings(&o, now);
        assert_eq!(found.len(), 1);
        assert!(found[0].text.contains("8 days old"), "{}", found[0].text);
        assert!(found[0].text.contains("about 4 days of events"), "{}", found[0].text);
        assert!(found[0].text.contains("plan unknown: assumed Essentials"), "{}", found[0].text);
        o.paid_features = false;
        o.newest_at = Some(now - chrono::TimeDelta::hours(30));
        assert!(findings(&o, now)[0].text.contains("Auth0 keeps 1 day "));
    }
}
