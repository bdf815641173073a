//! The checklists area's scheduler job: `checklists.evaluate` / `all` evaluates every tenant whose latest snapshot
//! is newer than its last evaluation (the snapshot poller asks for a run at once), whose registry entry changed, or
//! that was last evaluated over an hour ago; then lapses sign-offs past their review date and records the notices
//! of reviews coming due. One step at a given `now`; the scheduler runs the loop.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::repo::{self, TenantRow};
use super::service::{self, EVALUATE_EVERY};
use crate::scheduler::Job;

pub const KIND: &str = crate::scheduler::kinds::CHECKLISTS_EVALUATE;
/// How often the step looks for tenants due.
pub const INTERVAL: Duration = Duration::from_secs(60);

/// Whether a tenant's checklist is due for evaluation at `now`.
pub fn due(t: &TenantRow, now: DateTime<Utc>) -> bool {
    match t.evaluated_at {
        None => true,
        Some(at) => t.evaluated_snapshot != t.snapshot_id || at < t.updated_at || at + EVALUATE_EVERY <= now,
    }
}

/// What one step did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stepped {
    pub evaluated: usize,
    pub changed: usize,
    pub lapsed: usize,
    pub notices: usize,
}

/// One pass at `now`.
pub async fn step(pool: &PgPool, now: DateTime<Utc>) -> Result<Stepped, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let tenants = repo::tenants(&mut conn, None).await?;
    drop(conn);
    let mut done = Stepped::default();
    for t in tenants.iter().filter(|t| due(t, now)) {
        let e = service::evaluate(pool, t, now).await?;
        done.evaluated += 1;
        done.changed += e.changed;
        done.lapsed += e.lapsed;
        done.notices += e.notices;
    }
    let r = service::review_dates(pool, now).await?;
    done.lapsed += r.lapsed;
    done.notices += r.due_notices;
    Ok(done)
}

/// `checklists.evaluate` / `all`.
pub struct EvaluateJob {
    pub pool: PgPool,
}

#[async_trait::async_trait]
impl Job for EvaluateJob {
    fn kind(&self) -> &'static str {
        KIND
    }

    async fn run_once(&self, _key: &str, now: DateTime<Utc>) -> Result<(), String> {
        step(&self.pool, now).await.map(|_| ()).map_err(|e| e.to_string())
    }
}
