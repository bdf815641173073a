//! Advisory and change-notice feeds as pages see them: the list with each feed's state, the catalog, adding by
//! URL, and the server functions behind them (helpdesk may look; ops leads change).

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::accounts::Role;
use crate::error::AppError;
use crate::ids::FeedId;

/// Feed kinds: (key, label).
pub const KINDS: [(&str, &str); 2] =
    [("feed", "RSS or Atom feed of notices"), ("github_advisories", "GitHub security advisories (Atom)")];

/// How items are classified: (key, label).
pub const CLASSIFY: [(&str, &str); 3] = [
    ("auto", "by their words (security, deprecation or change)"),
    ("security", "every item is a security advisory"),
    ("change", "every item is a change notice"),
];

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FeedForm {
    pub name: String,
    pub kind: String,
    pub classify: String,
    pub url: String,
    /// Comma-separated; only items that mention one are taken.
    pub keywords: String,
    pub interval_minutes: String,
}

/// How a feed is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeedState {
    Paused,
    /// Not read yet.
    Waiting,
    Ok,
    /// The last read failed; the feed's items stay in the history.
    Error,
}

impl FeedState {
    pub fn label(self) -> &'static str {
        match self {
            FeedState::Paused => "Paused",
            FeedState::Waiting => "Not read yet",
            FeedState::Ok => "Read",
            FeedState::Error => "In error",
        }
    }

    pub fn tone(self) -> &'static str {
        match self {
            FeedState::Paused | FeedState::Waiting => "unknown",
            FeedState::Ok => "ok",
            FeedState::Error => "bad",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeedRow {
    pub id: FeedId,
    pub name: String,
    pub kind: String,
    pub classify: String,
    pub url: String,
    pub keywords: Vec<String>,
    pub interval_secs: i32,
    pub state: FeedState,
    pub last_good_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// Notifications this feed has brought.
    pub items: i32,
}

/// A feed the catalog offers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogFeedRow {
    pub key: String,
    pub name: String,
    pub url: String,
    pub note: String,
    pub added: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeedList {
    pub rows: Vec<FeedRow>,
    pub catalog: Vec<CatalogFeedRow>,
}

#[cfg(feature = "ssr")]
use super::NotificationsPort;
#[cfg(feature = "ssr")]
use crate::{
    accounts::{acting_as, port_as},
    api::{port, redirect},
};

#[server(endpoint = "notifications/feeds")]
pub async fn load_feeds() -> Result<FeedList, AppError> {
    port_as::<dyn NotificationsPort>(Role::Helpdesk)?.feeds().await
}

#[server(endpoint = "notifications/feed-add")]
pub async fn add_feed(form: FeedForm) -> Result<(), AppError> {
    let by = acting_as(Role::OpsLead)?;
    port::<dyn NotificationsPort>().add_feed(&by, form).await?;
    redirect("/notifications/feeds")
}

#[server(endpoint = "notifications/feed-add-catalog")]
pub async fn add_catalog_feed(key: String) -> Result<(), AppError> {
    let by = acting_as(Role::OpsLead)?;
    port::<dyn NotificationsPort>().add_catalog_feed(&by, &key).await?;
    redirect("/notifications/feeds")
}

#[server(endpoint = "notifications/feed-enable")]
pub async fn set_feed_enabled(id: FeedId, enabled: String) -> Result<(), AppError> {
    let by = acting_as(Role::OpsLead)?;
    port::<dyn NotificationsPort>().set_feed_enabled(&by, id, enabled == "true").await?;
    redirect("/notifications/feeds")
}

#[server(endpoint = "notifications/feed-remove")]
pub async fn remove_feed(id: FeedId) -> Result<(), AppError> {
    let by = acting_as(Role::OpsLead)?;
    port::<dyn NotificationsPort>().remove_feed(&by, id).await?;
    redirect("/notifications/feeds")
}

#[server(endpoint = "notifications/feed-read")]
pub async fn read_feed(id: FeedId) -> Result<(), AppError> {
    port_as::<dyn NotificationsPort>(Role::OpsLead)?.read_feed(id).await?;
    redirect("/notifications/feeds")
}
