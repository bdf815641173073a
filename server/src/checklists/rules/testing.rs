//! Test helpers: a production tenant's snapshot on which every automatic item passes (built with `keep` from the
//! simulator's Management API shapes and the recorded settings), the facts around it at a fixed time, and ways
//! to read one item's finding. Tests change one thing of it and check the verdict.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::evaluate;
use crate::checklists::model::{Facts, Finding, LogFacts, SyntheticFacts, Verdict};
use crate::simulator::SimTenant;
use crate::tenants::keep;
use app::tenants::Environment;

const ACTION_CODE: &str =
    "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('https://acme.example/r', 1) };";
const CODE_FLOW: &[&str] = &["authorization_code", "refresh_token"];

pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z").expect("a time").with_timezone(&Utc)
}

pub fn facts_for(snapshot: Option<&Value>, environment: Environment) -> Facts<'_> {
    Facts {
        snapshot,
        environment,
        logs: LogFacts {
            newest_event: Some(now() - Duration::minutes(10)),
            limit_events_7d: 0,
            top_limit_client: None,
            depnotes_30d: 0,
        },
        synthetic: SyntheticFacts {
            checks: 1,
            shortest_interval_s: Some(60),
            last_success: Some(now() - Duration::minutes(1)),
        },
        now: now(),
    }
}

/// The findings of a production tenant with this snapshot.
pub fn run(snap: &Value) -> Vec<Finding> {
    evaluate(&facts_for(Some(snap), Environment::Production))
}

pub fn on(snap: &Value, id: &str) -> Finding {
    run(snap).into_iter().find(|f| f.item == id).unwrap_or_else(|| panic!("no finding for {id}"))
}

pub fn verdict(snap: &Value, id: &str) -> Verdict {
    on(snap, id).verdict
}

fn app(id: &str, name: &str, app_type: &str, grants: &[&str], base: Option<&str>) -> Value {
    let mut raw = json!({
        "client_id": id, "name": name, "app_type": app_type, "global": false, "grant_types": grants,
        "client_secret": "never-kept", "jwt_configuration": {"alg": "RS256", "lifetime_in_seconds": 36000},
        "callbacks": [], "allowed_origins": [], "web_origins": [], "allowed_logout_urls": []
    });
    if let Some(base) = base {
        raw["callbacks"] = json!([format!("{base}/callback")]);
        raw["web_origins"] = json!([base]);
        raw["allowed_logout_urls"] = json!([format!("{base}/bye")]);
        raw["initiate_login_uri"] = json!(format!("{base}/login"));
    }
    keep::client(&raw)
}

/// A production-ready tenant: every automatic item passes.
pub fn good() -> Value {
    let mut settings: Value =
        serde_json::from_str(include_str!("../../../fixtures/auth0/go-auth0_tenants-settings_GET.json"))
            .expect("fixture is JSON");
    settings["support_email"] = json!("help@acme.example");
    settings["support_url"] = json!("https://help.acme.example");
    settings["default_redirection_uri"] = json!("https://app.acme.example/login");
    settings["allowed_logout_urls"] = json!(["https://acme.example/bye"]);
    settings["error_page"] = json!({"url": "https://acme.example/error", "html": "", "show_log_link": false});
    settings["sandbox_version"] = json!("22");
    settings["session_lifetime"] = json!(168);
    settings["idle_session_lifetime"] = json!(72);
    settings["flags"]["enable_client_connections"] = json!(false);
    settings["flags"]["enable_custom_domain_in_emails"] = json!(true);
    settings["flags"]["allow_legacy_ro_grant_types"] = json!(false);
    let streams: Value =
        serde_json::from_str(include_str!("../../../fixtures/auth0/go-auth0_log-streams_list_GET.json"))
            .expect("fixture is JSON");
    let mut global = app("global01", "All Applications", "", &[], None);
    global["global"] = json!(true);
    let factors: Vec<Value> = SimTenant::default_factors()
        .iter()
        .map(|f| {
            let mut f = keep::factor(f);
            f["enabled"] = json!(matches!(f["name"].as_str(), Some("sms" | "otp")));
            f
        })
        .collect();
    let on = |shields: &[&str]| keep::attack_protection(&json!({"enabled": true, "shields": shields, "allowlist": []}));
    let templates: Vec<Value> = keep::EMAIL_TEMPLATES
        .iter()
        .map(|t| keep::email_template(&SimTenant::email_template(t, "Acme <login@acme.example>", "Your Acme account")))
        .collect();
    let key = |kid: &str, current: bool, days: i64| {
        json!({"kid": kid, "current": current, "next": !current, "previous": false, "revoked": false,
               "expires_at": (now() + Duration::days(days)).to_rfc3339()})
    };
    json!({
        "settings": settings,
        "custom_domains": [{"custom_domain_id": "cd_1", "domain": "login.acme.example", "primary": true,
                            "status": "ready", "type": "auth0_managed_certs"}],
        "email_provider": keep::email_provider(json!({"name": "sendgrid", "enabled": true,
            "default_from_address": "login@acme.example", "credentials": {"api_key": "never-kept"}})),
        "log_streams": keep::log_streams(streams),
        "connections": [keep::connection(&SimTenant::database_connection("Username-Password-Authentication", &[]))],
        "actions": [keep::action(&SimTenant::action("Add roles", "post-login", ACTION_CODE))],
        "clients": [
            app("webapp01", "Web app", "regular_web", CODE_FLOW, Some("https://app.acme.example")),
            app("adminspa01", "Admin SPA", "spa", CODE_FLOW, Some("https://admin.acme.example")),
            app("orders01", "Orders worker", "non_interactive", &["client_credentials"], None),
            global,
        ],
        "resource_servers": [
            keep::resource_server(&SimTenant::management_api("acme-prod.us.auth0.com")),
            keep::resource_server(&json!({"id": "rs_orders", "name": "Orders API",
                "identifier": "https://orders.acme.example", "is_system": false, "signing_alg": "RS256",
                "signing_secret": "never-kept", "token_lifetime": 86400, "allow_offline_access": true})),
        ],
        "rules": [],
        "hooks": [],
        "guardian_factors": factors,
        "attack_protection": {
            "brute_force": on(&["block", "user_notification"]),
            "breached_passwords": on(&["block", "admin_notification"]),
            "suspicious_ip_throttling": on(&["admin_notification", "block"]),
        },
        "prompts": keep::prompts(&json!({"universal_login_experience": "new", "identifier_first": true})),
        "sms_provider": "twilio",
        "signing_keys": [key("k-current", true, 300), key("k-next", false, 3650)],
        "email_templates": templates,
        "missing_scopes": [],
        "unavailable": {},
    })
}
