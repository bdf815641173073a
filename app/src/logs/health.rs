//! The "Stream health" section of `/logs`: per tenant, its Auth0 log streams (from the latest snapshot), what the
//! receiver has had, the pull and its lag, and the findings — the same the `logs.health` step records as
//! notifications.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::format::timestamp_or_never as when;
use crate::ids::TenantId;
use crate::pages::Empty;

/// One Auth0 log stream as the tenant's snapshot describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamRow {
    pub name: String,
    /// Auth0's stream type (`http`, `datadog`, `eventbridge`…).
    pub kind: String,
    /// `active`, `paused` or `suspended`.
    pub status: String,
}

/// Something wrong with how a tenant's logs are kept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HealthFinding {
    /// `critical` or `warning`.
    pub severity: String,
    pub text: String,
}

/// How a tenant's logs get out of Auth0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HealthRow {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub environment: String,
    /// `None`: no snapshot of the tenant yet.
    pub streams: Option<Vec<StreamRow>>,
    pub last_delivery_at: Option<DateTime<Utc>>,
    pub stream_deliveries: i64,
    pub stream_events: i64,
    /// Whether the pull is scheduled and its last run went well.
    pub pull_running: bool,
    /// Minutes between the newest stored event and now (`None`: nothing stored).
    pub lag_minutes: Option<i64>,
    /// Days Auth0 keeps this tenant's logs, and what that is based on.
    pub auth0_retention_days: i64,
    pub retention_basis: String,
    pub findings: Vec<HealthFinding>,
}

/// "3 min", "5 h 10 min", "2 days 4 h".
pub fn lag_text(minutes: i64) -> String {
    let m = minutes.max(0);
    match m {
        0..60 => format!("{m} min"),
        60..1440 => format!("{} h {} min", m / 60, m % 60),
        _ => format!("{} days {} h", m / 1440, (m % 1440) / 60),
    }
}

#[component]
pub fn StreamHealth(rows: Vec<HealthRow>) -> impl IntoView {
    let findings: usize = rows.iter().map(|r| r.findings.len()).sum();
    view! {
        <section class="card" aria-labelledby="stream-health-h" id="stream-health" data-testid="stream-health">
            <h2 id="stream-health-h">"Stream health"</h2>
            <p class="muted">
                {if findings == 0 { "No finding: every tenant's logs are getting out of Auth0.".to_string() }
                 else { format!("{findings} finding(s). Each is also a notification, and another when it clears.") }}
            </p>
            {rows.is_empty().then(|| view! { <Empty>"No tenant is registered yet."</Empty> })}
            <table class="table" data-testid="stream-health-table">
                <thead><tr><th>"Tenant"</th><th>"Auth0 log streams"</th><th>"Receiver"</th><th>"Pull"</th><th>"Auth0 keeps"</th><th>"Findings"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr data-testid="stream-health-tenant" data-tenant=r.tenant_name.clone()>
                            <td>{r.tenant_name.clone()}<br /><span class="muted">{r.environment.clone()}</span></td>
                            <td>{match r.streams.clone() {
                                None => view! { <span class="muted">"no snapshot yet"</span> }.into_any(),
                                Some(s) if s.is_empty() => view! { <span>"none"</span> }.into_any(),
                                Some(s) => view! { <ul class="plain">{s.into_iter().map(|s| view! {
                                    <li>{s.name}" ("{s.kind}") "<span class=match s.status.as_str() { "active" => "badge ok", "paused" => "badge warn", _ => "badge bad" }>{s.status.clone()}</span></li>
                                }).collect_view()}</ul> }.into_any(),
                            }}</td>
                            <td>{format!("last delivery {}", when(r.last_delivery_at))}<br />
                                <span class="muted">{format!("{} deliveries, {} events", r.stream_deliveries, r.stream_events)}</span></td>
                            <td>{if r.pull_running { "running" } else { "not running" }}<br />
                                <span class="muted" data-testid="lag">{match r.lag_minutes {
                                    Some(m) => format!("newest event {} ago", lag_text(m)),
                                    None => "nothing stored".to_string(),
                                }}</span></td>
                            <td>{if r.auth0_retention_days == 1 { "1 day".to_string() } else { format!("{} days", r.auth0_retention_days) }}<br /><span class="muted">{r.retention_basis.clone()}</span></td>
                            <td>{r.findings.is_empty().then_some("none")}
                                <ul class="plain">{r.findings.into_iter().map(|f| view! {
                                    <li class=format!("finding severity-{}", f.severity) data-testid="stream-finding">
                                        <span class=match f.severity.as_str() { "critical" => "badge bad", "warning" => "badge warn", _ => "badge info" }>{f.severity.clone()}</span>" "{f.text}
                                    </li>
                                }).collect_view()}</ul></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lag_reads_in_the_largest_units() {
        assert_eq!(super::lag_text(5), "5 min");
        assert_eq!(super::lag_text(130), "2 h 10 min");
        assert_eq!(super::lag_text(3 * 1440 + 120), "3 days 2 h");
    }
}
