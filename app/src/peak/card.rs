//! The tenant page's "Peak load" card: the last hour and the last day in numbers, the busiest minute of the day,
//! the limits that fired, whether sign-in failures are spiking, and a link to the whole report.

use leptos::prelude::*;

use super::load_peak_card;
use crate::ids::TenantId;
use crate::pages::loaded;

/// The peak-load card of the tenant page.
#[component]
pub fn TenantPeak(id: TenantId) -> impl IntoView {
    loaded("Reading the tenant's per-minute counts…", load_peak_card(id), move |c| {
        let line = |b: &super::Bar| {
            let login =
                b.login_rate().map_or_else(|| "no sign-in".to_string(), |r| format!("{r:.1} % of sign-ins succeeded"));
            format!("{} events, {} failures, {} rate limits or blocks; {login}", b.total, b.failures, b.limits)
        };
        let limits = if c.limits.is_empty() {
            "none in the last 24 hours".to_string()
        } else {
            c.limits.iter().map(|(code, n)| format!("{code} ×{n}")).collect::<Vec<_>>().join(", ")
        };
        let busiest = c.busiest.as_ref().map_or_else(
            || "no event in the last 24 hours".to_string(),
            |p| {
                format!(
                    "{} UTC: {} events ({:.1} % failing)",
                    p.minute.format("%Y-%m-%d %H:%M"),
                    p.total,
                    p.failure_rate
                )
            },
        );
        view! {
            <section class="card" aria-labelledby="peak-h" data-testid="tenant-peak">
                <h2 id="peak-h">"Peak load"</h2>
                {c.spiking_since.map(|since| view! {
                    <p class="advice" data-testid="spiking">{format!(
                        "Sign-in failures are spiking: far above this tenant's usual level since {} UTC.",
                        since.format("%Y-%m-%d %H:%M")
                    )}</p>
                })}
                <dl class="facts">
                    <dt>"Last hour"</dt><dd>{line(&c.hour)}</dd>
                    <dt>"Last 24 hours"</dt><dd>{line(&c.day)}</dd>
                    <dt>"Busiest minute (24 hours)"</dt><dd>{busiest}</dd>
                    <dt>"Rate limits and blocks"</dt><dd data-testid="tenant-limits">{limits}</dd>
                </dl>
                <p><a href=format!("/logs/peak?tenant={}&range=day", c.tenant)>"The peak-load report of this tenant"</a></p>
            </section>
        }
    })
}
