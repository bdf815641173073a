//! Advisory and change-notice feeds, read: an RSS or Atom body (GitHub's security-advisory Atom feed, Auth0's
//! changelog, an SDK's release feed…) to items, each classified as a security advisory, a deprecation or a change,
//! with a severity. Pure: no I/O, every failure a `ParseError` that says what was wrong.

use chrono::{DateTime, Utc};

use crate::outbound::MAX_BODY;
use crate::text::{ParseError, strip_tags};

/// What kind of feed a row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedKind {
    /// GitHub's security-advisory Atom feed (`https://github.com/security-advisories`, asked for as Atom): every
    /// item is a security advisory whose severity is in its title or body.
    GithubAdvisories,
    /// Any RSS or Atom feed of notices: a changelog, an SDK's releases, a vendor's bulletins.
    Feed,
}

impl FeedKind {
    pub const ALL: [FeedKind; 2] = [FeedKind::GithubAdvisories, FeedKind::Feed];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedKind::GithubAdvisories => "github_advisories",
            FeedKind::Feed => "feed",
        }
    }

    pub fn parse(raw: &str) -> Option<FeedKind> {
        FeedKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// The `Accept` header feeds are asked with (GitHub answers its advisory feed as Atom only when asked).
pub const ACCEPT: &str = "application/atom+xml, application/rss+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.7";

/// How a feed's items are classified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Classify {
    /// By the item's words: security words make an advisory, deprecation words a deprecation, else a change.
    Auto,
    /// Every item is a security advisory.
    Security,
    /// Every item is a change notice (deprecation words still make it a deprecation).
    Change,
}

impl Classify {
    pub const ALL: [Classify; 3] = [Classify::Auto, Classify::Security, Classify::Change];

    pub fn as_str(self) -> &'static str {
        match self {
            Classify::Auto => "auto",
            Classify::Security => "security",
            Classify::Change => "change",
        }
    }

    pub fn parse(raw: &str) -> Option<Classify> {
        Classify::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// What an item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Security,
    Deprecation,
    Change,
}

impl Class {
    /// The notification source it belongs to.
    pub fn source(self) -> &'static str {
        match self {
            Class::Security => "security_advisory",
            Class::Deprecation | Class::Change => "change_notice",
        }
    }

    /// The notification kind.
    pub fn kind(self) -> &'static str {
        match self {
            Class::Security => "security",
            Class::Deprecation => "deprecation",
            Class::Change => "change",
        }
    }
}

/// One item of a feed, classified.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub id: String,
    pub title: String,
    /// Plain text, at most `SUMMARY_CHARS` characters.
    pub summary: String,
    pub link: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub class: Class,
    pub severity: &'static str,
}

/// The longest summary kept per item.
pub const SUMMARY_CHARS: usize = 2000;

const SECURITY_WORDS: [&str; 9] =
    ["security", "vulnerab", "cve-", "ghsa-", "exploit", "xss", "csrf", "injection", "advisory"];
const DEPRECATION_WORDS: [&str; 9] = [
    "deprecat",
    "end of life",
    "end-of-life",
    "sunset",
    "will be removed",
    "no longer supported",
    "retire",
    "breaking change",
    "migration deadline",
];

/// The text of an HTML fragment: tags dropped, the common entities decoded, whitespace collapsed.
pub fn text_of(html: &str) -> String {
    strip_tags(html)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// A security item's severity from the words GitHub (and most advisories) use: critical and high are critical,
/// moderate and medium a warning, low informational; an advisory that says nothing is a warning.
fn security_severity(text: &str) -> &'static str {
    let t = text.to_lowercase();
    let said = |level: &str| {
        t.contains(&format!("{level} severity"))
            || t.contains(&format!("severity: {level}"))
            || t.contains(&format!("severity {level}"))
    };
    if said("critical") || said("high") {
        "critical"
    } else if said("moderate") || said("medium") {
        "warning"
    } else if said("low") {
        "info"
    } else {
        "warning"
    }
}

/// Classifies an item's text for a feed.
pub fn classify(kind: FeedKind, rule: Classify, title: &str, summary: &str) -> (Class, &'static str) {
    let text = format!("{title} {summary}");
    let lower = text.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    let class = match (kind, rule) {
        (FeedKind::GithubAdvisories, _) | (_, Classify::Security) => Class::Security,
        (_, Classify::Auto) if has(&SECURITY_WORDS) => Class::Security,
        _ if has(&DEPRECATION_WORDS) => Class::Deprecation,
        _ => Class::Change,
    };
    let severity = match class {
        Class::Security => security_severity(&text),
        Class::Deprecation => "warning",
        Class::Change => "info",
    };
    (class, severity)
}

/// Whether an item mentions one of the keywords (case-insensitive); no keywords take every item.
pub fn wanted(keywords: &[String], title: &str, summary: &str) -> bool {
    if keywords.is_empty() {
        return true;
    }
    let text = format!("{title} {summary}").to_lowercase();
    keywords.iter().any(|k| text.contains(&k.to_lowercase()))
}

/// Reads a feed body into its wanted, classified items, newest first.
pub fn parse(
    kind: FeedKind,
    rule: Classify,
    keywords: &[String],
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Vec<Item>, ParseError> {
    if body.len() > MAX_BODY {
        return Err(ParseError::Oversized { size: body.len() });
    }
    if let Some(ct) = content_type {
        let ct = ct.to_lowercase();
        if !(ct.contains("xml") || ct.contains("rss") || ct.contains("atom")) {
            return Err(ParseError::WrongContentType {
                got: crate::text::one_line(&ct.split(';').next().unwrap_or("").trim()).chars().take(100).collect(),
                expected: "an RSS or Atom feed",
            });
        }
    }
    let feed = feed_rs::parser::parse(body)
        .map_err(|e| ParseError::Malformed { format: "RSS or Atom", reason: crate::text::one_line(&e) })?;
    let mut items: Vec<Item> = feed
        .entries
        .into_iter()
        .filter_map(|e| {
            let title = e.title.map(|t| text_of(&t.content)).filter(|t| !t.is_empty());
            let html = e.content.and_then(|c| c.body).or(e.summary.map(|s| s.content)).unwrap_or_default();
            let summary: String = text_of(&html).chars().take(SUMMARY_CHARS).collect();
            let title = title.unwrap_or_else(|| summary.chars().take(80).collect::<String>());
            if title.is_empty() || !wanted(keywords, &title, &summary) {
                return None;
            }
            let (class, severity) = classify(kind, rule, &title, &summary);
            Some(Item {
                id: e.id,
                title,
                summary,
                link: e.links.first().map(|l| l.href.clone()),
                published: e.published,
                updated: e.updated,
                class,
                severity,
            })
        })
        .collect();
    items.sort_by_key(|i| std::cmp::Reverse(i.updated.or(i.published)));
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub's security-advisory Atom feed, in the shape GitHub's Feeds API documentation shows (constructed
    /// from that example: not a recording).
    const GITHUB: &str = include_str!("../../../fixtures/feeds/github-security-advisories.atom");
    const CHANGELOG: &str = include_str!("../../../fixtures/feeds/changelog.rss");

    #[test]
    fn github_advisories_are_security_advisories_with_their_severity() {
        let items =
            parse(FeedKind::GithubAdvisories, Classify::Auto, &[], Some("application/atom+xml"), GITHUB.as_bytes())
                .expect("parses");
        assert_eq!(items.len(), 3);
        let by_id = |id: &str| items.iter().find(|i| i.id.ends_with(id)).expect("item");
        let high = by_id("GHSA-8cf2-8p3w-vvjw");
        assert_eq!((high.class, high.severity), (Class::Security, "critical"));
        assert!(high.title.contains("nextjs-auth0"), "{}", high.title);
        assert!(high.summary.contains("Fixed in: 3.5.0"), "entities and tags are gone: {}", high.summary);
        assert!(!high.summary.contains("<p>") && !high.summary.contains("<dd>"), "no tags: {}", high.summary);
        assert!(high.summary.contains("Versions: < 3.5.0"), "entities decoded once: {}", high.summary);
        assert_eq!(by_id("GHSA-abcd-12ab-23cd").severity, "warning", "moderate");
        assert_eq!(by_id("GHSA-q9vh-2v5c-7x3m").severity, "info", "low");
    }

    #[test]
    fn keywords_keep_only_the_items_that_mention_them() {
        let auth0 = vec!["auth0".to_string()];
        let items = parse(FeedKind::GithubAdvisories, Classify::Auto, &auth0, None, GITHUB.as_bytes()).expect("ok");
        assert_eq!(items.len(), 2, "{:?}", items.iter().map(|i| &i.title).collect::<Vec<_>>());
        assert!(items.iter().all(|i| i.title.to_lowercase().contains("auth0")));
    }

    #[test]
    fn changelog_items_are_classified_by_their_words() {
        let items = parse(FeedKind::Feed, Classify::Auto, &[], Some("application/rss+xml"), CHANGELOG.as_bytes())
            .expect("parses");
        let classes: Vec<(Class, &str)> = items.iter().map(|i| (i.class, i.severity)).collect();
        assert_eq!(
            classes,
            [(Class::Deprecation, "warning"), (Class::Security, "warning"), (Class::Change, "info")],
            "newest first: {:?}",
            items.iter().map(|i| &i.title).collect::<Vec<_>>()
        );
        assert_eq!(items[2].link.as_deref(), Some("https://changelog.example.test/organizations-api"));
        let as_change = parse(FeedKind::Feed, Classify::Change, &[], None, CHANGELOG.as_bytes()).expect("parses");
        assert_eq!(as_change[1].class, Class::Change, "the rule overrides security words");
        assert_eq!(as_change[0].class, Class::Deprecation, "deprecations stay deprecations");
    }

    #[test]
    fn bad_bodies_say_what_was_wrong() {
        let html = parse(FeedKind::Feed, Classify::Auto, &[], Some("text/html; charset=utf-8"), b"<html></html>");
        assert_eq!(
            html.expect_err("html").to_string(),
            "the answer is text/html, not an RSS or Atom feed; check the URL and the source type"
        );
        let cut = &GITHUB.as_bytes()[..GITHUB.len() / 2];
        let truncated = parse(FeedKind::GithubAdvisories, Classify::Auto, &[], None, cut).expect_err("truncated");
        assert!(truncated.to_string().starts_with("the answer is not valid RSS or Atom"), "{truncated}");
        let big = vec![b' '; MAX_BODY + 1];
        assert!(matches!(parse(FeedKind::Feed, Classify::Auto, &[], None, &big), Err(ParseError::Oversized { .. })));
        assert!(parse(FeedKind::Feed, Classify::Auto, &[], None, b"{\"json\": true}").is_err());
    }
}
