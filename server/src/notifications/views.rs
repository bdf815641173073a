//! The queries behind the feeds and channels pages: feeds with their state and the catalog, channels with their
//! health, a channel's delivery log, a notification's deliveries, and the unhealthy channels the status board shows.

use app::notifications::channels::{ChannelHealth, ChannelRow, DeliveryRow};
use app::notifications::feeds::{CatalogFeedRow, FeedList, FeedRow, FeedState};
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use uuid::Uuid;

use super::outbox::UNHEALTHY_AFTER;

/// Delivery-log rows per page.
pub const DELIVERIES_PER_PAGE: i64 = 50;

pub async fn feeds(pool: &PgPool) -> Result<FeedList, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, name, kind, classify, url, keywords, interval_secs, enabled, last_good_at, last_attempt_at, error,
                items, catalog_key FROM notifications_feeds ORDER BY name",
    )
    .fetch_all(pool)
    .await?;
    let added: Vec<String> = rows.iter().filter_map(|r| r.get::<Option<String>, _>("catalog_key")).collect();
    let rows = rows
        .iter()
        .map(|r| {
            let error: Option<String> = r.get("error");
            let state = if !r.get::<bool, _>("enabled") {
                FeedState::Paused
            } else if error.is_some() {
                FeedState::Error
            } else if r.get::<Option<DateTime<Utc>>, _>("last_good_at").is_some() {
                FeedState::Ok
            } else {
                FeedState::Waiting
            };
            FeedRow {
                id: r.get::<Uuid, _>("id").to_string(),
                name: r.get("name"),
                kind: r.get("kind"),
                classify: r.get("classify"),
                url: r.get("url"),
                keywords: r.get("keywords"),
                interval_secs: r.get("interval_secs"),
                state,
                last_good_at: r.get("last_good_at"),
                last_attempt_at: r.get("last_attempt_at"),
                error,
                items: r.get("items"),
            }
        })
        .collect();
    let catalog = super::feeds::catalog()
        .iter()
        .map(|f| CatalogFeedRow {
            key: f.key.clone(),
            name: f.name.clone(),
            url: f.url.clone(),
            note: f.note.clone(),
            added: added.contains(&f.key),
        })
        .collect();
    Ok(FeedList { rows, catalog })
}

/// The columns `channel_row` reads.
pub const CHANNEL_COLUMNS: &str = "c.id, c.name, c.kind, c.target, c.min_severity, c.sources, c.tenants, c.regions,
    c.enabled, c.last_success_at, c.failing_since, c.last_error, c.smtp,
    (SELECT count(*) FROM notifications_outbox o WHERE o.channel_id = c.id AND o.state = 'pending') AS pending,
    (SELECT count(*) FROM notifications_deliveries d WHERE d.channel_id = c.id AND d.ok AND NOT d.test
        AND d.at > $1 - interval '1 day') AS delivered_day";

/// A channel's health at `now`.
pub fn health(
    enabled: bool,
    last_success: Option<DateTime<Utc>>,
    failing_since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> ChannelHealth {
    match (enabled, failing_since, last_success) {
        (false, _, _) => ChannelHealth::Paused,
        (true, Some(since), _) if now - since >= UNHEALTHY_AFTER => ChannelHealth::Unhealthy,
        (true, Some(_), _) => ChannelHealth::Failing,
        (true, None, Some(_)) => ChannelHealth::Healthy,
        (true, None, None) => ChannelHealth::Unused,
    }
}

pub fn channel_row(r: &PgRow, now: DateTime<Utc>) -> ChannelRow {
    let (enabled, last_success_at, failing_since) =
        (r.get("enabled"), r.get("last_success_at"), r.get("failing_since"));
    ChannelRow {
        id: r.get::<Uuid, _>("id").to_string(),
        name: r.get("name"),
        kind: r.get("kind"),
        target: r.get("target"),
        min_severity: r.get("min_severity"),
        sources: r.get("sources"),
        tenants: r.get("tenants"),
        regions: r.get("regions"),
        enabled,
        health: health(enabled, last_success_at, failing_since, now),
        last_success_at,
        failing_since,
        last_error: r.get("last_error"),
        pending: r.get("pending"),
        delivered_day: r.get("delivered_day"),
    }
}

pub async fn channels(pool: &PgPool, now: DateTime<Utc>) -> Result<Vec<ChannelRow>, sqlx::Error> {
    let rows = sqlx::query(&format!("SELECT {CHANNEL_COLUMNS} FROM notifications_channels c ORDER BY c.name"))
        .bind(now)
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(|r| channel_row(r, now)).collect())
}

fn delivery_row(r: &PgRow) -> DeliveryRow {
    let notification = match (r.get::<Option<i64>, _>("notification_id"), r.get::<Option<String>, _>("title")) {
        (Some(id), Some(title)) => Some((id, title)),
        _ => None,
    };
    DeliveryRow {
        at: r.get("at"),
        channel_id: r.get::<Uuid, _>("channel_id").to_string(),
        channel_name: r.get("channel_name"),
        notification,
        attempt: r.get("attempt"),
        ok: r.get("ok"),
        status: r.get("status"),
        duration_ms: r.get("duration_ms"),
        error: r.get("error"),
        update: r.get("update_text"),
    }
}

const DELIVERY_COLUMNS: &str = "d.at, d.channel_id, c.name AS channel_name, d.notification_id, n.title, d.attempt,
    d.ok, d.status, d.duration_ms, d.error, u.text AS update_text
    FROM notifications_deliveries d JOIN notifications_channels c ON c.id = d.channel_id
    LEFT JOIN notifications n ON n.id = d.notification_id
    LEFT JOIN notifications_updates u ON u.id = d.update_id";

/// A page of a channel's delivery log, newest first, and how many pages there are.
pub async fn channel_deliveries(
    pool: &PgPool,
    channel: Uuid,
    page: u32,
) -> Result<(Vec<DeliveryRow>, u32, u32), sqlx::Error> {
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM notifications_deliveries WHERE channel_id = $1")
        .bind(channel)
        .fetch_one(pool)
        .await?;
    let pages = ((total + DELIVERIES_PER_PAGE - 1) / DELIVERIES_PER_PAGE).max(1) as u32;
    let page = page.clamp(1, pages);
    let rows = sqlx::query(&format!(
        "SELECT {DELIVERY_COLUMNS} WHERE d.channel_id = $1 ORDER BY d.at DESC, d.id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(channel)
    .bind(DELIVERIES_PER_PAGE)
    .bind(DELIVERIES_PER_PAGE * (i64::from(page) - 1))
    .fetch_all(pool)
    .await?;
    Ok((rows.iter().map(delivery_row).collect(), page, pages))
}

/// Every delivery attempt of one notification, oldest first.
pub async fn notification_deliveries(pool: &PgPool, id: i64) -> Result<Vec<DeliveryRow>, sqlx::Error> {
    let rows = sqlx::query(&format!("SELECT {DELIVERY_COLUMNS} WHERE d.notification_id = $1 ORDER BY d.at, d.id"))
        .bind(id)
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(delivery_row).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_failing_for_a_day_is_unhealthy() {
        let now = Utc::now();
        let h = |enabled, ok: Option<i64>, failing: Option<i64>| {
            health(
                enabled,
                ok.map(|m| now - chrono::Duration::minutes(m)),
                failing.map(|m| now - chrono::Duration::minutes(m)),
                now,
            )
        };
        assert_eq!(h(true, None, None), ChannelHealth::Unused);
        assert_eq!(h(true, Some(5), None), ChannelHealth::Healthy);
        assert_eq!(h(true, Some(60), Some(30)), ChannelHealth::Failing);
        assert_eq!(h(true, None, Some(24 * 60 - 1)), ChannelHealth::Failing);
        assert_eq!(h(true, None, Some(24 * 60)), ChannelHealth::Unhealthy);
        assert_eq!(h(false, None, Some(48 * 60)), ChannelHealth::Paused);
    }
}
