//! Alerting, Gatus-style, as a pure step: N consecutive failures open an alert, M consecutive successes resolve it,
//! an open alert reminds every `reminder` minutes, and failures inside a maintenance window count but do not open.

use chrono::{DateTime, Duration, Utc};

/// A check's streaks and its open alert, before or after a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Streak {
    pub failures: i32,
    pub successes: i32,
    /// The open alert: (opened at, last reminded at).
    pub open: Option<(DateTime<Utc>, Option<DateTime<Utc>>)>,
}

/// The rules of one check.
#[derive(Clone, Copy, Debug)]
pub struct Rules {
    pub fail_threshold: i32,
    pub success_threshold: i32,
    /// Zero: no reminders.
    pub reminder: Duration,
}

/// What a run changed about the alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    None,
    Opened,
    Resolved,
    Reminder,
}

impl Transition {
    /// The `monitoring_events` kind the transition records, if it records one.
    pub fn event_kind(self) -> Option<&'static str> {
        match self {
            Transition::None => None,
            Transition::Opened => Some("alert_opened"),
            Transition::Resolved => Some("alert_resolved"),
            Transition::Reminder => Some("alert_reminder"),
        }
    }
}

/// The streak after one run at `now`.
pub fn step(before: Streak, ok: bool, in_maintenance: bool, rules: Rules, now: DateTime<Utc>) -> (Streak, Transition) {
    let mut after = before;
    if ok {
        after.failures = 0;
        after.successes = before.successes.saturating_add(1);
        if before.open.is_some() && after.successes >= rules.success_threshold {
            after.open = None;
            return (after, Transition::Resolved);
        }
        return (after, Transition::None);
    }
    after.successes = 0;
    after.failures = before.failures.saturating_add(1);
    match before.open {
        None if after.failures >= rules.fail_threshold && !in_maintenance => {
            after.open = Some((now, None));
            (after, Transition::Opened)
        }
        Some((opened, reminded)) if rules.reminder > Duration::zero() && !in_maintenance => {
            let since = reminded.unwrap_or(opened);
            if now - since >= rules.reminder {
                after.open = Some((opened, Some(now)));
                (after, Transition::Reminder)
            } else {
                (after, Transition::None)
            }
        }
        _ => (after, Transition::None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).single().expect("date") + Duration::minutes(minute)
    }

    const RULES: Rules = Rules { fail_threshold: 3, success_threshold: 2, reminder: Duration::minutes(60) };

    fn run(outcomes: &[(bool, bool)]) -> Vec<Transition> {
        let mut streak = Streak { failures: 0, successes: 0, open: None };
        outcomes
            .iter()
            .enumerate()
            .map(|(i, (ok, maintenance))| {
                let (next, t) = step(streak, *ok, *maintenance, RULES, at(i as i64 * 30));
                streak = next;
                t
            })
            .collect()
    }

    #[test]
    fn three_failures_open_two_successes_resolve() {
        use Transition::*;
        let f = (false, false);
        let s = (true, false);
        // Runs 30 minutes apart: the failure at minute 240 is an hour and a half into the alert (a reminder).
        assert_eq!(
            run(&[f, f, s, f, f, f, f, s, f, s, s]),
            [None, None, None, None, None, Opened, None, None, Reminder, None, Resolved]
        );
    }

    #[test]
    fn maintenance_records_failures_without_alerting_and_an_open_alert_reminds_hourly() {
        use Transition::*;
        let m = (false, true);
        let f = (false, false);
        // Three failures in maintenance open nothing; the first failure after it does (the streak counted).
        assert_eq!(run(&[m, m, m, f]), [None, None, None, Opened]);
        // Runs every 30 minutes: open at 2 (minute 60), remind at minute 120 and 180.
        assert_eq!(run(&[f, f, f, f, f, f, f]), [None, None, Opened, None, Reminder, None, Reminder]);
    }
}
