//! Recording a notice: the one way any area adds an update to the notification history. An area calls `apply`
//! in the same transaction that writes its own event, so a notice is never lost between areas; `apply` is
//! idempotent by the update's origin, so recording the same event twice adds it once.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::model::rank;
use super::repo;

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

/// What `apply` did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// The update was new (and was queued for the channels it matches).
    pub added: bool,
    /// The notification was new.
    pub created: bool,
}

/// Adds an update to its notification (creating it), once per `update_origin`, and queues it for delivery to every
/// channel whose filters match the notification as it now stands. `now` is when the update is due to go out.
pub async fn apply(conn: &mut PgConnection, n: &Incoming, now: DateTime<Utc>) -> Result<Applied, sqlx::Error> {
    let before = repo::upsert_notification(conn, n).await?;
    let id = before.id;
    let update = repo::insert_update(conn, id, &n.update_origin, n.at, n.severity, &n.text).await?;
    let added = update.is_some();
    if added && rank(n.severity) > rank(&before.severity) {
        repo::raise_severity(conn, id, n.severity).await?;
        if before.acknowledged {
            let text = format!("Opened again: the severity rose from {} to {}.", before.severity, n.severity);
            repo::insert_reopened(conn, id, &format!("reopened:{}", n.update_origin), n.at, n.severity, &text).await?;
        }
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
