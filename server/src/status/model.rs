//! What every status source is normalised to: a state, components, incidents with their updates; and the rule that
//! decides a source's health at read time.

use chrono::{DateTime, Utc};

/// A source's or component's state: the one enum pages show (`app::status::Health`), stored as its `as_str`.
pub use app::status::Health;

/// Where an incident is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
    Postmortem,
    /// Scheduled maintenance and anything a generic feed does not say.
    Other,
}

impl Phase {
    pub fn parse(raw: &str) -> Phase {
        match raw.trim().to_lowercase().as_str() {
            "investigating" => Phase::Investigating,
            "identified" => Phase::Identified,
            "monitoring" => Phase::Monitoring,
            "resolved" | "completed" => Phase::Resolved,
            "postmortem" => Phase::Postmortem,
            _ => Phase::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Investigating => "investigating",
            Phase::Identified => "identified",
            Phase::Monitoring => "monitoring",
            Phase::Resolved => "resolved",
            Phase::Postmortem => "postmortem",
            Phase::Other => "other",
        }
    }

    /// Resolved or postmortem: the incident is over.
    pub fn is_over(self) -> bool {
        matches!(self, Phase::Resolved | Phase::Postmortem)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Component {
    pub id: String,
    pub name: String,
    pub state: Health,
}

/// One update of an incident, as the source published it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update {
    /// Stable across polls (the source's id, or a hash of time and text), so an update is stored once.
    pub id: String,
    pub at: Option<DateTime<Utc>>,
    pub phase: Phase,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incident {
    pub id: String,
    pub title: String,
    /// `none`, `minor`, `major`, `critical`, or the source's own word.
    pub impact: Option<String>,
    pub phase: Phase,
    pub started_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub link: Option<String>,
    /// Oldest first.
    pub updates: Vec<Update>,
}

/// One poll's view of a source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    pub state: Health,
    pub components: Vec<Component>,
    pub incidents: Vec<Incident>,
}

/// A source's health at `now`: what it last said, unless its last good read is older than three of its intervals
/// (or it was never read well), then unknown — a silent source is never shown as green.
pub fn health_at(said: &str, last_good_at: Option<DateTime<Utc>>, interval_secs: i32, now: DateTime<Utc>) -> Health {
    match last_good_at {
        Some(at) if at >= now - chrono::Duration::seconds(i64::from(interval_secs) * 3) => Health::parse(said),
        _ => Health::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_silent_for_three_intervals_is_unknown_and_a_fresh_one_says_what_it_read() {
        let now = Utc::now();
        let two_minutes = 120;
        assert_eq!(
            health_at("major_outage", Some(now - chrono::Duration::minutes(5)), two_minutes, now),
            Health::MajorOutage
        );
        assert_eq!(
            health_at("operational", Some(now - chrono::Duration::minutes(6)), two_minutes, now),
            Health::Operational
        );
        assert_eq!(
            health_at("operational", Some(now - chrono::Duration::minutes(7)), two_minutes, now),
            Health::Unknown
        );
        assert_eq!(health_at("operational", None, two_minutes, now), Health::Unknown);
        assert_eq!(health_at("nonsense", Some(now), two_minutes, now), Health::Unknown);
    }

    #[test]
    fn phases_parse_from_what_sources_write() {
        assert_eq!(Phase::parse(" Completed "), Phase::Resolved);
        assert!(Phase::parse("postmortem").is_over());
        assert_eq!(Phase::parse("scheduled"), Phase::Other);
    }
}
