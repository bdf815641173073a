//! The collector as the server builds it today (`CollectJob { pool, paid_limit }`), with the custom-domain
//! findings read from the domains area. Once the server passes the findings itself —
//! `history::jobs::CollectJob { pool, paid_limit, findings: Arc<dyn FindingsSource> }` — this file goes, and with
//! it the notifications area's last import of `domains`.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

pub use crate::notifications::history::jobs::{COLLECT_INTERVAL as INTERVAL, COLLECT_KIND as KIND, collect};
use crate::notifications::history::model::FindingsSource;
use crate::scheduler::Job;

/// The domains area's findings, read from its port.
pub struct DomainFindings {
    pub pool: PgPool,
}

#[async_trait::async_trait]
impl FindingsSource for DomainFindings {
    async fn findings(&self) -> Result<Vec<app::domains::DomainFinding>, sqlx::Error> {
        crate::domains::port::findings(&self.pool).await
    }
}

/// `notifications.collect` / `all`, every 30 s.
pub struct CollectJob {
    pub pool: PgPool,
    pub paid_limit: usize,
}

#[async_trait::async_trait]
impl Job for CollectJob {
    fn kind(&self) -> &'static str {
        KIND
    }

    async fn run_once(&self, key: &str, now: DateTime<Utc>) -> Result<(), String> {
        let findings = Arc::new(DomainFindings { pool: self.pool.clone() });
        let job = crate::notifications::history::jobs::CollectJob {
            pool: self.pool.clone(),
            paid_limit: self.paid_limit,
            findings,
        };
        job.run_once(key, now).await
    }
}
