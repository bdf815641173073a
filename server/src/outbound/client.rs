//! The one HTTP client every outbound request goes through, and the policy it enforces.
//!
//! - Names are resolved once, by the client's own resolver, which refuses the whole answer when any address is not
//!   public (see `address`); the connection then goes to an address from that same answer, so a name that
//!   resolves to a public address for a check and to a private one for the connection (DNS rebinding) gets
//!   nowhere.
//! - Address literals (`http://[::ffff:127.0.0.1]/`) never reach a resolver: `Client::request` checks them, and
//!   the redirect policy checks every hop's (names in redirects go through the resolver again).
//! - No proxy from the environment (it would resolve the name instead of us), http(s) only, at most three
//!   redirects that never change scheme, a time limit, and `read_limited` for bodies.
//!
//! `Policy::allow_private` lets private and loopback targets through: the demo and the tests (whose simulator
//! lives on 127.0.0.1) set it, a production console only by an explicit setting.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::address::not_public;

/// What outbound requests may reach.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// Private, loopback and other non-public addresses are allowed too.
    pub allow_private: bool,
    /// Non-public networks allowed although `allow_private` is off (public addresses always are).
    pub networks: &'static [ipnet::IpNet],
}

impl Policy {
    /// Public addresses only: what a production console does unless a setting says otherwise.
    pub const PUBLIC_ONLY: Policy = Policy { allow_private: false, networks: &[] };
    /// Any address: the demo and the tests, whose simulator and test servers live on loopback.
    pub const ANY_ADDRESS: Policy = Policy { allow_private: true, networks: &[] };

    /// `ANY_ADDRESS` when `allow_private`, else `PUBLIC_ONLY`: what the `*.allow_private_targets` settings give.
    pub const fn private_allowed(allow_private: bool) -> Policy {
        if allow_private { Policy::ANY_ADDRESS } else { Policy::PUBLIC_ONLY }
    }

    /// Public addresses and these non-public networks only (say, one internal subnet).
    pub const fn public_and(networks: &'static [ipnet::IpNet]) -> Policy {
        Policy { allow_private: false, networks }
    }

    /// Refuses an address the policy does not allow, saying why and what to do.
    pub fn check(&self, host: &str, ip: IpAddr) -> Result<(), String> {
        const ONLY_PUBLIC: &str = "Tenantry reaches public addresses only unless the settings allow private targets";
        let allowed = self.allow_private || self.networks.iter().any(|net| net.contains(&ip));
        match not_public(ip) {
            Some(kind) if !allowed => Err(if host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok() {
                format!("{ip} is a {kind} address; {ONLY_PUBLIC}")
            } else {
                format!("{host} resolves to the {kind} address {ip}; {ONLY_PUBLIC}")
            }),
            _ => Ok(()),
        }
    }
}

/// Looks a name up; the tests give their own (to play a rebinding name server).
pub type Lookup =
    Arc<dyn Fn(String) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>> + Send + Sync>;

/// The system's resolver (getaddrinfo, as every other program on the machine).
pub fn system_lookup() -> Lookup {
    Arc::new(|name: String| {
        Box::pin(async move { Ok(tokio::net::lookup_host((name.as_str(), 0)).await?.map(|a| a.ip()).collect()) })
    })
}

/// Resolves names for the client under the policy.
struct Guard {
    policy: Policy,
    lookup: Lookup,
}

impl Guard {
    async fn addresses(policy: Policy, lookup: &Lookup, name: &str) -> Result<Vec<IpAddr>, String> {
        let found = lookup(name.to_string()).await.map_err(|e| format!("cannot resolve {name}: {e}"))?;
        if found.is_empty() {
            return Err(format!("{name} has no address"));
        }
        for ip in &found {
            policy.check(name, *ip)?;
        }
        Ok(found)
    }
}

impl Resolve for Guard {
    fn resolve(&self, name: Name) -> Resolving {
        let (policy, lookup) = (self.policy, self.lookup.clone());
        Box::pin(async move {
            let found = Guard::addresses(policy, &lookup, name.as_str()).await?;
            let addrs: Addrs = Box::new(found.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

/// The host of a URL as an address, when it is written as one (the URL parser has already turned every IPv4
/// spelling, such as `2130706433` or `0x7f.1`, into dotted form).
fn literal(url: &reqwest::Url) -> Option<IpAddr> {
    url.host_str()?.trim_matches(['[', ']']).parse().ok()
}

/// Whether one URL (the first or a redirect's) may be requested: http(s), and a literal address the policy allows.
pub fn url_allowed(policy: Policy, url: &reqwest::Url) -> Result<(), String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("only http and https URLs are fetched, not {}", url.scheme()));
    }
    let host = url.host_str().ok_or("the URL has no host")?;
    match literal(url) {
        Some(ip) => policy.check(host, ip),
        None => Ok(()),
    }
}

/// How a client is built.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Redirects followed (0: none).
    pub redirects: usize,
    pub user_agent: &'static str,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            redirects: 3,
            user_agent: concat!("tenantry/", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// An HTTP client under a policy. Build requests with `request`/`get`/`post`: they check the URL first.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    policy: Policy,
}

impl Client {
    pub fn new(policy: Policy, options: Options) -> Result<Client, String> {
        Client::with_lookup(policy, options, system_lookup())
    }

    /// A client whose names are looked up by `lookup` (tests).
    pub fn with_lookup(policy: Policy, options: Options, lookup: Lookup) -> Result<Client, String> {
        Client::build(policy, options, lookup, &[])
    }

    /// A client that also trusts these CA certificates (DER) beside the system's: a company CA.
    pub fn with_roots(policy: Policy, options: Options, roots: &[Vec<u8>]) -> Result<Client, String> {
        Client::build(policy, options, system_lookup(), roots)
    }

    fn build(policy: Policy, options: Options, lookup: Lookup, roots: &[Vec<u8>]) -> Result<Client, String> {
        let redirects = options.redirects;
        let redirect = if redirects == 0 {
            reqwest::redirect::Policy::none()
        } else {
            reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() > redirects {
                    return attempt.error(format!("more than {redirects} redirects"));
                }
                let previous = attempt.previous().last().map(|u| u.scheme().to_string());
                if previous.is_some_and(|p| p != attempt.url().scheme() && attempt.url().scheme() != "https") {
                    return attempt.error("a redirect from https to http is refused");
                }
                match url_allowed(policy, attempt.url()) {
                    Ok(()) => attempt.follow(),
                    Err(reason) => attempt.error(format!("a redirect was refused: {reason}")),
                }
            })
        };
        let http = reqwest::Client::builder()
            .no_proxy()
            .dns_resolver(Arc::new(Guard { policy, lookup }))
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout.min(options.timeout))
            .redirect(redirect)
            .user_agent(options.user_agent)
            .tls_certs_merge(roots.iter().filter_map(|der| reqwest::Certificate::from_der(der).ok()))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Client { http, policy })
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// A request to `url`, if the policy allows the URL as written (names are checked again as they resolve).
    pub fn request(&self, method: reqwest::Method, url: &str) -> Result<reqwest::RequestBuilder, String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("{url:?} is not a URL ({e})"))?;
        url_allowed(self.policy, &parsed)?;
        Ok(self.http.request(method, parsed))
    }

    pub fn get(&self, url: &str) -> Result<reqwest::RequestBuilder, String> {
        self.request(reqwest::Method::GET, url)
    }

    pub fn post(&self, url: &str) -> Result<reqwest::RequestBuilder, String> {
        self.request(reqwest::Method::POST, url)
    }
}

/// The address to connect to for a host that is not reached over HTTP (an SMTP server): the literal, or the first
/// address of one lookup, under the policy. Connect to this address (and verify TLS against the host name).
pub async fn resolve(host: &str, policy: Policy) -> Result<IpAddr, String> {
    let bare = host.trim_matches(['[', ']']);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        policy.check(host, ip)?;
        return Ok(ip);
    }
    let found = Guard::addresses(policy, &system_lookup(), bare).await?;
    Ok(found[0])
}

/// Checks a URL as a form is saved: scheme, and every address its name has now. (Every connection checks again;
/// this is for a clear message at once.)
pub async fn check_url(url: &str, policy: Policy) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("{url:?} is not a URL ({e})"))?;
    url_allowed(policy, &parsed)?;
    if let (None, Some(name)) = (literal(&parsed), parsed.host_str()) {
        Guard::addresses(policy, &system_lookup(), name).await?;
    }
    Ok(())
}

/// Why a body could not be read whole.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("the answer is over the {0}-byte limit; is this the right URL?")]
    TooLarge(usize),
    #[error("the answer did not arrive in time")]
    Timeout,
    #[error("the answer broke off: {0}")]
    Broken(String),
}

/// Reads a body of at most `max` bytes.
pub async fn read_limited(mut response: reqwest::Response, max: usize) -> Result<Vec<u8>, BodyError> {
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(BodyError::TooLarge(max));
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > max {
                    return Err(BodyError::TooLarge(max));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) if e.is_timeout() => return Err(BodyError::Timeout),
            Err(e) => return Err(BodyError::Broken(crate::text::one_line(&e))),
        }
    }
}
