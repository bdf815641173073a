//! The `monitoring.check` job: one run of one check, stored with its hour's roll-up, the alert step, the alert's
//! event and the event's notification update, in one transaction. A failing check is a successful job (the
//! scheduler keeps its interval); only a database problem (or a removed check) fails the job.

use chrono::{DateTime, Duration, DurationRound, Utc};
use sqlx::PgPool;

use crate::monitoring::alerts::{Rules, Streak, Transition, step};
use crate::monitoring::model::{CheckId, Kind};
use crate::monitoring::notice::{self, AlertEvent};
use crate::monitoring::probe::{Login, Probe, Ran, Target};
use crate::monitoring::reach::run::Ask;
use crate::monitoring::reach::{Endpoint, Reach};
use crate::monitoring::repo::runs::{self, NewRun, TargetRow};
use crate::notifications::record;
use crate::scheduler::Job;
use crate::secrets::SecretBox;

pub const KIND: &str = crate::scheduler::kinds::MONITORING_CHECK;

/// Why a check could not be run and recorded.
#[derive(Debug, thiserror::Error)]
pub enum CheckRunError {
    #[error("{0:?} is not a check id")]
    BadKey(String),
    #[error("the check was removed")]
    Removed,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// What one run did, for tests and the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub ran: Ran,
    pub transition: Transition,
}

pub struct CheckJob {
    pub pool: PgPool,
    pub probe: Probe,
    /// Runs the reachability checks (their own outbound policy and trusted roots).
    pub reach: Reach,
    pub secrets: SecretBox,
}

impl CheckJob {
    /// The check's target, secrets decrypted for this run only; the reason as the run's detail when it has none.
    fn target(&self, row: TargetRow) -> Result<Target, String> {
        let kind = Kind::parse(&row.kind).ok_or("unknown check kind")?;
        let decrypt = |column: &str, stored: &Option<Vec<u8>>| -> Result<String, String> {
            match stored {
                Some(bytes) => self.secrets.decrypt(bytes).map_err(|_| {
                    format!("the stored {column} cannot be decrypted with this server's key; enter it again")
                }),
                None => Ok(String::new()),
            }
        };
        let login = if kind == Kind::Login {
            Some(Login {
                realm: if row.grant_type.as_deref() == Some("password_realm") { row.realm.clone() } else { None },
                username: row.username.clone().unwrap_or_default(),
                password: decrypt("password", &row.password)?,
                client_id: row.client_id.clone().unwrap_or_default(),
                client_secret: decrypt("client_secret", &row.client_secret)?,
                audience: row.audience.clone(),
                scope: row.scope.clone(),
            })
        } else {
            None
        };
        Ok(Target { domain: row.domain, base_url: row.api_base_url, kind, login })
    }

    /// Runs the check once at `now` and records it.
    pub async fn check(&self, id: CheckId, now: DateTime<Utc>) -> Result<Checked, CheckRunError> {
        let row = runs::target(&mut *self.pool.acquire().await?, id).await?.ok_or(CheckRunError::Removed)?;
        let ran = match Kind::parse(&row.kind) {
            Some(kind) if kind.is_reach() => match ask(kind, &row) {
                Ok(ask) => self.reach.run(&ask, now).await,
                Err(detail) => Ran::not_run(detail),
            },
            _ => match self.target(row) {
                Ok(target) => self.probe.run(&target).await,
                Err(detail) => Ran::not_run(detail),
            },
        };
        let transition = self.record(id, &ran, now).await?;
        Ok(Checked { ran, transition })
    }

    async fn record(&self, id: CheckId, ran: &Ran, now: DateTime<Utc>) -> Result<Transition, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let locked = runs::lock(&mut tx, id, now).await?;
        let before = Streak {
            failures: locked.consecutive_failures,
            successes: locked.consecutive_successes,
            open: locked.alert_id.and(locked.opened_at).map(|opened| (opened, locked.last_reminded_at)),
        };
        let rules = Rules {
            fail_threshold: locked.fail_threshold,
            success_threshold: locked.success_threshold,
            reminder: Duration::minutes(i64::from(locked.reminder_minutes)),
        };
        let ok = ran.outcome.is_ok();
        let (after, transition) = step(before, ok, locked.maintenance, rules, now);
        let run = NewRun {
            at: now,
            outcome: ran.outcome,
            latency_ms: ran.latency_ms,
            http_status: ran.http_status.map(i32::from),
            detail: &ran.detail,
            maintenance: locked.maintenance,
        };
        runs::insert_run(&mut tx, id, &run, after.failures, after.successes).await?;
        let hour = now.duration_trunc(Duration::hours(1)).unwrap_or(now);
        runs::add_to_hour(&mut tx, id, hour, ok, ran.latency_ms).await?;
        let reason = format!("{}: {}", ran.outcome.label(), ran.outcome.advice_for(&locked.kind));
        let alert = match (transition, locked.alert_id) {
            (Transition::Opened, _) => {
                let alert = runs::open_alert(&mut tx, id, now, &reason).await?;
                Some((alert, format!("{} failures in a row; {reason}", after.failures)))
            }
            (Transition::Resolved, Some(alert)) => {
                runs::resolve_alert(&mut tx, alert, now).await?;
                Some((alert, format!("{} successes in a row", after.successes)))
            }
            (Transition::Reminder, Some(alert)) => {
                runs::remind_alert(&mut tx, alert, now, &reason).await?;
                Some((alert, format!("still failing ({} in a row); {reason}", after.failures)))
            }
            _ => None,
        };
        if let (Some((alert_id, detail)), Some(kind)) = (alert, transition.event_kind()) {
            let event = runs::insert_event(&mut tx, id, alert_id, now, kind, &detail).await?;
            let notice = notice::incoming(&AlertEvent {
                id: event,
                alert_id,
                check: id,
                check_name: &locked.name,
                check_kind: &locked.kind,
                tenant_name: &locked.tenant_name,
                region: locked.region.as_deref(),
                at: now,
                kind,
                detail: &detail,
            });
            record::apply(&mut tx, &notice, now).await?;
        }
        tx.commit().await?;
        Ok(transition)
    }
}

/// What a reachability check asks, from its stored row.
fn ask(kind: Kind, row: &TargetRow) -> Result<Ask, String> {
    let endpoint = Endpoint::parse(kind, row.target.as_deref().unwrap_or_default())?;
    let expect_status = row.expect_status.and_then(|s| u16::try_from(s).ok()).unwrap_or(200);
    Ok(Ask { kind, endpoint, expect_status, starttls: row.starttls })
}

#[async_trait::async_trait]
impl Job for CheckJob {
    fn kind(&self) -> &'static str {
        KIND
    }

    async fn run_once(&self, key: &str, now: DateTime<Utc>) -> Result<(), String> {
        let run = async {
            let id = key.parse::<CheckId>().map_err(|_| CheckRunError::BadKey(key.to_string()))?;
            let checked = self.check(id, now).await?;
            if checked.transition != Transition::None {
                tracing::info!(check.id = %id, outcome = checked.ran.outcome.as_str(), transition = ?checked.transition, "monitoring alert");
            }
            Ok::<(), CheckRunError>(())
        };
        run.await.map_err(|e| e.to_string())
    }
}
