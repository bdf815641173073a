//! The durable outbox. Every new notification update gets one row per matching channel (unique per channel and
//! update, so it goes out at most once per channel however many replicas deliver). Deliverers lease due rows with
//! `FOR UPDATE SKIP LOCKED`, send them, and record every attempt in the delivery log; a failure is retried with
//! exponential backoff (30 s doubling, capped at an hour) until the row is three days old. A channel's health
//! follows its deliveries: failing since the first failure after the last success, unhealthy after a day.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool, Row};
use tokio::sync::watch;
use uuid::Uuid;

use super::channels;
use super::message::Message;
use super::send::{Failure, Sender, Sent};
use crate::secrets::SecretBox;

/// Updates older than this when they are recorded are kept in the history but not sent (a feed added today
/// brings its archive with it; nobody wants last year's advisories in Slack).
pub const DELIVER_WITHIN: chrono::TimeDelta = chrono::TimeDelta::days(7);
/// How long a delivery keeps being retried.
pub const GIVE_UP_AFTER: chrono::TimeDelta = chrono::TimeDelta::days(3);
/// A channel failing this long is unhealthy (and shown on the status board).
pub const UNHEALTHY_AFTER: chrono::TimeDelta = chrono::TimeDelta::days(1);
/// How long a leased row is a deliverer's (well beyond the send time limits).
pub const LEASE: chrono::TimeDelta = chrono::TimeDelta::minutes(2);
/// Rows one deliverer sends at once.
pub const BATCH: i64 = 32;

/// Queues update `update` of notification `id` for every enabled channel whose filters match the notification as
/// it now stands (severity at least the channel's minimum; its source, tenants and regions among the channel's when
/// it names any). `at` is when the update happened: old ones are not sent.
pub async fn enqueue(
    conn: &mut PgConnection,
    id: i64,
    update: i64,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    if at < now - DELIVER_WITHIN {
        return Ok(0);
    }
    let done = sqlx::query(
        "INSERT INTO notifications_outbox (channel_id, notification_id, update_id, due_at, created_at)
         SELECT c.id, n.id, $2, $3, $3 FROM notifications n JOIN notifications_channels c ON c.enabled
         WHERE n.id = $1
           AND array_position(ARRAY['info', 'warning', 'critical'], n.severity)
               >= array_position(ARRAY['info', 'warning', 'critical'], c.min_severity)
           AND (cardinality(c.sources) = 0 OR n.source = ANY(c.sources))
           AND (cardinality(c.tenants) = 0 OR n.tenants && c.tenants)
           AND (cardinality(c.regions) = 0 OR n.regions && c.regions)
         ON CONFLICT (channel_id, update_id) DO NOTHING",
    )
    .bind(id)
    .bind(update)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The wait before attempt `attempts + 1` after `attempts` failures: 30 s, 60 s, 120 s… at most an hour.
pub fn backoff(attempts: i32) -> chrono::TimeDelta {
    let doublings = u32::try_from((attempts - 1).max(0)).unwrap_or(0).min(20);
    chrono::TimeDelta::seconds(30 * 2i64.pow(doublings)).min(chrono::TimeDelta::hours(1))
}

/// What one `deliver_due` did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    pub failed: usize,
    /// Rows given up on (older than `GIVE_UP_AFTER`).
    pub expired: usize,
}

impl Delivered {
    pub fn attempted(&self) -> usize {
        self.sent + self.failed
    }
}

/// A leased row.
struct Lease {
    id: i64,
    channel: Uuid,
    notification: i64,
    update: i64,
    attempts: i32,
}

/// Delivers the outbox: one worker's view.
#[derive(Clone)]
pub struct Outbox {
    pub pool: PgPool,
    pub sender: Arc<Sender>,
    pub secrets: SecretBox,
    /// The console's address, for links in messages.
    pub public_url: Option<String>,
    pub worker: String,
}

/// The message for update `update` of notification `id`.
async fn message(
    conn: &mut PgConnection,
    id: i64,
    update: i64,
    public_url: Option<&str>,
) -> Result<Option<Message>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT n.id, n.source, n.kind, n.severity, n.title, n.body, n.link, n.tenants, n.regions, n.first_seen_at,
                u.id AS update_id, u.at, u.kind AS update_kind, u.severity AS update_severity, u.text
         FROM notifications n JOIN notifications_updates u ON u.notification_id = n.id
         WHERE n.id = $1 AND u.id = $2",
    )
    .bind(id)
    .bind(update)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Message {
        notification_id: r.get("id"),
        update_id: Some(r.get("update_id")),
        source: r.get("source"),
        kind: r.get("kind"),
        severity: r.get("severity"),
        title: r.get("title"),
        body: r.get("body"),
        link: Message::absolute(r.get("link"), public_url),
        console_url: public_url.map(|p| format!("{p}/notifications/{}", r.get::<i64, _>("id"))),
        tenants: r.get("tenants"),
        regions: r.get("regions"),
        first_seen_at: r.get("first_seen_at"),
        update_at: r.get("at"),
        update_kind: r.get("update_kind"),
        update_severity: r.get("update_severity"),
        update_text: r.get("text"),
    }))
}

/// Records a channel's delivery result in its health. Every delivery to a channel would otherwise update the same
/// row and queue behind each other's locks: a row is written only when its health changes, or its timestamps are
/// more than 10 s old.
async fn record_health(
    conn: &mut PgConnection,
    channel: Uuid,
    now: DateTime<Utc>,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    match error {
        None => sqlx::query(
            "UPDATE notifications_channels SET last_success_at = $2, failing_since = NULL, last_error = NULL
             WHERE id = $1 AND (failing_since IS NOT NULL OR last_success_at IS NULL
                                OR last_success_at < $2 - interval '10 seconds')",
        )
        .bind(channel)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ()),
        Some(error) => sqlx::query(
            "UPDATE notifications_channels SET last_failure_at = $2, failing_since = COALESCE(failing_since, $2),
                 last_error = $3
             WHERE id = $1 AND (failing_since IS NULL OR last_error IS DISTINCT FROM $3 OR last_failure_at IS NULL
                                OR last_failure_at < $2 - interval '10 seconds')",
        )
        .bind(channel)
        .bind(now)
        .bind(error)
        .execute(conn)
        .await
        .map(|_| ()),
    }
}

/// One attempt in the delivery log.
pub struct Attempt<'a> {
    pub channel: Uuid,
    pub notification: Option<i64>,
    pub update: Option<i64>,
    pub outbox: Option<i64>,
    pub attempt: i32,
    pub result: &'a Result<Sent, Failure>,
    pub test: bool,
}

/// Writes an attempt to the delivery log.
pub async fn log(conn: &mut PgConnection, a: &Attempt<'_>, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let (ok, status, duration, error) = match a.result {
        Ok(s) => (true, s.status, s.duration, None),
        Err(f) => (false, f.status, f.duration, Some(f.message.as_str())),
    };
    sqlx::query(
        "INSERT INTO notifications_deliveries (channel_id, notification_id, update_id, outbox_id, at, attempt, ok,
                                               status, duration_ms, error, test)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(a.channel)
    .bind(a.notification)
    .bind(a.update)
    .bind(a.outbox)
    .bind(now)
    .bind(a.attempt)
    .bind(ok)
    .bind(status.map(i32::from))
    .bind(i32::try_from(duration.as_millis()).unwrap_or(i32::MAX))
    .bind(error)
    .bind(a.test)
    .execute(conn)
    .await?;
    Ok(())
}

impl Outbox {
    /// Leases up to `limit` due rows of enabled channels (rows too old to retry are given up on first).
    async fn lease(&self, now: DateTime<Utc>, limit: i64) -> Result<(Vec<Lease>, usize), sqlx::Error> {
        let expired = sqlx::query(
            "UPDATE notifications_outbox SET state = 'failed', finished_at = $1,
                 last_error = COALESCE(last_error || '; ', '') || 'gave up: not delivered within 3 days'
             WHERE state = 'pending' AND created_at < $2 AND (lease_until IS NULL OR lease_until < $1)",
        )
        .bind(now)
        .bind(now - GIVE_UP_AFTER)
        .execute(&self.pool)
        .await?
        .rows_affected() as usize;
        let rows = sqlx::query(
            "UPDATE notifications_outbox SET lease_until = $2, leased_by = $3
             WHERE id IN (
                 SELECT o.id FROM notifications_outbox o JOIN notifications_channels c ON c.id = o.channel_id
                 WHERE o.state = 'pending' AND o.due_at <= $1 AND (o.lease_until IS NULL OR o.lease_until < $1)
                   AND c.enabled
                 ORDER BY o.due_at, o.id
                 FOR UPDATE OF o SKIP LOCKED
                 LIMIT $4)
             RETURNING id, channel_id, notification_id, update_id, attempts",
        )
        .bind(now)
        .bind(now + LEASE)
        .bind(&self.worker)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let leases = rows
            .iter()
            .map(|r| Lease {
                id: r.get("id"),
                channel: r.get("channel_id"),
                notification: r.get("notification_id"),
                update: r.get("update_id"),
                attempts: r.get("attempts"),
            })
            .collect();
        Ok((leases, expired))
    }

    /// Sends one leased row and records the outcome (only while the lease is still this worker's).
    async fn deliver(&self, lease: Lease, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        let channel = channels::load(&mut conn, &self.secrets, lease.channel).await?;
        let message = message(&mut conn, lease.notification, lease.update, self.public_url.as_deref()).await?;
        drop(conn);
        let result = match (channel, message) {
            (Some(Ok(channel)), Some(message)) => self.sender.send(&channel, &message, &format!("{}", lease.id)).await,
            (Some(Err(reason)), _) => {
                Err(Failure { status: None, message: reason, retry_after: None, duration: Duration::ZERO })
            }
            // The channel or the notification is gone (cascades remove the row too).
            (None, _) | (_, None) => return Ok(false),
        };
        let attempt = lease.attempts + 1;
        let mut tx = self.pool.begin().await?;
        let (state, due, error) = match &result {
            Ok(_) => ("delivered", now, None),
            Err(f) => {
                let wait = backoff(attempt)
                    .max(f.retry_after.and_then(|d| chrono::TimeDelta::from_std(d).ok()).unwrap_or_default());
                ("pending", now + wait, Some(f.message.clone()))
            }
        };
        let mine = sqlx::query(
            "UPDATE notifications_outbox SET state = $3, attempts = $4, due_at = $5, last_error = $6,
                 lease_until = NULL, leased_by = NULL,
                 finished_at = CASE WHEN $3 = 'delivered' THEN $7 ELSE finished_at END
             WHERE id = $1 AND leased_by = $2",
        )
        .bind(lease.id)
        .bind(&self.worker)
        .bind(state)
        .bind(attempt)
        .bind(due)
        .bind(&error)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !mine {
            tracing::warn!(outbox.id = lease.id, "delivery lease lost before the result was recorded");
        }
        let entry = Attempt {
            channel: lease.channel,
            notification: Some(lease.notification),
            update: Some(lease.update),
            outbox: Some(lease.id),
            attempt,
            result: &result,
            test: false,
        };
        log(&mut tx, &entry, now).await?;
        tx.commit().await?;
        // After the commit, so the channel's row is locked for one statement, not for the whole record.
        record_health(&mut *self.pool.acquire().await?, lease.channel, now, error.as_deref()).await?;
        if let Err(f) = &result {
            tracing::info!(outbox.id = lease.id, channel.id = %lease.channel, attempt, error = %f.message,
                "delivery failed; retrying later");
        }
        Ok(result.is_ok())
    }

    /// Leases and delivers one batch at `now` (the step the loop repeats; tests call it with a fixed `now`).
    pub async fn deliver_due(&self, now: DateTime<Utc>, limit: i64) -> Result<Delivered, sqlx::Error> {
        let (leases, expired) = self.lease(now, limit).await?;
        let mut done = Delivered { expired, ..Delivered::default() };
        let mut running = tokio::task::JoinSet::new();
        for lease in leases {
            let this = self.clone();
            running.spawn(async move { this.deliver(lease, now).await });
        }
        while let Some(joined) = running.join_next().await {
            match joined {
                Ok(Ok(true)) => done.sent += 1,
                Ok(Ok(false)) => done.failed += 1,
                Ok(Err(e)) => {
                    done.failed += 1;
                    tracing::warn!(error = %e, "cannot record a delivery");
                }
                Err(e) => {
                    done.failed += 1;
                    tracing::warn!(error = %e, "a delivery task failed");
                }
            }
        }
        Ok(done)
    }

    /// "Send test": sends a test message to the channel now, logs it, and returns the outcome.
    pub async fn send_test(&self, channel: Uuid, now: DateTime<Utc>) -> Result<Result<Sent, Failure>, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        let result = match channels::load(&mut conn, &self.secrets, channel).await? {
            None => return Err(sqlx::Error::RowNotFound),
            Some(Err(reason)) => {
                Err(Failure { status: None, message: reason, retry_after: None, duration: Duration::ZERO })
            }
            Some(Ok(c)) => {
                let m = Message::test(&c.name, now, self.public_url.as_deref());
                let delivery = format!("test-{}", uuid::Uuid::new_v4().simple());
                self.sender.send(&c, &m, &delivery).await
            }
        };
        let mut tx = self.pool.begin().await?;
        let entry = Attempt {
            channel,
            notification: None,
            update: None,
            outbox: None,
            attempt: 1,
            result: &result,
            test: true,
        };
        log(&mut tx, &entry, now).await?;
        record_health(&mut tx, channel, now, result.as_ref().err().map(|f| f.message.as_str())).await?;
        tx.commit().await?;
        Ok(result)
    }
}

/// The deliverer's loop: every `tick`, delivers what is due — again at once while batches come back full — until
/// `stopped` turns true.
pub async fn run(outbox: Outbox, tick: Duration, mut stopped: watch::Receiver<bool>) {
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = interval.tick() => {
                loop {
                    match outbox.deliver_due(Utc::now(), BATCH).await {
                        Ok(done) if done.attempted() as i64 == BATCH => continue,
                        Ok(_) => break,
                        Err(error) => {
                            tracing::warn!(%error, "outbox: cannot lease deliveries");
                            break;
                        }
                    }
                }
            }
            _ = stopped.changed() => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_30_seconds_to_an_hour() {
        let secs: Vec<i64> = (1..=9).map(|a| backoff(a).num_seconds()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    }
}
