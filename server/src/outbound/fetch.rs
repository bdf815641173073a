//! Conditional GETs of documents people pointed Tenantry at (status pages, advisory feeds), through the guarded
//! client, within a time and a size limit.

use reqwest::header::{ACCEPT, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};

use super::client::{Client, Options, Policy, read_limited};
pub use crate::text::MAX_BODY;

/// One answer to a conditional GET.
pub enum Fetched {
    NotModified,
    Body { content_type: Option<String>, etag: Option<String>, modified: Option<String>, body: Vec<u8> },
}

/// GETs documents (status pages, feeds) within the limits.
#[derive(Clone)]
pub struct Fetcher {
    http: Client,
}

impl Fetcher {
    pub fn new(policy: Policy) -> Result<Self, String> {
        Ok(Fetcher { http: Client::new(policy, Options::default())? })
    }

    /// A conditional GET (`If-None-Match` / `If-Modified-Since`); the error is the reason a person reads.
    pub async fn get(
        &self,
        url: &str,
        accept: Option<&str>,
        etag: Option<String>,
        modified: Option<String>,
    ) -> Result<Fetched, String> {
        let mut request = self.http.get(url)?;
        if let Some(accept) = accept {
            request = request.header(ACCEPT, accept);
        }
        if let Some(etag) = etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(modified) = modified {
            request = request.header(IF_MODIFIED_SINCE, modified);
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Err("no answer within 10 s".into()),
            Err(e) => return Err(format!("unreachable: {}", super::root_cause(&e))),
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
        let body = read_limited(response, MAX_BODY).await.map_err(|e| e.to_string())?;
        Ok(Fetched::Body { content_type, etag, modified, body })
    }
}
