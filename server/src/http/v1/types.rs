//! What the JSON API sends and takes. These types are the API's contract (the OpenAPI document is generated from
//! them); they are made from the pages' DTOs, so a page change does not silently change the API.

use app::notifications::{NoticeDetail, NoticeRow};
use app::tenants::{ChangeRow, Finding as PageFinding, TenantCell, TenantDetail as PageDetail};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A custom domain as the tenant's latest snapshot names it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CustomDomainRef {
    pub domain: String,
    /// Auth0's status: `ready`, `pending_verification`, …
    pub status: String,
}

/// The last poll's failure, while it lasts.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PollFailure {
    /// `unauthorized`, `rate_limited`, `unreachable`, …
    pub class: String,
    pub message: String,
}

/// A registered Auth0 tenant.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Tenant {
    pub id: Uuid,
    pub name: String,
    /// `acme-prod.eu.auth0.com`
    pub domain: String,
    /// `us`, `eu`, `au`, `jp`, … (none for a private-cloud domain)
    pub region: Option<String>,
    /// `development`, `qa`, `uat`, `staging`, `production` or `sandbox`.
    pub environment: String,
    pub user_domain: String,
    /// Whether the tenant is associated with the company's Auth0 account.
    pub association: String,
    pub account_name: String,
    pub paid_features: bool,
    pub custom_domains: Vec<CustomDomainRef>,
    /// The email provider's name; none: Auth0's built-in provider (or not read yet).
    pub email_provider: Option<String>,
    pub has_snapshot: bool,
    pub last_snapshot_at: Option<DateTime<Utc>>,
    pub poll_failure: Option<PollFailure>,
}

impl From<&TenantCell> for Tenant {
    fn from(c: &TenantCell) -> Tenant {
        Tenant {
            id: c.id.0,
            name: c.name.clone(),
            domain: c.domain.clone(),
            region: c.region.map(|r| r.as_str().to_string()),
            environment: c.environment.as_str().to_string(),
            user_domain: c.user_domain.clone(),
            association: c.association.as_str().to_string(),
            account_name: c.account_name.clone(),
            paid_features: c.paid_features,
            custom_domains: c
                .custom_domains
                .iter()
                .map(|(domain, status)| CustomDomainRef { domain: domain.clone(), status: status.clone() })
                .collect(),
            email_provider: c.email_provider.clone(),
            has_snapshot: c.has_snapshot,
            last_snapshot_at: c.last_success_at,
            poll_failure: c
                .failure
                .as_ref()
                .map(|(class, message)| PollFailure { class: class.clone(), message: message.clone() }),
        }
    }
}

/// One field that changed between two snapshots.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Change {
    pub at: DateTime<Utc>,
    /// The field's path in the snapshot (`settings.session_lifetime`).
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl From<&ChangeRow> for Change {
    fn from(c: &ChangeRow) -> Change {
        Change { at: c.at, field: c.field.clone(), before: c.before.clone(), after: c.after.clone() }
    }
}

/// A tenant named by a finding.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TenantRef {
    pub id: Uuid,
    pub name: String,
}

/// Something the operations guide asks that the registry does not meet.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Finding {
    /// A stable name: `missing_sdlc_companions`, `name_convention`, …
    pub kind: String,
    pub title: String,
    pub reasoning: String,
    /// The guide's section.
    pub guide: String,
    pub tenants: Vec<TenantRef>,
}

impl From<&PageFinding> for Finding {
    fn from(f: &PageFinding) -> Finding {
        Finding {
            kind: f.kind.clone(),
            title: f.title.clone(),
            reasoning: f.reasoning.clone(),
            guide: f.guide.clone(),
            tenants: f.tenants.iter().map(|(id, name)| TenantRef { id: id.0, name: name.clone() }).collect(),
        }
    }
}

/// A tenant with its latest snapshot's facts, recent changes and findings.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TenantDetail {
    pub tenant: Tenant,
    /// The Management API client the console reads with (its secret is never sent).
    pub client_id: String,
    pub api_base_url: Option<String>,
    pub notes: String,
    pub snapshot_at: Option<DateTime<Utc>>,
    pub next_poll_at: Option<DateTime<Utc>>,
    pub active_users: Option<i64>,
    /// The latest snapshot's settings, as the tenant page shows them.
    pub settings: Vec<SnapshotField>,
    /// The latest snapshot's configuration (connections, applications, Actions, email provider, …).
    pub configuration: Vec<SnapshotField>,
    /// Parts of the snapshot Auth0 did not answer (a scope missing, an endpoint gone).
    pub unknown: Vec<String>,
    /// Recent changes between snapshots, newest first.
    pub changes: Vec<Change>,
    pub findings: Vec<Finding>,
}

/// One field of a snapshot.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SnapshotField {
    pub field: String,
    pub value: String,
}

fn fields(pairs: &[(String, String)]) -> Vec<SnapshotField> {
    pairs.iter().map(|(field, value)| SnapshotField { field: field.clone(), value: value.clone() }).collect()
}

impl From<&PageDetail> for TenantDetail {
    fn from(d: &PageDetail) -> TenantDetail {
        TenantDetail {
            tenant: Tenant::from(&d.cell),
            client_id: d.client_id.clone(),
            api_base_url: d.api_base_url.clone(),
            notes: d.notes.clone(),
            snapshot_at: d.snapshot_at,
            next_poll_at: d.next_poll_at,
            active_users: d.active_users,
            settings: fields(&d.settings),
            configuration: fields(&d.configuration),
            unknown: d.unknown.clone(),
            changes: d.history.iter().map(Change::from).collect(),
            findings: d.findings.iter().map(Finding::from).collect(),
        }
    }
}

/// A tenant to register: the same fields, rules and messages as the console's form.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct NewTenant {
    /// `acme-prod.eu.auth0.com`, or a private-cloud domain.
    pub domain: String,
    /// Empty: the domain's first label.
    #[serde(default)]
    pub name: String,
    /// `us`, `eu`, `au`, `jp`, `ca`, `uk`, … (empty: from the domain).
    #[serde(default)]
    pub region: String,
    /// `development`, `qa`, `uat`, `staging`, `production` or `sandbox`.
    pub environment: String,
    pub user_domain: String,
    /// `associated`, `unassociated` or `unknown`.
    pub association: String,
    #[serde(default)]
    pub account_name: String,
    #[serde(default)]
    pub paid_features: bool,
    pub client_id: String,
    pub client_secret: String,
    /// Empty: `https://{domain}`.
    #[serde(default)]
    pub api_base_url: String,
    #[serde(default)]
    pub notes: String,
}

impl From<NewTenant> for app::tenants::TenantFields {
    fn from(n: NewTenant) -> app::tenants::TenantFields {
        app::tenants::TenantFields {
            domain: n.domain,
            name: n.name,
            region: n.region,
            environment: n.environment,
            user_domain: n.user_domain,
            association: n.association,
            account_name: n.account_name,
            paid_features: n.paid_features,
            client_id: n.client_id,
            client_secret: n.client_secret,
            api_base_url: n.api_base_url,
            notes: n.notes,
        }
    }
}

/// One page of tenants, by name.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TenantPage {
    pub items: Vec<Tenant>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters and paging of the tenant list.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TenantListQuery {
    /// 1–200; 50 when absent.
    pub limit: Option<usize>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Only this environment.
    pub environment: Option<String>,
}

/// Who acknowledged a notification, and when.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Acknowledgement {
    pub at: DateTime<Utc>,
    pub by: String,
}

/// A notice in the history: an incident, advisory, change notice, alert, domain change or finding.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Notification {
    pub id: i64,
    /// What it came from: `status`, `advisory`, `monitoring`, `domains`, `tenants`, …
    pub source: String,
    pub kind: String,
    /// `info`, `warning` or `critical`.
    pub severity: String,
    pub title: String,
    pub tenants: Vec<String>,
    pub regions: Vec<String>,
    pub first_seen_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updates: i64,
    pub acknowledged: Option<Acknowledgement>,
}

impl From<&NoticeRow> for Notification {
    fn from(r: &NoticeRow) -> Notification {
        Notification {
            id: r.id.0,
            source: r.source.clone(),
            kind: r.kind.clone(),
            severity: r.severity.clone(),
            title: r.title.clone(),
            tenants: r.tenants.clone(),
            regions: r.regions.clone(),
            first_seen_at: r.first_seen_at,
            updated_at: r.updated_at,
            updates: r.updates,
            acknowledged: r.acknowledged.as_ref().map(|(at, by)| Acknowledgement { at: *at, by: by.clone() }),
        }
    }
}

/// One entry of a notification's timeline.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NotificationUpdate {
    pub at: DateTime<Utc>,
    /// `update`, `acknowledged`, `reopened`.
    pub kind: String,
    pub severity: String,
    pub text: String,
}

/// A notification with its text and timeline.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NotificationDetail {
    pub notification: Notification,
    pub body: String,
    pub link: Option<String>,
    /// Oldest first.
    pub timeline: Vec<NotificationUpdate>,
}

impl From<&NoticeDetail> for NotificationDetail {
    fn from(d: &NoticeDetail) -> NotificationDetail {
        NotificationDetail {
            notification: Notification::from(&d.row),
            body: d.body.clone(),
            link: d.link.clone(),
            timeline: d
                .timeline
                .iter()
                .map(|u| NotificationUpdate {
                    at: u.at,
                    kind: u.kind.clone(),
                    severity: u.severity.clone(),
                    text: u.text.clone(),
                })
                .collect(),
        }
    }
}

/// One page of notifications, most recently updated first.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<Notification>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters and paging of the notification history.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationListQuery {
    /// 1–200; 50 when absent.
    pub limit: Option<usize>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// `open` (not acknowledged) or `acknowledged`.
    pub state: Option<String>,
    /// `info`, `warning` or `critical`.
    pub severity: Option<String>,
    /// A tenant's name.
    pub tenant: Option<String>,
}

/// An acknowledgement's comment.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct Acknowledge {
    /// Up to 2,000 characters; may be empty.
    #[serde(default)]
    pub comment: String,
}
