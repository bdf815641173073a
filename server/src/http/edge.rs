//! The edge of the server: what a request must be before anything else looks at it, and who sent it.
//!
//! - **Host allow-list**: only the console's own names are served (the public URL's host, the names in
//!   `allowed_hosts`, or — with neither set — loopback names). A page served under any `Host` would let a
//!   DNS-rebinding site read a console on the operator's machine. `/healthz` answers any host (orchestrators probe
//!   by address).
//! - **Canonical paths**: a path with `.`/`..` or empty segments, or an encoded `.` or `/`, is refused, so the
//!   access rules and the page router always see the same path.
//! - **Client address**: the TCP peer, unless the peer is a trusted proxy; then the right-most address of
//!   `X-Forwarded-For` that is not itself a trusted proxy. It goes into the request as `ClientAddress` for the
//!   audit log and sign-in throttling.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use app::accounts::ClientAddress;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ipnet::IpNet;

/// What the edge checks, from the settings.
#[derive(Clone, Debug, Default)]
pub struct Edge {
    /// Host names (lower case, without port) served; empty: loopback names only.
    pub allowed_hosts: Vec<String>,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpNet>,
}

impl Edge {
    /// The allowed hosts: the public URL's host and the extra names; loopback names when both are empty.
    pub fn new(public_url: Option<&str>, extra_hosts: &[String], trusted_proxies: Vec<IpNet>) -> Edge {
        let mut allowed_hosts: Vec<String> = extra_hosts.iter().map(|h| h.to_ascii_lowercase()).collect();
        if let Some(host) =
            public_url.and_then(|u| reqwest::Url::parse(u).ok()).and_then(|u| u.host_str().map(str::to_string))
        {
            allowed_hosts.push(host.trim_matches(['[', ']']).to_ascii_lowercase());
        }
        Edge { allowed_hosts, trusted_proxies }
    }

    fn host_allowed(&self, host: &str) -> bool {
        let name = host_name(host);
        if self.allowed_hosts.is_empty() {
            return name == "localhost" || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
        }
        self.allowed_hosts.contains(&name)
    }

    fn trusted(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.trusted_proxies.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: the peer, or through trusted proxies the first untrusted hop from the right.
    pub fn client_address(&self, peer: Option<IpAddr>, forwarded_for: Option<&str>) -> String {
        let Some(peer) = peer.map(|p| p.to_canonical()) else { return String::new() };
        if !self.trusted(peer) {
            return peer.to_string();
        }
        let hops = forwarded_for.unwrap_or("").split(',').map(str::trim).filter(|h| !h.is_empty());
        let mut client = peer;
        for hop in hops.rev() {
            match hop.parse::<IpAddr>().or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip())) {
                Ok(ip) => {
                    client = ip.to_canonical();
                    if !self.trusted(client) {
                        break;
                    }
                }
                // A hop that is not an address: stop at the last one we could read.
                Err(_) => break,
            }
        }
        client.to_string()
    }
}

/// The host name of a `Host` header: lower case, without the port, without IPv6 brackets.
fn host_name(host: &str) -> String {
    let host = host.trim().to_ascii_lowercase();
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("").to_string();
    }
    host.rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(host.clone(), |(name, _)| name.to_string())
}

/// Whether a path is in the one form the router and the access rules agree on.
pub fn canonical_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    if lower.contains("%2e") || lower.contains("%2f") || lower.contains("%5c") || path.contains('\\') {
        return false;
    }
    let Some(rest) = path.strip_prefix('/') else { return false };
    if rest.is_empty() {
        return true;
    }
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    rest.split('/').all(|segment| !segment.is_empty() && segment != "." && segment != "..")
}

/// The middleware: refuses a foreign host or a non-canonical path, and records the client's address.
pub async fn edge(State(edge): State<Arc<Edge>>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path != "/healthz" {
        let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok()).or(req.uri().host()).unwrap_or("");
        if !edge.host_allowed(host) {
            tracing::warn!(host = %crate::text::one_line(&host.chars().take(100).collect::<String>()), "request for a host this console does not serve");
            return (
                StatusCode::MISDIRECTED_REQUEST,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "this console is not served under that host name; open it at its own address (TENANTRY_PUBLIC_URL or TENANTRY_ALLOWED_HOSTS)",
            )
                .into_response();
        }
        if !canonical_path(path) {
            return (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "the address has empty, '.' or '..' parts or encoded slashes or dots; open the page from the console's links",
            )
                .into_response();
        }
    }
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let address = edge.client_address(peer, forwarded);
    req.extensions_mut().insert(ClientAddress(address));
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNet {
        s.parse().expect("network")
    }

    #[test]
    fn the_client_is_the_peer_unless_the_peer_is_a_trusted_proxy() {
        let edge = Edge { trusted_proxies: vec![net("10.0.0.0/8"), net("::1/128")], ..Edge::default() };
        let ip = |s: &str| Some(s.parse::<IpAddr>().expect("ip"));
        // An untrusted peer's header is ignored: anyone can send one.
        assert_eq!(edge.client_address(ip("203.0.113.9"), Some("198.51.100.1")), "203.0.113.9");
        // Through the proxy: the right-most hop that is not a proxy.
        assert_eq!(edge.client_address(ip("10.0.0.2"), Some("198.51.100.1, 203.0.113.7, 10.0.0.5")), "203.0.113.7");
        // IPv4 seen as IPv6 (a dual-stack listener) is the same proxy.
        assert_eq!(edge.client_address(ip("::ffff:10.0.0.2"), Some("203.0.113.7")), "203.0.113.7");
        // No header: the proxy itself.
        assert_eq!(edge.client_address(ip("10.0.0.2"), None), "10.0.0.2");
        // Garbage stops the walk at the last readable hop.
        assert_eq!(edge.client_address(ip("10.0.0.2"), Some("198.51.100.1, nonsense")), "10.0.0.2");
    }

    #[test]
    fn only_the_consoles_own_host_names_are_served() {
        let edge = Edge::new(Some("https://ops.example.com"), &["tenantry.internal".into()], Vec::new());
        assert!(edge.host_allowed("ops.example.com"));
        assert!(edge.host_allowed("OPS.example.com:443"));
        assert!(edge.host_allowed("tenantry.internal:3000"));
        assert!(!edge.host_allowed("attacker.example"));
        assert!(!edge.host_allowed("127.0.0.1:3000"), "with a public URL, loopback is not special");
        let local = Edge::new(None, &[], Vec::new());
        for host in ["localhost:3000", "127.0.0.1:3000", "[::1]:3000", "127.0.0.1"] {
            assert!(local.host_allowed(host), "{host}");
        }
        assert!(!local.host_allowed("rebind.attacker.example:3000"));
        assert!(!local.host_allowed(""));
    }

    #[test]
    fn only_canonical_paths_pass() {
        for good in ["/", "/settings/users", "/tenants/", "/assets/tenantry.css", "/api/status/board"] {
            assert!(canonical_path(good), "{good}");
        }
        for bad in [
            "/settings/./users",
            "/settings/../settings/users",
            "//settings/users",
            "/settings//users",
            "/settings/%2e/users",
            "/settings%2fusers",
            "/a/.",
            "/a\\b",
            "relative",
        ] {
            assert!(!canonical_path(bad), "{bad}");
        }
    }
}
