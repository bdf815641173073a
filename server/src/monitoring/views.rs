//! What the monitoring pages show, assembled from the repo's reads: the list (filters, counts by state, one page of
//! checks with their sparklines), a check's page (settings, budget, figures, chart, failures, alerts, maintenance)
//! and the add / edit form.

use std::collections::BTreeMap;

use app::monitoring::{CheckDetail, CheckForm, CheckRow, MaintenanceRow, MonitoringList, MonitoringQuery, RunRow};
use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;

use super::model::{self, CheckId, CheckState, Hour, Kind, Outcome, Tally, TenantId};
use super::repo::views::{self as read, CheckLine, Filter};
use super::repo::{self, CheckSettings};
use super::service::CheckError;

pub const PER_PAGE: i64 = 50;
/// Runs on a sparkline.
const RECENT: i64 = 30;

/// The list's order of states in the counts.
const COUNT_ORDER: [CheckState; 5] =
    [CheckState::Alert, CheckState::Failing, CheckState::Unknown, CheckState::Ok, CheckState::Paused];

fn row_of(line: CheckLine, recent: Vec<(i32, bool)>) -> CheckRow {
    CheckRow {
        id: line.id,
        name: line.name,
        kind: line.kind,
        tenant_id: line.tenant_id,
        tenant_name: line.tenant_name,
        tenant_domain: line.domain,
        target: line.target,
        state: CheckState::parse(&line.state).unwrap_or(CheckState::Unknown),
        interval_secs: line.interval_secs,
        last_run_at: line.last_run_at,
        last_outcome: line.last_outcome.as_deref().and_then(Outcome::parse),
        uptime_24h: line.uptime,
        recent,
    }
}

/// The latest runs of each check, oldest first, as (latency ms, ok).
async fn recent(
    conn: &mut PgConnection,
    ids: &[CheckId],
    now: DateTime<Utc>,
) -> Result<BTreeMap<CheckId, Vec<(i32, bool)>>, sqlx::Error> {
    let mut out: BTreeMap<CheckId, Vec<(i32, bool)>> = BTreeMap::new();
    for run in read::recent(conn, ids, now, RECENT).await? {
        let ok = Outcome::parse(&run.outcome).is_some_and(Outcome::is_ok);
        out.entry(run.check_id).or_default().push((run.latency_ms, ok));
    }
    Ok(out)
}

/// The pages a list of `total` rows has, and the page shown (`asked` within them).
pub fn paging(total: i64, asked: u32) -> (u32, u32) {
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1) as u32;
    (asked.clamp(1, pages), pages)
}

/// The list at `now`: one page of checks passing the query, worst first, with counts by state over all pages.
pub async fn list(
    conn: &mut PgConnection,
    q: &MonitoringQuery,
    now: DateTime<Utc>,
) -> Result<MonitoringList, CheckError> {
    let filter = Filter { tenant: q.tenant, check: None, reach: q.reach };
    let counts: Vec<(CheckState, i64)> = read::state_counts(conn, now, filter)
        .await?
        .into_iter()
        .filter_map(|(state, n)| CheckState::parse(&state).map(|s| (s, n)))
        .collect();
    let total: i64 = counts.iter().filter(|(s, _)| q.state.is_none_or(|want| want == *s)).map(|(_, n)| n).sum();
    let (page, pages) = paging(total, q.page);
    let lines = read::lines(conn, now, filter, q.state, PER_PAGE, PER_PAGE * (i64::from(page) - 1)).await?;
    let ids: Vec<CheckId> = lines.iter().map(|l| l.id).collect();
    let mut recent = recent(conn, &ids, now).await?;
    let rows = lines
        .into_iter()
        .map(|line| {
            let runs = recent.remove(&line.id).unwrap_or_default();
            row_of(line, runs)
        })
        .collect();
    let tenants = repo::tenants(conn).await?.into_iter().map(|t| (t.id, t.name)).collect();
    Ok(MonitoringList {
        rows,
        total,
        page,
        pages,
        tenants,
        counts: COUNT_ORDER
            .into_iter()
            .filter_map(|s| counts.iter().find(|(c, _)| *c == s).map(|(_, n)| (s, *n)))
            .collect(),
    })
}

/// The settings a check's page shows (never secrets): (label, value).
pub fn settings_shown(s: &CheckSettings) -> Vec<(String, String)> {
    let mut settings = Vec::new();
    if s.kind == Kind::Login.as_str() {
        let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        settings.push(("Grant".into(), opt(&s.grant_type).replace('_', "-")));
        settings.push(("Connection".into(), opt(&s.realm)));
        settings.push(("Test user".into(), opt(&s.username)));
        settings.push(("Application".into(), opt(&s.client_id)));
        settings.push(("Audience / scope".into(), format!("{} / {}", opt(&s.audience), opt(&s.scope))));
    }
    if app::monitoring::is_reach_kind(&s.kind) {
        settings.push(("Endpoint".into(), s.target.clone().unwrap_or_default()));
        if let Some(status) = s.expect_status {
            settings.push(("Expected status".into(), status.to_string()));
        }
        if s.kind == Kind::Smtp.as_str() {
            let starttls = if s.starttls { "required, with an acceptable certificate" } else { "not checked" };
            settings.push(("STARTTLS".into(), starttls.into()));
        }
        settings.push(("Runs from".into(), "where Tenantry runs, not from Auth0's addresses".into()));
    }
    settings.push(("Alert after".into(), format!("{} failures in a row", s.fail_threshold)));
    settings.push(("Resolve after".into(), format!("{} successes in a row", s.success_threshold)));
    let reminders = match s.reminder_minutes {
        0 => "none".to_string(),
        m => format!("every {m} min while the alert is open"),
    };
    settings.push(("Reminders".into(), reminders));
    settings
}

/// A check's page at `now`, its chart over `range`; `budget`: the tenant's synthetic logins per minute.
pub async fn detail(
    conn: &mut PgConnection,
    id: CheckId,
    range: &str,
    budget: f64,
    now: DateTime<Utc>,
) -> Result<CheckDetail, CheckError> {
    let line = read::line(conn, now, id).await?.ok_or(CheckError::NotFound)?;
    let enabled = line.enabled;
    let runs = recent(conn, &[id], now).await?.remove(&id).unwrap_or_default();
    let row = row_of(line, runs);
    let stored = repo::settings(conn, id).await?.ok_or(CheckError::NotFound)?;
    let budget = if stored.kind == Kind::Login.as_str() {
        let all = repo::logins_per_minute(conn, stored.tenant_id, None).await?;
        Some((60.0 / f64::from(row.interval_secs), all, budget))
    } else {
        None
    };
    let advice = row.last_outcome.filter(|o| !o.is_ok()).map(|o| o.advice_for(&row.kind).to_string());
    let hours: Vec<Hour> = read::hours(conn, id, now - Duration::days(90))
        .await?
        .into_iter()
        .map(|h| (h.bucket, Tally::of_row(h.runs, h.ok, &h.histogram)))
        .collect();
    let (range, from, step) = model::chart_range(range, now);
    let failures = read::failures(conn, id)
        .await?
        .into_iter()
        .map(|f| RunRow {
            at: f.at,
            outcome: Outcome::parse(&f.outcome).unwrap_or(Outcome::Unexpected),
            latency_ms: f.latency_ms,
            http_status: f.http_status,
            detail: f.detail,
            maintenance: f.maintenance,
        })
        .collect();
    let maintenance = read::windows(conn, id, now)
        .await?
        .into_iter()
        .map(|m| MaintenanceRow {
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            reason: m.reason,
            scope: if m.whole_tenant { "every check of the tenant" } else { "this check" }.into(),
        })
        .collect();
    Ok(CheckDetail {
        row,
        enabled,
        advice,
        settings: settings_shown(&stored),
        figures: model::all_figures(&hours, now),
        range: range.into(),
        points: model::points(&hours, from, now, step),
        failures,
        alerts: read::alerts(conn, id).await?,
        maintenance,
        budget,
    })
}

/// A new check's form.
pub fn new_form() -> CheckForm {
    CheckForm {
        kind: "login".into(),
        interval_secs: "60".into(),
        grant_type: "password".into(),
        fail_threshold: "3".into(),
        success_threshold: "2".into(),
        reminder_minutes: "60".into(),
        starttls: "required".into(),
        ..CheckForm::default()
    }
}

/// A stored check's form (secrets blank: keep the stored ones).
pub fn form_of(s: CheckSettings) -> CheckForm {
    CheckForm {
        tenant_id: s.tenant_id.to_string(),
        kind: s.kind,
        name: s.name,
        interval_secs: s.interval_secs.to_string(),
        grant_type: s.grant_type.unwrap_or_default(),
        realm: s.realm.unwrap_or_default(),
        username: s.username.unwrap_or_default(),
        password: String::new(),
        client_id: s.client_id.unwrap_or_default(),
        client_secret: String::new(),
        audience: s.audience.unwrap_or_default(),
        scope: s.scope.unwrap_or_default(),
        target: s.target.unwrap_or_default(),
        expect_status: s.expect_status.map(|n| n.to_string()).unwrap_or_default(),
        starttls: if s.starttls { "required" } else { "no" }.into(),
        fail_threshold: s.fail_threshold.to_string(),
        success_threshold: s.success_threshold.to_string(),
        reminder_minutes: s.reminder_minutes.to_string(),
    }
}

/// The form of check `id` (a new one's defaults when `None`) and the tenants to choose from: (id, "name (domain)").
pub async fn form(
    conn: &mut PgConnection,
    id: Option<CheckId>,
) -> Result<(CheckForm, Vec<(TenantId, String)>), CheckError> {
    let tenants =
        repo::tenants(conn).await?.into_iter().map(|t| (t.id, format!("{} ({})", t.name, t.domain))).collect();
    let form = match id {
        None => new_form(),
        Some(id) => form_of(repo::settings(conn, id).await?.ok_or(CheckError::NotFound)?),
    };
    Ok((form, tenants))
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn stored(kind: &str) -> CheckSettings {
        CheckSettings {
            tenant_id: TenantId(Uuid::nil()),
            kind: kind.into(),
            name: "Customer login".into(),
            interval_secs: 60,
            enabled: true,
            grant_type: Some("password_realm".into()),
            realm: Some("Username-Password-Authentication".into()),
            username: Some("probe@acme.test".into()),
            client_id: Some("cid".into()),
            audience: None,
            scope: Some("openid".into()),
            target: None,
            expect_status: None,
            starttls: false,
            fail_threshold: 3,
            success_threshold: 2,
            reminder_minutes: 0,
        }
    }

    #[test]
    fn a_login_shows_its_grant_and_user_and_every_check_its_alert_rules() {
        let login = settings_shown(&stored("login"));
        let labels: Vec<&str> = login.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Grant",
                "Connection",
                "Test user",
                "Application",
                "Audience / scope",
                "Alert after",
                "Resolve after",
                "Reminders"
            ]
        );
        assert_eq!(login[0].1, "password-realm");
        assert_eq!(login[4].1, "— / openid");
        assert_eq!(login[7].1, "none");
        assert_eq!(settings_shown(&stored("testall")).len(), 3);
        let form = form_of(stored("login"));
        assert_eq!((form.interval_secs.as_str(), form.audience.as_str(), form.password.as_str()), ("60", "", ""));
    }

    #[test]
    fn paging_keeps_the_page_within_the_pages() {
        assert_eq!(paging(0, 3), (1, 1));
        assert_eq!(paging(120, 2), (2, 3));
        assert_eq!(paging(120, 9), (3, 3));
        assert_eq!(paging(50, 0), (1, 1));
    }
}
