//! Outbound HTTP to addresses people typed in (status pages, advisory feeds, webhooks): http(s) only, private,
//! loopback and link-local targets refused unless the settings allow them, at most three redirects that never
//! change scheme or reach a private literal, a time limit and a size limit. Every refusal is a sentence a person
//! can act on.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};

pub use crate::text::MAX_BODY;

/// Loopback, private, link-local, unspecified and broadcast addresses.
pub fn private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback() || v4.is_private() || v4.is_link_local() || v4.is_unspecified() || v4.is_broadcast()
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

/// Refuses URLs Tenantry must not fetch: other schemes, and private, loopback or link-local targets unless allowed.
pub async fn check_url(url: &str, allow_private: bool) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("{url:?} is not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("only http and https URLs are fetched, not {}", parsed.scheme()));
    }
    let host = parsed.host_str().ok_or("the URL has no host")?.to_string();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addrs = tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|e| format!("cannot resolve {host}: {e}"))?;
    for addr in addrs {
        if private(addr.ip()) && !allow_private {
            return Err(format!(
                "{host} resolves to the private address {}; such targets are refused unless allowed in the settings",
                addr.ip()
            ));
        }
    }
    Ok(())
}

/// Follows at most three redirects, never to another scheme or (unless allowed) to a private address literal.
fn redirect_policy(allow_private: bool) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= 3 {
            return attempt.error("more than 3 redirects");
        }
        let url = attempt.url().clone();
        if !matches!(url.scheme(), "http" | "https") {
            return attempt.error(format!("a redirect to {} is refused", url.scheme()));
        }
        let literal = url.host_str().and_then(|h| h.trim_matches(['[', ']']).parse::<IpAddr>().ok());
        let local = url.host_str().is_some_and(|h| h.eq_ignore_ascii_case("localhost"));
        if !allow_private && (local || literal.is_some_and(private)) {
            return attempt.error("a redirect to a private address is refused");
        }
        attempt.follow()
    })
}

/// One answer to a conditional GET.
pub enum Fetched {
    NotModified,
    Body { content_type: Option<String>, etag: Option<String>, modified: Option<String>, body: Vec<u8> },
}

/// GETs documents (status pages, feeds) within the limits.
#[derive(Clone)]
pub struct Fetcher {
    http: reqwest::Client,
    allow_private: bool,
}

impl Fetcher {
    pub fn new(allow_private: bool) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(redirect_policy(allow_private))
            .user_agent(concat!("tenantry/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Fetcher { http, allow_private })
    }

    /// A conditional GET (`If-None-Match` / `If-Modified-Since`); the error is the reason a person reads.
    pub async fn get(
        &self,
        url: &str,
        accept: Option<&str>,
        etag: Option<String>,
        modified: Option<String>,
    ) -> Result<Fetched, String> {
        check_url(url, self.allow_private).await?;
        let mut request = self.http.get(url);
        if let Some(accept) = accept {
            request = request.header(ACCEPT, accept);
        }
        if let Some(etag) = etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(modified) = modified {
            request = request.header(IF_MODIFIED_SINCE, modified);
        }
        let mut response = match request.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Err("no answer within 10 s".into()),
            Err(e) => return Err(format!("unreachable: {}", crate::text::one_line(&e))),
        };
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(format!("the server answered {}", status.as_u16()));
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let (content_type, etag, modified) = (header(CONTENT_TYPE), header(ETAG), header(LAST_MODIFIED));
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    body.extend_from_slice(&chunk);
                    if body.len() > MAX_BODY {
                        return Err(format!("the answer is over the {MAX_BODY}-byte limit; is this the right URL?"));
                    }
                }
                Ok(None) => break,
                Err(e) => return Err(format!("the answer broke off: {}", crate::text::one_line(&e))),
            }
        }
        Ok(Fetched::Body { content_type, etag, modified, body })
    }
}
