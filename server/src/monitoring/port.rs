//! The engine behind the monitoring pages (`app::monitoring::MonitoringPort`).

use std::collections::BTreeMap;

use app::accounts::Acting;
use app::error::AppError;
use app::monitoring::{
    AlertRow, CheckDetail, CheckForm, CheckRow, CheckState, Figures, MaintenanceRow, MonitoringList, MonitoringPort,
    MonitoringQuery, Point, RunRow,
};
use chrono::{DateTime, Duration, DurationRound, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use uuid::Uuid;

use super::outcome::Outcome;
use super::rollup::{BUCKETS, merge, percentile};
use super::service::{self, CheckError};
use crate::accounts::audit::Actor;
use crate::secrets::SecretBox;

pub const PER_PAGE: i64 = 50;
/// Runs on a sparkline.
const RECENT: i64 = 30;

/// Monitoring on PostgreSQL.
pub struct PgMonitoring {
    pub pool: PgPool,
    pub secrets: SecretBox,
    /// Synthetic logins per minute a tenant's checks may make together.
    pub login_budget: f64,
}

impl From<CheckError> for AppError {
    fn from(error: CheckError) -> Self {
        match error {
            CheckError::NotFound => AppError::NotFound("the check".into()),
            CheckError::Database(cause) => db(cause),
            other => AppError::Invalid(other.to_string()),
        }
    }
}

fn db(cause: sqlx::Error) -> AppError {
    crate::db::app_error("monitoring", cause)
}

fn parse_id(id: &str) -> Result<Uuid, AppError> {
    id.parse().map_err(|_| AppError::NotFound("the check".into()))
}

/// A check's state from its row: paused, in alert, never run, last run ok or failing.
pub const STATE_SQL: &str = "CASE WHEN NOT c.enabled THEN 'paused'
         WHEN EXISTS (SELECT 1 FROM monitoring_alerts a WHERE a.check_id = c.id AND a.resolved_at IS NULL) THEN 'alert'
         WHEN c.last_outcome IS NULL THEN 'unknown'
         WHEN c.last_outcome = 'ok' THEN 'ok' ELSE 'failing' END";

/// Worst first.
const ORDER_SQL: &str =
    "CASE state WHEN 'alert' THEN 0 WHEN 'failing' THEN 1 WHEN 'unknown' THEN 2 WHEN 'ok' THEN 3 ELSE 4 END";

fn row_of(r: &PgRow) -> CheckRow {
    CheckRow {
        id: r.get::<Uuid, _>("id").to_string(),
        name: r.get("name"),
        kind: r.get("kind"),
        tenant_id: r.get::<Uuid, _>("tenant_id").to_string(),
        tenant_name: r.get("tenant_name"),
        tenant_domain: r.get("domain"),
        state: CheckState::parse(r.get("state")).unwrap_or(CheckState::Unknown),
        interval_secs: r.get("interval_secs"),
        last_run_at: r.get("last_run_at"),
        last_outcome: r.get("last_outcome"),
        uptime_24h: r.get::<Option<f64>, _>("uptime"),
        recent: Vec::new(),
    }
}

const ROW_SQL: &str = "SELECT c.id, c.name, c.kind, c.tenant_id, t.name AS tenant_name, t.domain, c.interval_secs,
        c.last_run_at, c.last_outcome, c.enabled, STATE AS state,
        (SELECT 100.0 * sum(r.ok)::float8 / NULLIF(sum(r.runs), 0) FROM monitoring_rollups r
         WHERE r.check_id = c.id AND r.period = 'hour' AND r.bucket > $1 - interval '24 hours') AS uptime
     FROM monitoring_checks c JOIN tenants t ON t.id = c.tenant_id";

/// (hour, runs, ok, histogram) rows of one check since `from`.
type HourRow = (DateTime<Utc>, i64, i64, Vec<i64>);

fn figures(label: &str, hours: &[HourRow], from: DateTime<Utc>) -> Figures {
    let mut histogram = vec![0i64; BUCKETS];
    let (mut runs, mut ok) = (0, 0);
    for (at, r, o, h) in hours.iter().filter(|h| h.0 >= from) {
        let _ = at;
        runs += r;
        ok += o;
        for (a, b) in histogram.iter_mut().zip(h) {
            *a += b;
        }
    }
    Figures {
        label: label.into(),
        runs,
        uptime: (runs > 0).then(|| 100.0 * ok as f64 / runs as f64),
        p50: percentile(&histogram, 0.5),
        p95: percentile(&histogram, 0.95),
        p99: percentile(&histogram, 0.99),
    }
}

/// The chart's buckets from `from` to `now`, each `step` long; empty buckets stay (runs 0) so gaps show.
fn points(hours: &[HourRow], from: DateTime<Utc>, now: DateTime<Utc>, step: Duration) -> Vec<Point> {
    let mut buckets: BTreeMap<DateTime<Utc>, (i64, i64, Vec<i64>)> = BTreeMap::new();
    let mut at = from.duration_trunc(step).unwrap_or(from);
    while at <= now {
        buckets.insert(at, (0, 0, vec![0; BUCKETS]));
        at += step;
    }
    for (hour, runs, ok, h) in hours {
        let key = hour.duration_trunc(step).unwrap_or(*hour);
        if let Some(b) = buckets.get_mut(&key) {
            b.0 += runs;
            b.1 += ok;
            for (a, x) in b.2.iter_mut().zip(h) {
                *a += x;
            }
        }
    }
    buckets
        .into_iter()
        .map(|(at, (runs, ok, h))| Point { at, runs, ok, p50: percentile(&h, 0.5), p95: percentile(&h, 0.95) })
        .collect()
}

impl PgMonitoring {
    async fn recent(&self, ids: &[Uuid], now: DateTime<Utc>) -> Result<BTreeMap<Uuid, Vec<(i32, bool)>>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT check_id, latency_ms, outcome FROM (
                 SELECT check_id, at, latency_ms, outcome,
                        row_number() OVER (PARTITION BY check_id ORDER BY at DESC) AS n
                 FROM monitoring_runs WHERE check_id = ANY($1) AND at > $2 - interval '7 days') r
             WHERE n <= $3 ORDER BY check_id, at",
        )
        .bind(ids)
        .bind(now)
        .bind(RECENT)
        .fetch_all(&self.pool)
        .await?;
        let mut out: BTreeMap<Uuid, Vec<(i32, bool)>> = BTreeMap::new();
        for r in rows {
            out.entry(r.get("check_id"))
                .or_default()
                .push((r.get("latency_ms"), r.get::<String, _>("outcome") == "ok"));
        }
        Ok(out)
    }

    async fn load_list(&self, q: MonitoringQuery, now: DateTime<Utc>) -> Result<MonitoringList, AppError> {
        let tenant = match q.tenant.as_deref() {
            Some(t) => {
                Some(t.parse::<Uuid>().map_err(|_| AppError::Invalid("Tenant: not a registered tenant".into()))?)
            }
            None => None,
        };
        let base = ROW_SQL.replace("STATE", STATE_SQL);
        let filtered = format!(
            "WITH rows AS ({base} WHERE ($2::uuid IS NULL OR c.tenant_id = $2))
             SELECT * FROM rows WHERE ($3::text IS NULL OR state = $3)"
        );
        let state = q.state.map(|s| s.as_str().to_string());
        let counts: Vec<(String, i64)> = sqlx::query_as(&format!(
            "WITH rows AS ({base} WHERE ($2::uuid IS NULL OR c.tenant_id = $2))
             SELECT state, count(*) FROM rows GROUP BY state"
        ))
        .bind(now)
        .bind(tenant)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let total: i64 =
            counts.iter().filter(|(s, _)| state.as_deref().is_none_or(|want| want == s)).map(|(_, n)| n).sum();
        let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1) as u32;
        let page = q.page.clamp(1, pages);
        let rows = sqlx::query(&format!(
            "{filtered} ORDER BY {ORDER_SQL}, tenant_name, name LIMIT {PER_PAGE} OFFSET {}",
            PER_PAGE * (page as i64 - 1)
        ))
        .bind(now)
        .bind(tenant)
        .bind(&state)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let mut rows: Vec<CheckRow> = rows.iter().map(row_of).collect();
        let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.id.parse().ok()).collect();
        let mut recent = self.recent(&ids, now).await.map_err(db)?;
        for row in &mut rows {
            if let Ok(id) = row.id.parse::<Uuid>() {
                row.recent = recent.remove(&id).unwrap_or_default();
            }
        }
        let tenants: Vec<(Uuid, String)> =
            sqlx::query_as("SELECT id, name FROM tenants ORDER BY name").fetch_all(&self.pool).await.map_err(db)?;
        let order = [CheckState::Alert, CheckState::Failing, CheckState::Unknown, CheckState::Ok, CheckState::Paused];
        Ok(MonitoringList {
            rows,
            total,
            page,
            pages,
            tenants: tenants.into_iter().map(|(id, n)| (id.to_string(), n)).collect(),
            counts: order
                .into_iter()
                .filter_map(|s| counts.iter().find(|(c, _)| c == s.as_str()).map(|(_, n)| (s, *n)))
                .collect(),
        })
    }

    async fn load_detail(&self, id: Uuid, range: &str, now: DateTime<Utc>) -> Result<CheckDetail, AppError> {
        let sql = format!("{} WHERE c.id = $2", ROW_SQL.replace("STATE", STATE_SQL));
        let r = sqlx::query(&sql)
            .bind(now)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?
            .ok_or_else(|| AppError::NotFound("the check".into()))?;
        let mut row = row_of(&r);
        let enabled: bool = r.get("enabled");
        row.recent = self.recent(&[id], now).await.map_err(db)?.remove(&id).unwrap_or_default();
        let extra = sqlx::query(
            "SELECT grant_type, realm, username, client_id, audience, scope, fail_threshold, success_threshold,
                    reminder_minutes FROM monitoring_checks WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        let mut settings = vec![
            ("Alert after".to_string(), format!("{} failures in a row", extra.get::<i32, _>("fail_threshold"))),
            ("Resolve after".to_string(), format!("{} successes in a row", extra.get::<i32, _>("success_threshold"))),
            (
                "Reminders".to_string(),
                match extra.get::<i32, _>("reminder_minutes") {
                    0 => "none".to_string(),
                    m => format!("every {m} min while the alert is open"),
                },
            ),
        ];
        let mut budget = None;
        if row.kind == "login" {
            let opt = |k: &str| extra.get::<Option<String>, _>(k).unwrap_or_else(|| "—".into());
            settings.insert(0, ("Grant".into(), opt("grant_type").replace('_', "-")));
            settings.insert(1, ("Connection".into(), opt("realm")));
            settings.insert(2, ("Test user".into(), opt("username")));
            settings.insert(3, ("Application".into(), opt("client_id")));
            settings.insert(4, ("Audience / scope".into(), format!("{} / {}", opt("audience"), opt("scope"))));
            let tenant: Uuid = row.tenant_id.parse().unwrap_or_default();
            let all = service::logins_per_minute(&self.pool, tenant, None).await.map_err(db)?;
            budget = Some((60.0 / f64::from(row.interval_secs), all, self.login_budget));
        }
        let advice =
            row.last_outcome.as_deref().and_then(Outcome::parse).filter(|o| !o.is_ok()).map(|o| o.advice().to_string());

        let hours: Vec<HourRow> = sqlx::query(
            "SELECT bucket, runs, ok, histogram FROM monitoring_rollups
             WHERE check_id = $1 AND period = 'hour' AND bucket > $2 ORDER BY bucket",
        )
        .bind(id)
        .bind(now - Duration::days(90))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .iter()
        .map(|h| {
            let mut hist = vec![0i64; BUCKETS];
            merge(&mut hist, &h.get::<Vec<i32>, _>("histogram"));
            (h.get("bucket"), i64::from(h.get::<i32, _>("runs")), i64::from(h.get::<i32, _>("ok")), hist)
        })
        .collect();
        let figures = [("24 h", 1), ("7 d", 7), ("30 d", 30), ("90 d", 90)]
            .map(|(label, days)| {
                let from = if days == 1 { now - Duration::hours(24) } else { now - Duration::days(days) };
                figures(label, &hours, from)
            })
            .to_vec();
        let (range, from, step) = match range {
            "7d" => ("7d", now - Duration::days(7), Duration::hours(1)),
            "30d" => ("30d", now - Duration::days(30), Duration::days(1)),
            "90d" => ("90d", now - Duration::days(90), Duration::days(1)),
            _ => ("24h", now - Duration::hours(23), Duration::hours(1)),
        };
        let points = points(&hours, from, now, step);
        let failures = sqlx::query(
            "SELECT at, outcome, latency_ms, http_status, detail, maintenance FROM monitoring_runs
             WHERE check_id = $1 AND outcome <> 'ok' ORDER BY at DESC LIMIT 10",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .iter()
        .map(|f| RunRow {
            at: f.get("at"),
            outcome: f.get("outcome"),
            latency_ms: f.get("latency_ms"),
            http_status: f.get("http_status"),
            detail: f.get("detail"),
            maintenance: f.get("maintenance"),
        })
        .collect();
        let alerts = sqlx::query_as::<_, (DateTime<Utc>, Option<DateTime<Utc>>, String)>(
            "SELECT opened_at, resolved_at, reason FROM monitoring_alerts WHERE check_id = $1 ORDER BY opened_at DESC LIMIT 20",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .into_iter()
        .map(|(opened_at, resolved_at, reason)| AlertRow { opened_at, resolved_at, reason })
        .collect();
        let maintenance = sqlx::query_as::<_, (DateTime<Utc>, DateTime<Utc>, String, bool)>(
            "SELECT m.starts_at, m.ends_at, m.reason, m.check_id IS NULL FROM monitoring_maintenance m
             JOIN monitoring_checks c ON c.id = $1 AND (m.check_id = c.id OR m.tenant_id = c.tenant_id)
             WHERE m.ends_at > $2 - interval '30 days' ORDER BY m.starts_at DESC LIMIT 20",
        )
        .bind(id)
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .into_iter()
        .map(|(starts_at, ends_at, reason, tenant)| MaintenanceRow {
            starts_at,
            ends_at,
            reason,
            scope: if tenant { "every check of the tenant" } else { "this check" }.into(),
        })
        .collect();
        Ok(CheckDetail {
            row,
            enabled,
            advice,
            settings,
            figures,
            range: range.into(),
            points,
            failures,
            alerts,
            maintenance,
            budget,
        })
    }
}

#[async_trait::async_trait]
impl MonitoringPort for PgMonitoring {
    async fn list(&self, query: MonitoringQuery) -> Result<MonitoringList, AppError> {
        self.load_list(query, Utc::now()).await
    }

    async fn detail(&self, id: &str, range: &str) -> Result<CheckDetail, AppError> {
        self.load_detail(parse_id(id)?, range, Utc::now()).await
    }

    async fn form(&self, id: &str) -> Result<(CheckForm, Vec<(String, String)>), AppError> {
        let tenants: Vec<(Uuid, String, String)> = sqlx::query_as("SELECT id, name, domain FROM tenants ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let tenants =
            tenants.into_iter().map(|(id, name, domain)| (id.to_string(), format!("{name} ({domain})"))).collect();
        if id.is_empty() {
            let form = CheckForm {
                kind: "login".into(),
                interval_secs: "60".into(),
                grant_type: "password".into(),
                fail_threshold: "3".into(),
                success_threshold: "2".into(),
                reminder_minutes: "60".into(),
                ..CheckForm::default()
            };
            return Ok((form, tenants));
        }
        let r = sqlx::query(
            "SELECT tenant_id, kind, name, interval_secs, grant_type, realm, username, client_id, audience, scope,
                    fail_threshold, success_threshold, reminder_minutes FROM monitoring_checks WHERE id = $1",
        )
        .bind(parse_id(id)?)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?
        .ok_or_else(|| AppError::NotFound("the check".into()))?;
        let opt = |k: &str| r.get::<Option<String>, _>(k).unwrap_or_default();
        let form = CheckForm {
            tenant_id: r.get::<Uuid, _>("tenant_id").to_string(),
            kind: r.get("kind"),
            name: r.get("name"),
            interval_secs: r.get::<i32, _>("interval_secs").to_string(),
            grant_type: opt("grant_type"),
            realm: opt("realm"),
            username: opt("username"),
            password: String::new(),
            client_id: opt("client_id"),
            client_secret: String::new(),
            audience: opt("audience"),
            scope: opt("scope"),
            fail_threshold: r.get::<i32, _>("fail_threshold").to_string(),
            success_threshold: r.get::<i32, _>("success_threshold").to_string(),
            reminder_minutes: r.get::<i32, _>("reminder_minutes").to_string(),
        };
        Ok((form, tenants))
    }

    async fn add(&self, by: &Acting, form: CheckForm) -> Result<String, AppError> {
        let parsed = service::parse(&form, &self.secrets, false)?;
        let actor = Actor::from_current(&by.user);
        let id = service::add(&self.pool, &actor, parsed, self.login_budget, &by.client_ip, Utc::now()).await?;
        Ok(id.to_string())
    }

    async fn update(&self, by: &Acting, id: &str, form: CheckForm) -> Result<(), AppError> {
        let parsed = service::parse(&form, &self.secrets, true)?;
        let actor = Actor::from_current(&by.user);
        service::update(&self.pool, &actor, parse_id(id)?, parsed, self.login_budget, &by.client_ip).await?;
        Ok(())
    }

    async fn set_enabled(&self, by: &Acting, id: &str, enabled: bool) -> Result<(), AppError> {
        let actor = Actor::from_current(&by.user);
        service::set_enabled(&self.pool, &actor, parse_id(id)?, enabled, self.login_budget, &by.client_ip, Utc::now())
            .await?;
        Ok(())
    }

    async fn remove(&self, by: &Acting, id: &str) -> Result<(), AppError> {
        service::remove(&self.pool, &Actor::from_current(&by.user), parse_id(id)?, &by.client_ip).await?;
        Ok(())
    }

    async fn run_now(&self, id: &str) -> Result<(), AppError> {
        service::run_now(&self.pool, parse_id(id)?, Utc::now()).await?;
        Ok(())
    }

    async fn add_maintenance(
        &self,
        by: &Acting,
        id: &str,
        scope: &str,
        starts: &str,
        ends: &str,
        reason: &str,
    ) -> Result<(), AppError> {
        let actor = Actor::from_current(&by.user);
        service::add_maintenance(
            &self.pool,
            &actor,
            parse_id(id)?,
            scope == "tenant",
            starts,
            ends,
            reason,
            &by.client_ip,
        )
        .await?;
        Ok(())
    }
}
