//! An Auth0 log stream (custom webhook) played against a receiver: batches of events POSTed as JSON Lines with the
//! stream's `Authorization` header, with Auth0's retry behaviour — up to 3 attempts per batch; a batch that still
//! failed is kept as errored and sent again when the stream restarts its errored logs (`retry_errored`), until
//! it is acknowledged. Everything acknowledged and every attempt is recorded, for tests, the demo and benchmarks.

use std::time::Duration;

use serde_json::Value;

/// Attempts per batch before it counts as errored (Auth0's current documentation).
pub const ATTEMPTS: u32 = 3;

/// What happened to one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub batch: usize,
    /// The HTTP status, or `None` when no answer came (connection refused, reset).
    pub status: Option<u16>,
}

/// A log stream playing `batches` to a receiver.
pub struct Player {
    client: reqwest::Client,
    url: String,
    authorization: String,
    /// Pause between two attempts of a batch (Auth0's is not documented; tests use none).
    pub pause: Duration,
    batches: Vec<String>,
    /// Per batch: acknowledged (a 2xx answer).
    acknowledged: Vec<bool>,
    pub attempts: Vec<Attempt>,
}

impl Player {
    /// A stream that posts `events` (objects as Auth0 sends them) to `url` in batches of `batch_size`, JSON Lines,
    /// with `Authorization: Bearer {token}`.
    pub fn new(url: &str, token: &str, events: &[Value], batch_size: usize) -> Player {
        let batches: Vec<String> = events
            .chunks(batch_size.max(1))
            .map(|chunk| chunk.iter().map(Value::to_string).collect::<Vec<_>>().join("\n"))
            .collect();
        Player {
            client: reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("an HTTP client"),
            url: url.to_string(),
            authorization: format!("Bearer {token}"),
            pause: Duration::ZERO,
            acknowledged: vec![false; batches.len()],
            batches,
            attempts: Vec::new(),
        }
    }

    /// How many batches the stream has.
    pub fn len(&self) -> usize {
        self.batches.len()
    }

    pub fn is_empty(&self) -> bool {
        self.batches.is_empty()
    }

    /// Sends batch `index` with up to `ATTEMPTS` attempts; whether it was acknowledged. Sending an acknowledged
    /// batch again is allowed (Auth0 delivers at least once).
    pub async fn send(&mut self, index: usize) -> bool {
        for attempt in 0..ATTEMPTS {
            if attempt > 0 && !self.pause.is_zero() {
                tokio::time::sleep(self.pause).await;
            }
            let answer = self
                .client
                .post(&self.url)
                .header("authorization", &self.authorization)
                .header("content-type", "application/json")
                .body(self.batches[index].clone())
                .send()
                .await;
            let status = answer.ok().map(|r| r.status());
            self.attempts.push(Attempt { batch: index, status: status.map(|s| s.as_u16()) });
            if status.is_some_and(|s| s.is_success()) {
                self.acknowledged[index] = true;
                return true;
            }
        }
        false
    }

    /// Sends batches `range` in order, each with its attempts; how many were acknowledged.
    pub async fn play(&mut self, range: std::ops::Range<usize>) -> usize {
        let mut acked = 0;
        for index in range {
            if self.send(index).await {
                acked += 1;
            }
        }
        acked
    }

    /// The batches sent but not acknowledged (errored), in order.
    pub fn errored(&self) -> Vec<usize> {
        let sent: std::collections::BTreeSet<usize> = self.attempts.iter().map(|a| a.batch).collect();
        sent.into_iter().filter(|b| !self.acknowledged[*b]).collect()
    }

    /// Auth0 restarting its errored logs: every errored batch is sent again; how many are still errored.
    pub async fn retry_errored(&mut self) -> usize {
        for index in self.errored() {
            self.send(index).await;
        }
        self.errored().len()
    }

    /// Whether every batch was acknowledged.
    pub fn all_acknowledged(&self) -> bool {
        self.acknowledged.iter().all(|a| *a)
    }
}
