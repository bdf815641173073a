//! Sign-in throttling: who must wait, and for how long, from the failures of the last 15 minutes.
//!
//! Three counts, three rules, none of which keeps an account's owner out because someone else guessed:
//! - one **email and address pair** (a guesser at one account): after 5 failures each further attempt from that
//!   pair waits 30 s, doubling with every failure, at most 15 minutes;
//! - one **address** (a guesser at many accounts): after 20 failures it waits 15 minutes from its last failure;
//! - one **account from many addresses** (a spread-out guesser): never refused, but each attempt is answered only
//!   after a delay that grows with the failures (1 s doubling, at most 8 s), so guessing slows to a crawl while the
//!   owner, at another address, signs in after a few seconds.
//!
//! The client address is the one `http::client` settles on (the proxy's `X-Forwarded-For` only from trusted
//! proxies), so one attacker behind the company's reverse proxy cannot lock out everyone behind it.

use chrono::{DateTime, Duration, Utc};

/// Failures are counted over this window.
pub const WINDOW_MINUTES: i64 = 15;
/// Failures of one email and address pair before that pair waits.
pub const PAIR_LIMIT: i64 = 5;
/// Failures from one address (all accounts) before that address waits 15 minutes.
pub const ADDRESS_LIMIT: i64 = 20;
/// Failures of one account (all addresses) before its attempts are slowed down.
pub const ACCOUNT_SLOW_AFTER: i64 = 10;
/// The longest slow-down of one attempt.
pub const MAX_SLOW_DOWN_SECONDS: i64 = 8;

/// How many failures there were in the window, and the latest one, for each count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Failures {
    pub pair: Count,
    pub address: Count,
    pub account: Count,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Count {
    pub n: i64,
    pub last: Option<DateTime<Utc>>,
}

/// What an attempt meets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Go ahead, after this delay (zero for nearly everyone).
    Proceed { delay: Duration },
    /// Refused without checking the password; try again after this long.
    Wait(Duration),
}

/// The rules above, at `now`.
pub fn judge(failures: &Failures, now: DateTime<Utc>) -> Verdict {
    let remaining = |last: Option<DateTime<Utc>>, wait: Duration| {
        last.map(|last| last + wait - now).filter(|left| *left > Duration::zero())
    };
    let mut waits = Vec::new();
    if failures.address.n >= ADDRESS_LIMIT {
        waits.extend(remaining(failures.address.last, Duration::minutes(WINDOW_MINUTES)));
    }
    if failures.pair.n >= PAIR_LIMIT {
        let doublings = (failures.pair.n - PAIR_LIMIT).min(10) as u32;
        let wait = Duration::seconds(30 * 2_i64.pow(doublings)).min(Duration::minutes(WINDOW_MINUTES));
        waits.extend(remaining(failures.pair.last, wait));
    }
    if let Some(longest) = waits.into_iter().max() {
        return Verdict::Wait(longest);
    }
    let delay = if failures.account.n >= ACCOUNT_SLOW_AFTER {
        let doublings = (failures.account.n - ACCOUNT_SLOW_AFTER).min(10) as u32;
        Duration::seconds(2_i64.pow(doublings).min(MAX_SLOW_DOWN_SECONDS))
    } else {
        Duration::zero()
    };
    Verdict::Proceed { delay }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64, second: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + minute * 60 + second, 0).expect("valid time")
    }

    fn count(n: i64, last: DateTime<Utc>) -> Count {
        Count { n, last: Some(last) }
    }

    #[test]
    fn nobody_waits_below_the_limits() {
        let failures = Failures { pair: count(4, at(0, 0)), address: count(19, at(0, 0)), account: count(9, at(0, 0)) };
        assert_eq!(judge(&failures, at(0, 1)), Verdict::Proceed { delay: Duration::zero() });
    }

    #[test]
    fn a_guessing_pair_waits_longer_with_every_failure_up_to_15_minutes() {
        let last = at(0, 0);
        let wait = |n| match judge(&Failures { pair: count(n, last), ..Failures::default() }, last) {
            Verdict::Wait(w) => w.num_seconds(),
            other => panic!("{other:?}"),
        };
        assert_eq!([wait(5), wait(6), wait(7), wait(10), wait(40)], [30, 60, 120, 900, 900]);
        // Once the wait has passed, the pair may try again.
        let failures = Failures { pair: count(5, last), ..Failures::default() };
        assert_eq!(judge(&failures, at(0, 31)), Verdict::Proceed { delay: Duration::zero() });
    }

    #[test]
    fn a_guessing_address_waits_15_minutes_from_its_last_failure() {
        let failures = Failures { address: count(20, at(10, 0)), ..Failures::default() };
        assert_eq!(judge(&failures, at(20, 0)), Verdict::Wait(Duration::minutes(5)));
        assert!(matches!(judge(&failures, at(25, 1)), Verdict::Proceed { .. }));
    }

    #[test]
    fn an_account_under_attack_from_many_addresses_is_slowed_never_refused() {
        let delay = |n| match judge(&Failures { account: count(n, at(0, 0)), ..Failures::default() }, at(0, 0)) {
            Verdict::Proceed { delay } => delay.num_seconds(),
            other => panic!("{other:?}"),
        };
        assert_eq!([delay(10), delay(11), delay(13), delay(500)], [1, 2, 8, 8]);
    }
}
