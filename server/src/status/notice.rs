//! What a new incident update becomes in the notification history: one notification per incident (the same Auth0
//! incident seen through several tenants' feeds is one), one notification update per incident update. The poll
//! records it with `notifications::record::apply` in the transaction that stores the update, so none is lost.

use app::ids::SourceId;
use chrono::{DateTime, Utc};

use super::adapters::SourceKind;
use super::model::{Incident, Phase, Update};
use crate::notifications::record::Incoming;

/// The source an update came from, as a notice names it.
pub struct NoticeSource<'a> {
    pub id: SourceId,
    pub kind: SourceKind,
    pub name: &'a str,
    /// For a tenant's Auth0 feed: the tenant's name and region.
    pub tenant: Option<&'a str>,
    pub region: Option<&'a str>,
}

/// How severe an incident update is: by the incident's impact (Statuspage's `minor`/`major`/`critical`, Google's
/// `low`/`medium`/`high`), else by the update's phase.
pub fn incident_severity(impact: Option<&str>, phase: Phase) -> &'static str {
    match impact {
        Some("critical") | Some("major") | Some("high") => "critical",
        Some("minor") | Some("medium") => "warning",
        _ if phase.is_over() => "info",
        _ => "warning",
    }
}

/// The notice of one new update of `incident`, first seen at `seen_at`. It is dated when the provider published it;
/// an update a source gives no time falls back to its incident's times, and only then to `seen_at` — so an
/// archive read for the first time lands in the past, where `record::apply` keeps it as history.
pub fn incoming(from: &NoticeSource<'_>, incident: &Incident, update: &Update, seen_at: DateTime<Utc>) -> Incoming {
    let auth0 = from.kind == SourceKind::Auth0Feed;
    let scope = if auth0 { "auth0".to_string() } else { from.id.to_string() };
    let external = &incident.id;
    Incoming {
        origin: format!("status:{scope}:{external}"),
        source: if auth0 { "auth0_status" } else { "provider_status" },
        kind: "incident".into(),
        severity: incident_severity(incident.impact.as_deref(), update.phase),
        title: if auth0 { format!("Auth0: {}", incident.title) } else { format!("{}: {}", from.name, incident.title) },
        body: String::new(),
        link: incident.link.clone(),
        tenants: from.tenant.map(str::to_string).into_iter().collect(),
        regions: from.region.map(str::to_string).into_iter().collect(),
        at: update.at.or(incident.updated_at).or(incident.started_at).unwrap_or(seen_at).min(seen_at),
        update_origin: format!("status:{scope}:{external}:{}", update.id),
        text: format!("{}: {}", update.phase.as_str(), update.text),
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn incident(impact: Option<&str>) -> Incident {
        Incident {
            id: "inc-1".into(),
            title: "Logins fail".into(),
            impact: impact.map(str::to_string),
            phase: Phase::Investigating,
            started_at: None,
            updated_at: None,
            link: Some("https://status.example.test/inc-1".into()),
            updates: Vec::new(),
        }
    }

    fn update(phase: Phase, at: Option<DateTime<Utc>>) -> Update {
        Update { id: "u-2".into(), at, phase, text: "We are looking into it".into() }
    }

    #[test]
    fn an_auth0_update_is_one_notice_across_tenants_and_names_the_tenant_and_region() {
        let id = SourceId(Uuid::new_v4());
        let from = NoticeSource {
            id,
            kind: SourceKind::Auth0Feed,
            name: "Auth0 · a.auth0.com",
            tenant: Some("acme"),
            region: Some("eu"),
        };
        let seen = Utc::now();
        let n = incoming(&from, &incident(None), &update(Phase::Investigating, None), seen);
        assert_eq!(n.origin, "status:auth0:inc-1");
        assert_eq!(n.update_origin, "status:auth0:inc-1:u-2");
        assert_eq!((n.source, n.severity, n.title.as_str()), ("auth0_status", "warning", "Auth0: Logins fail"));
        assert_eq!((n.tenants, n.regions), (vec!["acme".to_string()], vec!["eu".to_string()]));
        assert_eq!((n.at, n.text.as_str()), (seen, "investigating: We are looking into it"));
        assert_eq!(n.link.as_deref(), Some("https://status.example.test/inc-1"));
    }

    #[test]
    fn a_provider_update_is_scoped_to_its_source_and_dated_by_the_source() {
        let id = SourceId(Uuid::new_v4());
        let from = NoticeSource { id, kind: SourceKind::Statuspage, name: "SendGrid", tenant: None, region: None };
        let at = Utc::now() - chrono::Duration::minutes(5);
        let n = incoming(&from, &incident(Some("major")), &update(Phase::Resolved, Some(at)), Utc::now());
        assert_eq!(n.origin, format!("status:{id}:inc-1"));
        assert_eq!((n.source, n.severity, n.title.as_str()), ("provider_status", "critical", "SendGrid: Logins fail"));
        assert_eq!(n.at, at);
        assert!(n.tenants.is_empty() && n.regions.is_empty());
    }

    #[test]
    fn severity_follows_the_impact_then_the_phase() {
        assert_eq!(incident_severity(Some("critical"), Phase::Resolved), "critical");
        assert_eq!(incident_severity(Some("minor"), Phase::Investigating), "warning");
        assert_eq!(incident_severity(Some("none"), Phase::Postmortem), "info");
        assert_eq!(incident_severity(None, Phase::Other), "warning");
    }
}
