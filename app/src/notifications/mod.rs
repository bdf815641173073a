//! Notifications as pages see them: one history of every notice with its timeline, filters and full-text search,
//! acknowledgements, the advisory feeds that bring notices in and the delivery channels that send them out. DTOs,
//! the `NotificationsPort`, the server functions.

mod channel_pages;
pub mod channels;
mod feed_pages;
pub mod feeds;
mod pages;

pub use channel_pages::{ChannelEditPage, ChannelNewPage, ChannelPage, ChannelsPage, DeliveryTable};
pub use feed_pages::FeedsPage;
pub use pages::{NotificationPage, NotificationsPage};

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::accounts::Role;
use crate::error::AppError;
use crate::ids::NotificationId;

/// Notices not acknowledged yet (warning and critical), counted for the navigation by the server per request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenNotices(pub i64);

/// The count for the navigation, when the server provided one.
pub fn open_notices() -> Option<i64> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<OpenNotices>().copied())
        .map(|n| n.0)
}

pub const SOURCES: [(&str, &str); 5] = [
    ("auth0_status", "Auth0 status"),
    ("provider_status", "Provider status"),
    ("security_advisory", "Security advisory"),
    ("change_notice", "Change notice"),
    ("console", "Our checks"),
];

pub fn source_label(source: &str) -> &'static str {
    SOURCES.iter().find(|(k, _)| *k == source).map(|(_, l)| *l).unwrap_or("Other")
}

/// The CSS tone of a severity.
pub fn severity_tone(severity: &str) -> &'static str {
    match severity {
        "critical" => "bad",
        "warning" => "warn",
        _ => "info",
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoticeRow {
    pub id: NotificationId,
    pub source: String,
    pub kind: String,
    pub severity: String,
    pub title: String,
    pub tenants: Vec<String>,
    pub regions: Vec<String>,
    pub first_seen_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updates: i64,
    /// (when, by whom)
    pub acknowledged: Option<(DateTime<Utc>, String)>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NoticeQuery {
    /// Full text (PostgreSQL `websearch_to_tsquery`).
    pub q: Option<String>,
    pub source: Option<String>,
    pub severity: Option<String>,
    /// `open` (not acknowledged) or `acknowledged`.
    pub state: Option<String>,
    pub tenant: Option<String>,
    /// An Auth0 region (`eu`).
    pub region: Option<String>,
    /// `YYYY-MM-DD`, UTC, inclusive, on the last update.
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: u32,
    /// Keyset paging (the JSON API): only notifications updated before this (updated_at, id), newest first.
    #[serde(default)]
    pub after: Option<(DateTime<Utc>, i64)>,
    /// Rows wanted with `after` (default: a page of the history).
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoticeList {
    pub rows: Vec<NoticeRow>,
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    /// Registered tenants, for the filter.
    pub tenants: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoticeUpdate {
    pub at: DateTime<Utc>,
    /// `update`, `acknowledged`, `reopened`.
    pub kind: String,
    pub severity: String,
    pub text: String,
    pub by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoticeDetail {
    pub row: NoticeRow,
    pub body: String,
    pub link: Option<String>,
    /// Oldest first.
    pub timeline: Vec<NoticeUpdate>,
    /// Every delivery attempt to a channel, oldest first.
    pub deliveries: Vec<channels::DeliveryRow>,
}

/// What the notification pages need from the engine.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait NotificationsPort: Send + Sync + 'static {
    async fn list(&self, query: NoticeQuery) -> Result<NoticeList, AppError>;
    async fn detail(&self, id: NotificationId) -> Result<NoticeDetail, AppError>;
    async fn acknowledge(
        &self,
        by: &crate::accounts::Acting,
        id: NotificationId,
        comment: &str,
    ) -> Result<(), AppError>;

    async fn feeds(&self) -> Result<feeds::FeedList, AppError>;
    async fn add_feed(&self, by: &crate::accounts::Acting, form: feeds::FeedForm) -> Result<(), AppError>;
    async fn add_catalog_feed(&self, by: &crate::accounts::Acting, key: &str) -> Result<(), AppError>;
    async fn set_feed_enabled(
        &self,
        by: &crate::accounts::Acting,
        id: crate::ids::FeedId,
        enabled: bool,
    ) -> Result<(), AppError>;
    async fn remove_feed(&self, by: &crate::accounts::Acting, id: crate::ids::FeedId) -> Result<(), AppError>;
    async fn read_feed(&self, id: crate::ids::FeedId) -> Result<(), AppError>;

    async fn channels(&self) -> Result<channels::ChannelList, AppError>;
    async fn channel(&self, id: crate::ids::ChannelId, page: u32) -> Result<channels::ChannelDetail, AppError>;
    async fn new_channel_form(&self, preset: Option<&str>) -> Result<channels::ChannelForm, AppError>;
    /// Returns the new channel's id.
    async fn add_channel(
        &self,
        by: &crate::accounts::Acting,
        form: channels::ChannelForm,
    ) -> Result<crate::ids::ChannelId, AppError>;
    async fn update_channel(
        &self,
        by: &crate::accounts::Acting,
        id: crate::ids::ChannelId,
        form: channels::ChannelForm,
    ) -> Result<(), AppError>;
    async fn set_channel_enabled(
        &self,
        by: &crate::accounts::Acting,
        id: crate::ids::ChannelId,
        enabled: bool,
    ) -> Result<(), AppError>;
    async fn remove_channel(&self, by: &crate::accounts::Acting, id: crate::ids::ChannelId) -> Result<(), AppError>;
    /// Sends a test message; the outcome is in the channel's delivery log.
    async fn test_channel(&self, by: &crate::accounts::Acting, id: crate::ids::ChannelId) -> Result<(), AppError>;
}

#[cfg(feature = "ssr")]
use crate::{
    accounts::{acting_as, port_as},
    api::{port, redirect},
};

#[server(endpoint = "notifications/list")]
pub async fn load_notices(query: NoticeQuery) -> Result<NoticeList, AppError> {
    port_as::<dyn NotificationsPort>(Role::Helpdesk)?.list(query).await
}

#[server(endpoint = "notifications/detail")]
pub async fn load_notice(id: NotificationId) -> Result<NoticeDetail, AppError> {
    port_as::<dyn NotificationsPort>(Role::Helpdesk)?.detail(id).await
}

/// Acknowledges a notification with an optional comment (ops lead).
#[server(endpoint = "notifications/acknowledge")]
pub async fn acknowledge_notice(id: NotificationId, comment: String) -> Result<(), AppError> {
    let by = acting_as(Role::OpsLead)?;
    port::<dyn NotificationsPort>().acknowledge(&by, id, &comment).await?;
    redirect(&format!("/notifications/{id}"))
}
