//! Configuration: one `Settings` tree built from defaults, then an optional TOML file (`TENANTRY_CONFIG`),
//! then environment variables. Every setting is listed once in [`SETTINGS`]; a bad value fails at start with a
//! message that names the setting (as the person wrote it: env var or file key) and the expected form.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;

mod areas;
mod parsers;
pub mod sso;
mod table;

use parsers::{bounded, networks, pem_certificates, true_or_false};

pub use areas::{
    DomainSettings, InfraSettings, LogsSettings, MonitoringOptions, NotificationSettings, PeakSettings, Retention,
    StatusOptions,
};
pub use sso::SsoSettings;
pub use table::{SETTINGS, Spec};

/// The environment variable that names the optional TOML file.
pub const CONFIG_FILE_ENV: &str = "TENANTRY_CONFIG";

/// The whole configuration, parsed.
#[derive(Clone, Debug)]
pub struct Settings {
    pub addr: SocketAddr,
    /// Where people reach the console; `https://…` makes session cookies `Secure`.
    pub public_url: Option<String>,
    /// Host names served besides the public URL's.
    pub allowed_hosts: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub session_idle: Duration,
    /// How often each tenant is read from Auth0.
    pub poll_interval: Duration,
    /// Tenants with all paid features the contract allows.
    pub paid_limit: usize,
    /// Snapshot fields the drift view greys as expected differences.
    pub drift_expected: Vec<String>,
    /// Tenants' API URLs and monitoring probes may reach private addresses.
    pub tenants_allow_private: bool,
    /// Status sources: private targets, the Auth0 feed, intervals.
    pub status: StatusOptions,
    /// Monitoring: the login budget and retention.
    pub monitoring: MonitoringOptions,
    /// Background jobs one server runs at once.
    pub scheduler_concurrency: usize,
    /// Notifications: private targets, retention, extra SMTP roots.
    pub notifications: NotificationSettings,
    /// Auth0's IP list: where it is read and how often.
    pub infra: InfraSettings,
    /// Logs: the receiver's body limit and retention.
    pub logs: LogsSettings,
    pub peak: PeakSettings,
    /// Custom-domain checks: nameservers (`None`: the system's), interval, TLS warning days and port.
    pub domains: DomainSettings,
    /// The key that encrypts Auth0 client secrets at rest: given, or read from (or created in) the key file.
    pub secret_key: SecretKeySource,
    /// Single sign-on through an OpenID Connect provider.
    pub sso: Option<SsoSettings>,
    /// People may sign in with a password.
    pub local_passwords: bool,
    pub database: DatabaseSettings,
    pub log: LogSettings,
}

/// Where the secrets key comes from.
#[derive(Clone)]
pub enum SecretKeySource {
    Key([u8; 32]),
    File(PathBuf),
}

impl fmt::Debug for SecretKeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretKeySource::Key(_) => f.write_str("Key([redacted])"),
            SecretKeySource::File(path) => write!(f, "File({})", path.display()),
        }
    }
}

/// Parses 64 hex characters into a 32-byte key.
pub fn parse_key(hex: &str) -> Result<[u8; 32], String> {
    let hex = hex.trim();
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!("{} characters; expected 64 hex characters", hex.len()));
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
    }
    Ok(key)
}

#[derive(Clone, Debug)]
pub struct DatabaseSettings {
    /// `None` when neither the file nor `DATABASE_URL` gives one; commands that need a database say so.
    pub url: Option<DatabaseUrl>,
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

#[derive(Clone, Debug)]
pub struct LogSettings {
    pub format: LogFormat,
    pub filter: String,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A PostgreSQL connection URL. Its `Debug` and `Display` never show the password.
#[derive(Clone)]
pub struct DatabaseUrl {
    options: PgConnectOptions,
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if !(raw.starts_with("postgres://") || raw.starts_with("postgresql://")) {
            return Err("it must start with postgres:// or postgresql://".into());
        }
        PgConnectOptions::from_str(raw).map(|options| DatabaseUrl { options }).map_err(|e| e.to_string())
    }

    pub fn connect_options(&self) -> PgConnectOptions {
        self.options.clone()
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.options;
        write!(
            f,
            "postgres://{}@{}:{}/{}",
            o.get_username(),
            o.get_host(),
            o.get_port(),
            o.get_database().unwrap_or("")
        )
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// A configuration problem, said in one line: `TENANTRY_ADDR: "x" is not valid; expected HOST:PORT…`.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct ConfigError {
    /// The setting as the person wrote it: an env var, or `key in FILE`.
    pub setting: String,
    pub message: String,
}

impl ConfigError {
    fn new(setting: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError { setting: setting.into(), message: message.into() }
    }
}

/// Where a raw value came from, so errors name the place the person has to fix.
enum Origin {
    Default,
    File(PathBuf),
    Env,
}

struct Raw {
    value: String,
    origin: Origin,
}

impl Settings {
    /// Reads the process environment (and the file it names).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::load(|name| std::env::var(name).ok())
    }

    /// Builds the settings from an environment lookup; tests pass a map.
    pub fn load(env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut raw: BTreeMap<&'static str, Raw> = BTreeMap::new();
        for spec in SETTINGS {
            if let Some(default) = spec.default {
                raw.insert(spec.key, Raw { value: default.to_string(), origin: Origin::Default });
            }
        }
        if let Some(path) = env(CONFIG_FILE_ENV) {
            for (key, value) in read_file(&PathBuf::from(path.clone()))? {
                raw.insert(key, Raw { value, origin: Origin::File(PathBuf::from(&path)) });
            }
        }
        for spec in SETTINGS {
            if let Some(value) = env(spec.env) {
                raw.insert(spec.key, Raw { value, origin: Origin::Env });
            }
        }
        let values = Values { raw };
        let sso = sso::parse(&values)?;
        let local_passwords = sso::local_passwords(&values, &sso)?;
        Ok(Settings {
            sso,
            local_passwords,
            addr: values
                .parse("addr", |v| v.parse::<SocketAddr>().map_err(|e| e.to_string()))?
                .expect("addr has a default"),
            public_url: values.parse("public_url", |v| {
                let rest = v.strip_prefix("https://").or_else(|| v.strip_prefix("http://"));
                match rest {
                    Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
                        Ok(v.trim_end_matches('/').to_string())
                    }
                    _ => Err("not an http(s) URL".to_string()),
                }
            })?,
            allowed_hosts: values
                .parse("allowed_hosts", |v| {
                    let hosts: Vec<String> =
                        v.split(',').map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()).collect();
                    match hosts.iter().find(|h| !h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:".contains(c))) {
                        Some(bad) => Err(format!("{bad:?} is not a host name")),
                        None => Ok(hosts),
                    }
                })?
                .unwrap_or_default(),
            trusted_proxies: values.parse("trusted_proxies", networks)?.unwrap_or_default(),
            session_idle: Duration::from_secs(
                60 * values
                    .parse("session.idle_minutes", |v| bounded(v, 5, 10_080))?
                    .expect("session.idle_minutes has a default"),
            ),
            poll_interval: Duration::from_secs(
                60 * values
                    .parse("tenants.poll_minutes", |v| bounded(v, 1, 1440))?
                    .expect("poll_minutes has a default"),
            ),
            paid_limit: values.parse("tenants.paid_feature_limit", |v| bounded(v, 0, 1000))?.expect("has a default")
                as usize,
            drift_expected: values
                .parse("tenants.drift_expected", |v| {
                    let fields: Vec<String> =
                        v.split(',').map(|f| f.trim().to_string()).filter(|f| !f.is_empty()).collect();
                    if fields.iter().all(|f| f.chars().all(|c| c.is_ascii_alphanumeric() || "._[]-".contains(c))) {
                        Ok(fields)
                    } else {
                        Err("a field name has characters other than letters, digits, . _ [ ] -".into())
                    }
                })?
                .unwrap_or_default(),
            tenants_allow_private: values.parse("tenants.allow_private_targets", true_or_false)?.unwrap_or(false),
            status: StatusOptions {
                allow_private: values.parse("status.allow_private_targets", true_or_false)?.unwrap_or(false),
                auth0_feed_url: values
                    .parse("status.auth0_feed_url", |v| match reqwest::Url::parse(v) {
                        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(v.trim_end_matches('/').to_string()),
                        _ => Err("not an http(s) URL".to_string()),
                    })?
                    .expect("has a default"),
                poll_interval: Duration::from_secs(
                    values.parse("status.poll_seconds", |v| bounded(v, 30, 86_400))?.expect("has a default"),
                ),
                board_refresh_secs: values
                    .parse("status.board_refresh_seconds", |v| bounded(v, 1, 3600))?
                    .expect("has a default") as u32,
            },
            infra: InfraSettings {
                ip_ranges_url: values
                    .parse("infra.ip_ranges_url", |v| match reqwest::Url::parse(v) {
                        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(v.to_string()),
                        _ => Err("not an http(s) URL".to_string()),
                    })?
                    .expect("has a default"),
                allow_private: values.parse("infra.allow_private_targets", true_or_false)?.unwrap_or(false),
                ip_ranges_interval: Duration::from_secs(
                    86_400 * values.parse("infra.ip_ranges_days", |v| bounded(v, 1, 90))?.expect("has a default"),
                ),
                reach_networks: values.parse("infra.reach_networks", networks)?.unwrap_or_default(),
                reach_roots: values.parse("infra.reach_ca_file", pem_certificates)?.unwrap_or_default(),
            },
            domains: DomainSettings {
                nameservers: values
                    .parse("domains.nameservers", |v| {
                        let servers = v
                            .split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(|s| {
                                s.parse::<SocketAddr>()
                                    .or_else(|_| s.parse::<std::net::IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
                                    .map_err(|_| format!("{s:?} is neither IP nor IP:PORT"))
                            })
                            .collect::<Result<Vec<_>, _>>()?;
                        Ok(servers)
                    })?
                    .filter(|s| !s.is_empty()),
                interval: Duration::from_secs(
                    60 * values.parse("domains.check_minutes", |v| bounded(v, 1, 1440))?.expect("has a default"),
                ),
                tls_warn_days: values
                    .parse("domains.tls_warn_days", |v| {
                        v.split(',')
                            .map(|d| d.trim().parse::<i64>().ok().filter(|d| (1..=365).contains(d)))
                            .collect::<Option<Vec<_>>>()
                            .ok_or_else(|| "not a list of whole numbers of days from 1 to 365".to_string())
                    })?
                    .expect("has a default"),
                tls_port: values.parse("domains.tls_port", |v| bounded(v, 1, 65535))?.expect("has a default") as u16,
            },
            scheduler_concurrency: values
                .parse("scheduler.concurrency", |v| bounded(v, 1, 1024))?
                .expect("has a default") as usize,
            logs: LogsSettings {
                max_body_bytes: values
                    .parse("logs.max_body_bytes", |v| bounded(v, 1024, 1 << 30))?
                    .expect("has a default") as usize,
                retention_days: values.parse("logs.retention_days", |v| bounded(v, 1, 3650))?.expect("has a default")
                    as i32,
            },
            peak: PeakSettings {
                spike_factor: values.parse("peak.spike_factor", |v| bounded(v, 2, 100))?.expect("has a default") as f64,
                spike_floor: values.parse("peak.spike_floor", |v| bounded(v, 1, 100_000))?.expect("has a default")
                    as f64,
            },
            notifications: NotificationSettings {
                allow_private: values
                    .parse("notifications.allow_private_targets", |v| match v {
                        "true" => Ok(true),
                        "false" => Ok(false),
                        _ => Err("neither true nor false".to_string()),
                    })?
                    .unwrap_or(false),
                retention: chrono::TimeDelta::days(
                    values.parse("notifications.retention_days", |v| bounded(v, 1, 36_500))?.expect("has a default")
                        as i64,
                ),
                smtp_roots: values.parse("notifications.smtp_ca_file", pem_certificates)?.unwrap_or_default(),
            },
            monitoring: {
                let days =
                    |key: &str, max: u64| -> Result<chrono::Duration, ConfigError> {
                        Ok(chrono::Duration::days(
                            values.parse(key, |v| bounded(v, 1, max))?.expect("has a default") as i64
                        ))
                    };
                MonitoringOptions {
                    login_budget: values
                        .parse("monitoring.login_budget_per_minute", |v| bounded(v, 1, 600))?
                        .expect("has a default") as f64,
                    retention: Retention {
                        raw: days("monitoring.raw_days", 365)?,
                        hourly: days("monitoring.hourly_days", 3650)?,
                        daily: days("monitoring.daily_days", 36_500)?,
                    },
                }
            },
            secret_key: match values.parse("secrets.key", parse_key)? {
                Some(key) => SecretKeySource::Key(key),
                None => SecretKeySource::File(PathBuf::from(
                    values.parse("secrets.key_file", |v| Ok(v.to_string()))?.expect("key_file has a default"),
                )),
            },
            database: DatabaseSettings {
                url: values.parse("database.url", DatabaseUrl::parse)?,
                max_connections: values
                    .parse("database.max_connections", |v| bounded(v, 1, 1000))?
                    .expect("max_connections has a default") as u32,
                acquire_timeout: Duration::from_secs(
                    values
                        .parse("database.acquire_timeout_secs", |v| bounded(v, 1, 300))?
                        .expect("acquire_timeout_secs has a default"),
                ),
            },
            log: LogSettings {
                format: values
                    .parse("log.format", |v| match v {
                        "text" => Ok(LogFormat::Text),
                        "json" => Ok(LogFormat::Json),
                        _ => Err("unknown format".to_string()),
                    })?
                    .expect("log.format has a default"),
                filter: values
                    .parse("log.filter", |v| {
                        tracing_subscriber::EnvFilter::try_new(v).map(|_| v.to_string()).map_err(|e| e.to_string())
                    })?
                    .expect("log.filter has a default"),
            },
        })
    }

    /// Whether cookies must be `Secure` (the console is served over https).
    pub fn secure_cookies(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }

    /// The database URL, or the error that tells the person how to give one.
    pub fn database_url(&self) -> Result<&DatabaseUrl, ConfigError> {
        self.database.url.as_ref().ok_or_else(|| {
            ConfigError::new(
                "DATABASE_URL",
                "not set; expected postgres://USER:PASSWORD@HOST:PORT/DATABASE \
                 (scripts/run starts a private PostgreSQL and sets it for you)",
            )
        })
    }
}

struct Values {
    raw: BTreeMap<&'static str, Raw>,
}

impl Values {
    fn parse<T>(&self, key: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Option<T>, ConfigError> {
        let spec = SETTINGS.iter().find(|s| s.key == key).expect("every parsed key is in SETTINGS");
        let Some(raw) = self.raw.get(key) else { return Ok(None) };
        parse(raw.value.trim()).map(Some).map_err(|reason| {
            let setting = match &raw.origin {
                Origin::Env => spec.env.to_string(),
                Origin::File(path) => format!("{} in {}", spec.key, path.display()),
                Origin::Default => format!("{} (default)", spec.key),
            };
            let shown = if spec.secret { "the value".to_string() } else { format!("{:?}", raw.value) };
            ConfigError::new(setting, format!("{shown} is not valid ({reason}); expected {}", spec.expected))
        })
    }
}

/// Reads the TOML file into dotted keys, refusing keys Tenantry does not know (a typo must not be ignored).
fn read_file(path: &PathBuf) -> Result<Vec<(&'static str, String)>, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(CONFIG_FILE_ENV, format!("cannot read {}: {e}", path.display())))?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let reason = e.message().to_string();
        ConfigError::new(CONFIG_FILE_ENV, format!("{} is not valid TOML: {reason}", path.display()))
    })?;
    let mut out = Vec::new();
    flatten("", &table, &mut |key, value| {
        let Some(spec) = SETTINGS.iter().find(|s| s.key == key) else {
            let known: Vec<_> = SETTINGS.iter().map(|s| s.key).collect();
            return Err(ConfigError::new(
                CONFIG_FILE_ENV,
                format!("{} has an unknown setting `{key}`; known settings: {}", path.display(), known.join(", ")),
            ));
        };
        let text = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            _ => {
                return Err(ConfigError::new(
                    format!("{key} in {}", path.display()),
                    format!("must be a string or a number; expected {}", spec.expected),
                ));
            }
        };
        out.push((spec.key, text));
        Ok(())
    })?;
    Ok(out)
}

fn flatten(
    prefix: &str,
    table: &toml::Table,
    visit: &mut impl FnMut(&str, &toml::Value) -> Result<(), ConfigError>,
) -> Result<(), ConfigError> {
    for (k, v) in table {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            toml::Value::Table(inner) => flatten(&key, inner, visit)?,
            _ => visit(&key, v)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
