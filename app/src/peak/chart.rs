//! The report's charts, drawn on the server as SVG text (no script): events per bar stacked by outcome (successes,
//! failures, rate limits and blocks, other) with a mark over every bar where a limit fired — each bar a link to the
//! log search of its minutes — and the login success rate over the same bars.

use std::fmt::Write;

use chrono::{DateTime, TimeDelta, Utc};

use super::{Bar, PeakReport};
use crate::pages::query_string;

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 200.0;
/// Room above the bars for the limit marks, and below for the time labels.
const TOP: f64 = 14.0;
const BOTTOM: f64 = 22.0;
const LEFT: f64 = 48.0;

/// `&`, `<`, `>` and `"` as SVG text and attributes need them.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The log search of `minutes` minutes from `start` (the report's tenant, or every tenant).
pub fn search_link(report: &PeakReport, start: DateTime<Utc>, minutes: i64) -> String {
    let at = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M").to_string();
    let tenant = report.tenant.as_ref().map(|(id, _)| id.to_string()).unwrap_or_default();
    let pairs = [("tenant", tenant), ("from", at(start)), ("to", at(start + TimeDelta::minutes(minutes)))];
    format!("/logs{}", query_string(&pairs))
}

/// "14:05" within a day, "12-03 14:00" across days.
fn time_label(at: DateTime<Utc>, span: TimeDelta) -> String {
    if span <= TimeDelta::days(1) { at.format("%H:%M").to_string() } else { at.format("%m-%d %H:%M").to_string() }
}

/// "1 minute", "5 minutes", "2 hours", "1 day".
pub fn bucket_words(minutes: i64) -> String {
    match minutes {
        1 => "1 minute".into(),
        m if m % 1440 == 0 => format!("{} day{}", m / 1440, if m == 1440 { "" } else { "s" }),
        m if m % 60 == 0 => format!("{} hour{}", m / 60, if m == 60 { "" } else { "s" }),
        m => format!("{m} minutes"),
    }
}

fn axis(svg: &mut String, report: &PeakReport, top_label: &str) {
    let span = report.to - report.from;
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{LEFT}" y1="{y}" x2="{WIDTH}" y2="{y}"/><text class="tick" x="{x}" y="{ty}" text-anchor="end">{top}</text><text class="tick" x="{x}" y="{y}" text-anchor="end">0</text>"#,
        y = HEIGHT - BOTTOM,
        x = LEFT - 6.0,
        ty = TOP + 4.0,
        top = escape(top_label),
    );
    for i in 0..=4 {
        let at = report.from + span * i / 4;
        let x = LEFT + (WIDTH - LEFT) * f64::from(i) / 4.0;
        let anchor = match i {
            0 => "start",
            4 => "end",
            _ => "middle",
        };
        let _ = write!(
            svg,
            r#"<text class="tick" x="{x:.1}" y="{y}" text-anchor="{anchor}">{}</text>"#,
            escape(&time_label(at, span)),
            y = HEIGHT - 6.0
        );
    }
}

/// The stacked-bar chart of the report's events.
pub fn events_svg(report: &PeakReport) -> String {
    let bars = &report.bars;
    let most = bars.iter().map(|b| b.total).max().unwrap_or(0).max(1);
    let n = bars.len().max(1) as f64;
    let step = (WIDTH - LEFT) / n;
    let width = (step - if step > 4.0 { 1.0 } else { 0.0 }).max(0.5);
    let scale = (HEIGHT - TOP - BOTTOM) / most as f64;
    let per = bucket_words(report.bucket);
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="events-chart-t" data-testid="events-chart"><title id="events-chart-t">Events per {per}, stacked: successes, failures, rate limits and blocks, other. A mark over a bar: a limit fired.</title>"#
    );
    axis(&mut svg, report, &most.to_string());
    for (i, b) in bars.iter().enumerate() {
        let x = LEFT + step * i as f64;
        let mut y = HEIGHT - BOTTOM;
        let title = bar_title(b, &per);
        let _ = write!(
            svg,
            r#"<a href="{}"><g class="bar"><title>{}</title>"#,
            escape(&search_link(report, b.start, b.minutes)),
            escape(&title)
        );
        // A transparent full-height target, so a thin bar is still easy to click.
        let _ = write!(
            svg,
            r#"<rect class="hit" x="{x:.2}" y="{TOP}" width="{step:.2}" height="{:.2}"/>"#,
            HEIGHT - TOP - BOTTOM
        );
        for (class, count) in [("ok", b.successes), ("failed", b.failures), ("limited", b.limits), ("other", b.other())]
        {
            if count == 0 {
                continue;
            }
            let h = count as f64 * scale;
            y -= h;
            let _ = write!(svg, r#"<rect class="{class}" x="{x:.2}" y="{y:.2}" width="{width:.2}" height="{h:.2}"/>"#);
        }
        svg.push_str("</g></a>");
        if b.limits > 0 {
            let cx = x + width / 2.0;
            let _ = write!(
                svg,
                r#"<path class="limit-mark" data-testid="limit-mark" d="M{:.2} {:.2} L{:.2} {:.2} L{cx:.2} {:.2} Z"/>"#,
                cx - 4.0,
                y - 10.0,
                cx + 4.0,
                y - 10.0,
                y - 2.0
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A bar's events in words (its tooltip).
pub fn bar_title(b: &Bar, per: &str) -> String {
    format!(
        "{} UTC ({per}): {} events — {} successes, {} failures, {} rate limits or blocks, {} other. Opens the log search.",
        b.start.format("%Y-%m-%d %H:%M"),
        b.total,
        b.successes,
        b.failures,
        b.limits,
        b.other()
    )
}

/// The login success rate over the same bars (bars without sign-ins are skipped).
pub fn login_svg(report: &PeakReport) -> String {
    let n = report.bars.len().max(1) as f64;
    let step = (WIDTH - LEFT) / n;
    let inner = HEIGHT - TOP - BOTTOM;
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="login-chart-t" data-testid="login-chart"><title id="login-chart-t">Login success rate per {}, from 0 to 100 %.</title>"#,
        bucket_words(report.bucket)
    );
    axis(&mut svg, report, "100 %");
    let points: Vec<String> = report
        .bars
        .iter()
        .enumerate()
        .filter_map(|(i, b)| {
            let rate = b.login_rate()?;
            Some(format!("{:.2},{:.2}", LEFT + step * (i as f64 + 0.5), TOP + inner * (1.0 - rate / 100.0)))
        })
        .collect();
    if points.len() == 1 {
        let (x, y) = points[0].split_once(',').unwrap_or(("0", "0"));
        let _ = write!(svg, r#"<circle class="rate" cx="{x}" cy="{y}" r="3"/>"#);
    } else if !points.is_empty() {
        let _ = write!(svg, r#"<polyline class="rate" points="{}"/>"#, points.join(" "));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::peak::{Range, Typical};

    fn report(bars: Vec<Bar>) -> PeakReport {
        let from = Utc.with_ymd_and_hms(2026, 12, 3, 14, 0, 0).single().expect("t");
        PeakReport {
            tenant: None,
            tenants: Vec::new(),
            range: Range::Hour,
            from,
            to: from + TimeDelta::hours(1),
            bucket: 1,
            bars,
            peaks: Vec::new(),
            typical: Typical::default(),
            total: Bar::default(),
            limits: Vec::new(),
            codes: Vec::new(),
            failure_categories: Vec::new(),
            anything_stored: true,
            took_ms: 0,
        }
    }

    #[test]
    fn bars_link_to_their_minute_and_limits_are_marked() {
        let from = Utc.with_ymd_and_hms(2026, 12, 3, 14, 0, 0).single().expect("t");
        let bar = |m: i64, total, limits| Bar {
            start: from + TimeDelta::minutes(m),
            minutes: 1,
            total,
            successes: total - limits,
            limits,
            login_ok: total - limits,
            ..Bar::default()
        };
        let r = report(vec![bar(0, 10, 0), bar(1, 40, 12), bar(2, 0, 0)]);
        let svg = events_svg(&r);
        assert!(svg.contains(r#"href="/logs?from=2026-12-03%2014%3A01&amp;to=2026-12-03%2014%3A02""#), "{svg}");
        assert_eq!(svg.matches("data-testid=\"limit-mark\"").count(), 1);
        assert!(svg.contains("40 events — 28 successes, 0 failures, 12 rate limits or blocks"), "{svg}");
        assert!(svg.contains(">40</text>"), "the axis is scaled to the busiest bar");
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        let login = login_svg(&r);
        assert_eq!(login.matches("<polyline").count(), 1, "two bars with sign-ins draw a line");
    }

    #[test]
    fn an_empty_range_draws_an_empty_chart() {
        let svg = events_svg(&report(Vec::new()));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>") && !svg.contains("NaN"));
        assert!(!login_svg(&report(Vec::new())).contains("polyline"));
    }
}
