//! The history's rules: the page's filters checked, a page of notifications, one notification with its timeline,
//! and acknowledging (once, with an optional comment of at most 500 characters, in the audit log).

use app::accounts::Acting;
use app::ids::NotificationId;
use app::notifications::{NoticeDetail, NoticeList, NoticeQuery, NoticeRow, NoticeUpdate};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::repo::{self, NoticeFilter, NoticeRecord};
use crate::accounts::audit::{self, Action, Actor};

/// Notifications per page.
pub const PER_PAGE: i64 = 50;

/// Why the history refused.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// A filter or a comment is wrong; the message names the field.
    #[error("{0}")]
    Invalid(String),
    #[error("the notification was not found")]
    NotFound,
    #[error("this notification is acknowledged already")]
    AcknowledgedAlready,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The page's query as a checked filter.
pub fn filter(q: &NoticeQuery) -> Result<NoticeFilter, HistoryError> {
    let date = |label: &str, raw: &Option<String>| {
        crate::db::day_filter(label, raw).map_err(|e| HistoryError::Invalid(e.to_string()))
    };
    let (from, to) = (date("From", &q.from)?, date("To", &q.to)?);
    let open = match q.state.as_deref() {
        None => None,
        Some("open") => Some(true),
        Some("acknowledged") => Some(false),
        Some(state) => return Err(HistoryError::Invalid(format!("State: {state:?} is not open or acknowledged"))),
    };
    if let Some(region) = q.region.as_deref()
        && !app::tenants::Region::ALL.iter().any(|r| r.as_str() == region)
    {
        return Err(HistoryError::Invalid(format!("Region: {region:?} is not an Auth0 region")));
    }
    Ok(NoticeFilter {
        q: q.q.clone(),
        source: q.source.clone(),
        severity: q.severity.clone(),
        open,
        tenant: q.tenant.clone(),
        region: q.region.clone(),
        from,
        to,
        before: q.after,
    })
}

/// How many pages `total` rows make (at least one).
pub fn pages(total: i64, per_page: i64) -> u32 {
    u32::try_from(((total + per_page - 1) / per_page).max(1)).unwrap_or(u32::MAX)
}

fn row_of(r: &NoticeRecord) -> NoticeRow {
    NoticeRow {
        id: r.id,
        source: r.source.clone(),
        kind: r.kind.clone(),
        severity: r.severity.clone(),
        title: r.title.clone(),
        tenants: r.tenants.clone(),
        regions: r.regions.clone(),
        first_seen_at: r.first_seen_at,
        updated_at: r.updated_at,
        updates: r.updates,
        acknowledged: r.acknowledged_at.map(|at| (at, r.acknowledged_by.clone().unwrap_or_default())),
    }
}

/// A page of the history.
pub async fn list(conn: &mut PgConnection, q: &NoticeQuery) -> Result<NoticeList, HistoryError> {
    let f = filter(q)?;
    if q.after.is_some() || q.limit.is_some() {
        // Keyset paging (the JSON API): no count, no offset.
        let limit = i64::from(q.limit.unwrap_or(PER_PAGE as u32).clamp(1, 1000));
        let rows = repo::notices(conn, &f, limit, 0).await?;
        let total = rows.len() as i64;
        return Ok(NoticeList {
            rows: rows.iter().map(row_of).collect(),
            total,
            page: 1,
            pages: 1,
            tenants: Vec::new(),
        });
    }
    let total = repo::count_notices(conn, &f).await?;
    let pages = pages(total, PER_PAGE);
    let page = q.page.clamp(1, pages);
    let rows = repo::notices(conn, &f, PER_PAGE, PER_PAGE * (i64::from(page) - 1)).await?;
    // The registered tenants (notifications name tenants by name); cheaper than unnesting every notification.
    let tenants = repo::tenant_names(conn).await?;
    Ok(NoticeList { rows: rows.iter().map(row_of).collect(), total, page, pages, tenants })
}

/// One notification with its timeline and its deliveries.
pub async fn detail(conn: &mut PgConnection, id: NotificationId) -> Result<NoticeDetail, HistoryError> {
    let r = repo::notice(conn, id).await?.ok_or(HistoryError::NotFound)?;
    let timeline = repo::timeline(conn, id)
        .await?
        .into_iter()
        .map(|u| NoticeUpdate { at: u.at, kind: u.kind, severity: u.severity, text: u.text, by: u.by_user })
        .collect();
    let deliveries = crate::notifications::delivery::service::notification_deliveries(conn, id).await?;
    Ok(NoticeDetail { row: row_of(&r), body: r.body.clone(), link: r.link.clone(), timeline, deliveries })
}

/// Acknowledges an open notification at `now`, with its timeline entry and the audit log, in the caller's
/// transaction.
pub async fn acknowledge(
    tx: &mut PgConnection,
    by: &Acting,
    id: NotificationId,
    comment: &str,
    now: DateTime<Utc>,
) -> Result<(), HistoryError> {
    let comment = comment.trim();
    if comment.chars().count() > 500 {
        return Err(HistoryError::Invalid("Comment: at most 500 characters".into()));
    }
    let who = by.user.email.clone();
    let Some(title) = repo::acknowledge(tx, id, now, &who).await? else {
        return Err(if repo::exists(tx, id).await? {
            HistoryError::AcknowledgedAlready
        } else {
            HistoryError::NotFound
        });
    };
    let text = if comment.is_empty() { "Acknowledged.".to_string() } else { format!("Acknowledged: {comment}") };
    repo::insert_acknowledged(tx, id, now, &text, &who).await?;
    let actor = Actor::from_current(&by.user);
    audit::record(tx, &actor, Action::NotificationAcknowledged, &title, &by.client_ip, comment).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_round_up_and_there_is_always_one() {
        assert_eq!(pages(0, 50), 1);
        assert_eq!(pages(50, 50), 1);
        assert_eq!(pages(51, 50), 2);
    }

    #[test]
    fn filters_name_the_wrong_field() {
        let q = |state: Option<&str>, region: Option<&str>| NoticeQuery {
            state: state.map(String::from),
            region: region.map(String::from),
            ..NoticeQuery::default()
        };
        assert_eq!(filter(&q(Some("open"), None)).expect("open").open, Some(true));
        assert_eq!(filter(&q(Some("acknowledged"), Some("eu"))).expect("ack").open, Some(false));
        let bad = filter(&q(Some("closed"), None)).expect_err("state");
        assert_eq!(bad.to_string(), "State: \"closed\" is not open or acknowledged");
        let bad = filter(&q(None, Some("mars"))).expect_err("region");
        assert_eq!(bad.to_string(), "Region: \"mars\" is not an Auth0 region");
    }
}
