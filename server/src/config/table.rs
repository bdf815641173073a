//! The list of every setting: where it is read from, its default and the form it expects. The README's
//! configuration table mirrors it.

/// One setting: where it is read from and what it expects.
pub struct Spec {
    /// Key in the TOML file, dotted for tables (`database.url`).
    pub key: &'static str,
    /// Environment variable that overrides the file.
    pub env: &'static str,
    pub default: Option<&'static str>,
    /// The expected form, as error messages and the README say it.
    pub expected: &'static str,
    /// Secret values are never echoed, not even in errors.
    pub secret: bool,
}

/// Every setting Tenantry reads. The README's configuration table mirrors this list.
pub const SETTINGS: &[Spec] = &[
    Spec {
        key: "addr",
        env: "TENANTRY_ADDR",
        default: Some("127.0.0.1:3000"),
        expected: "HOST:PORT with an IP address, such as 127.0.0.1:3000",
        secret: false,
    },
    Spec {
        key: "database.url",
        env: "DATABASE_URL",
        default: None,
        expected: "postgres://USER:PASSWORD@HOST:PORT/DATABASE",
        secret: true,
    },
    Spec {
        key: "database.max_connections",
        env: "TENANTRY_DATABASE_MAX_CONNECTIONS",
        default: Some("10"),
        expected: "a whole number from 1 to 1000",
        secret: false,
    },
    Spec {
        key: "database.acquire_timeout_secs",
        env: "TENANTRY_DATABASE_ACQUIRE_TIMEOUT_SECS",
        default: Some("5"),
        expected: "a whole number of seconds from 1 to 300",
        secret: false,
    },
    Spec {
        key: "public_url",
        env: "TENANTRY_PUBLIC_URL",
        default: None,
        expected: "the console's address as people open it, such as https://tenantry.example.com",
        secret: false,
    },
    Spec {
        key: "allowed_hosts",
        env: "TENANTRY_ALLOWED_HOSTS",
        default: Some(""),
        expected: "comma-separated host names the console answers besides the public URL's (empty: with no public URL, \
                   localhost and loopback addresses only)",
        secret: false,
    },
    Spec {
        key: "trusted_proxies",
        env: "TENANTRY_TRUSTED_PROXIES",
        default: Some(""),
        expected: "comma-separated IP addresses or networks (10.0.0.0/8) of reverse proxies whose X-Forwarded-For \
                   names the client",
        secret: false,
    },
    Spec {
        key: "session.idle_minutes",
        env: "TENANTRY_SESSION_IDLE_MINUTES",
        default: Some("480"),
        expected: "a whole number of minutes from 5 to 10080",
        secret: false,
    },
    Spec {
        key: "tenants.poll_minutes",
        env: "TENANTRY_TENANTS_POLL_MINUTES",
        default: Some("15"),
        expected: "a whole number of minutes from 1 to 1440",
        secret: false,
    },
    Spec {
        key: "tenants.paid_feature_limit",
        env: "TENANTRY_TENANTS_PAID_FEATURE_LIMIT",
        default: Some("3"),
        expected: "how many tenants the contract allows with all paid features, 0 to 1000",
        secret: false,
    },
    Spec {
        key: "tenants.drift_expected",
        env: "TENANTRY_TENANTS_DRIFT_EXPECTED",
        default: Some("settings.friendly_name,settings.support_email,settings.picture_url"),
        expected: "a comma-separated list of snapshot fields expected to differ between environments",
        secret: false,
    },
    Spec {
        key: "tenants.allow_private_targets",
        env: "TENANTRY_TENANTS_ALLOW_PRIVATE_TARGETS",
        default: Some("false"),
        expected: "true or false: whether tenants' API URLs and monitoring probes may reach loopback, private or \
                   link-local addresses",
        secret: false,
    },
    Spec {
        key: "status.allow_private_targets",
        env: "TENANTRY_STATUS_ALLOW_PRIVATE_TARGETS",
        default: Some("false"),
        expected: "true or false: whether status URLs may point at loopback, private or link-local addresses",
        secret: false,
    },
    Spec {
        key: "status.auth0_feed_url",
        env: "TENANTRY_STATUS_AUTH0_FEED_URL",
        default: Some("https://status.auth0.com/feed"),
        expected: "an http(s) URL: Auth0's status feed, read as {url}?domain={tenant domain}",
        secret: false,
    },
    Spec {
        key: "status.poll_seconds",
        env: "TENANTRY_STATUS_POLL_SECONDS",
        default: Some("120"),
        expected: "a whole number of seconds from 30 to 86400: how often a new status source is polled",
        secret: false,
    },
    Spec {
        key: "domains.nameservers",
        env: "TENANTRY_DOMAINS_NAMESERVERS",
        default: Some(""),
        expected: "comma-separated nameservers as IP or IP:PORT for the CNAME checks; empty: the system's",
        secret: false,
    },
    Spec {
        key: "domains.check_minutes",
        env: "TENANTRY_DOMAINS_CHECK_MINUTES",
        default: Some("10"),
        expected: "a whole number of minutes from 1 to 1440: how often each custom domain is checked",
        secret: false,
    },
    Spec {
        key: "domains.tls_warn_days",
        env: "TENANTRY_DOMAINS_TLS_WARN_DAYS",
        default: Some("30,14,7"),
        expected: "comma-separated days before certificate expiry that warn, such as 30,14,7",
        secret: false,
    },
    Spec {
        key: "domains.tls_port",
        env: "TENANTRY_DOMAINS_TLS_PORT",
        default: Some("443"),
        expected: "the port TLS checks connect to, 1 to 65535 (443 except in labs)",
        secret: false,
    },
    Spec {
        key: "scheduler.concurrency",
        env: "TENANTRY_SCHEDULER_CONCURRENCY",
        default: Some("32"),
        expected: "a whole number from 1 to 1024: how many background jobs (polls, checks) one server runs at once",
        secret: false,
    },
    Spec {
        key: "monitoring.login_budget_per_minute",
        env: "TENANTRY_MONITORING_LOGIN_BUDGET_PER_MINUTE",
        default: Some("6"),
        expected: "a whole number from 1 to 600: synthetic logins per minute one tenant's checks may make together",
        secret: false,
    },
    Spec {
        key: "monitoring.raw_days",
        env: "TENANTRY_MONITORING_RAW_DAYS",
        default: Some("7"),
        expected: "a whole number of days from 1 to 365: how long every single run is kept",
        secret: false,
    },
    Spec {
        key: "monitoring.hourly_days",
        env: "TENANTRY_MONITORING_HOURLY_DAYS",
        default: Some("90"),
        expected: "a whole number of days from 1 to 3650: how long hourly roll-ups are kept",
        secret: false,
    },
    Spec {
        key: "monitoring.daily_days",
        env: "TENANTRY_MONITORING_DAILY_DAYS",
        default: Some("730"),
        expected: "a whole number of days from 1 to 36500: how long daily roll-ups are kept",
        secret: false,
    },
    Spec {
        key: "notifications.allow_private_targets",
        env: "TENANTRY_NOTIFICATIONS_ALLOW_PRIVATE_TARGETS",
        default: Some("false"),
        expected: "true or false: whether advisory-feed and webhook URLs may point at loopback, private or link-local addresses",
        secret: false,
    },
    Spec {
        key: "notifications.retention_days",
        env: "TENANTRY_NOTIFICATIONS_RETENTION_DAYS",
        default: Some("730"),
        expected: "a whole number of days from 1 to 36500: how long a notification is kept after its last update",
        secret: false,
    },
    Spec {
        key: "notifications.smtp_ca_file",
        env: "TENANTRY_NOTIFICATIONS_SMTP_CA_FILE",
        default: None,
        expected: "a PEM file of CA certificates trusted for SMTP TLS beside the system's (a company CA)",
        secret: false,
    },
    Spec {
        key: "status.board_refresh_seconds",
        env: "TENANTRY_STATUS_BOARD_REFRESH_SECONDS",
        default: Some("30"),
        expected: "a whole number of seconds from 1 to 3600: how often the status board refreshes itself",
        secret: false,
    },
    Spec {
        key: "secrets.key",
        env: "TENANTRY_SECRET_KEY",
        default: None,
        expected: "64 hex characters (32 random bytes), e.g. from: openssl rand -hex 32",
        secret: true,
    },
    Spec {
        key: "secrets.key_file",
        env: "TENANTRY_SECRET_KEY_FILE",
        default: Some("tenantry-secret.key"),
        expected: "a file path; the file is created with a new random key on first run when missing",
        secret: false,
    },
    Spec {
        key: "log.format",
        env: "TENANTRY_LOG_FORMAT",
        default: Some("text"),
        expected: "text or json",
        secret: false,
    },
    Spec {
        key: "log.filter",
        env: "TENANTRY_LOG",
        default: Some("info,sqlx=warn,hickory_server=warn,hickory_resolver=warn,hickory_proto=warn,hickory_net=warn"),
        expected: "a tracing filter such as info or warn,server=debug",
        secret: false,
    },
];
