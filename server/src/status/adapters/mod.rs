//! Adapters: a source's body, in its real format, to a `Reading`. Every failure is a `ParseError` that says what
//! was wrong (and, for a body of another format Tenantry reads, which one it is); nothing panics on hostile input.
//!
//! Files: `statuspage` (summary.json and incidents.json), `google` (incidents.json of Google Cloud and Google
//! Workspace), `feed` (RSS and Atom: Auth0's feed, Statuspage history feeds, the legacy Workspace RSS, any other),
//! `apple` (Apple's JSONP). Every update keeps the time its provider published it and its provider's phase word.

mod apple;
mod feed;
mod google;
mod statuspage;

use chrono::{DateTime, Utc};

use super::model::Reading;

pub use crate::outbound::MAX_BODY;
pub use crate::text::{ParseError, strip_tags};

/// The formats Tenantry reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// Auth0's per-tenant Atom/RSS feed (`status.auth0.com/feed?domain=…`).
    Auth0Feed,
    /// Atlassian Statuspage v2 `summary.json`.
    Statuspage,
    /// Any RSS or Atom incident feed.
    Feed,
    /// Google Workspace `incidents.json`.
    GoogleWorkspace,
    /// Apple's system status JSONP (`system_status_en_US.js`).
    Apple,
}

impl SourceKind {
    pub const ALL: [SourceKind; 5] = [
        SourceKind::Auth0Feed,
        SourceKind::Statuspage,
        SourceKind::Feed,
        SourceKind::GoogleWorkspace,
        SourceKind::Apple,
    ];

    /// The name stored in `status_sources.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Auth0Feed => "auth0_feed",
            SourceKind::Statuspage => "statuspage",
            SourceKind::Feed => "feed",
            SourceKind::GoogleWorkspace => "google_workspace",
            SourceKind::Apple => "apple",
        }
    }

    pub fn parse(raw: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// What a person calls the format.
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Auth0Feed => "Auth0 status feed",
            SourceKind::Statuspage => "Atlassian Statuspage (summary.json)",
            SourceKind::Feed => "RSS or Atom feed",
            SourceKind::GoogleWorkspace => "Google incidents.json",
            SourceKind::Apple => "Apple system status (JSONP)",
        }
    }
}

/// For a Statuspage `…/api/v2/summary.json`, the page's `incidents.json` (the last 50 incidents, resolved ones and
/// their postmortems included), read beside the summary.
pub fn statuspage_incidents_url(summary_url: &str) -> Option<String> {
    let (base, query) = match summary_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (summary_url, None),
    };
    let base = base.strip_suffix("/summary.json")?;
    Some(match query {
        Some(q) => format!("{base}/incidents.json?{q}"),
        None => format!("{base}/incidents.json"),
    })
}

/// Parses a body of the given kind fetched from `url`; `content_type` is the answer's header, when it had one.
pub fn parse(
    kind: SourceKind,
    url: &str,
    content_type: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Reading, ParseError> {
    if body.len() > MAX_BODY {
        return Err(ParseError::Oversized { size: body.len() });
    }
    let (json, expected) = match kind {
        SourceKind::Statuspage | SourceKind::GoogleWorkspace => (true, "JSON"),
        SourceKind::Apple => (true, "JSONP"),
        SourceKind::Auth0Feed | SourceKind::Feed => (false, "an RSS or Atom feed"),
    };
    if let Some(ct) = content_type {
        let ct = ct.to_lowercase();
        let fits = if kind == SourceKind::Apple {
            ct.contains("javascript") || ct.contains("json") || ct.starts_with("text/plain")
        } else if json {
            ct.contains("json")
        } else {
            ct.contains("xml") || ct.contains("rss") || ct.contains("atom")
        };
        if !fits {
            return Err(ParseError::WrongContentType {
                got: crate::text::one_line(&ct.split(';').next().unwrap_or("").trim()).chars().take(100).collect(),
                expected,
            });
        }
    }
    let read = match kind {
        SourceKind::Statuspage => statuspage::read(body),
        SourceKind::GoogleWorkspace => google::read(body, url),
        SourceKind::Apple => apple::read(body, now),
        SourceKind::Auth0Feed | SourceKind::Feed => feed::read(body, now),
    };
    read.map_err(|e| match sniff(body) {
        Some(found)
            if found != kind
                && !(matches!(kind, SourceKind::Feed | SourceKind::Auth0Feed)
                    && matches!(found, SourceKind::Feed | SourceKind::Auth0Feed)) =>
        {
            ParseError::OtherFormat { found: found.label(), expected: kind.label() }
        }
        _ => e,
    })
}

/// Which format Tenantry reads a body looks like, judged from its first bytes and top-level keys.
pub fn sniff(body: &[u8]) -> Option<SourceKind> {
    let text = std::str::from_utf8(&body[..body.len().min(64 * 1024)])
        .unwrap_or_default()
        .trim_start_matches('\u{feff}')
        .trim_start();
    if text.starts_with('<') {
        let head = crate::text::cut(text, 2_000);
        return (head.contains("<rss") || head.contains("<feed") || head.contains("<rdf")).then_some(SourceKind::Feed);
    }
    if text.starts_with("jsonCallback(") {
        return Some(SourceKind::Apple);
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    match &value {
        serde_json::Value::Object(o) if o.contains_key("services") => Some(SourceKind::Apple),
        serde_json::Value::Object(o) if o.contains_key("incidents") || o.contains_key("components") => {
            Some(SourceKind::Statuspage)
        }
        serde_json::Value::Array(items)
            if items.first().and_then(|i| i.as_object()).is_some_and(|i| {
                i.contains_key("most_recent_update") || (i.contains_key("begin") && i.contains_key("external_desc"))
            }) =>
        {
            Some(SourceKind::GoogleWorkspace)
        }
        _ => None,
    }
}

fn malformed_json(e: serde_json::Error) -> ParseError {
    ParseError::Malformed { format: "JSON", reason: crate::text::one_line(&e) }
}

/// An update's text as people read it: markup dropped, entities decoded, bounded.
fn words(html: &str) -> String {
    crate::text::cut_marked(&strip_tags(html), 20_000)
}
