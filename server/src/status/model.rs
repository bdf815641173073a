//! What every status source is normalised to: a state, components, incidents with their updates; and the rule that
//! decides a source's health at read time.

use chrono::{DateTime, Utc};

/// A source's or component's state: the one enum pages show (`app::status::Health`), stored as its `as_str`.
pub use app::status::Health;

/// Where an incident is in its life, in the words providers use (Statuspage's incident and maintenance phases).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    Investigating,
    Identified,
    /// A Statuspage history feed's "Update": news without a change of phase.
    Update,
    Monitoring,
    Resolved,
    Postmortem,
    /// Maintenance: announced, under way, being checked.
    Scheduled,
    InProgress,
    Verifying,
    /// Anything a generic feed does not say.
    Other,
}

impl Phase {
    pub fn parse(raw: &str) -> Phase {
        match raw.trim().to_lowercase().replace('_', " ").as_str() {
            "investigating" => Phase::Investigating,
            "identified" => Phase::Identified,
            "update" => Phase::Update,
            "monitoring" => Phase::Monitoring,
            "resolved" | "completed" => Phase::Resolved,
            "postmortem" => Phase::Postmortem,
            "scheduled" => Phase::Scheduled,
            "in progress" => Phase::InProgress,
            "verifying" => Phase::Verifying,
            _ => Phase::Other,
        }
    }

    /// The phase a plain-language update says it is in, for feeds that write no phase word ("The problem with
    /// Gmail should be resolved." is resolved; "We're investigating reports of…" is investigating).
    pub fn from_words(text: &str) -> Phase {
        let text = text.to_lowercase();
        let unresolved = ["not been resolved", "not yet resolved", "not resolved", "be resolved soon"];
        if text.contains("resolved") && !unresolved.iter().any(|w| text.contains(w))
            || ["fully restored", "has been restored for all", "is back to normal", "are back to normal"]
                .iter()
                .any(|w| text.contains(w))
        {
            Phase::Resolved
        } else if text.contains("monitoring") {
            Phase::Monitoring
        } else if text.contains("identified") {
            Phase::Identified
        } else if text.contains("investigating") || text.contains("aware of") || text.contains("looking into") {
            Phase::Investigating
        } else {
            Phase::Other
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Investigating => "investigating",
            Phase::Identified => "identified",
            Phase::Update => "update",
            Phase::Monitoring => "monitoring",
            Phase::Resolved => "resolved",
            Phase::Postmortem => "postmortem",
            Phase::Scheduled => "scheduled",
            Phase::InProgress => "in_progress",
            Phase::Verifying => "verifying",
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
    /// What the body was recognised as, where a source type covers several formats ("Statuspage history feed").
    pub format: Option<&'static str>,
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
        assert_eq!(Phase::parse("Scheduled"), Phase::Scheduled);
        assert_eq!(Phase::parse("in_progress"), Phase::InProgress);
        assert_eq!(Phase::parse("Update"), Phase::Update);
        assert_eq!(Phase::parse("whatever"), Phase::Other);
    }

    #[test]
    fn plain_words_say_the_phase() {
        assert_eq!(Phase::from_words("The problem with Gmail should be resolved. We apologize."), Phase::Resolved);
        assert_eq!(Phase::from_words("Service has been fully restored."), Phase::Resolved);
        assert_eq!(
            Phase::from_words("The issue has not been resolved yet; we are investigating."),
            Phase::Investigating
        );
        assert_eq!(
            Phase::from_words("We're aware of a problem with Gmail affecting a majority of users."),
            Phase::Investigating
        );
        assert_eq!(Phase::from_words("Gmail is slow for some users."), Phase::Other);
    }
}
