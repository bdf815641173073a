//! Tests of the settings: defaults, the file, the environment, and every message a bad value gets.
use super::*;
use std::collections::HashMap;

fn load(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Settings::load(|name| map.get(name).cloned())
}

#[test]
fn defaults_listen_on_loopback_3000_without_a_database() {
    let s = load(&[]).expect("defaults are valid");
    assert_eq!(s.addr.to_string(), "127.0.0.1:3000");
    assert!(s.database.url.is_none());
    assert_eq!(s.log.format, LogFormat::Text);
    let err = s.database_url().expect_err("no url");
    assert!(err.to_string().starts_with("DATABASE_URL: not set"), "{err}");
}

#[test]
fn a_bad_address_names_the_variable_and_the_form() {
    let err = load(&[("TENANTRY_ADDR", "localhost")]).expect_err("hostnames are not addresses");
    let msg = err.to_string();
    assert!(msg.starts_with("TENANTRY_ADDR: \"localhost\" is not valid"), "{msg}");
    assert!(msg.contains("expected HOST:PORT"), "{msg}");
    assert!(!msg.contains('\n'));
}

#[test]
fn a_bad_database_url_is_named_without_echoing_the_password() {
    let err = load(&[("DATABASE_URL", "mysql://u:hunter2@h/db")]).expect_err("not postgres");
    let msg = err.to_string();
    assert!(msg.starts_with("DATABASE_URL: the value is not valid"), "{msg}");
    assert!(!msg.contains("hunter2"), "{msg}");
}

#[test]
fn database_url_display_and_debug_hide_the_password() {
    let s = load(&[("DATABASE_URL", "postgres://app:hunter2@db.internal:6543/tenantry")]).expect("valid");
    let url = s.database.url.as_ref().expect("set");
    assert_eq!(url.to_string(), "postgres://app@db.internal:6543/tenantry");
    assert!(!format!("{s:?}").contains("hunter2"));
}

#[test]
fn env_overrides_the_file_and_file_errors_name_the_file_key() {
    let dir = std::env::temp_dir().join(format!("tenantry-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("tenantry.toml");
    std::fs::write(&path, "addr = \"127.0.0.1:4000\"\n[database]\nmax_connections = 0\n").expect("write");
    let p = path.to_string_lossy().to_string();

    let err = load(&[("TENANTRY_CONFIG", &p)]).expect_err("0 connections");
    assert!(err.to_string().starts_with(&format!("database.max_connections in {p}: \"0\"")), "{err}");

    let s = load(&[("TENANTRY_CONFIG", &p), ("TENANTRY_DATABASE_MAX_CONNECTIONS", "4")]).expect("env wins");
    assert_eq!(s.addr.port(), 4000);
    assert_eq!(s.database.max_connections, 4);

    std::fs::write(&path, "adr = \"127.0.0.1:4000\"\n").expect("write");
    let err = load(&[("TENANTRY_CONFIG", &p)]).expect_err("typo");
    assert!(err.to_string().contains("unknown setting `adr`"), "{err}");

    std::fs::write(&path, "addr = \n").expect("write");
    let err = load(&[("TENANTRY_CONFIG", &p)]).expect_err("bad toml");
    assert!(err.to_string().starts_with("TENANTRY_CONFIG: "), "{err}");
    assert!(!err.to_string().contains('\n'), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn https_public_url_makes_cookies_secure_and_sessions_expire_after_8_hours_idle() {
    let s = load(&[]).expect("defaults");
    assert!(!s.secure_cookies());
    assert_eq!(s.session_idle, Duration::from_secs(8 * 3600));
    let s = load(&[("TENANTRY_PUBLIC_URL", "https://ops.example.com/")]).expect("valid");
    assert!(s.secure_cookies());
    assert_eq!(s.public_url.as_deref(), Some("https://ops.example.com"));
    let err = load(&[("TENANTRY_PUBLIC_URL", "ops.example.com")]).expect_err("no scheme");
    assert!(err.to_string().starts_with("TENANTRY_PUBLIC_URL: "), "{err}");
    assert!(load(&[("TENANTRY_SESSION_IDLE_MINUTES", "1")]).is_err());
}

#[test]
fn log_settings_are_checked() {
    assert!(load(&[("TENANTRY_LOG_FORMAT", "xml")]).is_err());
    assert_eq!(load(&[("TENANTRY_LOG_FORMAT", "json")]).expect("json").log.format, LogFormat::Json);
    assert!(load(&[("TENANTRY_LOG", "info,[[[")]).is_err());
}
