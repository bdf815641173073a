//! The history's values: severities in order, what the watch sees, and where domain findings come from.

use chrono::{DateTime, Utc};

/// A severity's rank: `critical` above `warning` above `info` (anything else counts as `info`).
pub fn rank(severity: &str) -> u8 {
    match severity {
        "critical" => 2,
        "warning" => 1,
        _ => 0,
    }
}

/// One thing watched, as it is now.
#[derive(Clone, Debug, PartialEq)]
pub struct Seen {
    /// `tenant_poll:{id}`, `finding:…`.
    pub key: String,
    /// `ok`, a failure class, or `present`.
    pub state: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub tenants: Vec<String>,
    pub regions: Vec<String>,
    /// What the update says when the state is entered.
    pub text: String,
    pub severity: &'static str,
    pub kind: &'static str,
}

/// What is stored per key: the state, when its episode began, the notification's title.
pub type Stored = (String, DateTime<Utc>, String);

/// Where the watch reads the custom-domain findings. The domains area records its notices through
/// `notifications::record`, so notifications may not import it: the server gives the collector this at start.
#[async_trait::async_trait]
pub trait FindingsSource: Send + Sync + 'static {
    /// The custom-domain findings as the domains page shows them.
    async fn findings(&self) -> Result<Vec<app::domains::DomainFinding>, sqlx::Error>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_rank_critical_over_warning_over_info() {
        assert!(rank("critical") > rank("warning"));
        assert!(rank("warning") > rank("info"));
        assert_eq!(rank("other"), rank("info"));
    }
}
