//! Reachability checks: endpoints inside the company's network that Auth0 calls — a custom database's API, the
//! SMTP server of the email provider, a log-stream receiver — checked from where Tenantry runs (not from Auth0's
//! addresses) with the same runs, roll-ups and alert policy as the Auth0 checks.
//!
//! - this file: the endpoint as entered and stored (`Endpoint`), checked with every problem named;
//! - `run`: one timed run (TCP connect; HTTPS status and certificate; SMTP greeting and STARTTLS) under the
//!   reachability outbound policy;
//! - `smtp`: the few lines of SMTP a run speaks.

pub mod run;
mod smtp;

use std::net::IpAddr;

pub use run::Reach;

use super::model::Kind;

/// Where a reachability check connects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// A DNS name (lower case) or an address.
    pub host: String,
    pub port: u16,
    /// HTTPS only: the path and query to GET (`/` at least).
    pub path: String,
}

/// The SMTP port when none is given.
pub const SMTP_PORT: u16 = 25;

fn host_ok(host: &str) -> bool {
    if host.parse::<IpAddr>().is_ok() {
        return true;
    }
    host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

impl Endpoint {
    /// The endpoint a form gave for a check of `kind`, or what is wrong with it (said for the form).
    pub fn parse(kind: Kind, raw: &str) -> Result<Endpoint, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(match kind {
                Kind::Https => "Endpoint: give the https URL to GET, such as https://hooks.example.com/health".into(),
                _ => "Endpoint: give host:port, such as db-api.example.com:443".into(),
            });
        }
        if raw.len() > 300 {
            return Err("Endpoint: at most 300 characters".into());
        }
        if kind == Kind::Https {
            return Endpoint::url(raw);
        }
        let (host, port) = if let Some(rest) = raw.strip_prefix('[') {
            let (host, after) = rest.split_once(']').ok_or("Endpoint: an IPv6 address ends with ]")?;
            (host, after.strip_prefix(':'))
        } else if raw.matches(':').count() > 1 {
            return Err("Endpoint: write an IPv6 address in brackets, such as [2001:db8::1]:25".into());
        } else {
            match raw.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (raw, None),
            }
        };
        let host = host.to_ascii_lowercase();
        if !host_ok(&host) {
            return Err(format!("Endpoint: {host:?} is not a host name or an IP address"));
        }
        let port = match (port, kind) {
            (Some(p), _) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("Endpoint: {p:?} is not a port from 1 to 65535"))?,
            (None, Kind::Smtp) => SMTP_PORT,
            (None, _) => return Err("Endpoint: add the port, as host:port".into()),
        };
        Ok(Endpoint { host, port, path: String::new() })
    }

    fn url(raw: &str) -> Result<Endpoint, String> {
        let url = reqwest::Url::parse(raw).map_err(|e| format!("Endpoint: {raw:?} is not a URL ({e})"))?;
        if url.scheme() != "https" {
            return Err("Endpoint: Auth0 calls over HTTPS; give an https:// URL".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("Endpoint: put no user name or password in the URL (it would be stored in clear)".into());
        }
        let host = url.host_str().ok_or("Endpoint: the URL has no host")?.trim_matches(['[', ']']).to_string();
        let mut path = url.path().to_string();
        if let Some(query) = url.query() {
            path = format!("{path}?{query}");
        }
        Ok(Endpoint { host, port: url.port_or_known_default().unwrap_or(443), path })
    }

    /// `host:port` (`[v6]:port`) as stored and shown.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// What is stored for a check of `kind` (and read back by `parse`).
    pub fn stored(&self, kind: Kind) -> String {
        match kind {
            Kind::Https if self.port == 443 => format!("https://{}{}", self.authority_host(), self.path),
            Kind::Https => format!("https://{}{}", self.authority(), self.path),
            _ => self.authority(),
        }
    }

    fn authority_host(&self) -> String {
        if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_read_as_written_and_every_mistake_is_named() {
        let tcp = Endpoint::parse(Kind::Tcp, " DB-API.Example.com:5432 ").expect("tcp");
        assert_eq!((tcp.host.as_str(), tcp.port), ("db-api.example.com", 5432));
        assert_eq!(tcp.stored(Kind::Tcp), "db-api.example.com:5432");
        assert_eq!(Endpoint::parse(Kind::Smtp, "mail.example.com").expect("smtp").port, 25);
        let v6 = Endpoint::parse(Kind::Tcp, "[2001:db8::1]:443").expect("v6");
        assert_eq!((v6.host.as_str(), v6.stored(Kind::Tcp)), ("2001:db8::1", "[2001:db8::1]:443".to_string()));
        let https = Endpoint::parse(Kind::Https, "https://Hooks.example.com/health?deep=1").expect("https");
        assert_eq!(
            (https.host.as_str(), https.port, https.path.as_str()),
            ("hooks.example.com", 443, "/health?deep=1")
        );
        assert_eq!(https.stored(Kind::Https), "https://hooks.example.com/health?deep=1");
        let odd = Endpoint::parse(Kind::Https, "https://127.0.0.1:8443").expect("port");
        assert_eq!(Endpoint::parse(Kind::Https, &odd.stored(Kind::Https)).expect("again"), odd);

        for (kind, raw, says) in [
            (Kind::Tcp, "db.example.com", "add the port"),
            (Kind::Tcp, "db.example.com:0", "not a port"),
            (Kind::Tcp, "db.example.com:70000", "not a port"),
            (Kind::Tcp, "db_example!.com:1", "not a host name"),
            (Kind::Tcp, "2001:db8::1:25", "in brackets"),
            (Kind::Tcp, "", "host:port"),
            (Kind::Https, "http://hooks.example.com/", "https://"),
            (Kind::Https, "https://user:pw@hooks.example.com/", "no user name or password"),
            (Kind::Https, "hooks.example.com", "not a URL"),
        ] {
            let problem = Endpoint::parse(kind, raw).expect_err(raw);
            assert!(problem.starts_with("Endpoint: ") && problem.contains(says), "{raw}: {problem}");
        }
        assert!(Endpoint::parse(Kind::Tcp, &format!("{}:1", "a".repeat(301))).is_err());
    }
}
