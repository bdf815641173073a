//! Monitoring rules: checking what was entered (every problem at once), the per-tenant login budget, and changes
//! with their audit entries and scheduler jobs.

use std::time::Duration;

use app::monitoring::CheckForm;
use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::jobs::check::KIND;
use super::model::{CheckId, CheckSpec, Kind, TenantId};
use super::reach::Endpoint;
use super::repo;
use crate::accounts::audit::{self, Action, Actor};
use crate::scheduler;
use crate::secrets::SecretBox;

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("{}", .0.join("; "))]
    Invalid(Vec<String>),
    #[error("the check was not found")]
    NotFound,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn number(errors: &mut Vec<String>, label: &str, raw: &str, default: i32, min: i32, max: i32) -> i32 {
    let raw = raw.trim();
    if raw.is_empty() {
        return default;
    }
    match raw.parse::<i32>() {
        Ok(n) if (min..=max).contains(&n) => n,
        _ => {
            errors.push(format!("{label}: {raw:?} is not a whole number from {min} to {max}"));
            default
        }
    }
}

fn text(raw: &str) -> Option<String> {
    let t = raw.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Checks a form. `editing`: blank secrets keep the stored ones.
pub fn parse(form: &CheckForm, secrets: &SecretBox, editing: bool) -> Result<CheckSpec, CheckError> {
    let mut errors = Vec::new();
    let tenant = form.tenant_id.parse::<TenantId>().unwrap_or_else(|_| {
        errors.push("Tenant: choose a registered tenant".into());
        TenantId(uuid::Uuid::nil())
    });
    let kind = Kind::parse(form.kind.trim()).unwrap_or_else(|| {
        errors.push(format!("Check: {:?} is not login, testall, test, tcp, https or smtp", form.kind));
        Kind::Testall
    });
    let name = form.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push("Name: give the check a name of 1 to 100 characters".into());
    }
    let interval = number(&mut errors, "Every (seconds)", &form.interval_secs, 60, 30, 86_400);
    let fail_threshold = number(&mut errors, "Failures in a row to alert", &form.fail_threshold, 3, 1, 100);
    let success_threshold = number(&mut errors, "Successes in a row to resolve", &form.success_threshold, 2, 1, 100);
    let reminder_minutes = number(&mut errors, "Remind every (minutes)", &form.reminder_minutes, 60, 0, 10_080);
    let mut parsed = CheckSpec {
        tenant,
        kind,
        name,
        interval,
        grant_type: None,
        realm: None,
        username: None,
        password: None,
        client_id: None,
        client_secret: None,
        audience: None,
        scope: None,
        target: None,
        expect_status: None,
        starttls: false,
        fail_threshold,
        success_threshold,
        reminder_minutes,
    };
    if kind == Kind::Login {
        let realm_grant = form.grant_type.trim() == "password_realm";
        parsed.grant_type = Some(if realm_grant { "password_realm" } else { "password" });
        parsed.realm = text(&form.realm);
        if realm_grant && parsed.realm.is_none() {
            errors.push("Connection (realm): password-realm needs the connection's name".into());
        }
        parsed.username = text(&form.username);
        if parsed.username.is_none() {
            errors.push("Test user: enter the test user's username or email".into());
        }
        parsed.client_id = text(&form.client_id);
        if parsed.client_id.is_none() {
            errors.push("Application client id: enter the client id of the application the login uses".into());
        }
        parsed.password = text(&form.password).map(|p| secrets.encrypt(&p));
        parsed.client_secret = text(&form.client_secret).map(|s| secrets.encrypt(&s));
        if !editing && parsed.password.is_none() {
            errors.push("Test user's password: enter it (it is encrypted and never shown again)".into());
        }
        if !editing && parsed.client_secret.is_none() {
            errors.push("Application client secret: enter it (it is encrypted and never shown again)".into());
        }
        parsed.audience = text(&form.audience);
        parsed.scope = text(&form.scope);
    }
    if kind.is_reach() {
        match Endpoint::parse(kind, &form.target) {
            Ok(endpoint) => parsed.target = Some(endpoint.stored(kind)),
            Err(problem) => errors.push(problem),
        }
        if kind == Kind::Https {
            parsed.expect_status =
                Some(number(&mut errors, "Expected status (HTTPS)", &form.expect_status, 200, 100, 599));
        }
        parsed.starttls = kind == Kind::Smtp && form.starttls.trim() != "no";
    }
    if errors.is_empty() { Ok(parsed) } else { Err(CheckError::Invalid(errors)) }
}

/// The tenant's synthetic logins per minute with a login check every `interval` seconds added (`except` left
/// out), when that is over `budget`.
async fn over_budget(
    conn: &mut PgConnection,
    tenant: TenantId,
    except: Option<CheckId>,
    interval: i32,
    budget: f64,
) -> Result<Option<f64>, sqlx::Error> {
    let total = repo::logins_per_minute(conn, tenant, except).await? + 60.0 / f64::from(interval);
    Ok((total > budget + 1e-9).then_some(total))
}

/// Refuses a login check that would take the tenant over its budget of synthetic logins per minute.
async fn within_budget(
    conn: &mut PgConnection,
    p: &CheckSpec,
    except: Option<CheckId>,
    budget: f64,
) -> Result<(), CheckError> {
    if p.kind != Kind::Login {
        return Ok(());
    }
    match over_budget(conn, p.tenant, except, p.interval, budget).await? {
        Some(total) => Err(CheckError::Invalid(vec![format!(
            "Every (seconds): this tenant's synthetic logins would make {total:.1} per minute, over its budget of \
             {budget:.0} (Auth0 rate-limits /oauth/token and blocks a user after repeated failures); choose a longer \
             interval"
        )])),
        None => Ok(()),
    }
}

fn tenant_missing(e: sqlx::Error) -> CheckError {
    match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
            CheckError::Invalid(vec!["Tenant: choose a registered tenant".into()])
        }
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            CheckError::Invalid(vec!["Name: this tenant has a check with this name already".into()])
        }
        _ => CheckError::Database(e),
    }
}

fn every(interval: i32) -> Duration {
    Duration::from_secs(u64::try_from(interval).unwrap_or(60))
}

/// Adds a check and schedules its first run now.
pub async fn add(
    pool: &PgPool,
    actor: &Actor,
    p: CheckSpec,
    budget: f64,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<CheckId, CheckError> {
    let mut tx = pool.begin().await?;
    within_budget(&mut tx, &p, None, budget).await?;
    let id = repo::insert_check(&mut tx, &p).await.map_err(tenant_missing)?;
    scheduler::ensure(&mut tx, KIND, &id.to_string(), every(p.interval), now).await?;
    let detail = format!("{} every {} s", p.kind.as_str(), p.interval);
    audit::record(&mut tx, actor, Action::CheckAdded, &p.name, client_ip, &detail).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a check; blank secrets keep the stored ones while the tenant (and, for the client secret, the
/// application) stays — a stored secret is never sent to another tenant. A running check's job takes the new
/// interval.
pub async fn update(
    pool: &PgPool,
    actor: &Actor,
    id: CheckId,
    p: CheckSpec,
    budget: f64,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<(), CheckError> {
    let mut tx = pool.begin().await?;
    within_budget(&mut tx, &p, Some(id), budget).await?;
    let enabled = repo::update_check(&mut tx, id, &p).await.map_err(tenant_missing)?.ok_or(CheckError::NotFound)?;
    if repo::secrets_missing(&mut tx, id).await? {
        return Err(CheckError::Invalid(vec![
            "a synthetic login needs the test user's password and the client secret (after a change of tenant or \
             application, enter them again: stored ones are only sent where they were entered for)"
                .into(),
        ]));
    }
    if enabled {
        // The job exists (a paused check has none); `ensure` only changes its interval.
        scheduler::ensure(&mut tx, KIND, &id.to_string(), every(p.interval), now).await?;
    }
    audit::record(&mut tx, actor, Action::CheckChanged, &p.name, client_ip, "settings changed").await?;
    tx.commit().await?;
    Ok(())
}

/// Pauses or resumes a check (resuming checks the budget again).
pub async fn set_enabled(
    pool: &PgPool,
    actor: &Actor,
    id: CheckId,
    enabled: bool,
    budget: f64,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<(), CheckError> {
    let mut tx = pool.begin().await?;
    let check = repo::settings(&mut tx, id).await?.ok_or(CheckError::NotFound)?;
    if enabled
        && check.kind == Kind::Login.as_str()
        && over_budget(&mut tx, check.tenant_id, Some(id), check.interval_secs, budget).await?.is_some()
    {
        return Err(CheckError::Invalid(vec![format!(
            "resuming would take this tenant over its budget of {budget:.0} synthetic logins per minute"
        )]));
    }
    repo::set_enabled(&mut tx, id, enabled).await?;
    let detail =
        scheduler::set_enabled(&mut tx, KIND, &id.to_string(), enabled, every(check.interval_secs), now).await?;
    audit::record(&mut tx, actor, Action::CheckChanged, &check.name, client_ip, detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a check with its history.
pub async fn remove(pool: &PgPool, actor: &Actor, id: CheckId, client_ip: &str) -> Result<(), CheckError> {
    let mut tx = pool.begin().await?;
    let name = repo::delete_check(&mut tx, id).await?.ok_or(CheckError::NotFound)?;
    scheduler::remove(&mut tx, KIND, &id.to_string()).await?;
    audit::record(&mut tx, actor, Action::CheckRemoved, &name, client_ip, "").await?;
    tx.commit().await?;
    Ok(())
}

/// "Run now": the check's job is due at once.
pub async fn run_now(pool: &PgPool, id: CheckId, now: DateTime<Utc>) -> Result<(), CheckError> {
    let mut conn = pool.acquire().await?;
    if scheduler::run_soon(&mut conn, KIND, &id.to_string(), now).await? {
        Ok(())
    } else {
        Err(CheckError::Invalid(vec!["this check is paused; resume it to run it".into()]))
    }
}

/// A maintenance window as entered: times are `YYYY-MM-DDTHH:MM` in UTC, and it must end after it starts.
pub fn window(starts: &str, ends: &str) -> Result<(DateTime<Utc>, DateTime<Utc>), CheckError> {
    let time = |label: &str, raw: &str| {
        NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M")
            .map(|t| t.and_utc())
            .map_err(|_| format!("{label}: {raw:?} is not a date and time (YYYY-MM-DDTHH:MM, UTC)"))
    };
    match (time("Starts", starts), time("Ends", ends)) {
        (Ok(s), Ok(e)) if e > s => Ok((s, e)),
        (Ok(_), Ok(_)) => Err(CheckError::Invalid(vec!["Ends: the window must end after it starts".into()])),
        (s, e) => Err(CheckError::Invalid([s.err(), e.err()].into_iter().flatten().collect())),
    }
}

/// Adds a maintenance window for the check or its whole tenant.
#[allow(clippy::too_many_arguments)]
pub async fn add_maintenance(
    pool: &PgPool,
    actor: &Actor,
    id: CheckId,
    whole_tenant: bool,
    starts: &str,
    ends: &str,
    reason: &str,
    client_ip: &str,
) -> Result<(), CheckError> {
    let (starts, ends) = window(starts, ends)?;
    let mut tx = pool.begin().await?;
    let check = repo::settings(&mut tx, id).await?.ok_or(CheckError::NotFound)?;
    let (tenant, only) = if whole_tenant { (Some(check.tenant_id), None) } else { (None, Some(id)) };
    repo::insert_maintenance(&mut tx, tenant, only, starts, ends, reason.trim()).await?;
    let detail = format!("maintenance {starts} to {ends}{}", if whole_tenant { " (whole tenant)" } else { "" });
    audit::record(&mut tx, actor, Action::CheckChanged, &check.name, client_ip, &detail).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_is_two_utc_times_in_order_and_every_bad_one_is_named() {
        let (s, e) = window("2026-11-29T10:00", " 2026-11-29T12:30 ").expect("window");
        assert_eq!(
            (s.to_rfc3339(), e.to_rfc3339()),
            ("2026-11-29T10:00:00+00:00".into(), "2026-11-29T12:30:00+00:00".into())
        );
        let Err(CheckError::Invalid(both)) = window("soon", "later") else { panic!("two bad times") };
        assert_eq!(both.len(), 2);
        assert!(both[0].starts_with("Starts: \"soon\"") && both[1].starts_with("Ends: \"later\""));
        let Err(CheckError::Invalid(order)) = window("2026-11-29T10:00", "2026-11-29T10:00") else { panic!("order") };
        assert_eq!(order, ["Ends: the window must end after it starts"]);
    }
}
