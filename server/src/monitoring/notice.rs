//! The hand-off to notifications: every alert event the check job records becomes an update of the alert's
//! notification, recorded by `notifications::record::apply` in the same transaction as the event (idempotent by the
//! event's origin), so no alert is lost between the two areas.

use chrono::{DateTime, Utc};

use super::model::CheckId;
use crate::notifications::record::Incoming;

/// An alert event as just recorded, with what its notice names.
pub struct AlertEvent<'a> {
    /// The `monitoring_events` row.
    pub id: i64,
    pub alert_id: i64,
    pub check: CheckId,
    pub check_name: &'a str,
    /// `login`, `testall`, `test`, or a reachability kind (`tcp`, `https`, `smtp`).
    pub check_kind: &'a str,
    pub tenant_name: &'a str,
    pub region: Option<&'a str>,
    pub at: DateTime<Utc>,
    /// `alert_opened`, `alert_resolved` or `alert_reminder`.
    pub kind: &'a str,
    pub detail: &'a str,
}

/// The notification update an alert event is: one notification per alert, one update per event.
pub fn incoming(e: &AlertEvent<'_>) -> Incoming {
    Incoming {
        origin: format!("monitoring:alert:{}", e.alert_id),
        source: "console",
        kind: app::monitoring::alert_kind(e.check_kind).into(),
        severity: if e.kind == "alert_resolved" { "info" } else { "critical" },
        title: format!("{} on {} is failing", e.check_name, e.tenant_name),
        body: String::new(),
        link: Some(format!("/monitoring/{}", e.check)),
        tenants: vec![e.tenant_name.to_string()],
        regions: e.region.map(str::to_string).into_iter().collect(),
        at: e.at,
        update_origin: format!("monitoring:event:{}", e.id),
        text: format!("{}: {}", e.kind.replace('_', " "), e.detail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use uuid::Uuid;

    #[test]
    fn an_alert_event_becomes_the_update_the_collector_made() {
        let at = Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).single().expect("date");
        let check = CheckId(Uuid::nil());
        let event = AlertEvent {
            id: 7,
            alert_id: 3,
            check,
            check_name: "Customer login",
            check_kind: "login",
            tenant_name: "acme-prod",
            region: Some("us"),
            at,
            kind: "alert_opened",
            detail: "3 failures in a row; blocked: unblock the user",
        };
        let n = incoming(&event);
        assert_eq!((n.origin.as_str(), n.update_origin.as_str()), ("monitoring:alert:3", "monitoring:event:7"));
        assert_eq!((n.source, n.kind.as_str(), n.severity), ("console", "synthetic_login_alert", "critical"));
        assert_eq!(n.title, "Customer login on acme-prod is failing");
        assert_eq!(n.link.as_deref(), Some("/monitoring/00000000-0000-0000-0000-000000000000"));
        assert_eq!((n.tenants, n.regions, n.at), (vec!["acme-prod".to_string()], vec!["us".to_string()], at));
        assert_eq!(n.text, "alert opened: 3 failures in a row; blocked: unblock the user");
        assert!(n.body.is_empty());

        let resolved = incoming(&AlertEvent { kind: "alert_resolved", check_kind: "testall", region: None, ..event });
        assert_eq!((resolved.kind.as_str(), resolved.severity), ("monitoring_alert", "info"));
        assert!(resolved.regions.is_empty());
        assert!(resolved.text.starts_with("alert resolved: "));
        assert_eq!(incoming(&AlertEvent { check_kind: "smtp", ..event }).kind, "reachability_alert");
    }
}
