//! The `monitoring.check` job: one run of one check, stored with its hour's roll-up and the alert step, in one
//! transaction. A failing check is a successful job (the scheduler keeps its interval); only a database problem
//! fails the job.

use chrono::{DateTime, Duration, Utc};
use sqlx::{PgPool, Row};
use uuid::Uuid;

use super::alerts::{Rules, Streak, Transition, step};
use super::outcome::Outcome;
use super::probe::{Kind, Login, Probe, Ran, Target};
use super::rollup;
use crate::scheduler::Job;
use crate::secrets::SecretBox;

pub const KIND: &str = crate::scheduler::kinds::MONITORING_CHECK;

/// What one run did, for tests and the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub ran: Ran,
    pub transition: Transition,
}

pub struct CheckJob {
    pub pool: PgPool,
    pub probe: Probe,
    pub secrets: SecretBox,
}

impl CheckJob {
    /// Reads the check and its tenant into a target (secrets decrypted for this run only).
    async fn target(&self, id: Uuid) -> Result<(Target, Uuid), String> {
        let row = sqlx::query(
            "SELECT c.kind, c.grant_type, c.realm, c.username, c.password, c.client_id, c.client_secret, c.audience,
                    c.scope, t.id AS tenant_id, t.domain, t.api_base_url
             FROM monitoring_checks c JOIN tenants t ON t.id = c.tenant_id WHERE c.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the check was removed")?;
        let kind = Kind::parse(row.get("kind")).ok_or("unknown check kind")?;
        let decrypt = |column: &str| -> Result<String, String> {
            let stored: Option<Vec<u8>> = row.get(column);
            match stored {
                Some(bytes) => self.secrets.decrypt(&bytes).map_err(|_| {
                    format!("the stored {column} cannot be decrypted with this server's key; enter it again")
                }),
                None => Ok(String::new()),
            }
        };
        let login = if kind == Kind::Login {
            let realm: Option<String> = row.get("realm");
            let grant: Option<String> = row.get("grant_type");
            Some(Login {
                realm: if grant.as_deref() == Some("password_realm") { realm } else { None },
                username: row.get::<Option<String>, _>("username").unwrap_or_default(),
                password: decrypt("password")?,
                client_id: row.get::<Option<String>, _>("client_id").unwrap_or_default(),
                client_secret: decrypt("client_secret")?,
                audience: row.get("audience"),
                scope: row.get("scope"),
            })
        } else {
            None
        };
        let target = Target { domain: row.get("domain"), base_url: row.get("api_base_url"), kind, login };
        Ok((target, row.get("tenant_id")))
    }

    /// Runs the check once at `now` and records it.
    pub async fn check(&self, id: Uuid, now: DateTime<Utc>) -> Result<Checked, String> {
        let (ran, tenant) = match self.target(id).await {
            Ok((target, tenant)) => (self.probe.run(&target).await, tenant),
            Err(reason) if reason == "the check was removed" => return Err(reason),
            Err(reason) => {
                let tenant: Uuid = sqlx::query_scalar("SELECT tenant_id FROM monitoring_checks WHERE id = $1")
                    .bind(id)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(|e| e.to_string())?;
                (Ran { outcome: Outcome::Unexpected, latency_ms: 0, http_status: None, detail: reason }, tenant)
            }
        };
        let transition = self.record(id, tenant, &ran, now).await.map_err(|e| e.to_string())?;
        Ok(Checked { ran, transition })
    }

    async fn record(&self, id: Uuid, tenant: Uuid, ran: &Ran, now: DateTime<Utc>) -> Result<Transition, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "SELECT c.consecutive_failures, c.consecutive_successes, c.fail_threshold, c.success_threshold,
                    c.reminder_minutes, a.id AS alert_id, a.opened_at, a.last_reminded_at,
                    EXISTS (SELECT 1 FROM monitoring_maintenance m
                            WHERE (m.check_id = c.id OR m.tenant_id = $2) AND $3 >= m.starts_at AND $3 < m.ends_at)
                        AS maintenance
             FROM monitoring_checks c LEFT JOIN monitoring_alerts a ON a.check_id = c.id AND a.resolved_at IS NULL
             WHERE c.id = $1 FOR UPDATE OF c",
        )
        .bind(id)
        .bind(tenant)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let alert: Option<i64> = row.get("alert_id");
        let before = Streak {
            failures: row.get("consecutive_failures"),
            successes: row.get("consecutive_successes"),
            open: alert.map(|_| (row.get("opened_at"), row.get("last_reminded_at"))),
        };
        let rules = Rules {
            fail_threshold: row.get("fail_threshold"),
            success_threshold: row.get("success_threshold"),
            reminder: Duration::minutes(i64::from(row.get::<i32, _>("reminder_minutes"))),
        };
        let maintenance: bool = row.get("maintenance");
        let ok = ran.outcome.is_ok();
        let (after, transition) = step(before, ok, maintenance, rules, now);
        sqlx::query(
            "INSERT INTO monitoring_runs (check_id, at, outcome, latency_ms, http_status, detail, maintenance)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(now)
        .bind(ran.outcome.as_str())
        .bind(ran.latency_ms)
        .bind(ran.http_status.map(i32::from))
        .bind(&ran.detail)
        .bind(maintenance)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE monitoring_checks SET consecutive_failures = $2, consecutive_successes = $3, last_run_at = $4,
                 last_outcome = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(after.failures)
        .bind(after.successes)
        .bind(now)
        .bind(ran.outcome.as_str())
        .execute(&mut *tx)
        .await?;
        rollup::add_run(&mut tx, id, now, ok, ran.latency_ms).await?;
        let reason = format!("{}: {}", ran.outcome.as_str().replace('_', " "), ran.outcome.advice());
        match transition {
            Transition::Opened => {
                let alert: i64 = sqlx::query_scalar(
                    "INSERT INTO monitoring_alerts (check_id, opened_at, reason) VALUES ($1, $2, $3) RETURNING id",
                )
                .bind(id)
                .bind(now)
                .bind(&reason)
                .fetch_one(&mut *tx)
                .await?;
                event(
                    &mut tx,
                    id,
                    alert,
                    now,
                    "alert_opened",
                    &format!("{} failures in a row; {reason}", after.failures),
                )
                .await?;
            }
            Transition::Resolved => {
                if let Some(alert) = alert {
                    sqlx::query("UPDATE monitoring_alerts SET resolved_at = $2 WHERE id = $1")
                        .bind(alert)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    let detail = format!("{} successes in a row", after.successes);
                    event(&mut tx, id, alert, now, "alert_resolved", &detail).await?;
                }
            }
            Transition::Reminder => {
                if let Some(alert) = alert {
                    sqlx::query("UPDATE monitoring_alerts SET last_reminded_at = $2, reason = $3 WHERE id = $1")
                        .bind(alert)
                        .bind(now)
                        .bind(&reason)
                        .execute(&mut *tx)
                        .await?;
                    let detail = format!("still failing ({} in a row); {reason}", after.failures);
                    event(&mut tx, id, alert, now, "alert_reminder", &detail).await?;
                }
            }
            Transition::None => {}
        }
        tx.commit().await?;
        Ok(transition)
    }
}

async fn event(
    conn: &mut sqlx::PgConnection,
    check: Uuid,
    alert: i64,
    at: DateTime<Utc>,
    kind: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO monitoring_events (check_id, alert_id, at, kind, detail) VALUES ($1, $2, $3, $4, $5)")
        .bind(check)
        .bind(alert)
        .bind(at)
        .bind(kind)
        .bind(detail)
        .execute(conn)
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl Job for CheckJob {
    fn kind(&self) -> &'static str {
        KIND
    }

    async fn run_once(&self, key: &str, now: DateTime<Utc>) -> Result<(), String> {
        let id = key.parse::<Uuid>().map_err(|_| format!("{key:?} is not a check id"))?;
        let checked = self.check(id, now).await?;
        if checked.transition != Transition::None {
            tracing::info!(check = %id, outcome = checked.ran.outcome.as_str(), transition = ?checked.transition, "monitoring alert");
        }
        Ok(())
    }
}
