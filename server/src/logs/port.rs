//! The logs pages' port: parses the search form into a typed filter (bounded), reads through the repo, and says
//! event codes in words.

use std::time::Instant;

use app::error::AppError;
use app::ids::TenantId;
use app::logs::{EventDetail, EventRow, LogsPort, LogsQuery, LogsResults, ProgressRow, QuarantineRow, ReceiverInfo};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use ipnet::IpNet;
use sqlx::PgPool;

use super::model::{self, catalog};
use super::repo::search::{self, Cursor, Filter, Found};
use crate::db::app_error;

/// Events per page of the search.
pub const PAGE: i64 = 50;
/// The longest value a filter field accepts.
const MAX_FIELD: usize = 256;

pub struct PgLogs {
    pub pool: PgPool,
    /// The retention of tenants that did not choose one (days).
    pub retention_days: i32,
    /// The console's public URL (`public_url`), under which the receiver's address is given.
    pub public_url: Option<String>,
}

fn invalid(message: String) -> AppError {
    AppError::Invalid(message)
}

fn field(label: &str, raw: &Option<String>) -> Result<Option<String>, AppError> {
    match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(v) if v.chars().count() > MAX_FIELD => Err(invalid(format!("{label}: at most {MAX_FIELD} characters"))),
        other => Ok(other.map(str::to_string)),
    }
}

/// A UTC time from the form: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]` or RFC 3339; a bare date `to` means the end of
/// that day.
pub fn time(label: &str, raw: &Option<String>, end_of_day: bool) -> Result<Option<DateTime<Utc>>, AppError> {
    let Some(text) = field(label, raw)? else { return Ok(None) };
    if let Ok(at) = DateTime::parse_from_rfc3339(&text) {
        return Ok(Some(at.with_timezone(&Utc)));
    }
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(&text, format) {
            return Ok(Some(at.and_utc()));
        }
    }
    match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
        Ok(day) => {
            let day = if end_of_day { day.succ_opt().unwrap_or(day) } else { day };
            Ok(day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()))
        }
        Err(_) => Err(invalid(format!("{label}: {text:?} is not a time; write YYYY-MM-DD or YYYY-MM-DD HH:MM (UTC)"))),
    }
}

/// Whether the search text is a log id (Auth0's are 56 digits; older ones 24 hexadecimal characters): searched as
/// exactly that id, not as words in descriptions.
fn looks_like_log_id(text: &str) -> bool {
    text.len() >= 20 && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The filter a search form asks for.
pub fn filter(query: &LogsQuery) -> Result<Filter, AppError> {
    let tenant = field("Tenant", &query.tenant)?
        .map(|t| t.parse::<TenantId>().map_err(|_| invalid("Tenant: choose one from the list".into())))
        .transpose()?;
    let codes = field("Event type", &query.kind)?.map(|kind| match kind.strip_prefix("category:") {
        Some(category) => model::codes_of(category),
        None => vec![kind],
    });
    let ip = field("IP", &query.ip)?
        .map(|ip| {
            ip.parse::<IpNet>()
                .or_else(|_| ip.parse::<std::net::IpAddr>().map(IpNet::from))
                .map(|net| net.trunc())
                .map_err(|_| invalid(format!("IP: {ip:?} is not an address or a network such as 203.0.113.0/24")))
        })
        .transpose()?;
    let after = field("Page", &query.after)?.map(|a| cursor(&a)).transpose()?;
    let text = field("Text", &query.q)?;
    Ok(Filter {
        tenant,
        codes,
        user: field("User", &query.user)?,
        client: field("Client", &query.client)?,
        ip,
        connection: field("Connection", &query.connection)?,
        text: text.clone().filter(|t| !looks_like_log_id(t)),
        log_id: text.filter(|t| looks_like_log_id(t)),
        from: time("From", &query.from, false)?,
        to: time("To", &query.to, true)?,
        after,
    })
}

/// A page's `after`: `DATE~TENANT~LOG_ID`.
pub fn cursor_text(c: &Cursor) -> String {
    format!("{}~{}~{}", c.date.to_rfc3339_opts(chrono::SecondsFormat::Micros, true), c.tenant, c.log_id)
}

fn cursor(text: &str) -> Result<Cursor, AppError> {
    let bad = || invalid("Page: the link is damaged; start from the newest events".into());
    let mut parts = text.splitn(3, '~');
    let (Some(date), Some(tenant), Some(log_id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    Ok(Cursor {
        date: DateTime::parse_from_rfc3339(date).map_err(|_| bad())?.with_timezone(&Utc),
        tenant: tenant.parse().map_err(|_| bad())?,
        log_id: log_id.to_string(),
    })
}

/// An event as the pages show it, its code in words.
pub fn row(f: Found) -> EventRow {
    let (type_name, category) = model::describe(&f.type_code);
    let outcome = catalog().get(&f.type_code).map(|t| t.outcome.clone()).unwrap_or_else(|| "unknown".into());
    let limit = catalog().get(&f.type_code).is_some_and(|t| t.limit);
    EventRow {
        limit,
        tenant_id: f.tenant_id,
        tenant_name: f.tenant_name,
        log_id: f.log_id,
        date: f.date,
        type_code: f.type_code,
        type_name,
        category,
        outcome,
        description: f.description,
        user_id: f.user_id,
        user_name: f.user_name,
        client_id: f.client_id,
        client_name: f.client_name,
        ip: f.ip,
        connection: f.connection,
    }
}

/// The event-type filter's choices: each category, then each code.
fn kinds() -> Vec<(String, String)> {
    let categories =
        model::categories().into_iter().map(|c| (format!("category:{c}"), format!("all {}", c.replace('_', " "))));
    let mut codes: Vec<(String, String)> =
        catalog().values().map(|t| (t.code.clone(), format!("{} — {}", t.code, t.name))).collect();
    codes.sort();
    categories.chain(codes).collect()
}

#[async_trait::async_trait]
impl LogsPort for PgLogs {
    async fn search(&self, query: LogsQuery) -> Result<LogsResults, AppError> {
        let filter = filter(&query)?;
        let mut conn = self.pool.acquire().await.map_err(|e| app_error("logs", e))?;
        let started = Instant::now();
        let mut found =
            search::search_newest(&mut conn, &filter, PAGE + 1, Utc::now()).await.map_err(|e| app_error("logs", e))?;
        let took_ms = started.elapsed().as_millis() as u64;
        let next = (found.len() as i64 > PAGE).then(|| {
            found.truncate(PAGE as usize);
            found.last().map(|f| cursor_text(&Cursor { date: f.date, tenant: f.tenant_id, log_id: f.log_id.clone() }))
        });
        let progress = search::progress(&mut conn).await.map_err(|e| app_error("logs", e))?;
        let now = Utc::now();
        let observed = super::repo::health::observed(&mut conn).await.map_err(|e| app_error("logs", e))?;
        Ok(LogsResults {
            rows: found.into_iter().map(row).collect(),
            next: next.flatten(),
            tenants: progress.iter().map(|p| (p.tenant_id, p.tenant_name.clone())).collect(),
            kinds: kinds(),
            progress: progress
                .into_iter()
                .map(|p| ProgressRow {
                    tenant_id: p.tenant_id,
                    tenant_name: p.tenant_name,
                    events_stored: p.events_stored.unwrap_or(0),
                    rejected: p.rejected.unwrap_or(0),
                    newest_at: p.newest_at,
                    last_pull_at: p.last_pull_at,
                    last_pull_error: p.last_pull_error,
                    last_delivery_at: p.last_delivery_at,
                    has_token: p.has_token.unwrap_or(false),
                    retention_days: p.retention_days.unwrap_or(self.retention_days),
                    lag_minutes: p.newest_at.map(|n| (now - n).num_minutes()),
                    storage: p.kept_events.zip(p.kept_bytes).zip(p.kept_at).map(|((n, b), at)| (n, b, at)),
                })
                .collect(),
            health: observed.iter().map(|o| super::health::row(o, now)).collect(),
            took_ms,
        })
    }

    async fn event(&self, tenant: TenantId, log_id: String) -> Result<EventDetail, AppError> {
        if log_id.len() > 128 {
            return Err(AppError::NotFound("the log event".into()));
        }
        let mut conn = self.pool.acquire().await.map_err(|e| app_error("logs", e))?;
        let e = search::event(&mut conn, tenant, &log_id)
            .await
            .map_err(|e| app_error("logs", e))?
            .ok_or_else(|| AppError::NotFound("the log event".into()))?;
        let type_description = catalog().get(&e.type_code).map(|t| t.description.clone()).unwrap_or_else(|| {
            "Auth0's list of event codes does not have this code; the event is kept as it came.".into()
        });
        let payload = serde_json::to_string_pretty(&e.payload).unwrap_or_default();
        let found = Found {
            tenant_id: tenant,
            tenant_name: e.tenant_name,
            log_id: e.log_id,
            date: e.date,
            type_code: e.type_code,
            description: e.description,
            client_id: e.client_id,
            client_name: e.client_name,
            user_id: e.user_id,
            user_name: e.user_name,
            ip: e.ip,
            connection: e.connection,
        };
        Ok(EventDetail {
            row: row(found),
            type_description,
            strategy: e.strategy,
            hostname: e.hostname,
            user_agent: e.user_agent,
            source: e.source,
            received_at: e.received_at,
            payload,
        })
    }

    async fn user_events(&self, user: String) -> Result<Vec<EventRow>, AppError> {
        let Some(user) = field("User", &Some(user))? else { return Ok(Vec::new()) };
        let filter = Filter { user: Some(user), ..Filter::default() };
        let mut conn = self.pool.acquire().await.map_err(|e| app_error("logs", e))?;
        let found =
            search::search_newest(&mut conn, &filter, 50, Utc::now()).await.map_err(|e| app_error("logs", e))?;
        let mut rows: Vec<EventRow> = found.into_iter().map(row).collect();
        // Failures first (what the caller is asking about), each group newest first.
        rows.sort_by_key(|r| r.outcome != "failure");
        Ok(rows)
    }

    async fn quarantine(&self) -> Result<Vec<QuarantineRow>, AppError> {
        let mut conn = self.pool.acquire().await.map_err(|e| app_error("logs", e))?;
        let rows = search::quarantine(&mut conn, 200, 4000).await.map_err(|e| app_error("logs", e))?;
        Ok(rows
            .into_iter()
            .map(|q| QuarantineRow {
                tenant_name: q.tenant_name.unwrap_or_else(|| format!("removed tenant {}", q.tenant_id)),
                received_at: q.received_at,
                source: q.source,
                reason: q.reason,
                item: q.item,
            })
            .collect())
    }

    async fn set_retention(&self, by: &app::accounts::Acting, tenant: TenantId, days: &str) -> Result<(), AppError> {
        let days = match days.trim() {
            "" => None,
            text => Some(text.parse::<i32>().ok().filter(|d| (1..=3650).contains(d)).ok_or_else(|| {
                invalid(format!(
                    "Days kept: {:?} is not a whole number of days from 1 to 3650 (empty: the server's default)",
                    crate::text::cut(text, 20)
                ))
            })?),
        };
        let db = |e| app_error("logs", e);
        let mut tx = self.pool.begin().await.map_err(db)?;
        super::repo::find_tenant(&mut tx, &tenant.to_string())
            .await
            .map_err(db)?
            .ok_or_else(|| AppError::NotFound(TenantId::WHAT.into()))?;
        super::repo::set_retention(&mut tx, tenant, days).await.map_err(db)?;
        let detail = days
            .map_or_else(|| format!("the server's default ({} days)", self.retention_days), |d| format!("{d} days"));
        let actor = crate::accounts::audit::Actor::from_current(&by.user);
        let action = crate::accounts::audit::Action::LogsRetentionSet;
        crate::accounts::audit::record(&mut tx, &actor, action, &tenant.to_string(), &by.client_ip, &detail)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn receiver(&self, tenant: TenantId, origin: String) -> Result<ReceiverInfo, AppError> {
        let mut conn = self.pool.acquire().await.map_err(|e| app_error("logs", e))?;
        let t = super::repo::find_tenant(&mut conn, &tenant.to_string())
            .await
            .map_err(|e| app_error("logs", e))?
            .ok_or_else(|| AppError::NotFound(TenantId::WHAT.into()))?;
        let token_created_at = super::repo::token_created(&mut conn, t.id).await.map_err(|e| app_error("logs", e))?;
        let (last_delivery_at, stream_events) =
            super::repo::deliveries(&mut conn, t.id).await.map_err(|e| app_error("logs", e))?;
        let base = self.public_url.clone().unwrap_or(origin);
        Ok(ReceiverInfo {
            url: format!("{}/hooks/logs/{}", base.trim_end_matches('/'), t.id),
            token_created_at,
            last_delivery_at,
            stream_events,
        })
    }
}
