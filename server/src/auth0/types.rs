//! Auth0's answers as typed values. Every type tolerates fields it does not know (Auth0 adds fields), and the
//! client keeps the raw JSON beside the typed value for snapshots.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `POST /oauth/token` success.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub expires_in: u64,
    pub token_type: String,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub id_token: Option<String>,
}

/// The error body of the Authentication API (`/oauth/token`).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct OAuthError {
    pub error: String,
    #[serde(default)]
    pub error_description: Option<String>,
}

/// The error body of the Management API.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct ManagementError {
    #[serde(rename = "statusCode")]
    pub status_code: u16,
    pub error: String,
    pub message: String,
    #[serde(rename = "errorCode", default)]
    pub error_code: Option<String>,
}

/// `GET /api/v2/tenants/settings`: the fields the console reads.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct TenantSettings {
    #[serde(default)]
    pub friendly_name: Option<String>,
    #[serde(default)]
    pub support_email: Option<String>,
    #[serde(default)]
    pub support_url: Option<String>,
    #[serde(default)]
    pub default_directory: Option<String>,
    #[serde(default)]
    pub default_audience: Option<String>,
    #[serde(default)]
    pub enabled_locales: Option<Vec<String>>,
    #[serde(default)]
    pub session_lifetime: Option<f64>,
    #[serde(default)]
    pub idle_session_lifetime: Option<f64>,
    #[serde(default)]
    pub sandbox_version: Option<String>,
    #[serde(default)]
    pub flags: Option<serde_json::Map<String, Value>>,
}

/// One custom domain.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct CustomDomain {
    pub custom_domain_id: String,
    pub domain: String,
    #[serde(default)]
    pub primary: bool,
    pub status: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub origin_domain_name: Option<String>,
    #[serde(default)]
    pub verification: Option<Verification>,
    #[serde(default)]
    pub certificate: Option<Certificate>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Verification {
    #[serde(default)]
    pub methods: Vec<VerificationMethod>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub error_msg: Option<String>,
    #[serde(default)]
    pub last_verified_at: Option<String>,
}

/// A DNS record Auth0 expects; `name` is `CNAME`/`cname` or `TXT`/`txt` (compare case-insensitively).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct VerificationMethod {
    pub name: String,
    pub record: String,
    #[serde(default)]
    pub domain: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Certificate {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub error_msg: Option<String>,
    #[serde(default)]
    pub certificate_authority: Option<String>,
    #[serde(default)]
    pub renews_before: Option<String>,
}

/// `GET /api/v2/custom-domains`: a plain array, or a page `{custom_domains, next}` with `take`/`from`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum CustomDomainList {
    All(Vec<CustomDomain>),
    Page {
        custom_domains: Vec<CustomDomain>,
        #[serde(default)]
        next: Option<String>,
    },
}

impl CustomDomainList {
    pub fn domains(&self) -> &[CustomDomain] {
        match self {
            CustomDomainList::All(all) => all,
            CustomDomainList::Page { custom_domains, .. } => custom_domains,
        }
    }
}

/// `GET /api/v2/custom-domains/default`.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct DefaultDomain {
    pub domain: String,
}

/// `GET /api/v2/emails/provider`.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct EmailProvider {
    pub name: String,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub default_from_address: Option<String>,
}

/// One log stream. Its `sink` can hold credentials in clear: the client never keeps it.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct LogStream {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    #[serde(default)]
    pub filters: Vec<Value>,
}

/// One day of `GET /api/v2/stats/daily`.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct DailyStats {
    pub date: String,
    #[serde(default)]
    pub logins: u64,
    #[serde(default)]
    pub signups: u64,
    #[serde(default)]
    pub leaked_passwords: u64,
}

/// One log event (`GET /api/v2/logs`, `/logs/{id}`): the fields the console reads.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct LogEvent {
    pub log_id: String,
    pub date: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_name: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub ip: Option<String>,
}
