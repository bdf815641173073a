//! What every status source is normalised to: a state, components, incidents with their updates.

use chrono::{DateTime, Utc};

/// A source's (or component's) state, worst last. `Unknown` is never shown as green.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    Operational,
    Maintenance,
    Degraded,
    PartialOutage,
    MajorOutage,
    Unknown,
}

impl State {
    pub const ALL: [State; 6] = [
        State::Operational,
        State::Maintenance,
        State::Degraded,
        State::PartialOutage,
        State::MajorOutage,
        State::Unknown,
    ];

    pub fn parse(raw: &str) -> State {
        State::ALL.into_iter().find(|s| s.as_str() == raw).unwrap_or(State::Unknown)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::Operational => "operational",
            State::Maintenance => "maintenance",
            State::Degraded => "degraded",
            State::PartialOutage => "partial_outage",
            State::MajorOutage => "major_outage",
            State::Unknown => "unknown",
        }
    }
}

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
    pub state: State,
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
    pub state: State,
    pub components: Vec<Component>,
    pub incidents: Vec<Incident>,
}
