//! Delivery's values: channel kinds, SMTP settings, a channel as the sender needs it, a checked channel form, what
//! pages may show of a URL, a channel's health, and the outbox's timings (retries back off from 30 s to an hour
//! until a row is three days old; a channel failing for a day is unhealthy).

use app::ids::ChannelId;
use app::notifications::channels::ChannelHealth;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Updates older than this when they are recorded are kept in the history but not sent (a feed added today
/// brings its archive with it; nobody wants last year's advisories in Slack).
pub const DELIVER_WITHIN: chrono::TimeDelta = chrono::TimeDelta::days(7);
/// How long a delivery keeps being retried.
pub const GIVE_UP_AFTER: chrono::TimeDelta = chrono::TimeDelta::days(3);
/// A channel failing this long is unhealthy (and shown on the status board).
pub const UNHEALTHY_AFTER: chrono::TimeDelta = chrono::TimeDelta::days(1);
/// How long a leased row is a deliverer's (well beyond the send time limits).
pub const LEASE: chrono::TimeDelta = chrono::TimeDelta::minutes(2);
/// Rows one deliverer sends at once.
pub const BATCH: i64 = 32;
/// Delivery-log rows per page.
pub const DELIVERIES_PER_PAGE: i64 = 50;

/// The wait before attempt `attempts + 1` after `attempts` failures: 30 s, 60 s, 120 s… at most an hour.
pub fn backoff(attempts: i32) -> chrono::TimeDelta {
    let doublings = u32::try_from((attempts - 1).max(0)).unwrap_or(0).min(20);
    chrono::TimeDelta::seconds(30 * 2i64.pow(doublings)).min(chrono::TimeDelta::hours(1))
}

/// A channel's health at `now`.
pub fn health(
    enabled: bool,
    last_success: Option<DateTime<Utc>>,
    failing_since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> ChannelHealth {
    match (enabled, failing_since, last_success) {
        (false, _, _) => ChannelHealth::Paused,
        (true, Some(since), _) if now - since >= UNHEALTHY_AFTER => ChannelHealth::Unhealthy,
        (true, Some(_), _) => ChannelHealth::Failing,
        (true, None, Some(_)) => ChannelHealth::Healthy,
        (true, None, None) => ChannelHealth::Unused,
    }
}

/// What a channel is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelKind {
    Webhook,
    Slack,
    Teams,
    Email,
}

impl ChannelKind {
    pub fn parse(raw: &str) -> Option<ChannelKind> {
        match raw {
            "webhook" => Some(ChannelKind::Webhook),
            "slack" => Some(ChannelKind::Slack),
            "teams" => Some(ChannelKind::Teams),
            "email" => Some(ChannelKind::Email),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Webhook => "webhook",
            ChannelKind::Slack => "slack",
            ChannelKind::Teams => "teams",
            ChannelKind::Email => "email",
        }
    }
}

/// How the SMTP connection is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    StartTls,
    Tls,
    None,
}

impl SmtpSecurity {
    pub fn parse(raw: &str) -> Option<SmtpSecurity> {
        match raw {
            "starttls" => Some(SmtpSecurity::StartTls),
            "tls" => Some(SmtpSecurity::Tls),
            "none" => Some(SmtpSecurity::None),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::StartTls => "starttls",
            SmtpSecurity::Tls => "tls",
            SmtpSecurity::None => "none",
        }
    }
}

/// Where and how email goes (stored as JSON; the password is kept apart, encrypted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub from: String,
    pub to: Vec<String>,
}

/// A channel as the sender needs it, secrets decrypted.
#[derive(Clone, Debug)]
pub struct Channel {
    pub id: ChannelId,
    pub name: String,
    pub kind: ChannelKind,
    pub url: Option<String>,
    pub signing_secret: Option<String>,
    pub smtp: Option<SmtpSettings>,
    pub password: Option<String>,
}

/// A checked form, ready to store. `None` secrets keep what is stored (an edit that left them empty).
#[derive(Clone, Debug)]
pub struct NewChannel {
    pub name: String,
    pub kind: ChannelKind,
    pub target: String,
    pub url: Option<String>,
    pub signing_secret: Option<String>,
    pub smtp: Option<SmtpSettings>,
    pub password: Option<String>,
    pub min_severity: String,
    pub sources: Vec<String>,
    pub tenants: Vec<String>,
    pub regions: Vec<String>,
}

/// What pages may show of a URL: scheme, host and the first path segment (webhook paths carry tokens).
pub fn shown(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => {
            let first = u.path_segments().and_then(|mut s| s.next()).filter(|s| !s.is_empty());
            let more = u.path().trim_matches('/').contains('/') || u.query().is_some();
            format!(
                "{}://{}{}{}",
                u.scheme(),
                u.host_str().unwrap_or(""),
                u.port().map(|p| format!(":{p}")).unwrap_or_default(),
                match (first, more) {
                    (Some(f), true) => format!("/{f}/…"),
                    (Some(f), false) => format!("/{f}"),
                    (None, _) => String::new(),
                }
            )
        }
        Err(_) => "(not a URL)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_show_no_webhook_token() {
        assert_eq!(shown("https://hooks.slack.com/services/T000/B000/XXXX"), "https://hooks.slack.com/services/…");
        assert_eq!(shown("https://ops.example.test/hook?token=abc"), "https://ops.example.test/hook/…");
        assert_eq!(shown("http://127.0.0.1:8080/hook"), "http://127.0.0.1:8080/hook");
    }

    #[test]
    fn retries_back_off_from_30_seconds_to_an_hour() {
        let secs: Vec<i64> = (1..=9).map(|a| backoff(a).num_seconds()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    }

    #[test]
    fn a_channel_failing_for_a_day_is_unhealthy() {
        let now = Utc::now();
        let h = |enabled, ok: Option<i64>, failing: Option<i64>| {
            health(
                enabled,
                ok.map(|m| now - chrono::Duration::minutes(m)),
                failing.map(|m| now - chrono::Duration::minutes(m)),
                now,
            )
        };
        assert_eq!(h(true, None, None), ChannelHealth::Unused);
        assert_eq!(h(true, Some(5), None), ChannelHealth::Healthy);
        assert_eq!(h(true, Some(60), Some(30)), ChannelHealth::Failing);
        assert_eq!(h(true, None, Some(24 * 60 - 1)), ChannelHealth::Failing);
        assert_eq!(h(true, None, Some(24 * 60)), ChannelHealth::Unhealthy);
        assert_eq!(h(false, None, Some(48 * 60)), ChannelHealth::Paused);
    }
}
