//! The rules of the logs area: a batch is stored in one transaction (events, their per-minute roll-ups, the
//! rate-limit notices, quarantine, progress) after making sure its months have partitions; the receiver's token is random, shown once and kept as its SHA-256, and
//! checked in constant time.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use super::limits::{self, Told};
use super::model::{Event, Rejected, Source, TenantId};
use super::repo::{self, Counts};
use super::rollup::{self, Rollup};
use crate::accounts::audit::{self, Action, Actor};

/// Stores one batch of `tenant`: its events (duplicates ignored), its rejected items (quarantined), and the
/// progress, in one transaction; for a pull, `checkpoint` is the newest log id of the page. Returns the counts.
pub async fn store(
    pool: &PgPool,
    tenant: TenantId,
    source: Source,
    events: &[Event],
    rejected: &[Rejected],
    checkpoint: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Counts, sqlx::Error> {
    if events.is_empty() && rejected.is_empty() && checkpoint.is_none() {
        return Ok(Counts::default());
    }
    let mut months: Vec<DateTime<Utc>> = events.iter().map(|e| month_of(e.date)).collect();
    months.sort();
    months.dedup();
    {
        let mut conn = pool.acquire().await?;
        for month in months {
            // A failure here is not fatal: the default partition takes the month's events.
            if let Err(e) = repo::ensure_partition(&mut conn, month).await {
                tracing::warn!(error = %e, "logs: cannot create a month partition; its events wait in the default one");
            }
        }
    }
    let mut tx = pool.begin().await?;
    let new = repo::insert_events(&mut tx, tenant, source, events, now).await?;
    let stored = new.len() as u64;
    repo::minutes::add(&mut tx, tenant, &Rollup::of(new.iter().map(|e| (e.date, e.type_code.as_str())))).await?;
    let listed: Vec<String> = new.iter().filter(|e| rollup::listed(&e.type_code)).map(|e| e.log_id.clone()).collect();
    if !listed.is_empty() {
        repo::minutes::add_limits(&mut tx, tenant, &listed).await?;
        limits::record(&mut tx, tenant, &Told::of(events), now).await?;
    }
    repo::quarantine(&mut tx, tenant, source, rejected, now).await?;
    let counts = Counts { stored, duplicates: events.len() as u64 - stored, rejected: rejected.len() as u64 };
    let newest = events.iter().max_by(|a, b| a.log_id.cmp(&b.log_id));
    let newest_at = events.iter().map(|e| e.date).max();
    let newest = newest.zip(newest_at).map(|(e, at)| (e.log_id.as_str(), at));
    repo::record_batch(&mut tx, tenant, source, &counts, newest, checkpoint, now).await?;
    tx.commit().await?;
    metrics::counter!("logs_events_stored_total", "source" => source.as_str()).increment(counts.stored);
    metrics::counter!("logs_events_duplicate_total", "source" => source.as_str()).increment(counts.duplicates);
    metrics::counter!("logs_items_rejected_total", "source" => source.as_str()).increment(counts.rejected);
    Ok(counts)
}

fn month_of(date: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::{Datelike, TimeZone};
    Utc.with_ymd_and_hms(date.year(), date.month(), 1, 0, 0, 0).single().unwrap_or(date)
}

/// The SHA-256 of a receiver token, as stored.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Whether `presented` (an `Authorization` header: `Bearer TOKEN` or the bare token) is the token hashed as
/// `stored`. The hashes are compared in constant time.
pub fn token_matches(presented: &str, stored: &[u8]) -> bool {
    let token = presented.trim();
    let token = token.strip_prefix("Bearer ").or_else(|| token.strip_prefix("bearer ")).unwrap_or(token).trim();
    let hash = token_hash(token);
    hash.len() == stored.len() && hash.iter().zip(stored).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// Gives `tenant` a new receiver token (replacing any earlier one), writes who did it to the audit log in the same
/// transaction, and returns the token: the only time it is seen.
pub async fn new_token(
    pool: &PgPool,
    tenant: TenantId,
    actor: &Actor,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = format!("tlr_{}", hex::encode(bytes));
    let mut tx = pool.begin().await?;
    repo::set_token(&mut tx, tenant, &token_hash(&token), now).await?;
    let detail = "a new log-stream receiver token (the earlier one, if any, stops working)";
    audit::record(&mut tx, actor, Action::LogsStreamTokenMade, &tenant.to_string(), client_ip, detail).await?;
    tx.commit().await?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_only_themselves_with_or_without_bearer() {
        let stored = token_hash("tlr_abc");
        assert!(token_matches("Bearer tlr_abc", &stored));
        assert!(token_matches("tlr_abc", &stored));
        assert!(!token_matches("Bearer tlr_abd", &stored));
        assert!(!token_matches("", &stored));
    }
}
