//! The single sign-on settings (`sso.*`, `accounts.local_passwords`), checked together: an issuer needs a client id
//! and secret, and turning passwords off needs single sign-on (or nobody could sign in).

use std::fmt;

use app::accounts::Role;

use super::parsers::true_or_false;
use super::{ConfigError, Values};

/// How the console signs people in through a provider (`sso.*` settings).
#[derive(Clone)]
pub struct SsoSettings {
    /// The provider's issuer, exactly as its discovery document says it (`https://example.eu.auth0.com/`).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// The sign-in button's words.
    pub label: String,
    /// The claim whose values give the role (`roles`, `groups`, or an Auth0 namespaced claim).
    pub roles_claim: String,
    /// Claim value → role. Empty: the values `helpdesk`, `developer`, `ops_lead` and `admin` map to themselves.
    pub role_map: Vec<(String, Role)>,
    /// The role of a new user whose claim maps to no role; `None` refuses them.
    pub default_role: Option<Role>,
    /// The provider may be on a private address (the demo's and the tests' simulator).
    pub allow_private: bool,
}

impl fmt::Debug for SsoSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsoSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("roles_claim", &self.roles_claim)
            .field("role_map", &self.role_map)
            .field("default_role", &self.default_role)
            .finish()
    }
}

/// `None` when no issuer is set.
pub(super) fn parse(values: &Values) -> Result<Option<SsoSettings>, ConfigError> {
    let issuer = values.parse("sso.issuer", |v| match reqwest::Url::parse(v) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(v.to_string()),
        _ => Err("not an http(s) URL".to_string()),
    })?;
    let Some(issuer) = issuer else { return Ok(None) };
    let text = |key: &str| values.parse(key, |v| Ok(v.to_string()));
    let client_id = text("sso.client_id")?.filter(|v| !v.is_empty());
    let client_secret = text("sso.client_secret")?.filter(|v| !v.is_empty());
    let (Some(client_id), Some(client_secret)) = (client_id, client_secret) else {
        return Err(ConfigError::new(
            "TENANTRY_SSO_ISSUER",
            "single sign-on needs the console application's client id and secret too: set TENANTRY_SSO_CLIENT_ID \
             and TENANTRY_SSO_CLIENT_SECRET (sso.client_id, sso.client_secret)",
        ));
    };
    Ok(Some(SsoSettings {
        issuer,
        client_id,
        client_secret,
        label: values
            .parse("sso.label", |v| {
                let n = v.chars().count();
                if (1..=60).contains(&n) { Ok(v.to_string()) } else { Err(format!("{n} characters")) }
            })?
            .expect("has a default"),
        roles_claim: values
            .parse("sso.roles_claim", |v| if v.is_empty() { Err("empty".into()) } else { Ok(v.to_string()) })?
            .expect("has a default"),
        role_map: values.parse("sso.role_map", parse_map)?.unwrap_or_default(),
        default_role: values
            .parse("sso.default_role", |v| if v == "none" { Ok(None) } else { Role::parse(v).map(Some) })?
            .expect("has a default"),
        allow_private: values.parse("sso.allow_private_targets", true_or_false)?.unwrap_or(false),
    }))
}

/// `accounts.local_passwords`, refused off without single sign-on.
pub(super) fn local_passwords(values: &Values, sso: &Option<SsoSettings>) -> Result<bool, ConfigError> {
    let on = values.parse("accounts.local_passwords", true_or_false)?.expect("has a default");
    if !on && sso.is_none() {
        return Err(ConfigError::new(
            "TENANTRY_LOCAL_PASSWORDS",
            "false needs single sign-on (TENANTRY_SSO_ISSUER); without either nobody could sign in",
        ));
    }
    Ok(on)
}

/// Parses `sso.role_map`: `VALUE=ROLE` pairs separated by commas (`tenantry-admins=admin, support=helpdesk`).
pub fn parse_map(raw: &str) -> Result<Vec<(String, Role)>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (value, role) =
                pair.rsplit_once('=').ok_or_else(|| format!("{pair:?} has no `=`; write VALUE=ROLE"))?;
            let value = value.trim();
            if value.is_empty() {
                return Err(format!("{pair:?} has no claim value before `=`"));
            }
            Ok((value.to_string(), Role::parse(role)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_map_says_what_to_write() {
        assert!(parse_map("ops").expect_err("no =").contains("VALUE=ROLE"));
        assert!(parse_map("ops=root").expect_err("unknown role").contains("unknown role"));
        assert!(parse_map("=admin").is_err());
        assert_eq!(parse_map("").expect("empty is no map"), vec![]);
        // A claim value may itself hold `=`: the role is after the last one.
        assert_eq!(parse_map("team=ops=admin").expect("map"), vec![("team=ops".to_string(), Role::Admin)]);
    }
}
