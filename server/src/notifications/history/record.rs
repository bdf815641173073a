//! Recording a notice: the one way any area adds an update to the notification history. An area calls `apply`
//! in the same transaction that writes its own event, so a notice is never lost between areas; `apply` is
//! idempotent by the update's origin, so recording the same event twice adds it once.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::model::rank;
use super::repo;
use crate::notifications::delivery::outbox::DELIVER_WITHIN;

/// One update for one notification.
pub struct Incoming {
    pub origin: String,
    pub source: &'static str,
    pub kind: String,
    pub severity: &'static str,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub tenants: Vec<String>,
    pub regions: Vec<String>,
    pub at: DateTime<Utc>,
    pub update_origin: String,
    pub text: String,
}

/// The most a notice keeps of what outside sources sent (a title or a body can be any length in a feed).
pub const MAX_TITLE: usize = 300;
pub const MAX_BODY: usize = 20_000;
pub const MAX_TEXT: usize = 5_000;
pub const MAX_LINK: usize = 2_000;

use crate::text::cut_marked as cut;

impl Incoming {
    /// The notice as stored: texts cut to their limits, and a link only when it is an http(s) URL or a path in
    /// the console (`/monitoring/…`) — a feed's `javascript:` or `data:` link never reaches a page or a message.
    pub fn bounded(&self) -> Incoming {
        let link = self.link.as_deref().map(str::trim).filter(|l| {
            let console_path = l.starts_with('/') && !l.starts_with("//") && !l.contains('\\');
            let web = reqwest::Url::parse(l).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            l.len() <= MAX_LINK && (console_path || web)
        });
        Incoming {
            origin: cut(&self.origin, 500),
            source: self.source,
            kind: cut(&self.kind, 100),
            severity: self.severity,
            title: cut(&self.title, MAX_TITLE),
            body: cut(&self.body, MAX_BODY),
            link: link.map(str::to_string),
            tenants: self.tenants.iter().take(200).map(|t| cut(t, 200)).collect(),
            regions: self.regions.iter().take(50).map(|r| cut(r, 50)).collect(),
            at: self.at,
            update_origin: cut(&self.update_origin, 600),
            text: cut(&self.text, MAX_TEXT),
        }
    }
}

/// What `apply` did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// The update was new (and was queued for the channels it matches).
    pub added: bool,
    /// The notification was new.
    pub created: bool,
}

/// Who acknowledges a notification that arrives as history.
pub const HISTORY: &str = "Tenantry (history)";

/// Adds an update to its notification (creating it), once per `update_origin`, and queues it for delivery to every
/// channel whose filters match the notification as it now stands. `now` is when the update is due to go out.
///
/// An update dated more than `DELIVER_WITHIN` (a week) before `now` is history — a months-old archive read for the
/// first time, say: it is never delivered, and a notification it creates is acknowledged by `HISTORY` at once, so it
/// is not counted as open; nor does it reopen anything. A later, recent update of that notification is news: it
/// opens the notification again and goes out as usual.
pub async fn apply(conn: &mut PgConnection, n: &Incoming, now: DateTime<Utc>) -> Result<Applied, sqlx::Error> {
    let n = &n.bounded();
    let past = n.at < now - DELIVER_WITHIN;
    let before = repo::upsert_notification(conn, n).await?;
    let id = before.id;
    let update = repo::insert_update(conn, id, &n.update_origin, n.at, n.severity, &n.text).await?;
    let added = update.is_some();
    let by_history = before.acknowledged_by.as_deref() == Some(HISTORY);
    if added && rank(n.severity) > rank(&before.severity) {
        repo::raise_severity(conn, id, n.severity, !past).await?;
        if before.acknowledged && !past && !by_history {
            let text = format!("Opened again: the severity rose from {} to {}.", before.severity, n.severity);
            repo::insert_reopened(conn, id, &format!("reopened:{}", n.update_origin), n.at, n.severity, &text).await?;
        }
    }
    if added && past && before.created {
        repo::acknowledge(conn, id, now, HISTORY).await?;
        let text = "Kept as history: published more than a week before Tenantry first read it, so it was not \
                    delivered and does not count as open.";
        repo::insert_acknowledged(conn, id, now, text, HISTORY).await?;
    } else if added && !past && by_history {
        repo::reopen(conn, id).await?;
        let text = "Opened again: a new update arrived for what was kept as history.";
        repo::insert_reopened(conn, id, &format!("reopened:{}", n.update_origin), n.at, n.severity, text).await?;
    }
    if let Some(update) = update {
        crate::notifications::delivery::service::enqueue(conn, id, update, n.at, now).await?;
    }
    Ok(Applied { added, created: before.created })
}

/// `apply` inside a savepoint: a notice that cannot be recorded (it breaks a constraint, say) is undone alone and
/// its error is the inner one, so the caller's other notices and its transaction go on. The outer error: the
/// transaction itself failed.
pub async fn apply_alone(
    conn: &mut PgConnection,
    n: &Incoming,
    now: DateTime<Utc>,
) -> Result<Result<Applied, sqlx::Error>, sqlx::Error> {
    use sqlx::Connection;
    let mut savepoint = conn.begin().await?;
    match apply(&mut savepoint, n, now).await {
        Ok(applied) => {
            savepoint.commit().await?;
            Ok(Ok(applied))
        }
        Err(error) => {
            savepoint.rollback().await?;
            Ok(Err(error))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incoming(title: String, link: &str) -> Incoming {
        Incoming {
            origin: "feed:1#x".into(),
            source: "security_advisory",
            kind: "advisory".into(),
            severity: "warning",
            title,
            body: "b".repeat(3_000_000),
            link: Some(link.into()),
            tenants: Vec::new(),
            regions: Vec::new(),
            at: Utc::now(),
            update_origin: "feed:1#x@first".into(),
            text: "t".repeat(100_000),
        }
    }

    #[test]
    fn a_notice_keeps_bounded_texts_and_only_web_links() {
        let n = incoming("é".repeat(5_000_000), "https://github.com/advisories/GHSA-x").bounded();
        assert_eq!(n.title.chars().count(), MAX_TITLE + 1, "cut, with an ellipsis");
        assert!(n.title.ends_with('…'));
        assert_eq!(n.body.chars().count(), MAX_BODY + 1);
        assert_eq!(n.text.chars().count(), MAX_TEXT + 1);
        assert_eq!(n.link.as_deref(), Some("https://github.com/advisories/GHSA-x"));
        let console = incoming("t".into(), "/monitoring/42").bounded();
        assert_eq!(console.link.as_deref(), Some("/monitoring/42"), "a path in the console is kept");
        for hostile in
            ["javascript:alert(document.cookie)", "data:text/html,<script>x</script>", " JAVASCRIPT:x", "//evil"]
        {
            assert_eq!(incoming("t".into(), hostile).bounded().link, None, "{hostile}");
        }
    }
}
