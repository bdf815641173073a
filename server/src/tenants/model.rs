//! Tenant values parsed at the edge: names, Auth0 domains (and the region they imply), user domains, and the
//! tenant-name checker. Auth0 tenant names are permanent: they cannot be changed or reused after deletion.

use std::fmt;

use app::tenants::{Environment, Region};

/// A tenant name: 3–63 characters, lowercase letters, digits and hyphens, no hyphen first or last.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TenantName(String);

impl TenantName {
    pub fn parse(raw: &str) -> Result<TenantName, Vec<String>> {
        let name = raw.trim();
        let mut problems = Vec::new();
        let len = name.chars().count();
        if !(3..=63).contains(&len) {
            problems.push(format!("it has {len} characters; a tenant name has 3 to 63"));
        }
        let bad: Vec<char> =
            name.chars().filter(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')).collect();
        if !bad.is_empty() {
            let shown: String = bad.iter().take(5).collect();
            problems.push(format!("only lowercase letters, digits and hyphens are allowed (not {shown:?})"));
        }
        if name.starts_with('-') || name.ends_with('-') {
            problems.push("it must not start or end with a hyphen".into());
        }
        if problems.is_empty() { Ok(TenantName(name.to_string())) } else { Err(problems) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A tenant's Auth0 domain: `{name}.{region}.auth0.com`, the legacy US `{name}.auth0.com`, or another host name
/// (a custom domain given as the tenant's address) whose region must be set by hand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantDomain {
    pub host: String,
    /// The tenant name, when the host is an Auth0 domain.
    pub name: Option<TenantName>,
    /// The region the host implies, when it is an Auth0 domain.
    pub region: Option<Region>,
}

impl TenantDomain {
    pub fn parse(raw: &str) -> Result<TenantDomain, String> {
        let host = raw.trim().trim_end_matches('.').to_lowercase();
        if host.contains("://") || host.contains('/') || host.contains(':') {
            return Err(
                "give the host name only, without https://, a path or a port (e.g. acme-prod.us.auth0.com)".into()
            );
        }
        let labels: Vec<&str> = host.split('.').collect();
        let label_ok =
            |l: &&str| !l.is_empty() && l.len() <= 63 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if host.len() > 253 || labels.len() < 2 || !labels.iter().all(label_ok) {
            return Err(format!("{host:?} is not a host name (e.g. acme-prod.us.auth0.com)"));
        }
        if let Some(prefix) = host.strip_suffix(".auth0.com") {
            let parts: Vec<&str> = prefix.split('.').collect();
            let (name, region) = match parts.as_slice() {
                [name] => (*name, Region::Us),
                [name, region] => (*name, Region::parse(region).map_err(|e| format!("{host}: {e}"))?),
                _ => {
                    return Err(format!("{host:?} is not an Auth0 domain; expected NAME.REGION.auth0.com"));
                }
            };
            let name = TenantName::parse(name)
                .map_err(|p| format!("{host}: the tenant name is not valid: {}", p.join("; ")))?;
            return Ok(TenantDomain { host, name: Some(name), region: Some(region) });
        }
        Ok(TenantDomain { host, name: None, region: None })
    }
}

/// The population a tenant serves: customers, employees, affiliates, or a name of the company's own.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UserDomain(String);

impl UserDomain {
    pub fn parse(raw: &str) -> Result<UserDomain, String> {
        let name = raw.trim().to_lowercase();
        let len = name.chars().count();
        if (1..=60).contains(&len) && !name.chars().any(char::is_control) {
            Ok(UserDomain(name))
        } else {
            Err("the user domain must be 1 to 60 characters, e.g. customers, employees or affiliates".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the name checker says about a proposed tenant name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameCheck {
    pub name: String,
    /// Why the name cannot be used; empty when it can.
    pub problems: Vec<String>,
    /// The name in the recommended `{company}-{env}` form.
    pub suggestion: Option<String>,
    /// The name follows `{company}-{env}`.
    pub follows_convention: bool,
    /// A known tenant already has this name.
    pub collides_with_known: bool,
}

/// The known environment suffixes, longest first.
fn env_suffix(name: &str) -> Option<Environment> {
    let stem_of = |suffix: &str| name.strip_suffix(suffix).filter(|s| s.ends_with('-') && s.len() > 1);
    if name.rsplit_once("-sandbox").is_some_and(|(stem, n)| !stem.is_empty() && n.chars().all(|c| c.is_ascii_digit())) {
        return Some(Environment::Sandbox);
    }
    [Environment::Development, Environment::Qa, Environment::Uat, Environment::Staging, Environment::Production]
        .into_iter()
        .find(|e| stem_of(e.suffix()).is_some())
}

/// Whether a name follows `{company}-{env}` (`-dev`, `-qa`, `-uat`, `-staging`, `-prod`, `-sandboxN`).
pub fn follows_convention(name: &str) -> bool {
    env_suffix(name).is_some()
}

/// Checks a proposed name: the rules, the `{company}-{env}` convention, and collisions with known tenants.
pub fn check_name(raw: &str, company: Option<&str>, environment: Option<Environment>, known: &[String]) -> NameCheck {
    let name = raw.trim().to_string();
    let problems = TenantName::parse(&name).err().unwrap_or_default();
    let follows = follows_convention(&name);
    let suggestion = match (company.map(str::trim).filter(|c| !c.is_empty()), environment) {
        (Some(company), Some(env)) => Some(format!("{}-{}", company.to_lowercase(), env.suffix())),
        _ => None,
    }
    .filter(|s| *s != name);
    NameCheck {
        collides_with_known: known.iter().any(|k| k.eq_ignore_ascii_case(&name)),
        name,
        problems,
        suggestion,
        follows_convention: follows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_names_follow_auth0s_rules() {
        assert!(TenantName::parse("acme-prod").is_ok());
        assert!(TenantName::parse("ab").is_err());
        assert_eq!(TenantName::parse("-Acme_").expect_err("bad").len(), 2);
        assert!(TenantName::parse(&"a".repeat(64)).is_err());
    }

    #[test]
    fn domains_give_name_and_region() {
        let eu = TenantDomain::parse("Acme-Prod.EU.auth0.com.").expect("valid");
        assert_eq!(
            (eu.host.as_str(), eu.name.expect("name").as_str(), eu.region),
            ("acme-prod.eu.auth0.com", "acme-prod", Some(Region::Eu))
        );
        let legacy = TenantDomain::parse("acme.auth0.com").expect("valid");
        assert_eq!(legacy.region, Some(Region::Us));
        let custom = TenantDomain::parse("login.acme.com").expect("valid");
        assert_eq!((custom.name, custom.region), (None, None));
        assert!(TenantDomain::parse("https://acme.us.auth0.com").is_err());
        assert!(TenantDomain::parse("acme.xx.auth0.com").is_err());
        assert!(TenantDomain::parse("acme").is_err());
    }

    #[test]
    fn the_name_checker_suggests_the_convention_and_warns_of_collisions() {
        let known = vec!["acme-prod".to_string()];
        let check = check_name("Acme Production", Some("acme"), Some(Environment::Production), &known);
        assert!(!check.problems.is_empty());
        assert_eq!(check.suggestion.as_deref(), Some("acme-prod"));
        let taken = check_name("acme-prod", Some("acme"), Some(Environment::Production), &known);
        assert!(taken.problems.is_empty() && taken.collides_with_known && taken.follows_convention);
        assert_eq!(taken.suggestion, None);
        for name in ["acme-dev", "acme-qa", "acme-uat", "acme-staging", "acme-prod", "acme-sandbox2"] {
            assert!(follows_convention(name), "{name}");
        }
        for name in ["acme", "acmeprod", "prod", "-dev", "acme-production"] {
            assert!(!follows_convention(name), "{name}");
        }
    }
}
