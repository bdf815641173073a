//! Charts drawn as SVG on the server (no JavaScript): the list's latency sparkline, and the check page's latency
//! and uptime charts. Each carries a text alternative.

use leptos::prelude::*;

use super::Point;

fn polyline(values: &[(f64, f64)]) -> String {
    values.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ")
}

/// The latest runs' latency; failed runs are red dots.
pub fn sparkline(recent: &[(i32, bool)]) -> impl IntoView + use<> {
    let (w, h) = (120.0, 28.0);
    let max = recent.iter().map(|(ms, _)| *ms).max().unwrap_or(1).max(1) as f64;
    let step = if recent.len() > 1 { w / (recent.len() - 1) as f64 } else { 0.0 };
    let at = |i: usize, ms: i32| (i as f64 * step, h - 2.0 - (ms as f64 / max) * (h - 4.0));
    let line = polyline(&recent.iter().enumerate().map(|(i, (ms, _))| at(i, *ms)).collect::<Vec<_>>());
    let failed: Vec<(f64, f64)> =
        recent.iter().enumerate().filter(|(_, (_, ok))| !ok).map(|(i, (ms, _))| at(i, *ms)).collect();
    let label = format!("Latency of the last {} runs, up to {} ms; {} failed", recent.len(), max as i64, failed.len());
    let aria = label.clone();
    view! {
        <svg class="sparkline" viewBox=format!("0 0 {w} {h}") width="120" height="28" role="img" aria-label=aria>
            <title>{label}</title>
            <polyline points=line fill="none" stroke="currentColor" stroke-width="1.5" />
            {failed.into_iter().map(|(x, y)| view! { <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r="2.5" class="fail" /> }).collect_view()}
        </svg>
    }
}

/// p50 and p95 latency per bucket.
pub fn latency_chart(points: &[Point]) -> impl IntoView + use<> {
    let (w, h, pad) = (720.0, 170.0, 30.0);
    let max = points.iter().filter_map(|p| p.p95.or(p.p50)).max().unwrap_or(100).max(1) as f64;
    let step = if points.len() > 1 { (w - pad) / (points.len() - 1) as f64 } else { 0.0 };
    let line = |pick: &dyn Fn(&Point) -> Option<i32>| {
        polyline(
            &points
                .iter()
                .enumerate()
                .filter_map(|(i, p)| {
                    pick(p).map(|ms| (pad + i as f64 * step, h - 18.0 - (ms as f64 / max) * (h - 30.0)))
                })
                .collect::<Vec<_>>(),
        )
    };
    let (p50, p95) = (line(&|p| p.p50), line(&|p| p.p95));
    let first = points.first().map(|p| crate::format::timestamp(p.at)).unwrap_or_default();
    let last = points.last().map(|p| crate::format::timestamp(p.at)).unwrap_or_default();
    let label = format!("Latency p50 and p95 from {first} to {last}; highest p95 {} ms", max as i64);
    let aria = label.clone();
    view! {
        <svg class="chart" viewBox=format!("0 0 {w} {h}") role="img" aria-label=aria>
            <title>{label}</title>
            <text x="0" y="12" class="axis">{format!("{} ms", max as i64)}</text>
            <text x="0" y=format!("{}", h - 20.0) class="axis">"0"</text>
            <line x1=pad y1=h - 18.0 x2=w y2=h - 18.0 class="axis-line" />
            <polyline points=p95 fill="none" class="p95" stroke-width="2" />
            <polyline points=p50 fill="none" class="p50" stroke-width="2" />
            <text x=pad y=h - 2.0 class="axis">{first}</text>
            <text x=w y=h - 2.0 class="axis" text-anchor="end">{last}</text>
        </svg>
        <p class="legend"><span class="key p50"></span>" p50 "<span class="key p95"></span>" p95"</p>
    }
}

/// One bar per bucket: its share of successful runs.
pub fn uptime_bars(points: &[Point]) -> impl IntoView + use<> {
    let (w, h) = (720.0, 40.0);
    let width = if points.is_empty() { 0.0 } else { w / points.len() as f64 };
    let down = points.iter().filter(|p| p.ok < p.runs).count();
    let label = format!("{} periods, {down} with failed runs", points.len());
    let aria = label.clone();
    view! {
        <svg class="chart uptime" viewBox=format!("0 0 {w} {h}") role="img" aria-label=aria>
            <title>{label}</title>
            {points.iter().enumerate().map(|(i, p)| {
                let share = if p.runs == 0 { 1.0 } else { p.ok as f64 / p.runs as f64 };
                let class = if p.runs == 0 { "none" } else if share >= 1.0 { "ok" } else if share >= 0.9 { "warn" } else { "bad" };
                view! { <rect x=format!("{:.1}", i as f64 * width) y="0" width=format!("{:.1}", (width - 1.0).max(1.0)) height=h class=class><title>{format!("{}: {} of {} runs passed", crate::format::timestamp(p.at), p.ok, p.runs)}</title></rect> }
            }).collect_view()}
        </svg>
    }
}
