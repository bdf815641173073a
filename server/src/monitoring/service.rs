//! Monitoring rules: checking what was entered (every problem at once), the per-tenant login budget, and changes
//! with their audit entries and scheduler jobs.

use std::time::Duration;

use app::monitoring::CheckForm;
use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::job::KIND;
use super::probe::Kind;
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

/// A checked form.
pub struct Parsed {
    pub tenant: Uuid,
    pub kind: Kind,
    pub name: String,
    pub interval: i32,
    pub grant_type: Option<&'static str>,
    pub realm: Option<String>,
    pub username: Option<String>,
    pub password: Option<Vec<u8>>,
    pub client_id: Option<String>,
    pub client_secret: Option<Vec<u8>>,
    pub audience: Option<String>,
    pub scope: Option<String>,
    pub fail_threshold: i32,
    pub success_threshold: i32,
    pub reminder_minutes: i32,
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
pub fn parse(form: &CheckForm, secrets: &SecretBox, editing: bool) -> Result<Parsed, CheckError> {
    let mut errors = Vec::new();
    let tenant = form.tenant_id.trim().parse::<Uuid>().unwrap_or_else(|_| {
        errors.push("Tenant: choose a registered tenant".into());
        Uuid::nil()
    });
    let kind = Kind::parse(form.kind.trim()).unwrap_or_else(|| {
        errors.push(format!("Check: {:?} is not login, testall or test", form.kind));
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
    let mut parsed = Parsed {
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
    if errors.is_empty() { Ok(parsed) } else { Err(CheckError::Invalid(errors)) }
}

/// Synthetic logins per minute a tenant's enabled checks make, leaving out `except`.
pub async fn logins_per_minute(pool: &PgPool, tenant: Uuid, except: Option<Uuid>) -> Result<f64, sqlx::Error> {
    let n: Option<f64> = sqlx::query_scalar(
        "SELECT sum(60.0 / interval_secs)::float8 FROM monitoring_checks
         WHERE tenant_id = $1 AND kind = 'login' AND enabled AND ($2::uuid IS NULL OR id <> $2)",
    )
    .bind(tenant)
    .bind(except)
    .fetch_one(pool)
    .await?;
    Ok(n.unwrap_or(0.0))
}

/// Refuses a login check that would take the tenant over its budget of synthetic logins per minute.
async fn within_budget(pool: &PgPool, p: &Parsed, except: Option<Uuid>, budget: f64) -> Result<(), CheckError> {
    if p.kind != Kind::Login {
        return Ok(());
    }
    let others = logins_per_minute(pool, p.tenant, except).await?;
    let this = 60.0 / f64::from(p.interval);
    if others + this > budget + 1e-9 {
        return Err(CheckError::Invalid(vec![format!(
            "Every (seconds): this tenant's synthetic logins would make {:.1} per minute, over its budget of {budget:.0} \
             (Auth0 rate-limits /oauth/token and blocks a user after repeated failures); choose a longer interval",
            others + this
        )]));
    }
    Ok(())
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

/// Adds a check and schedules its first run now.
pub async fn add(
    pool: &PgPool,
    actor: &Actor,
    p: Parsed,
    budget: f64,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, CheckError> {
    within_budget(pool, &p, None, budget).await?;
    let mut tx = pool.begin().await?;
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO monitoring_checks (tenant_id, kind, name, interval_secs, grant_type, realm, username, password,
             client_id, client_secret, audience, scope, fail_threshold, success_threshold, reminder_minutes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(p.tenant)
    .bind(p.kind.as_str())
    .bind(&p.name)
    .bind(p.interval)
    .bind(p.grant_type)
    .bind(&p.realm)
    .bind(&p.username)
    .bind(&p.password)
    .bind(&p.client_id)
    .bind(&p.client_secret)
    .bind(&p.audience)
    .bind(&p.scope)
    .bind(p.fail_threshold)
    .bind(p.success_threshold)
    .bind(p.reminder_minutes)
    .fetch_one(&mut *tx)
    .await
    .map_err(tenant_missing)?;
    scheduler::ensure(&mut tx, KIND, &id.to_string(), Duration::from_secs(p.interval as u64), now).await?;
    let detail = format!("{} every {} s", p.kind.as_str(), p.interval);
    audit::record(&mut tx, actor, Action::CheckAdded, &p.name, client_ip, &detail).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a check; blank secrets keep the stored ones.
pub async fn update(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    p: Parsed,
    budget: f64,
    client_ip: &str,
) -> Result<(), CheckError> {
    within_budget(pool, &p, Some(id), budget).await?;
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE monitoring_checks SET tenant_id = $2, kind = $3, name = $4, interval_secs = $5, grant_type = $6,
             realm = $7, username = $8, password = COALESCE($9, password), client_id = $10,
             client_secret = COALESCE($11, client_secret), audience = $12, scope = $13, fail_threshold = $14,
             success_threshold = $15, reminder_minutes = $16
         WHERE id = $1",
    )
    .bind(id)
    .bind(p.tenant)
    .bind(p.kind.as_str())
    .bind(&p.name)
    .bind(p.interval)
    .bind(p.grant_type)
    .bind(&p.realm)
    .bind(&p.username)
    .bind(&p.password)
    .bind(&p.client_id)
    .bind(&p.client_secret)
    .bind(&p.audience)
    .bind(&p.scope)
    .bind(p.fail_threshold)
    .bind(p.success_threshold)
    .bind(p.reminder_minutes)
    .execute(&mut *tx)
    .await
    .map_err(tenant_missing)?;
    if done.rows_affected() == 0 {
        return Err(CheckError::NotFound);
    }
    let missing: bool = sqlx::query_scalar(
        "SELECT kind = 'login' AND (password IS NULL OR client_secret IS NULL) FROM monitoring_checks WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    if missing {
        return Err(CheckError::Invalid(vec![
            "a synthetic login needs the test user's password and the client secret".into(),
        ]));
    }
    sqlx::query("UPDATE scheduler_jobs SET interval_secs = $3 WHERE kind = $1 AND key = $2")
        .bind(KIND)
        .bind(id.to_string())
        .bind(p.interval)
        .execute(&mut *tx)
        .await?;
    audit::record(&mut tx, actor, Action::CheckChanged, &p.name, client_ip, "settings changed").await?;
    tx.commit().await?;
    Ok(())
}

/// Pauses or resumes a check (resuming checks the budget again).
pub async fn set_enabled(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    enabled: bool,
    budget: f64,
    client_ip: &str,
    now: DateTime<Utc>,
) -> Result<(), CheckError> {
    let row: Option<(Uuid, String, String, i32)> =
        sqlx::query_as("SELECT tenant_id, kind, name, interval_secs FROM monitoring_checks WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    let (tenant, kind, name, interval) = row.ok_or(CheckError::NotFound)?;
    if enabled && kind == "login" {
        let others = logins_per_minute(pool, tenant, Some(id)).await?;
        if others + 60.0 / f64::from(interval) > budget + 1e-9 {
            return Err(CheckError::Invalid(vec![format!(
                "resuming would take this tenant over its budget of {budget:.0} synthetic logins per minute"
            )]));
        }
    }
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE monitoring_checks SET enabled = $2 WHERE id = $1")
        .bind(id)
        .bind(enabled)
        .execute(&mut *tx)
        .await?;
    let every = Duration::from_secs(interval as u64);
    let detail = scheduler::set_enabled(&mut tx, KIND, &id.to_string(), enabled, every, now).await?;
    audit::record(&mut tx, actor, Action::CheckChanged, &name, client_ip, detail).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove(pool: &PgPool, actor: &Actor, id: Uuid, client_ip: &str) -> Result<(), CheckError> {
    let mut tx = pool.begin().await?;
    let name: Option<String> = sqlx::query_scalar("DELETE FROM monitoring_checks WHERE id = $1 RETURNING name")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let name = name.ok_or(CheckError::NotFound)?;
    scheduler::remove(&mut tx, KIND, &id.to_string()).await?;
    audit::record(&mut tx, actor, Action::CheckRemoved, &name, client_ip, "").await?;
    tx.commit().await?;
    Ok(())
}

/// "Run now": the check's job is due at once.
pub async fn run_now(pool: &PgPool, id: Uuid, now: DateTime<Utc>) -> Result<(), CheckError> {
    let mut conn = pool.acquire().await?;
    if scheduler::run_soon(&mut conn, KIND, &id.to_string(), now).await? {
        Ok(())
    } else {
        Err(CheckError::Invalid(vec!["this check is paused; resume it to run it".into()]))
    }
}

/// Adds a maintenance window for the check or its whole tenant. Times are `YYYY-MM-DDTHH:MM` in UTC.
#[allow(clippy::too_many_arguments)]
pub async fn add_maintenance(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    whole_tenant: bool,
    starts: &str,
    ends: &str,
    reason: &str,
    client_ip: &str,
) -> Result<(), CheckError> {
    let time = |label: &str, raw: &str| {
        NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M")
            .map(|t| t.and_utc())
            .map_err(|_| format!("{label}: {raw:?} is not a date and time (YYYY-MM-DDTHH:MM, UTC)"))
    };
    let (starts, ends) = match (time("Starts", starts), time("Ends", ends)) {
        (Ok(s), Ok(e)) if e > s => (s, e),
        (Ok(_), Ok(_)) => return Err(CheckError::Invalid(vec!["Ends: the window must end after it starts".into()])),
        (s, e) => return Err(CheckError::Invalid([s.err(), e.err()].into_iter().flatten().collect())),
    };
    let mut tx = pool.begin().await?;
    let row: Option<(Uuid, String)> = sqlx::query_as("SELECT tenant_id, name FROM monitoring_checks WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let (tenant, name) = row.ok_or(CheckError::NotFound)?;
    sqlx::query(
        "INSERT INTO monitoring_maintenance (tenant_id, check_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(whole_tenant.then_some(tenant))
    .bind((!whole_tenant).then_some(id))
    .bind(starts)
    .bind(ends)
    .bind(reason.trim())
    .execute(&mut *tx)
    .await?;
    let detail = format!("maintenance {starts} to {ends}{}", if whole_tenant { " (whole tenant)" } else { "" });
    audit::record(&mut tx, actor, Action::CheckChanged, &name, client_ip, &detail).await?;
    tx.commit().await?;
    Ok(())
}
