//! Tenants as pages see them: the SDLC environments, Auth0 regions and company-account association.

mod api;
mod drift;
mod form;
mod inventory;
mod name_check;
mod tenant;

use std::fmt;

pub use api::*;
pub use drift::DriftPage;
pub use form::{TenantEditPage, TenantNewPage};
pub use inventory::TenantsPage;
pub use name_check::NameCheckPage;
pub use tenant::TenantPage;

use serde::{Deserialize, Serialize};

use crate::stored::stored_as_text;

/// The environment a tenant serves in the software lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Environment {
    Development,
    Qa,
    Uat,
    Staging,
    Production,
    Sandbox,
}

/// The inventory's columns: development | qa/uat/staging | production | sandboxes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SdlcColumn {
    Development,
    Testing,
    Production,
    Sandbox,
}

impl Environment {
    pub const ALL: [Environment; 6] = [
        Environment::Development,
        Environment::Qa,
        Environment::Uat,
        Environment::Staging,
        Environment::Production,
        Environment::Sandbox,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Development => "development",
            Environment::Qa => "qa",
            Environment::Uat => "uat",
            Environment::Staging => "staging",
            Environment::Production => "production",
            Environment::Sandbox => "sandbox",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Environment::Development => "Development",
            Environment::Qa => "QA",
            Environment::Uat => "UAT",
            Environment::Staging => "Staging",
            Environment::Production => "Production",
            Environment::Sandbox => "Sandbox",
        }
    }

    /// The name suffix the operations guide recommends: `{company}-dev`, `-qa`, `-uat`, `-staging`, `-prod`,
    /// `-sandbox1`.
    pub fn suffix(self) -> &'static str {
        match self {
            Environment::Development => "dev",
            Environment::Qa => "qa",
            Environment::Uat => "uat",
            Environment::Staging => "staging",
            Environment::Production => "prod",
            Environment::Sandbox => "sandbox1",
        }
    }

    pub fn column(self) -> SdlcColumn {
        match self {
            Environment::Development => SdlcColumn::Development,
            Environment::Qa | Environment::Uat | Environment::Staging => SdlcColumn::Testing,
            Environment::Production => SdlcColumn::Production,
            Environment::Sandbox => SdlcColumn::Sandbox,
        }
    }

    pub fn parse(raw: &str) -> Result<Environment, String> {
        let raw = raw.trim().to_lowercase();
        Environment::ALL.into_iter().find(|e| e.as_str() == raw || e.suffix() == raw).ok_or_else(|| {
            format!("unknown environment {raw:?}; expected development, qa, uat, staging, production or sandbox")
        })
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Auth0's public-cloud regions, from the tenant's domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Region {
    Us,
    Eu,
    Au,
    Jp,
    Ca,
    Uk,
}

impl Region {
    pub const ALL: [Region; 6] = [Region::Us, Region::Eu, Region::Au, Region::Jp, Region::Ca, Region::Uk];

    pub fn as_str(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Eu => "eu",
            Region::Au => "au",
            Region::Jp => "jp",
            Region::Ca => "ca",
            Region::Uk => "uk",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Region::Us => "US",
            Region::Eu => "EU",
            Region::Au => "AU",
            Region::Jp => "JP",
            Region::Ca => "CA",
            Region::Uk => "UK",
        }
    }

    pub fn parse(raw: &str) -> Result<Region, String> {
        let raw = raw.trim().to_lowercase();
        Region::ALL
            .into_iter()
            .find(|r| r.as_str() == raw)
            .ok_or_else(|| format!("unknown region {raw:?}; expected us, eu, au, jp, ca or uk"))
    }
}

/// Whether the tenant is associated with the company's Auth0 account (billing, support, features).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Association {
    Associated,
    NotAssociated,
    Unknown,
}

impl Association {
    pub fn as_str(self) -> &'static str {
        match self {
            Association::Associated => "associated",
            Association::NotAssociated => "not_associated",
            Association::Unknown => "unknown",
        }
    }

    pub fn parse(raw: &str) -> Result<Association, String> {
        match raw.trim() {
            "associated" => Ok(Association::Associated),
            "not_associated" => Ok(Association::NotAssociated),
            "unknown" | "" => Ok(Association::Unknown),
            other => Err(format!("unknown association {other:?}; expected associated, not_associated or unknown")),
        }
    }
}

stored_as_text!(Environment, Environment::parse);
stored_as_text!(Region, Region::parse);
stored_as_text!(Association, Association::parse);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environments_parse_by_name_or_suffix_and_fall_into_sdlc_columns() {
        assert_eq!(Environment::parse("prod"), Ok(Environment::Production));
        assert_eq!(Environment::parse(" UAT "), Ok(Environment::Uat));
        assert_eq!(Environment::Uat.column(), SdlcColumn::Testing);
        assert!(Environment::parse("preprod").is_err());
        assert_eq!(Region::parse("EU"), Ok(Region::Eu));
        assert_eq!(Association::parse(""), Ok(Association::Unknown));
    }
}
