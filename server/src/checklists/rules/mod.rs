//! The readiness checklist's rules: one verdict per catalog item, with its summary and evidence, decided from the
//! tenant's latest snapshot and what the console knows of it. Pure: no I/O, no clock (`Facts::now` is the time).
//! A part the snapshot could not read makes an item unknown (saying why); production-only items that would fail
//! on another environment only warn.

mod apps;
mod code;
mod email;
mod operations;
mod read;
mod security;
mod tenant;
#[cfg(test)]
mod testing;

use app::tenants::Environment;

use super::catalog::ITEMS;
use super::model::{Facts, Finding, Item, Verdict};
use read::{Cx, Decided, NOT_READ_YET, finding, unknown};

type Rule = fn(&Cx) -> Decided;

/// The rule of each item (the manual items no data speaks to are in `operations::PLAIN`).
const RULES: [(&str, Rule); 34] = [
    ("email-provider", email::provider),
    ("support-contact", tenant::support_contact),
    ("tenant-login-uri", tenant::tenant_login_uri),
    ("env-tag", operations::env_tag),
    ("no-localhost", apps::no_localhost),
    ("legacy-flags", tenant::legacy_flags),
    ("node-runtime", code::node_runtime),
    ("rules-hooks", code::rules_hooks),
    ("social-devkeys", security::social_devkeys),
    ("sms-provider", security::sms_provider),
    ("email-custom-domain", email::custom_domain_in_emails),
    ("log-streaming", operations::log_streaming),
    ("custom-domain", email::custom_domain),
    ("error-page", tenant::error_page),
    ("universal-login", tenant::universal_login),
    ("email-templates", email::templates),
    ("mfa", security::mfa),
    ("logout-urls", tenant::logout_urls),
    ("rs256", apps::rs256),
    ("app-login-uri", apps::app_login_uri),
    ("client-conns-flag", tenant::client_connections_flag),
    ("attack-protection", security::attack_protection),
    ("externalize-config", code::externalize_config),
    ("sso-timeouts", tenant::sso_timeouts),
    ("client-ids", apps::client_ids),
    ("ip-allowlist", code::ip_allowlist),
    ("grant-types", apps::grant_types),
    ("api-tokens", apps::api_tokens),
    ("saml-certs", security::saml_certs),
    ("rate-limit-scan", operations::rate_limit_scan),
    ("notifications", operations::notifications),
    ("synthetic-mon", operations::synthetic_mon),
    ("load-balancers", operations::load_balancers),
    ("deploy-automation", code::deploy_automation),
];

/// Items that only matter on a production tenant: elsewhere a failure is a warning.
const PRODUCTION_ONLY: [&str; 11] = [
    "email-provider",
    "no-localhost",
    "tenant-login-uri",
    "support-contact",
    "legacy-flags",
    "social-devkeys",
    "custom-domain",
    "email-custom-domain",
    "sms-provider",
    "email-templates",
    "error-page",
];

/// One finding per catalog item, in catalog order.
pub fn evaluate(facts: &Facts) -> Vec<Finding> {
    ITEMS
        .iter()
        .map(|item| {
            let mut found = decide(item, facts);
            found.item = item.id;
            if found.verdict == Verdict::Fail
                && PRODUCTION_ONLY.contains(&item.id)
                && facts.environment != Environment::Production
            {
                found.verdict = Verdict::Warn;
                found.summary.push_str(" (fails on a production tenant)");
            }
            found
        })
        .collect()
}

fn decide(item: &Item, facts: &Facts) -> Finding {
    if let Some(ask) = operations::plain(item.id) {
        return finding(Verdict::Manual, ask, Vec::new());
    }
    let Some(snap) = facts.snapshot else {
        return match item.manual {
            true => finding(Verdict::Manual, "Needs a sign-off; refresh the tenant to see its evidence", Vec::new()),
            false => unknown(NOT_READ_YET),
        };
    };
    let Some((_, rule)) = RULES.iter().find(|(id, _)| *id == item.id) else {
        return unknown("No rule decides this item yet");
    };
    match rule(&Cx { snap, facts }) {
        Ok(found) => found,
        // A manual item is still signed off when its evidence could not be read.
        Err(why) if item.manual => finding(Verdict::Manual, read::joined(&["Needs a sign-off", &why]), Vec::new()),
        Err(why) => unknown(why),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::testing::{facts_for, good, now, on, run};
    use super::*;
    use crate::checklists::model::AREAS;
    use crate::tenants::keep;

    /// The ids of ../shared/reference/readiness-checklist.md's table, in its order.
    const TABLE: [&str; 40] = [
        "email-provider",
        "support-contact",
        "tenant-login-uri",
        "env-tag",
        "no-localhost",
        "legacy-flags",
        "node-runtime",
        "rules-hooks",
        "social-devkeys",
        "sms-provider",
        "email-custom-domain",
        "log-streaming",
        "custom-domain",
        "error-page",
        "universal-login",
        "email-templates",
        "mfa",
        "admin-mfa",
        "logout-urls",
        "rs256",
        "app-login-uri",
        "client-conns-flag",
        "attack-protection",
        "externalize-config",
        "sso-timeouts",
        "tenants-admins",
        "client-ids",
        "ip-allowlist",
        "grant-types",
        "api-tokens",
        "saml-certs",
        "rate-limit-scan",
        "notifications",
        "status-sub",
        "synthetic-mon",
        "ntp",
        "load-balancers",
        "sdlc-tenants",
        "deploy-automation",
        "backup-dr",
    ];

    #[test]
    fn the_catalog_is_the_reference_table_and_every_item_has_a_rule() {
        let ids: Vec<&str> = ITEMS.iter().map(|i| i.id).collect();
        assert_eq!(ids, TABLE);
        for item in ITEMS {
            assert!(AREAS.contains(&item.area), "{}: {}", item.id, item.area);
            assert!(!item.title.is_empty() && item.why.ends_with('.') && item.todo.ends_with('.'), "{}", item.id);
            let ruled = RULES.iter().filter(|(id, _)| *id == item.id).count();
            let plain = operations::plain(item.id).is_some();
            assert_eq!(ruled + usize::from(plain), 1, "{} has exactly one rule", item.id);
            assert!(!plain || item.manual, "{}", item.id);
        }
        let manual: Vec<&str> = ITEMS.iter().filter(|i| i.manual).map(|i| i.id).collect();
        assert_eq!(manual.len(), 17, "{manual:?}");
        assert!(PRODUCTION_ONLY.iter().all(|id| ids.contains(id)));
    }

    #[test]
    fn a_good_tenant_passes_every_automatic_item_and_each_finding_follows_the_catalog() {
        let findings = run(&good());
        assert_eq!(findings.iter().map(|f| f.item).collect::<Vec<_>>(), TABLE);
        for (item, f) in ITEMS.iter().zip(&findings) {
            match item.manual {
                false => assert_eq!(f.verdict, Verdict::Pass, "{}: {}", f.item, f.summary),
                true => assert!(matches!(f.verdict, Verdict::Manual | Verdict::NotApplicable), "{}", f.item),
            }
            if !item.manual {
                assert!(!f.evidence.is_empty(), "{} shows what it read", f.item);
            }
        }
    }

    #[test]
    fn a_tenant_never_read_is_unknown_except_for_its_sign_offs() {
        let findings = evaluate(&facts_for(None, Environment::Production));
        assert_eq!(findings.len(), ITEMS.len());
        for (item, f) in ITEMS.iter().zip(&findings) {
            let expected = if item.manual { Verdict::Manual } else { Verdict::Unknown };
            assert_eq!(f.verdict, expected, "{}", f.item);
            assert!(f.evidence.is_empty(), "{}", f.item);
            if !item.manual {
                assert_eq!(f.summary, "Not read yet: refresh the tenant");
            }
        }
    }

    #[test]
    fn an_old_snapshot_without_the_newer_parts_asks_for_a_refresh() {
        let mut old = good();
        for key in ["connections", "actions", "clients", "resource_servers", "rules", "hooks", "guardian_factors"] {
            old.as_object_mut().expect("an object").remove(key);
        }
        for key in ["attack_protection", "prompts", "sms_provider", "signing_keys", "email_templates"] {
            old.as_object_mut().expect("an object").remove(key);
        }
        for key in ["missing_scopes", "unavailable"] {
            old.as_object_mut().expect("an object").remove(key);
        }
        let findings = run(&old);
        let of = |id: &str| findings.iter().find(|f| f.item == id).expect("a finding per item");
        for id in ["no-localhost", "rules-hooks", "mfa", "attack-protection", "universal-login", "saml-certs"] {
            assert_eq!((of(id).verdict, of(id).summary.as_str()), (Verdict::Unknown, NOT_READ_YET), "{id}");
        }
        for id in ["support-contact", "email-provider", "custom-domain", "log-streaming", "error-page"] {
            assert_eq!(of(id).verdict, Verdict::Pass, "{id}");
        }
        assert_eq!(
            of("externalize-config").summary,
            "No Action, custom database, Rule or Hook found (actions, connections, rules, hooks not read)"
        );
        assert_eq!(of("client-ids").verdict, Verdict::Manual);
        assert_eq!(of("client-ids").summary, "Needs a sign-off; not read yet: refresh the tenant");
    }

    #[test]
    fn a_part_without_its_scope_or_not_served_says_why() {
        let mut snap = good();
        snap["clients"] = Value::Null;
        snap["prompts"] = Value::Null;
        snap["attack_protection"]["brute_force"] = Value::Null;
        snap["missing_scopes"] = json!(["read:clients", "read:attack_protection"]);
        snap["unavailable"] = json!({"prompts": "not found: feature_unavailable"});
        for (id, why) in [
            ("no-localhost", "Needs the read:clients scope"),
            ("app-login-uri", "Needs the read:clients scope"),
            ("universal-login", "Not read: not found: feature_unavailable"),
            ("attack-protection", "Needs the read:attack_protection scope"),
        ] {
            let f = on(&snap, id);
            assert_eq!((f.verdict, f.summary.as_str()), (Verdict::Unknown, why), "{id}");
        }
        let f = on(&snap, "rs256");
        assert_eq!(f.verdict, Verdict::Unknown, "applications unknown, APIs fine");
        assert_eq!(f.summary, "Needs the read:clients scope");
    }

    #[test]
    fn production_only_items_only_warn_elsewhere() {
        let mut snap = good();
        snap["email_provider"] = Value::Null;
        snap["settings"]["allowed_logout_urls"] = json!([]);
        let facts = facts_for(Some(&snap), Environment::Staging);
        let findings = evaluate(&facts);
        let provider = findings.iter().find(|f| f.item == "email-provider").expect("a finding per item");
        assert_eq!(provider.verdict, Verdict::Warn);
        assert_eq!(
            provider.summary,
            "No email provider: Auth0's built-in provider sends the tenant's emails (fails on a production tenant)"
        );
        let logout = findings.iter().find(|f| f.item == "logout-urls").expect("a finding per item");
        assert_eq!(logout.verdict, Verdict::Fail, "not a production-only item");
        assert_eq!(on(&snap, "email-provider").verdict, Verdict::Fail);
    }

    #[test]
    fn manual_evidence_is_stable_while_nothing_relevant_changes() {
        let snap = good();
        let mut changed = good();
        changed["settings"]["support_url"] = json!("https://help2.acme.example");
        changed["custom_domains"][0]["status"] = json!("pending_verification");
        let mut later = facts_for(Some(&changed), Environment::Production);
        later.now = now() + chrono::Duration::hours(3);
        later.synthetic.last_success = Some(later.now - chrono::Duration::minutes(1));
        later.logs.newest_event = Some(later.now);
        let (before, again, after) = (run(&snap), run(&snap), evaluate(&later));
        for item in ITEMS.iter().filter(|i| i.manual) {
            let of = |list: &[Finding]| {
                list.iter().find(|f| f.item == item.id).expect("a finding per item").evidence.clone()
            };
            assert_eq!(of(&before), of(&again), "{}", item.id);
            assert_eq!(of(&before), of(&after), "{}", item.id);
        }
        assert_ne!(on(&snap, "support-contact").evidence, on(&changed, "support-contact").evidence);
    }

    /// A snapshot as an old poll stored it from Auth0's real recorded answers.
    fn recorded(settings: &str) -> Value {
        let domains: Value =
            serde_json::from_str(include_str!("../../../fixtures/auth0/go-auth0_custom-domains_list_GET.json"))
                .expect("fixture is JSON");
        let provider: Value =
            serde_json::from_str(include_str!("../../../fixtures/auth0/go-auth0_emails-provider_GET.json"))
                .expect("fixture is JSON");
        let streams: Value =
            serde_json::from_str(include_str!("../../../fixtures/auth0/go-auth0_log-streams_list_GET.json"))
                .expect("fixture is JSON");
        json!({
            "settings": serde_json::from_str::<Value>(settings).expect("fixture is JSON"),
            "custom_domains": domains,
            "email_provider": keep::email_provider(provider),
            "log_streams": keep::log_streams(streams),
        })
    }

    #[test]
    fn real_recorded_answers_give_the_verdicts_they_should() {
        for settings in [
            include_str!("../../../fixtures/auth0/go-auth0_tenants-settings_GET.json"),
            include_str!("../../../fixtures/auth0/go-auth0_tenants-settings_GET_nullable-fields-test.json"),
        ] {
            let snap = recorded(settings);
            let findings = run(&snap);
            let of = |id: &str| findings.iter().find(|f| f.item == id).expect("a finding per item");
            let verdicts = |ids: &[&str]| ids.iter().map(|id| of(id).verdict).collect::<Vec<_>>();
            assert_eq!(
                verdicts(&["support-contact", "tenant-login-uri", "email-provider", "custom-domain", "log-streaming"]),
                [Verdict::Pass; 5]
            );
            assert_eq!(of("email-provider").summary, "smtp sends the tenant's emails");
            assert!(!format!("{:?}", of("email-provider").evidence).contains("user"), "no SMTP user");
            assert_eq!(
                of("custom-domain").summary,
                "3 custom domains are ready: acul.acmetest.org, mcd1.acmetest.org, mcd2.acmetest.org"
            );
            assert_eq!(of("log-streaming").summary, "1 active log stream: Test-LogStream-1751995604 (datadog)");
            assert_eq!(of("node-runtime").verdict, Verdict::Fail);
            assert!(
                of("node-runtime").summary.starts_with("The tenant's default runtime is Node 12, no longer supported")
            );
            assert_eq!(of("error-page").verdict, Verdict::Fail);
            assert_eq!(of("logout-urls").summary, "No tenant logout URL is set");
            assert_eq!(of("email-custom-domain").summary, "Email links use the tenant's Auth0 domain");
            assert_eq!(of("client-conns-flag").verdict, Verdict::Warn, "the flag is not in Auth0's answer");
            assert_eq!(of("legacy-flags").verdict, Verdict::Unknown, "flags off, applications not read");
            let sso = &of("sso-timeouts").evidence;
            assert_eq!((sso[0].value.as_str(), sso[1].value.as_str()), ("1080", "720"));
            let ip = of("ip-allowlist");
            assert_eq!(ip.verdict, Verdict::Manual);
            assert!(ip.summary.starts_with("Auth0 calls your network from SMTP delivery"), "{}", ip.summary);
            assert!(ip.evidence.iter().any(|e| e.value == "\"smtp.example.com\""));
        }
    }
}
