//! Auth0's published outbound IP ranges (`https://cdn.auth0.com/ip-ranges.json`): the list parsed strictly and
//! bounded, and the difference between two versions with the date each change takes effect when the changelog
//! gives one.
//!
//! The published schema: `last_updated_at` (ISO-8601), `regions` (object keyed by tenant region, each with
//! `ipv4_cidrs`), `changelog` (`{date: "YYYY-MM-DD", region, action: "add"|"remove", ipv4_cidrs}`). Region keys
//! are compared case-insensitively ("US" and "us" are one region); a bare address is a /32; host bits set under a
//! prefix are cleared ("192.0.2.7/24" is 192.0.2.0/24), since a firewall would read it so.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use ipnet::Ipv4Net;
use serde::Deserialize;
use serde_json::Value;

/// The largest list read (Auth0's is about 10 KB).
pub const MAX_BYTES: usize = 1024 * 1024;
const MAX_REGIONS: usize = 64;
const MAX_RANGES: usize = 4096;
const MAX_CHANGES: usize = 5000;

/// One version of the list.
#[derive(Clone, Debug, PartialEq)]
pub struct IpList {
    pub last_updated_at: Option<DateTime<Utc>>,
    /// Region (lower case) → its ranges, sorted and without repeats.
    pub regions: BTreeMap<String, BTreeSet<Ipv4Net>>,
    pub changelog: Vec<Change>,
}

/// One changelog line.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub date: NaiveDate,
    pub region: String,
    pub added: bool,
    pub ranges: Vec<Ipv4Net>,
}

#[derive(Deserialize)]
struct RawList {
    #[serde(default)]
    last_updated_at: Option<String>,
    regions: BTreeMap<String, RawRegion>,
    #[serde(default)]
    changelog: Vec<RawChange>,
}

#[derive(Deserialize)]
struct RawRegion {
    ipv4_cidrs: Vec<String>,
}

#[derive(Deserialize)]
struct RawChange {
    date: String,
    region: String,
    action: String,
    ipv4_cidrs: Vec<String>,
}

/// A range as a firewall reads it, or what is wrong with it.
pub fn range(text: &str) -> Result<Ipv4Net, String> {
    let t = text.trim();
    let net = if t.contains('/') {
        t.parse::<Ipv4Net>().map_err(|_| ())
    } else {
        t.parse::<std::net::Ipv4Addr>().map(Ipv4Net::from).map_err(|_| ())
    };
    net.map(|n| n.trunc()).map_err(|_| format!("{:?} is not an IPv4 address or CIDR range", crate::text::cut(t, 60)))
}

fn region_key(key: &str) -> Result<String, String> {
    let k = key.trim().to_ascii_lowercase();
    if k.is_empty() || k.len() > 32 || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(format!("{:?} is not a region name (letters, digits, - and _)", crate::text::cut(key, 40)));
    }
    Ok(k)
}

/// Parses one version of the list; the error says what is wrong in one line.
pub fn parse(body: &[u8]) -> Result<IpList, String> {
    if body.len() > MAX_BYTES {
        return Err(format!("the list is {} bytes, more than the {MAX_BYTES} read", body.len()));
    }
    let raw: RawList = serde_json::from_slice(body).map_err(|e| {
        let shape = serde_json::from_slice::<Value>(body).is_ok();
        if shape {
            format!("not Auth0's IP list shape ({e}); expected last_updated_at, regions.*.ipv4_cidrs, changelog")
        } else {
            format!("not JSON: {e}")
        }
    })?;
    let last_updated_at = match raw.last_updated_at {
        None => None,
        Some(t) => Some(
            DateTime::parse_from_rfc3339(&t)
                .map_err(|_| format!("last_updated_at {:?} is not an ISO-8601 time", crate::text::cut(&t, 40)))?
                .with_timezone(&Utc),
        ),
    };
    if raw.regions.is_empty() {
        return Err("the list names no region".into());
    }
    if raw.regions.len() > MAX_REGIONS {
        return Err(format!("the list names {} regions, more than {MAX_REGIONS}", raw.regions.len()));
    }
    let mut regions: BTreeMap<String, BTreeSet<Ipv4Net>> = BTreeMap::new();
    let mut total = 0;
    for (key, region) in raw.regions {
        let name = region_key(&key)?;
        total += region.ipv4_cidrs.len();
        if total > MAX_RANGES {
            return Err(format!("the list holds more than {MAX_RANGES} ranges"));
        }
        let ranges = regions.entry(name.clone()).or_default();
        for r in &region.ipv4_cidrs {
            ranges.insert(range(r).map_err(|e| format!("region {name}: {e}"))?);
        }
    }
    if raw.changelog.len() > MAX_CHANGES {
        return Err(format!("the changelog has {} entries, more than {MAX_CHANGES}", raw.changelog.len()));
    }
    let mut changelog = Vec::with_capacity(raw.changelog.len());
    for (i, c) in raw.changelog.into_iter().enumerate() {
        let at = |e: String| format!("changelog entry {}: {e}", i + 1);
        let date = NaiveDate::parse_from_str(c.date.trim(), "%Y-%m-%d")
            .map_err(|_| at(format!("date {:?} is not YYYY-MM-DD", crate::text::cut(&c.date, 30))))?;
        let added = match c.action.trim().to_ascii_lowercase().as_str() {
            "add" => true,
            "remove" => false,
            other => return Err(at(format!("action {:?} is neither add nor remove", crate::text::cut(other, 20)))),
        };
        total += c.ipv4_cidrs.len();
        if total > MAX_RANGES + MAX_CHANGES {
            return Err(format!("the changelog holds more than {MAX_CHANGES} ranges"));
        }
        let ranges = c.ipv4_cidrs.iter().map(|r| range(r)).collect::<Result<Vec<_>, _>>().map_err(at)?;
        changelog.push(Change { date, region: region_key(&c.region).map_err(at)?, added, ranges });
    }
    Ok(IpList { last_updated_at, regions, changelog })
}

/// What changed in one region between two versions.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionChange {
    pub region: String,
    /// Each added range with the date it takes effect, when the newer changelog gives one.
    pub added: Vec<(Ipv4Net, Option<NaiveDate>)>,
    pub removed: Vec<(Ipv4Net, Option<NaiveDate>)>,
}

impl RegionChange {
    /// "added 2 ranges (from 2027-01-15), removed 1" in words.
    pub fn words(&self) -> String {
        let part = |verb: &str, list: &[(Ipv4Net, Option<NaiveDate>)]| {
            let ranges: Vec<String> = list
                .iter()
                .map(|(r, d)| match d {
                    Some(d) => format!("{r} (from {d})"),
                    None => r.to_string(),
                })
                .collect();
            format!("{verb} {}", ranges.join(", "))
        };
        let mut parts = Vec::new();
        if !self.added.is_empty() {
            parts.push(part("added", &self.added));
        }
        if !self.removed.is_empty() {
            parts.push(part("removed", &self.removed));
        }
        format!("{}: {}", self.region.to_ascii_uppercase(), parts.join("; "))
    }
}

/// The regions whose ranges differ between `old` and `new`, in region order; a region only one of them names
/// counts as all added or all removed.
pub fn diff(old: &IpList, new: &IpList) -> Vec<RegionChange> {
    let empty = BTreeSet::new();
    let names: BTreeSet<&String> = old.regions.keys().chain(new.regions.keys()).collect();
    let effective = |region: &str, net: &Ipv4Net, added: bool| {
        new.changelog
            .iter()
            .filter(|c| c.region == region && c.added == added && c.ranges.contains(net))
            .map(|c| c.date)
            .max()
    };
    names
        .into_iter()
        .filter_map(|region| {
            let before = old.regions.get(region).unwrap_or(&empty);
            let after = new.regions.get(region).unwrap_or(&empty);
            let added: Vec<_> = after.difference(before).map(|n| (*n, effective(region, n, true))).collect();
            let removed: Vec<_> = before.difference(after).map(|n| (*n, effective(region, n, false))).collect();
            (!added.is_empty() || !removed.is_empty()).then(|| RegionChange { region: region.clone(), added, removed })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(body: &str) -> IpList {
        parse(body.as_bytes()).expect("parses")
    }

    #[test]
    fn the_published_shape_reads_with_regions_folded_and_ranges_normalised() {
        let l = list(
            r#"{"last_updated_at":"2026-11-20T08:00:00Z",
                "regions":{"US":{"ipv4_cidrs":["192.0.2.7/24","198.51.100.4","192.0.2.0/24"]},"eu":{"ipv4_cidrs":[]}},
                "changelog":[{"date":"2026-11-20","region":"US","action":"add","ipv4_cidrs":["198.51.100.4/32"]}]}"#,
        );
        assert_eq!(l.last_updated_at.map(|t| t.to_rfc3339()), Some("2026-11-20T08:00:00+00:00".into()));
        let us: Vec<String> = l.regions["us"].iter().map(|n| n.to_string()).collect();
        assert_eq!(us, ["192.0.2.0/24", "198.51.100.4/32"]);
        assert!(l.regions["eu"].is_empty());
        assert_eq!(l.changelog[0].region, "us");
        assert!(l.changelog[0].added);
    }

    #[test]
    fn a_broken_list_says_what_is_wrong() {
        let cases = [
            ("<html>", "not JSON"),
            (r#"{"regions":{}}"#, "names no region"),
            (r#"{"ranges":[]}"#, "not Auth0's IP list shape"),
            (r#"{"regions":{"us":{"ipv4_cidrs":["10.0.0.0/33"]}}}"#, "region us: \"10.0.0.0/33\" is not"),
            (r#"{"regions":{"u s":{"ipv4_cidrs":[]}}}"#, "is not a region name"),
            (r#"{"regions":{"us":{"ipv4_cidrs":["2001:db8::/32"]}}}"#, "not an IPv4"),
            (
                r#"{"regions":{"us":{"ipv4_cidrs":[]}},"changelog":[{"date":"Nov 1","region":"us","action":"add","ipv4_cidrs":[]}]}"#,
                "changelog entry 1: date",
            ),
            (
                r#"{"regions":{"us":{"ipv4_cidrs":[]}},"changelog":[{"date":"2026-11-01","region":"us","action":"swap","ipv4_cidrs":[]}]}"#,
                "neither add nor remove",
            ),
            (r#"{"last_updated_at":"yesterday","regions":{"us":{"ipv4_cidrs":[]}}}"#, "not an ISO-8601 time"),
        ];
        for (body, expected) in cases {
            let e = parse(body.as_bytes()).expect_err(body);
            assert!(e.contains(expected), "{body}: {e}");
        }
        let huge = format!(
            r#"{{"regions":{{"us":{{"ipv4_cidrs":[{}]}}}}}}"#,
            (0..5000).map(|i| format!("\"10.{}.{}.0/24\"", i / 256, i % 256)).collect::<Vec<_>>().join(",")
        );
        assert!(parse(huge.as_bytes()).expect_err("too many").contains("more than 4096 ranges"));
        assert!(parse(&vec![b' '; MAX_BYTES + 1]).expect_err("too big").contains("bytes"));
    }

    #[test]
    fn a_diff_names_added_and_removed_ranges_with_their_dates() {
        let old = list(
            r#"{"regions":{"us":{"ipv4_cidrs":["192.0.2.0/24","198.51.100.1"]},"au":{"ipv4_cidrs":["203.0.113.9"]}}}"#,
        );
        let new = list(
            r#"{"regions":{"us":{"ipv4_cidrs":["192.0.2.0/24","198.51.100.2"]},"au":{"ipv4_cidrs":["203.0.113.9"]},"jp":{"ipv4_cidrs":["203.0.113.50"]}},
                "changelog":[{"date":"2027-01-15","region":"US","action":"add","ipv4_cidrs":["198.51.100.2"]},
                             {"date":"2027-02-01","region":"us","action":"remove","ipv4_cidrs":["198.51.100.1/32"]}]}"#,
        );
        let d = diff(&old, &new);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].region, "jp");
        assert_eq!(
            d[1].words(),
            "US: added 198.51.100.2/32 (from 2027-01-15); removed 198.51.100.1/32 (from 2027-02-01)"
        );
        assert!(diff(&new, &new).is_empty());
    }
}
