//! Per-minute roll-ups of a batch of stored events: how each event code counts (Auth0's outcome and category from
//! `event_types.csv`) and the counts of one batch per minute, as `repo::minutes::add` adds them in the transaction
//! that stored the events. Pure: unit-tested without a database.

use std::collections::BTreeMap;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

use super::model::catalog;

/// How one code counts in the roll-ups.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Class {
    pub success: bool,
    /// A failure that is not a rate limit or block.
    pub failure: bool,
    /// A rate limit or a block that refused something (not a warning).
    pub limit: bool,
    /// A sign-in (category `login`).
    pub login: bool,
    /// Kept per code in `logs_minute_codes`: failures, warnings, rate limits and blocks.
    pub named: bool,
}

/// How `code` counts. A code Auth0's catalog does not have counts in the total only.
pub fn classify(code: &str) -> Class {
    let Some(t) = catalog().get(code) else { return Class::default() };
    let failure = t.outcome == "failure";
    // A limit that refused or blocked something; a warning (`api_limit_warning` at 80 %) refused nothing.
    let limit = t.limit && failure;
    Class {
        success: t.outcome == "success",
        failure: failure && !limit,
        limit,
        login: t.category == "login",
        named: failure || t.limit || t.outcome == "warning",
    }
}

/// Whether a code's events are listed one group at a time (what they fired on): rate limits, blocks, their
/// warnings, and deprecation notices.
pub fn listed(code: &str) -> bool {
    code == "depnote" || catalog().get(code).is_some_and(|t| t.limit)
}

/// Every listed code.
pub fn listed_codes() -> Vec<String> {
    let mut codes: Vec<String> = catalog().keys().filter(|c| listed(c)).cloned().collect();
    codes.sort();
    codes
}

/// One minute of one tenant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Minute {
    pub total: i32,
    pub successes: i32,
    pub failures: i32,
    pub limits: i32,
    pub login_ok: i32,
    pub login_failed: i32,
}

impl Minute {
    fn count(&mut self, class: Class) {
        self.total += 1;
        self.successes += i32::from(class.success);
        self.failures += i32::from(class.failure);
        self.limits += i32::from(class.limit);
        self.login_ok += i32::from(class.login && class.success);
        self.login_failed += i32::from(class.login && (class.failure || class.limit));
    }
}

/// The roll-ups of one batch: per minute, and per minute and named code, both in key order (so concurrent batches
/// lock rows in the same order and never deadlock).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rollup {
    pub minutes: BTreeMap<DateTime<Utc>, Minute>,
    pub codes: BTreeMap<(DateTime<Utc>, String), i32>,
}

/// The minute holding `at` (UTC).
pub fn minute_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::minutes(1)).unwrap_or(at)
}

impl Rollup {
    /// The roll-ups of `events`: (date, code) of each stored event.
    pub fn of<'a>(events: impl IntoIterator<Item = (DateTime<Utc>, &'a str)>) -> Rollup {
        let mut r = Rollup::default();
        for (at, code) in events {
            r.add(at, code, 1);
        }
        r
    }

    /// Counts `n` events of `code` at `at`.
    pub fn add(&mut self, at: DateTime<Utc>, code: &str, n: i32) {
        let minute = minute_of(at);
        let class = classify(code);
        let m = self.minutes.entry(minute).or_default();
        for _ in 0..n {
            m.count(class);
        }
        if class.named {
            *self.codes.entry((minute, code.to_string())).or_default() += n;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.minutes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_count_by_outcome_and_limits_apart_from_failures() {
        let s = classify("s");
        assert!(s.success && s.login && !s.named);
        let fp = classify("fp");
        assert!(fp.failure && fp.login && fp.named && !fp.limit);
        let limit = classify("api_limit");
        assert!(limit.limit && !limit.failure && limit.named, "a rate limit is not also a failure");
        let warning = classify("api_limit_warning");
        assert!(warning.named && !warning.failure && !warning.limit, "a warning refused nothing");
        assert!(classify("limit_wc").limit);
        assert!(classify("depnote").named);
        assert_eq!(classify("no_such_code"), Class::default());
    }

    #[test]
    fn a_batch_counts_per_minute_and_names_the_codes_worth_naming() {
        let at = |m: u32, s: u32| chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 3, 14, m, s).single().expect("t");
        let r = Rollup::of([
            (at(5, 1), "s"),
            (at(5, 59), "fp"),
            (at(5, 30), "api_limit"),
            (at(6, 0), "s"),
            (at(6, 2), "x"),
        ]);
        assert_eq!(r.minutes.len(), 2);
        let m5 = r.minutes[&at(5, 0)];
        assert_eq!(
            m5,
            Minute { total: 3, successes: 1, failures: 1, limits: 1, login_ok: 1, login_failed: 1 },
            "fp is a failed sign-in; api_limit is a limit, not a sign-in"
        );
        assert_eq!(r.minutes[&at(6, 0)], Minute { total: 2, successes: 1, login_ok: 1, ..Minute::default() });
        let codes: Vec<(&str, i32)> = r.codes.iter().map(|((_, c), n)| (c.as_str(), *n)).collect();
        assert_eq!(codes, [("api_limit", 1), ("fp", 1)], "successes and unknown codes are not named");
    }
}
