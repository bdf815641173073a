//! SDLC findings: what the operations guide asks of a company's tenants, checked across the registry. Each finding
//! carries the guide's reasoning and a link to its section.

use std::collections::BTreeMap;

use app::tenants::{Association, Environment, Finding, TenantCell};

use super::model::follows_convention;

const GUIDE: &str = "https://auth0.com/docs/get-started/architecture-scenarios/business-to-consumer/operations";

fn finding(kind: &str, title: String, reasoning: &str, section: &str, tenants: &[&TenantCell]) -> Finding {
    Finding {
        kind: kind.to_string(),
        title,
        reasoning: reasoning.to_string(),
        guide: format!("{GUIDE}#{section}"),
        tenants: tenants.iter().map(|t| (t.id, t.name.clone())).collect(),
    }
}

/// Every finding over the registry. `paid_limit`: tenants with all paid features the contract allows.
pub fn findings(all: &[TenantCell], paid_limit: usize) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut by_user_domain: BTreeMap<&str, Vec<&TenantCell>> = BTreeMap::new();
    for t in all {
        by_user_domain.entry(t.user_domain.as_str()).or_default().push(t);
    }
    for (user_domain, tenants) in &by_user_domain {
        let prod: Vec<&TenantCell> =
            tenants.iter().copied().filter(|t| t.environment == Environment::Production).collect();
        let has = |f: fn(Environment) -> bool| tenants.iter().any(|t| f(t.environment));
        if !prod.is_empty() {
            let mut missing = Vec::new();
            if !has(|e| e == Environment::Development) {
                missing.push("development");
            }
            if !has(|e| matches!(e, Environment::Qa | Environment::Uat | Environment::Staging)) {
                missing.push("QA/UAT");
            }
            if !missing.is_empty() {
                out.push(finding(
                    "missing_sdlc_companions",
                    format!("{user_domain}: production has no {} tenant", missing.join(" or ")),
                    "The guide recommends a full suite of SDLC tenants (development, QA/UAT, production) for every \
                     tenant run in production, so changes are tested with Auth0 the way the applications are.",
                    "sdlc-support",
                    &prod,
                ));
            }
        }
        if prod.len() > 1 {
            out.push(finding(
                "several_production_tenants",
                format!("{user_domain}: {} production tenants serve one user domain", prod.len()),
                "Each production tenant needs its own SDLC suite, so the number to manage grows quickly. Was this \
                 isolation meant? The guide suggests a centralised domain for authentication across brands.",
                "tenant-provision",
                &prod,
            ));
        }
    }
    let off_convention: Vec<&TenantCell> = all.iter().filter(|t| !follows_convention(&t.name)).collect();
    if !off_convention.is_empty() {
        out.push(finding(
            "name_convention",
            format!("{} tenant name(s) do not follow {{company}}-{{env}}", off_convention.len()),
            "The guide's layout names tenants company-dev, company-qa or company-uat, company-prod and \
             company-sandboxN. Names are permanent: they cannot be changed or reused after deletion.",
            "sdlc-support",
            &off_convention,
        ));
    }
    let unassociated: Vec<&TenantCell> = all.iter().filter(|t| t.association != Association::Associated).collect();
    if !unassociated.is_empty() {
        out.push(finding(
            "not_associated",
            format!("{} tenant(s) not known to be associated with the company account", unassociated.len()),
            "Associate every tenant — developers' sandboxes too — with the company account, so all are covered by \
             the contract and have the same features. Ask your Auth0 representative or Auth0 Support.",
            "tenant-association",
            &unassociated,
        ));
    }
    let paid: Vec<&TenantCell> = all.iter().filter(|t| t.paid_features).collect();
    if paid.len() > paid_limit {
        out.push(finding(
            "paid_features_over_limit",
            format!("{} tenants have paid features; the contract allows {paid_limit}", paid.len()),
            "Auth0 lets you create many free tenants, but by default only three have all paid features enabled.",
            "sdlc-support",
            &paid,
        ));
    }
    let many_domains: Vec<&TenantCell> = all.iter().filter(|t| t.custom_domains.len() > 1).collect();
    if !many_domains.is_empty() {
        out.push(finding(
            "several_custom_domains",
            format!("{} tenant(s) have more than one custom domain", many_domains.len()),
            "One custom domain per tenant: a tenant represents one domain of users. More than one vanity URL \
             suggests more than one user domain, which calls for more tenants.",
            "custom-domains",
            &many_domains,
        ));
    }
    let prod_without: Vec<&TenantCell> = all
        .iter()
        .filter(|t| t.environment == Environment::Production && t.has_snapshot && t.custom_domains.is_empty())
        .collect();
    if !prod_without.is_empty() {
        out.push(finding(
            "production_without_custom_domain",
            format!("{} production tenant(s) without a custom domain", prod_without.len()),
            "A custom domain helps branding, keeps iframes working in browsers that block third-party cookies, and \
             makes phishing harder: a phisher must create a vanity URL too.",
            "custom-domains",
            &prod_without,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(name: &str, env: Environment, user_domain: &str) -> TenantCell {
        TenantCell {
            id: app::ids::TenantId(uuid::Uuid::new_v4()),
            name: name.to_string(),
            domain: format!("{name}.us.auth0.com"),
            region: None,
            environment: env,
            user_domain: user_domain.to_string(),
            association: Association::Associated,
            account_name: String::new(),
            paid_features: false,
            custom_domains: vec![("login.example.com".into(), "ready".into())],
            email_provider: None,
            log_streams: Vec::new(),
            has_snapshot: true,
            last_success_at: None,
            failure: None,
        }
    }

    fn kinds(found: &[Finding]) -> Vec<&str> {
        found.iter().map(|f| f.kind.as_str()).collect()
    }

    #[test]
    fn a_complete_well_named_company_has_no_finding() {
        let all = [
            cell("acme-dev", Environment::Development, "customers"),
            cell("acme-uat", Environment::Uat, "customers"),
            cell("acme-prod", Environment::Production, "customers"),
        ];
        assert!(findings(&all, 3).is_empty());
    }

    #[test]
    fn every_finding_of_the_guide_is_raised() {
        let mut prod2 = cell("acme-prod2", Environment::Production, "customers");
        prod2.custom_domains.push(("id.example.com".into(), "ready".into()));
        let mut workforce = cell("acmeworkforce", Environment::Production, "employees");
        workforce.custom_domains.clear();
        workforce.association = Association::NotAssociated;
        let mut paid = vec![cell("acme-prod", Environment::Production, "customers"), prod2, workforce];
        for t in &mut paid {
            t.paid_features = true;
        }
        paid.push({
            let mut t = cell("acme-sandbox1", Environment::Sandbox, "customers");
            t.paid_features = true;
            t
        });
        let found = findings(&paid, 3);
        assert_eq!(
            kinds(&found),
            [
                "missing_sdlc_companions",
                "several_production_tenants",
                "missing_sdlc_companions",
                "name_convention",
                "not_associated",
                "paid_features_over_limit",
                "several_custom_domains",
                "production_without_custom_domain",
            ]
        );
        assert!(found[0].title.contains("customers: production has no development or QA/UAT tenant"));
        assert!(found.iter().all(|f| f.guide.starts_with("https://") && !f.reasoning.is_empty()));
    }
}
