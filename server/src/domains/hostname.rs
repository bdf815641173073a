//! Host names as people type them into the ad-hoc checker, parsed strictly: IDNA to ASCII, no scheme, path or
//! port, RFC length limits, at least two labels. Each refusal says what to write instead.

/// A checked host name: lower-case ASCII (punycode for international names), no trailing dot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hostname(String);

impl Hostname {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn parse(raw: &str) -> Result<Hostname, String> {
        let input = raw.trim();
        if input.is_empty() {
            return Err("enter a host name such as login.example.com".into());
        }
        if let Some((scheme, _)) = input.split_once("://") {
            return Err(format!("write the host name only, without {scheme}://"));
        }
        if input.contains('/') || input.contains('?') || input.contains('#') {
            return Err("write the host name only, without a path (nothing from the first /)".into());
        }
        if input.contains('@') {
            return Err("write the host name only, without a user name (nothing before @)".into());
        }
        if input.contains(':') {
            return Err("write the host name only, without a port (the check uses 443)".into());
        }
        if input.chars().any(char::is_whitespace) {
            return Err("a host name has no spaces".into());
        }
        let name = input.strip_suffix('.').unwrap_or(input);
        if name.parse::<std::net::Ipv4Addr>().is_ok() {
            return Err("enter a host name, not an IP address: custom domains are names".into());
        }
        // Plain ASCII names get the precise message before IDNA's general refusal.
        if name.is_ascii() {
            check_labels(&name.to_ascii_lowercase())?;
        }
        let ascii = idna::domain_to_ascii_strict(name)
            .map_err(|_| format!("{name:?} is not a valid host name (letters, digits and hyphens between dots)"))?
            .to_lowercase();
        check_labels(&ascii)?;
        Ok(Hostname(ascii))
    }
}

fn check_labels(ascii: &str) -> Result<(), String> {
    {
        let name = ascii;
        if ascii.len() > 253 {
            return Err(format!("the name is {} characters long; host names have at most 253", ascii.len()));
        }
        let labels: Vec<&str> = ascii.split('.').collect();
        if labels.len() < 2 {
            return Err(format!("{name:?} has no dot; enter the full name, such as login.example.com"));
        }
        for label in &labels {
            if label.is_empty() {
                return Err("the name has an empty part (two dots in a row)".into());
            }
            if label.len() > 63 {
                return Err(format!("the part {label:?} is {} characters long; each part has at most 63", label.len()));
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Err(format!("the part {label:?} starts or ends with a hyphen"));
            }
            if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(format!("the part {label:?} has characters other than letters, digits and hyphens"));
            }
        }
        Ok(())
    }
}

/// Compares DNS names the way DNS does: case-insensitively, ignoring one trailing dot.
pub fn same_name(a: &str, b: &str) -> bool {
    a.trim_end_matches('.').eq_ignore_ascii_case(b.trim_end_matches('.'))
}

/// An Auth0 custom-domain edge host: `{tenant}-cd-{id}.edge.tenants.{region}.auth0.com`.
pub fn is_auth0_edge(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name.contains(".edge.tenants.") && name.ends_with(".auth0.com")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_are_parsed_strictly_with_a_reason_for_each_refusal() {
        assert_eq!(Hostname::parse(" Login.Example.COM. ").map(|h| h.0), Ok("login.example.com".into()));
        assert_eq!(Hostname::parse("münchen.example").map(|h| h.0), Ok("xn--mnchen-3ya.example".into()));
        let refused = |raw: &str| Hostname::parse(raw).expect_err(raw);
        assert!(refused("https://login.example.com").contains("without https://"));
        assert!(refused("login.example.com/authorize").contains("without a path"));
        assert!(refused("login.example.com:8443").contains("without a port"));
        assert!(refused("localhost").contains("has no dot"));
        assert!(refused("a..example.com").contains("empty part") || refused("a..example.com").contains("not a valid"));
        assert!(refused(&format!("{}.example.com", "a".repeat(64))).contains("at most 63"));
        assert!(refused(&format!("{}.com", ["abcdefghij"; 25].join("."))).contains("at most 253"));
        assert!(refused("-bad.example.com").contains("hyphen") || refused("-bad.example.com").contains("not a valid"));
        assert!(
            refused("under_score.example.com").contains("not a valid")
                || refused("under_score.example.com").contains("characters other")
        );
        assert!(refused("10.0.0.1").contains("not an IP address"));
        assert!(refused("").contains("enter a host name"));
    }

    #[test]
    fn names_compare_like_dns() {
        assert!(same_name("Acme-CD-1.edge.tenants.us.auth0.com.", "acme-cd-1.edge.tenants.us.auth0.com"));
        assert!(is_auth0_edge("acme-cd-1.edge.tenants.us.auth0.com."));
        assert!(!is_auth0_edge("login.example.com"));
    }
}
