//! `tenantry logs import`: files of Auth0 log events (JSON Lines, JSON arrays such as `GET /api/v2/logs` answers,
//! single objects, `{log_id, data}` envelopes) read as a stream — a file of any size is never held in memory —
//! and stored in batches; a second import of the same file stores nothing new.

use std::collections::BTreeMap;
use std::fmt;
use std::io::BufReader;
use std::path::Path;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::model::{Event, Rejected, Source, TenantId};
use super::parse::{self, Items, Limits, Piece};
use super::service;

/// Events stored per transaction.
pub const BATCH: usize = 1000;
/// Distinct reasons the summary names (the rest are counted together).
const REASONS_SHOWN: usize = 20;

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    pub stored: u64,
    pub duplicates: u64,
    pub rejected: u64,
    /// How many items each reason rejected.
    pub reasons: BTreeMap<String, u64>,
}

impl fmt::Display for Imported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} stored, {} duplicates, {} rejected", self.stored, self.duplicates, self.rejected)?;
        for (reason, n) in &self.reasons {
            write!(f, "\n  rejected {n}: {reason}")?;
        }
        if self.rejected > 0 {
            write!(f, "\n  (rejected items are kept verbatim in the quarantine: /logs/quarantine)")?;
        }
        Ok(())
    }
}

impl Imported {
    fn add(&mut self, counts: &super::repo::Counts, rejected: &[Rejected]) {
        self.stored += counts.stored;
        self.duplicates += counts.duplicates;
        self.rejected += counts.rejected;
        for r in rejected {
            let known = self.reasons.len() < REASONS_SHOWN || self.reasons.contains_key(&r.reason);
            let key = if known { r.reason.clone() } else { "other reasons".to_string() };
            *self.reasons.entry(key).or_default() += 1;
        }
    }
}

type Batch = (Vec<Event>, Vec<Rejected>);

/// Imports one file for `tenant`, adding to `total`.
pub async fn import(
    pool: &PgPool,
    tenant: TenantId,
    path: &Path,
    limits: Limits,
    now: DateTime<Utc>,
    total: &mut Imported,
) -> anyhow::Result<()> {
    let file = std::fs::File::open(path).map_err(|e| anyhow::anyhow!("cannot open {}: {e}", path.display()))?;
    let (send, mut batches) = tokio::sync::mpsc::channel::<std::io::Result<Batch>>(2);
    // Reading and parsing block: they run on a thread of their own, a few batches ahead of the database.
    let reader = tokio::task::spawn_blocking(move || {
        let mut batch: Batch = (Vec::new(), Vec::new());
        for piece in Items::new(BufReader::with_capacity(1 << 16, file), limits) {
            match piece {
                Ok(Piece::Item(item)) => match parse::event(&item) {
                    Ok(e) => batch.0.push(e),
                    Err(r) => batch.1.push(r),
                },
                Ok(Piece::Rejected(r)) => batch.1.push(r),
                Err(e) => {
                    let _ = send.blocking_send(Err(e));
                    return;
                }
            }
            if batch.0.len() + batch.1.len() >= BATCH && send.blocking_send(Ok(std::mem::take(&mut batch))).is_err() {
                return;
            }
        }
        let _ = send.blocking_send(Ok(batch));
    });
    while let Some(batch) = batches.recv().await {
        let (events, rejected) = batch.map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let counts = service::store(pool, tenant, Source::Import, &events, &rejected, None, now).await?;
        total.add(&counts, &rejected);
    }
    reader.await?;
    Ok(())
}
