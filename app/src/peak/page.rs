//! `/logs/peak`: the peak-load report — a plain GET form (tenant, range, custom from/to), the charts, the peak
//! minutes against the typical minute, the limits that fired and on what, failures by category, and the CSV of
//! the per-minute series.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::chart::{self, bucket_words, search_link};
use super::{LimitFired, PeakQuery, PeakReport, Range, load_peak};
use crate::format::timestamp;
use crate::logs::logs_nav;
use crate::pages::{Empty, FilterSelect, Filters, loaded, query_string};

/// `/logs/peak`.
#[component]
pub fn PeakPage() -> impl IntoView {
    let query = use_query_map().with_untracked(|q| {
        let get = |name: &str| q.get(name).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        PeakQuery { tenant: get("tenant"), range: get("range"), from: get("from"), to: get("to") }
    });
    view! {
        <Title text="Peak load" />
        <h1>"Peak load"</h1>
        {logs_nav("/logs/peak")}
        <p class="lead">
            "Do peak loads trigger Auth0's rate limits or other errors? Events per minute from the stored logs, the \
             busiest minutes, and every rate limit, block and deprecation notice of the range."
        </p>
        {loaded("Reading the per-minute counts…", load_peak(query.clone()), move |report| view! { <Report report query=query.clone() /> })}
    }
}

/// "s" unless `n` is 1.
fn plural(n: i64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn percent(rate: f64) -> String {
    format!("{rate:.1} %")
}

#[component]
fn Report(report: PeakReport, query: PeakQuery) -> impl IntoView {
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let tenants = report.tenants.iter().map(|(id, name)| (id.to_string(), name.clone())).collect();
    let csv = format!("/logs/peak/export.csv{}", query_string(&query.pairs()));
    let whose = report.tenant.as_ref().map_or_else(|| "Every tenant".to_string(), |(_, name)| name.clone());
    let per = bucket_words(report.bucket);
    let total = report.total.clone();
    let failed = total.failures + total.limits;
    let login = total.login_rate().map_or_else(|| "no sign-in".to_string(), percent);
    let (events_svg, login_svg) = (chart::events_svg(&report), chart::login_svg(&report));
    let empty = total.total == 0;
    view! {
        <nav class="subnav ranges" aria-label="Range">
            {Range::ALL.into_iter().filter(|r| *r != Range::Custom).map(|r| {
                let href = format!("/logs/peak{}", query_string(&[("tenant", v(&query.tenant)), ("range", r.as_str().to_string())]));
                if r == report.range {
                    view! { <strong aria-current="page">{r.label()}</strong> }.into_any()
                } else {
                    view! { <a href=href>{r.label()}</a> }.into_any()
                }
            }).collect_view()}
        </nav>
        <Filters action="/logs/peak">
            <FilterSelect label="Tenant" name="tenant" current=v(&query.tenant) options=tenants />
            {(report.range != Range::Custom).then(|| view! { <input type="hidden" name="range" value=report.range.as_str() /> })}
            <label>"From (UTC)" <input type="text" name="from" value=v(&query.from) placeholder="YYYY-MM-DD HH:MM" /></label>
            <label>"To (UTC)" <input type="text" name="to" value=v(&query.to) placeholder="YYYY-MM-DD HH:MM" /></label>
        </Filters>
        <p class="muted" data-testid="peak-range">
            {format!("{whose}, {} to {}; one bar per {per}. Read in {} ms. ", timestamp(report.from), timestamp(report.to), report.took_ms)}
            <a href=csv data-testid="peak-csv">"Download the per-minute series (CSV)"</a>
        </p>
        {(empty && !report.anything_stored).then(|| view! {
            <Empty>"No Auth0 log event is stored yet, so there is nothing to count. Collect a tenant's logs first: "
                <a href="/logs">"Logs"</a>" says how (a log stream to the receiver, the pull, or an import)."</Empty>
        })}
        {(empty && report.anything_stored).then(|| view! {
            <Empty>"No event in this range. Choose a longer range, or another tenant."</Empty>
        })}
        {(!empty).then(|| view! {
            <section class="card" aria-labelledby="summary-h">
                <h2 id="summary-h">"Summary"</h2>
                <dl class="facts" data-testid="peak-summary">
                    <dt>"Events"</dt><dd>{total.total}</dd>
                    <dt>"Failures, rate limits and blocks"</dt><dd>{format!("{failed} ({} rate limit{} or block{})", total.limits, plural(total.limits), plural(total.limits))}</dd>
                    <dt>"Login success rate"</dt><dd>{login}</dd>
                    <dt>"Typical minute"</dt><dd>{format!(
                        "{:.1} events, {} failing (the median of {} minutes with events)",
                        report.typical.events, percent(report.typical.failure_rate), report.typical.busy_minutes
                    )}</dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="chart-h">
                <h2 id="chart-h">{format!("Events per {per}")}</h2>
                <p class="legend muted small">
                    <span class="key ok"></span>"successes "<span class="key failed"></span>"failures "
                    <span class="key limited"></span>"rate limits and blocks "<span class="key other"></span>"other "
                    "▼ a limit fired. Click a bar to open the log search for its minutes (developers)."
                </p>
                <div class="chart-box" inner_html=events_svg></div>
                <h2>"Login success rate"</h2>
                <div class="chart-box" inner_html=login_svg></div>
            </section>
            <Peaks report=report.clone() />
            <Limits rows=report.limits.clone() />
            <Codes report=report.clone() />
        })}
    }
}

#[component]
fn Peaks(report: PeakReport) -> impl IntoView {
    let typical = report.typical.failure_rate;
    view! {
        <section class="card" aria-labelledby="peaks-h">
            <h2 id="peaks-h">"Peak minutes"</h2>
            <table class="table" data-testid="peak-minutes">
                <thead><tr><th>"Minute (UTC)"</th><th>"Events"</th><th>"Against the typical minute"</th><th>"Failing"</th><th>"Rate limits or blocks"</th></tr></thead>
                <tbody>
                    {report.peaks.iter().map(|p| {
                        let times = if report.typical.events > 0.0 { p.total as f64 / report.typical.events } else { 0.0 };
                        let rate = if p.failure_rate > typical {
                            format!("{} (typical {})", percent(p.failure_rate), percent(typical))
                        } else {
                            percent(p.failure_rate)
                        };
                        let row_class = if p.limits > 0 { "outcome-failure" } else { "" };
                        view! {
                            <tr data-testid="peak-minute" class=row_class>
                                <td><a href=search_link(&report, p.minute, 1)>{p.minute.format("%Y-%m-%d %H:%M").to_string()}</a></td>
                                <td>{p.total}</td>
                                <td>{format!("{times:.1}× the typical minute")}</td>
                                <td>{rate}</td>
                                <td>{p.limits}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn Limits(rows: Vec<LimitFired>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="limits-h">
            <h2 id="limits-h">"Rate limits, blocks and deprecations"</h2>
            {rows.is_empty().then(|| view! { <Empty>"None in this range: no rate limit, block or deprecation notice was logged."</Empty> })}
            {(!rows.is_empty()).then(|| view! {
                <table class="table" data-testid="peak-limits">
                    <thead><tr><th>"Event"</th><th>"Tenant"</th><th>"On"</th><th>"Endpoint"</th><th>"Client"</th><th>"Events"</th><th>"When (UTC)"</th><th>"IPs"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|l| {
                            let when = if l.first == l.last {
                                l.first.format("%Y-%m-%d %H:%M:%S").to_string()
                            } else {
                                format!("{} – {}", l.first.format("%Y-%m-%d %H:%M:%S"), l.last.format("%H:%M:%S"))
                            };
                            let plus = if l.more_ips { " or more" } else { "" };
                            let more = if l.ips > l.ip_sample.len() as i64 { format!(" and {}{plus} more", l.ips - l.ip_sample.len() as i64) } else { String::new() };
                            view! {
                                <tr data-testid="peak-limit" class="outcome-failure">
                                    <td><span class="badge">{l.code.clone()}</span>" "{l.name.clone()}</td>
                                    <td>{l.tenant_name.clone()}</td>
                                    <td>{l.what.clone().unwrap_or_default()}</td>
                                    <td><code>{l.endpoint.clone().unwrap_or_default()}</code></td>
                                    <td>{l.client.clone().unwrap_or_default()}</td>
                                    <td>{l.events}</td>
                                    <td>{when}</td>
                                    <td>{format!("{}{more}", l.ip_sample.join(", "))}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

#[component]
fn Codes(report: PeakReport) -> impl IntoView {
    let tenant = report.tenant.as_ref().map(|(id, _)| id.to_string()).unwrap_or_default();
    let from = report.from.format("%Y-%m-%d %H:%M").to_string();
    let to = report.to.format("%Y-%m-%d %H:%M").to_string();
    view! {
        <section class="card" aria-labelledby="codes-h">
            <h2 id="codes-h">"Failures by category"</h2>
            <p class="muted" data-testid="failure-categories">
                {if report.failure_categories.is_empty() {
                    "No failure in this range.".to_string()
                } else {
                    report.failure_categories.iter().map(|(c, n)| format!("{c}: {n}")).collect::<Vec<_>>().join(" · ")
                }}
            </p>
            <table class="table" data-testid="peak-codes">
                <thead><tr><th>"Code"</th><th>"Category"</th><th>"Outcome"</th><th>"Events"</th></tr></thead>
                <tbody>
                    {report.codes.iter().map(|c| {
                        let href = format!("/logs{}", query_string(&[("tenant", tenant.clone()), ("kind", c.code.clone()), ("from", from.clone()), ("to", to.clone())]));
                        view! {
                            <tr>
                                <td><a href=href><span class="badge">{c.code.clone()}</span></a>" "{c.name.clone()}</td>
                                <td>{c.category.clone()}</td>
                                <td>{c.outcome.clone()}</td>
                                <td>{c.events}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
