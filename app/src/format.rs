//! How values are written on pages, so every page writes them the same way.

use chrono::{DateTime, Utc};

/// A timestamp with its time zone, to the second: `2026-11-29 10:14:03 UTC`.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A timestamp, or "never" when there is none (a source never read, a check never run).
pub fn timestamp_or_never(at: Option<DateTime<Utc>>) -> String {
    at.map(timestamp).unwrap_or_else(|| "never".into())
}

/// A duration for people: `45 s`, `12 min`, `3 h 05 min`, `2 d 4 h`.
pub fn duration_secs(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, _) => format!("{m} min {s:02} s"),
        (0, _, _) => format!("{h} h {m:02} min"),
        _ => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamps_carry_their_zone() {
        let at = Utc.with_ymd_and_hms(2026, 11, 29, 10, 14, 3).single().expect("valid date");
        assert_eq!(timestamp(at), "2026-11-29 10:14:03 UTC");
    }

    #[test]
    fn durations_pick_the_two_largest_units() {
        assert_eq!(duration_secs(45), "45 s");
        assert_eq!(duration_secs(12 * 60 + 5), "12 min 05 s");
        assert_eq!(duration_secs(3 * 3600 + 5 * 60 + 59), "3 h 05 min");
        assert_eq!(duration_secs(2 * 86_400 + 4 * 3600 + 1), "2 d 4 h");
    }
}
