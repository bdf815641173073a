//! The advisory feeds' values: the catalog (`feeds.toml`, compiled in), a checked feed to add, why a change was
//! refused, and what one read did.

use std::sync::OnceLock;
use std::time::Duration;

use serde::Deserialize;

use super::advisories::{Classify, FeedKind};

/// How often a feed is read unless its row says otherwise.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30 * 60);
/// Items taken from one read (a feed's newest).
pub const MAX_ITEMS: usize = 200;

/// One entry of the catalog.
#[derive(Clone, Debug, Deserialize)]
pub struct CatalogFeed {
    pub key: String,
    pub name: String,
    pub kind: String,
    pub classify: String,
    pub url: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub note: String,
}

#[derive(Deserialize)]
struct CatalogFile {
    feed: Vec<CatalogFeed>,
}

/// The catalog, read once from the file compiled into the binary.
pub fn catalog() -> &'static [CatalogFeed] {
    static CATALOG: OnceLock<Vec<CatalogFeed>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        toml::from_str::<CatalogFile>(include_str!("feeds.toml")).map(|f| f.feed).unwrap_or_else(|e| {
            tracing::error!(error = %e, "the built-in feed catalog does not parse");
            Vec::new()
        })
    })
}

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("{0}")]
    Invalid(String),
    #[error("a feed with this URL exists already: {0}")]
    UrlTaken(String),
    #[error("no such feed")]
    NotFound,
    #[error("this feed is paused; resume it to read it")]
    Paused,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A feed to add, already checked.
#[derive(Clone, Debug)]
pub struct NewFeed {
    pub name: String,
    pub kind: FeedKind,
    pub classify: Classify,
    pub url: String,
    pub keywords: Vec<String>,
    pub interval: Duration,
    pub catalog_key: Option<String>,
}

/// What one read did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Read {
    NotModified,
    /// `items` wanted items read; `new` notifications and `updates` timeline entries added.
    Read {
        items: usize,
        new: usize,
        updates: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notifications::feeds::advisories::{Classify, FeedKind};

    #[test]
    fn the_catalog_parses_and_every_entry_is_readable() {
        assert!(catalog().len() >= 10);
        for f in catalog() {
            assert!(FeedKind::parse(&f.kind).is_some(), "{}: kind {}", f.key, f.kind);
            assert!(Classify::parse(&f.classify).is_some(), "{}: classify {}", f.key, f.classify);
            assert!(f.url.starts_with("https://"), "{}: {}", f.key, f.url);
            assert!(!f.note.is_empty(), "{} says what it is", f.key);
        }
        assert!(catalog().iter().any(|f| f.kind == "github_advisories"));
        assert!(catalog().iter().any(|f| f.key == "auth0-changelog"));
    }
}
