//! Client-side rate limiting that follows Auth0's `x-ratelimit-*` headers, per tenant and endpoint group.
//!
//! Rule: never send a request known to be over the limit. Until a tenant's bucket has been seen, one request at
//! a time probes it; afterwards each send spends one of the `remaining` the last answer reported (the lowest
//! seen, since other requests were in flight), and at zero the client waits for `x-ratelimit-reset` and probes
//! again. A 429 (someone else spent the bucket) empties it until the reset it names.
//!
//! Waits are bounded: a reset further away than `MAX_WAIT` is not slept through (the caller gets `TooLong` and
//! reports "rate limited, resets in N s"; its job retries later), and a reset an answer places more than
//! `MAX_RESET_AHEAD` (two minutes) in the future is read as that far (an endpoint that says "reset in 2100" cannot
//! stop a tenant's polling for ever).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

/// Auth0 limits the Authentication API and the Management API separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Group {
    Authentication,
    Management,
}

#[derive(Debug, Default)]
struct Known {
    /// Requests that may still be sent before the reset; `None` until an answer says.
    remaining: Option<u32>,
    /// Epoch second at which the bucket is full again.
    reset_at: Option<u64>,
    /// A probe is in flight (the bucket is unknown).
    probing: bool,
}

type Buckets = HashMap<(String, Group), Arc<Mutex<Known>>>;

/// The buckets of every tenant this process talks to.
#[derive(Default)]
pub struct Limiter {
    buckets: Mutex<Buckets>,
}

/// The longest `acquire` sleeps for a bucket to refill.
pub const MAX_WAIT: Duration = Duration::from_secs(20);
/// The furthest ahead a reset time is believed.
/// Auth0's Management API buckets refill within seconds; a reset further ahead is a broken answer, and a tenant
/// should not stop being read for longer than this because of one.
pub const MAX_RESET_AHEAD: u64 = 120;

/// The bucket is empty and refills too late to wait for: this many seconds from now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLong {
    pub resets_in_secs: u64,
}

/// What `acquire` decided; pass it back to `observe`.
#[must_use]
pub struct Permit {
    bucket: Arc<Mutex<Known>>,
}

fn now_epoch() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

fn jitter() -> Duration {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    Duration::from_millis(u64::from(OsRng.next_u32() % 200))
}

impl Limiter {
    fn bucket(&self, tenant: &str, group: Group) -> Arc<Mutex<Known>> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        buckets.entry((tenant.to_string(), group)).or_default().clone()
    }

    /// Waits until a request may be sent without exceeding the tenant's limit, or says how long that would be
    /// when it is over `MAX_WAIT`.
    pub async fn acquire(&self, tenant: &str, group: Group) -> Result<Permit, TooLong> {
        let bucket = self.bucket(tenant, group);
        loop {
            let wait = {
                let mut k = bucket.lock().unwrap_or_else(|e| e.into_inner());
                match k.remaining {
                    Some(n) if n > 0 => {
                        k.remaining = Some(n - 1);
                        return Ok(Permit { bucket: bucket.clone() });
                    }
                    None if !k.probing => {
                        k.probing = true;
                        return Ok(Permit { bucket: bucket.clone() });
                    }
                    None => Duration::from_millis(10),
                    Some(_) => {
                        let reset = k.reset_at.map(|r| r as f64).unwrap_or_else(|| now_epoch() + 1.0);
                        let until = (reset - now_epoch()).max(0.0);
                        if until == 0.0 {
                            // The window has turned: forget the count and probe again.
                            k.remaining = None;
                            k.reset_at = None;
                            continue;
                        }
                        if until > MAX_WAIT.as_secs_f64() {
                            return Err(TooLong { resets_in_secs: until.ceil() as u64 });
                        }
                        Duration::from_secs_f64(until) + jitter()
                    }
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Reads the answer's rate-limit headers (absent on failures without an answer).
    pub fn observe(&self, permit: Permit, headers: Option<&HeaderMap>, status: Option<u16>) {
        let number = |name: &str| {
            headers.and_then(|h| h.get(name)).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok())
        };
        let mut k = permit.bucket.lock().unwrap_or_else(|e| e.into_inner());
        k.probing = false;
        if let Some(reset) = number("x-ratelimit-reset") {
            k.reset_at = Some(reset.min(now_epoch() as u64 + MAX_RESET_AHEAD));
        }
        if status == Some(429) {
            k.remaining = Some(0);
            if k.reset_at.is_none_or(|r| (r as f64) < now_epoch()) {
                k.reset_at = Some(now_epoch() as u64 + 1);
            }
        } else if let Some(remaining) = number("x-ratelimit-remaining") {
            let remaining = u32::try_from(remaining).unwrap_or(u32::MAX);
            k.remaining = Some(k.remaining.map_or(remaining, |local| local.min(remaining)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(remaining: u64, reset: u64) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-remaining", remaining.to_string().parse().expect("value"));
        h.insert("x-ratelimit-reset", reset.to_string().parse().expect("value"));
        h
    }

    #[tokio::test]
    async fn an_absurd_reset_is_neither_slept_through_nor_believed_beyond_two_minutes() {
        let limiter = Limiter::default();
        let permit = limiter.acquire("t.example", Group::Management).await.expect("first probe");
        // "Reset in 2100": the bucket is empty until then, says the answer.
        limiter.observe(permit, Some(&headers(0, 4_102_444_800)), Some(200));
        let started = std::time::Instant::now();
        let refused = limiter.acquire("t.example", Group::Management).await.err().expect("no waiting for a century");
        assert!(started.elapsed() < Duration::from_secs(1), "answered at once");
        assert!((100..=MAX_RESET_AHEAD).contains(&refused.resets_in_secs), "{refused:?}");
        // Other tenants are not held up.
        assert!(limiter.acquire("other.example", Group::Management).await.is_ok());
    }

    #[tokio::test]
    async fn a_short_wait_is_waited_for() {
        let limiter = Limiter::default();
        let permit = limiter.acquire("t.example", Group::Management).await.expect("probe");
        limiter.observe(permit, Some(&headers(0, now_epoch() as u64 + 1)), Some(200));
        assert!(limiter.acquire("t.example", Group::Management).await.is_ok(), "waits up to 2 s, then probes");
    }
}
