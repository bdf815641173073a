//! The durable outbox. Every new notification update gets one row per matching channel (unique per channel and
//! update, so it goes out at most once per channel however many replicas deliver). Deliverers lease due rows with
//! `FOR UPDATE SKIP LOCKED`, send them, and record every attempt in the delivery log; a failure is retried with
//! exponential backoff (30 s doubling, capped at an hour) until the row is three days old. A channel's health
//! follows its deliveries: failing since the first failure after the last success, unhealthy after a day.

use std::sync::Arc;
use std::time::Duration;

use app::ids::{ChannelId, NotificationId};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use tokio::sync::watch;

use super::message::Message;
pub use super::model::{BATCH, DELIVER_WITHIN, GIVE_UP_AFTER, LEASE, UNHEALTHY_AFTER, backoff};
use super::repo::{self, AttemptValues, Lease};
use super::send::{Failure, Sender, Sent};
use super::service;
use crate::secrets::SecretBox;

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
    id: NotificationId,
    update: i64,
    public_url: Option<&str>,
) -> Result<Option<Message>, sqlx::Error> {
    Ok(repo::message(conn, id, update).await?.map(|r| Message {
        notification_id: r.id,
        update_id: Some(r.update_id),
        source: r.source,
        kind: r.kind,
        severity: r.severity,
        title: r.title,
        body: r.body,
        link: Message::absolute(r.link, public_url),
        console_url: public_url.map(|p| format!("{p}/notifications/{}", r.id)),
        tenants: r.tenants,
        regions: r.regions,
        first_seen_at: r.first_seen_at,
        update_at: r.at,
        update_kind: r.update_kind,
        update_severity: r.update_severity,
        update_text: r.text,
    }))
}

/// Records a channel's delivery result in its health. Every delivery to a channel would otherwise update the same
/// row and queue behind each other's locks: a row is written only when its health changes, or its timestamps are
/// more than 10 s old.
async fn record_health(
    conn: &mut PgConnection,
    channel: ChannelId,
    now: DateTime<Utc>,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    match error {
        None => repo::record_success(conn, channel, now).await,
        Some(error) => repo::record_failure(conn, channel, now, error).await,
    }
}

/// One attempt in the delivery log.
pub struct Attempt<'a> {
    pub channel: ChannelId,
    pub notification: Option<NotificationId>,
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
    let values = AttemptValues {
        channel: a.channel,
        notification: a.notification,
        update: a.update,
        outbox: a.outbox,
        at: now,
        attempt: a.attempt,
        ok,
        status: status.map(i32::from),
        duration_ms: i32::try_from(duration.as_millis()).unwrap_or(i32::MAX),
        error,
        test: a.test,
    };
    repo::log_attempt(conn, &values).await
}

impl Outbox {
    /// Leases up to `limit` due rows of enabled channels (rows too old to retry are given up on first).
    async fn lease(&self, now: DateTime<Utc>, limit: i64) -> Result<(Vec<Lease>, usize), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        let expired = repo::expire(&mut conn, now, now - GIVE_UP_AFTER).await? as usize;
        let leases = repo::lease(&mut conn, now, now + LEASE, &self.worker, limit).await?;
        Ok((leases, expired))
    }

    /// Sends one leased row and records the outcome (only while the lease is still this worker's).
    async fn deliver(&self, lease: Lease, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        let channel = service::load(&mut conn, &self.secrets, lease.channel).await?;
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
        let mine = repo::finish(&mut tx, lease.id, &self.worker, state, attempt, due, error.as_deref(), now).await?;
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
    pub async fn send_test(
        &self,
        channel: ChannelId,
        now: DateTime<Utc>,
    ) -> Result<Result<Sent, Failure>, sqlx::Error> {
        // The connection goes back to the pool before the send (which may take its full time limit) and a new one
        // is taken for the log: a slow receiver holds no database connection.
        let loaded = service::load(&mut *self.pool.acquire().await?, &self.secrets, channel).await?;
        let result = match loaded {
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
