//! Every job kind, named once. Each area registers its jobs under these names; an area that changes what another
//! area's job reads asks for that job here, by name, instead of importing the other area.

use std::time::Duration;

pub const TENANTS_SNAPSHOT: &str = "tenants.snapshot";
pub const STATUS_POLL: &str = "status.poll";
pub const STATUS_SYNC: &str = "status.sync";
pub const MONITORING_CHECK: &str = "monitoring.check";
pub const MONITORING_ROLLUP: &str = "monitoring.rollup";
pub const DOMAINS_SYNC: &str = "domains.sync";
pub const DOMAINS_CHECK: &str = "domains.check";
pub const NOTIFICATIONS_COLLECT: &str = "notifications.collect";
pub const NOTIFICATIONS_FEED: &str = "notifications.feed";
pub const NOTIFICATIONS_PRUNE: &str = "notifications.prune";
pub const INFRA_IP_RANGES: &str = "infra.ip_ranges";
pub const INFRA_MAIL: &str = "infra.mail";
pub const CHECKLISTS_EVALUATE: &str = "checklists.evaluate";

/// The jobs that follow the tenant registry (each under the key `all`): the status sync gives every tenant its
/// Auth0 feed, the domains sync reads the custom domains of the latest snapshots, the checklists evaluate each
/// tenant (its environment decides some verdicts).
pub const REGISTRY_FOLLOWERS: &[&str] = &[STATUS_SYNC, DOMAINS_SYNC, CHECKLISTS_EVALUATE];
/// How often a registry follower runs on its own.
pub const SYNC_INTERVAL: Duration = Duration::from_secs(60);
pub const LOGS_PULL: &str = "logs.pull";
pub const LOGS_RETENTION: &str = "logs.retention";
pub const LOGS_HEALTH: &str = "logs.health";
pub const PEAK_SPIKES: &str = "peak.spikes";
