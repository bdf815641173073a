//! What a DNS or TLS check of a custom domain found, named once: the checks produce these values, the database
//! stores their `as_str()`, and every reader (the list and domain pages, the board tile, the notices) grades them
//! through `Verdict` instead of matching strings.

use serde::{Deserialize, Serialize};

use crate::status::Health;
use crate::stored::stored_as_text;

/// How good an outcome is: the one classification behind the badge tone, the board health and the notice severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    Ok,
    /// Works, but needs attention (flattened DNS, a certificate close to expiry).
    Warn,
    /// Broken.
    Bad,
    /// Not known: the lookup failed, nothing answered, or not checked yet.
    Unknown,
}

impl Verdict {
    /// The grade of an outcome that may not be known yet (not checked: unknown).
    pub fn of<O: Outcome>(outcome: Option<O>) -> Verdict {
        outcome.map_or(Verdict::Unknown, Outcome::verdict)
    }

    /// The badge tone: `ok`, `warn`, `bad`, `unknown`.
    pub fn tone(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Warn => "warn",
            Verdict::Bad => "bad",
            Verdict::Unknown => "unknown",
        }
    }

    /// The status board's health.
    pub fn health(self) -> Health {
        match self {
            Verdict::Ok => Health::Operational,
            Verdict::Warn => Health::Degraded,
            Verdict::Bad => Health::MajorOutage,
            Verdict::Unknown => Health::Unknown,
        }
    }

    /// A notice's severity: `info`, `warning`, `critical` (an unknown result is worth a warning).
    pub fn severity(self) -> &'static str {
        match self {
            Verdict::Ok => "info",
            Verdict::Warn | Verdict::Unknown => "warning",
            Verdict::Bad => "critical",
        }
    }
}

/// A DNS or a TLS outcome.
pub trait Outcome: Copy {
    /// The stored name: `wrong_target`.
    fn as_str(self) -> &'static str;
    fn verdict(self) -> Verdict;

    /// The name in words: `wrong target`.
    fn words(self) -> String {
        self.as_str().replace('_', " ")
    }

    /// The outcome as pages say it.
    fn label(self) -> String {
        self.words()
    }
}

/// An outcome, or "not checked yet", as pages say it.
pub fn label<O: Outcome>(outcome: Option<O>) -> String {
    outcome.map_or_else(|| "not checked yet".into(), Outcome::label)
}

macro_rules! outcome_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($(#[$vdoc:meta])* $variant:ident = $text:literal => $verdict:ident,)+ }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// Every outcome.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The outcome stored as `raw`, if it is one.
            pub fn parse(raw: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|o| o.as_str() == raw)
            }

            pub fn verdict(self) -> Verdict {
                match self {
                    $($name::$variant => Verdict::$verdict,)+
                }
            }
        }

        stored_as_text!($name, |raw| $name::parse(raw).ok_or_else(|| format!("{raw:?} is not a {} outcome", $what)));
    };
}

outcome_enum!(
    /// What the CNAME check found.
    DnsOutcome, "DNS" {
        Ok = "ok" => Ok,
        /// NXDOMAIN or no record at all.
        Missing = "missing" => Bad,
        /// The chain ends somewhere other than the expected target.
        WrongTarget = "wrong_target" => Bad,
        /// Addresses but no CNAME: a DNS proxy or CNAME flattening.
        Flattened = "flattened" => Warn,
        /// A CNAME to an Auth0 edge host that no known tenant expects: a takeover risk.
        Dangling = "dangling" => Bad,
        /// Timeout, SERVFAIL or refusal, after a retry.
        LookupError = "lookup_error" => Unknown,
    }
);

outcome_enum!(
    /// What the TLS check found.
    TlsOutcome, "TLS" {
        Ok = "ok" => Ok,
        /// Valid, but within the warning thresholds.
        Expiring = "expiring" => Warn,
        Expired = "expired" => Bad,
        NameMismatch = "name_mismatch" => Bad,
        Untrusted = "untrusted" => Bad,
        /// Nothing answered on the port (refused, timeout), or the host has no address.
        NoAnswer = "no_answer" => Unknown,
        /// A TLS problem of another kind.
        HandshakeError = "handshake_error" => Bad,
    }
);

impl Outcome for DnsOutcome {
    fn as_str(self) -> &'static str {
        DnsOutcome::as_str(self)
    }

    fn verdict(self) -> Verdict {
        DnsOutcome::verdict(self)
    }

    fn label(self) -> String {
        match self {
            DnsOutcome::LookupError => "lookup failed (unknown)".into(),
            other => other.words(),
        }
    }
}

impl Outcome for TlsOutcome {
    fn as_str(self) -> &'static str {
        TlsOutcome::as_str(self)
    }

    fn verdict(self) -> Verdict {
        TlsOutcome::verdict(self)
    }
}

/// Which check an event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Part {
    Dns,
    Tls,
}

impl Part {
    /// `DNS` or `TLS`.
    pub fn name(self) -> &'static str {
        match self {
            Part::Dns => "DNS",
            Part::Tls => "TLS",
        }
    }

    /// The event kind stored: `dns_changed`, `tls_changed`.
    pub fn event_kind(self) -> &'static str {
        match self {
            Part::Dns => "dns_changed",
            Part::Tls => "tls_changed",
        }
    }

    /// The part whose event kind is `raw`.
    pub fn of_event_kind(raw: &str) -> Option<Part> {
        [Part::Dns, Part::Tls].into_iter().find(|p| p.event_kind() == raw)
    }
}

/// A change of one check's outcome (an event of a domain's timeline).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    Dns { before: Option<DnsOutcome>, after: DnsOutcome },
    Tls { before: Option<TlsOutcome>, after: TlsOutcome },
}

impl Change {
    /// The change an event row stores (`kind`, `before`, `after`), if they name one.
    pub fn parse(kind: &str, before: Option<&str>, after: &str) -> Option<Change> {
        fn both<O>(parse: fn(&str) -> Option<O>, before: Option<&str>, after: &str) -> Option<(Option<O>, O)> {
            let before = match before {
                Some(raw) => Some(parse(raw)?),
                None => None,
            };
            Some((before, parse(after)?))
        }
        match Part::of_event_kind(kind)? {
            Part::Dns => both(DnsOutcome::parse, before, after).map(|(before, after)| Change::Dns { before, after }),
            Part::Tls => both(TlsOutcome::parse, before, after).map(|(before, after)| Change::Tls { before, after }),
        }
    }

    pub fn part(self) -> Part {
        match self {
            Change::Dns { .. } => Part::Dns,
            Change::Tls { .. } => Part::Tls,
        }
    }

    /// The outcome before, as stored (none before the first check).
    pub fn before_str(self) -> Option<&'static str> {
        match self {
            Change::Dns { before, .. } => before.map(DnsOutcome::as_str),
            Change::Tls { before, .. } => before.map(TlsOutcome::as_str),
        }
    }

    /// The outcome after, as stored.
    pub fn after_str(self) -> &'static str {
        match self {
            Change::Dns { after, .. } => after.as_str(),
            Change::Tls { after, .. } => after.as_str(),
        }
    }

    /// How good the new outcome is.
    pub fn verdict(self) -> Verdict {
        match self {
            Change::Dns { after, .. } => after.verdict(),
            Change::Tls { after, .. } => after.verdict(),
        }
    }

    /// The change in words, as the timeline says it: "DNS: wrong target → ok".
    pub fn summary(self) -> String {
        let (before, after) = match self {
            Change::Dns { before, after } => (label(before), Outcome::label(after)),
            Change::Tls { before, after } => (label(before), Outcome::label(after)),
        };
        format!("{}: {before} → {after}", self.part().name())
    }

    /// The new outcome in words: "wrong target".
    pub fn after_words(self) -> String {
        self.after_str().replace('_', " ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_reads_back_from_its_stored_name() {
        for o in DnsOutcome::ALL {
            assert_eq!(DnsOutcome::parse(o.as_str()), Some(*o));
        }
        for o in TlsOutcome::ALL {
            assert_eq!(TlsOutcome::parse(o.as_str()), Some(*o));
        }
        assert_eq!(DnsOutcome::parse("expired"), None);
    }

    #[test]
    fn one_grade_gives_the_tone_the_health_and_the_severity() {
        let graded = |o: Option<&str>| {
            let v = match o {
                None => Verdict::of::<DnsOutcome>(None),
                Some(raw) => DnsOutcome::parse(raw)
                    .map(DnsOutcome::verdict)
                    .or_else(|| TlsOutcome::parse(raw).map(TlsOutcome::verdict))
                    .expect("an outcome"),
            };
            (v.tone(), v.health(), v.severity())
        };
        assert_eq!(graded(Some("ok")), ("ok", Health::Operational, "info"));
        for warn in ["flattened", "expiring"] {
            assert_eq!(graded(Some(warn)), ("warn", Health::Degraded, "warning"));
        }
        for unknown in ["lookup_error", "no_answer"] {
            assert_eq!(graded(Some(unknown)), ("unknown", Health::Unknown, "warning"));
        }
        assert_eq!(graded(None).0, "unknown");
        for bad in ["missing", "wrong_target", "dangling", "expired", "name_mismatch", "untrusted", "handshake_error"] {
            assert_eq!(graded(Some(bad)), ("bad", Health::MajorOutage, "critical"));
        }
    }

    #[test]
    fn labels_and_timeline_lines() {
        assert_eq!(label::<DnsOutcome>(None), "not checked yet");
        assert_eq!(label(Some(DnsOutcome::LookupError)), "lookup failed (unknown)");
        assert_eq!(label(Some(TlsOutcome::NameMismatch)), "name mismatch");
        let change = Change::parse("dns_changed", Some("wrong_target"), "ok").expect("a change");
        assert_eq!(change, Change::Dns { before: Some(DnsOutcome::WrongTarget), after: DnsOutcome::Ok });
        assert_eq!(change.summary(), "DNS: wrong target → ok");
        assert_eq!(
            Change::parse("tls_changed", None, "no_answer").map(Change::summary).as_deref(),
            Some("TLS: not checked yet → no answer")
        );
        assert_eq!(Change::parse("tls_changed", None, "wrong_target"), None);
        assert_eq!(Change::parse("other", None, "ok"), None);
    }
}
