//! Delivery channels as pages see them (admin): the list with each channel's health, a channel's page with its
//! delivery log, the add/edit form, "Send test", and the server functions behind them.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::accounts::Role;
use crate::error::AppError;
use crate::ids::{ChannelId, NotificationId};

/// The kinds of channel, as stored: (key, label).
pub const KINDS: [(&str, &str); 4] = [
    ("webhook", "Webhook (signed JSON)"),
    ("slack", "Slack incoming webhook"),
    ("teams", "Microsoft Teams workflow webhook"),
    ("email", "Email (SMTP)"),
];

pub fn kind_label(kind: &str) -> &'static str {
    KINDS.iter().find(|(k, _)| *k == kind).map(|(_, l)| *l).unwrap_or("Channel")
}

/// SMTP connection security: (key, label).
pub const SMTP_SECURITY: [(&str, &str); 3] = [
    ("starttls", "STARTTLS (port 587)"),
    ("tls", "TLS from the start (port 465)"),
    ("none", "None — only for a relay on a trusted network"),
];

/// Everything the add/edit form holds. Secret fields (URL, signing secret, SMTP password) come back empty when a
/// channel is edited: empty keeps the stored value.
/// Form fields are named `form[name]`, `form[sources][]`… (the server functions take the struct).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelForm {
    pub name: String,
    pub kind: String,
    pub url: String,
    pub signing_secret: String,
    pub smtp_host: String,
    pub smtp_port: String,
    pub smtp_security: String,
    pub smtp_username: String,
    pub smtp_password: String,
    pub mail_from: String,
    /// Comma-separated addresses.
    pub mail_to: String,
    pub min_severity: String,
    /// Notification sources (`auth0_status`…); empty: every source.
    pub sources: Vec<String>,
    /// Comma-separated tenant names; empty: every tenant.
    pub tenants: String,
    /// Comma-separated regions (`us, eu`); empty: every region.
    pub regions: String,
}

/// How a channel is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChannelHealth {
    Paused,
    /// Nothing sent yet.
    Unused,
    Healthy,
    /// Failing, for less than a day.
    Failing,
    /// Failing for a day or more: shown on the status board.
    Unhealthy,
}

impl ChannelHealth {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelHealth::Paused => "paused",
            ChannelHealth::Unused => "unused",
            ChannelHealth::Healthy => "healthy",
            ChannelHealth::Failing => "failing",
            ChannelHealth::Unhealthy => "unhealthy",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChannelHealth::Paused => "Paused",
            ChannelHealth::Unused => "Nothing sent yet",
            ChannelHealth::Healthy => "Delivering",
            ChannelHealth::Failing => "Failing",
            ChannelHealth::Unhealthy => "Failing for a day",
        }
    }

    /// The CSS tone.
    pub fn tone(self) -> &'static str {
        match self {
            ChannelHealth::Paused | ChannelHealth::Unused => "unknown",
            ChannelHealth::Healthy => "ok",
            ChannelHealth::Failing => "warn",
            ChannelHealth::Unhealthy => "bad",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelRow {
    pub id: ChannelId,
    pub name: String,
    pub kind: String,
    /// Where it sends, without the parts that are secret.
    pub target: String,
    pub min_severity: String,
    pub sources: Vec<String>,
    pub tenants: Vec<String>,
    pub regions: Vec<String>,
    pub enabled: bool,
    pub health: ChannelHealth,
    pub last_success_at: Option<DateTime<Utc>>,
    pub failing_since: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Deliveries waiting (new or retrying).
    pub pending: i64,
    /// Deliveries that went through in the last 24 hours.
    pub delivered_day: i64,
}

impl ChannelRow {
    /// The filters in words: "warning and up · Auth0 status · regions eu".
    pub fn filters(&self) -> String {
        let mut parts = vec![match self.min_severity.as_str() {
            "info" => "every severity".to_string(),
            s => format!("{s} and up"),
        }];
        if !self.sources.is_empty() {
            parts.push(self.sources.iter().map(|s| super::source_label(s)).collect::<Vec<_>>().join(", "));
        }
        if !self.tenants.is_empty() {
            parts.push(format!("tenants {}", self.tenants.join(", ")));
        }
        if !self.regions.is_empty() {
            parts.push(format!("regions {}", self.regions.join(", ")));
        }
        parts.join(" · ")
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelList {
    pub rows: Vec<ChannelRow>,
}

impl DeliveryRow {
    /// What a "Send test" attempt says: the receiver's answer, or what failed.
    pub fn sentence(&self) -> String {
        if self.ok {
            format!(
                "Test sent: the receiver answered {} in {} ms.",
                self.status.map(|s| s.to_string()).unwrap_or_else(|| "OK".into()),
                self.duration_ms
            )
        } else {
            format!("Test failed: {}", self.error.clone().unwrap_or_else(|| "no answer".into()))
        }
    }
}

/// One delivery attempt in a delivery log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub at: DateTime<Utc>,
    pub channel_id: ChannelId,
    pub channel_name: String,
    /// `None` for "Send test".
    pub notification: Option<(NotificationId, String)>,
    pub attempt: i32,
    pub ok: bool,
    pub status: Option<i32>,
    pub duration_ms: i32,
    pub error: Option<String>,
    /// The timeline entry delivered (`None` for "Send test").
    pub update: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelDetail {
    pub row: ChannelRow,
    /// The form as stored, secrets left empty.
    pub form: ChannelForm,
    pub deliveries: Vec<DeliveryRow>,
    pub page: u32,
    pub pages: u32,
}

#[cfg(feature = "ssr")]
use super::NotificationsPort;
#[cfg(feature = "ssr")]
use crate::{
    accounts::{acting_as, port_as},
    api::{port, redirect},
};

#[server(endpoint = "notifications/channels")]
pub async fn load_channels() -> Result<ChannelList, AppError> {
    port_as::<dyn NotificationsPort>(Role::Admin)?.channels().await
}

#[server(endpoint = "notifications/channel")]
pub async fn load_channel(id: ChannelId, page: u32) -> Result<ChannelDetail, AppError> {
    port_as::<dyn NotificationsPort>(Role::Admin)?.channel(id, page).await
}

/// The form a new channel starts from; `preset` `auth0-status` is "Subscribe to Auth0 status" for our regions.
#[server(endpoint = "notifications/channel-form")]
pub async fn new_channel_form(preset: Option<String>) -> Result<ChannelForm, AppError> {
    port_as::<dyn NotificationsPort>(Role::Admin)?.new_channel_form(preset.as_deref()).await
}

#[server(endpoint = "notifications/channel-add")]
pub async fn add_channel(form: ChannelForm) -> Result<(), AppError> {
    let by = acting_as(Role::Admin)?;
    let id = port::<dyn NotificationsPort>().add_channel(&by, form).await?;
    redirect(&format!("/notifications/channels/{id}"))
}

#[server(endpoint = "notifications/channel-update")]
pub async fn update_channel(id: ChannelId, form: ChannelForm) -> Result<(), AppError> {
    let by = acting_as(Role::Admin)?;
    port::<dyn NotificationsPort>().update_channel(&by, id, form).await?;
    redirect(&format!("/notifications/channels/{id}"))
}

#[server(endpoint = "notifications/channel-enable")]
pub async fn set_channel_enabled(id: ChannelId, enabled: String) -> Result<(), AppError> {
    let by = acting_as(Role::Admin)?;
    port::<dyn NotificationsPort>().set_channel_enabled(&by, id, enabled == "true").await?;
    redirect(&format!("/notifications/channels/{id}"))
}

#[server(endpoint = "notifications/channel-remove")]
pub async fn remove_channel(id: ChannelId) -> Result<(), AppError> {
    let by = acting_as(Role::Admin)?;
    port::<dyn NotificationsPort>().remove_channel(&by, id).await?;
    redirect("/notifications/channels")
}

/// Sends a test message now; the channel's page then says how it went (from the delivery log, so it works with
/// JavaScript off).
#[server(endpoint = "notifications/channel-test")]
pub async fn test_channel(id: ChannelId) -> Result<(), AppError> {
    let by = acting_as(Role::Admin)?;
    port::<dyn NotificationsPort>().test_channel(&by, id).await?;
    redirect(&format!("/notifications/channels/{id}?tested=1"))
}
