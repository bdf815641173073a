//! A token bucket like Auth0's: `burst` tokens, refilled at `per_second`.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// A bucket's size and refill rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limit {
    pub burst: u32,
    pub per_second: f64,
}

#[derive(Debug)]
pub struct Bucket {
    limit: Limit,
    tokens: f64,
    at: Instant,
}

/// What a request saw: allowed or not, and the headers to send.
#[derive(Clone, Copy, Debug)]
pub struct Taken {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Epoch second at which the bucket is full again.
    pub reset: u64,
}

impl Bucket {
    pub fn new(limit: Limit) -> Self {
        Bucket { limit, tokens: f64::from(limit.burst), at: Instant::now() }
    }

    pub fn set_limit(&mut self, limit: Limit) {
        self.limit = limit;
        self.tokens = self.tokens.min(f64::from(limit.burst));
    }

    /// Takes one token if there is one.
    pub fn take(&mut self) -> Taken {
        let now = Instant::now();
        let burst = f64::from(self.limit.burst);
        self.tokens = (self.tokens + now.duration_since(self.at).as_secs_f64() * self.limit.per_second).min(burst);
        self.at = now;
        let allowed = self.tokens >= 1.0;
        if allowed {
            self.tokens -= 1.0;
        }
        let to_full = (burst - self.tokens) / self.limit.per_second.max(f64::MIN_POSITIVE);
        let epoch = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0);
        Taken {
            allowed,
            limit: self.limit.burst,
            remaining: self.tokens.floor().max(0.0) as u32,
            reset: (epoch + to_full).ceil() as u64,
        }
    }
}
