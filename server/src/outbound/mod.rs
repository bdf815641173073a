//! Outbound connections to addresses people typed in or that answers named: status pages, advisory feeds,
//! webhooks, monitoring probes and tenants' Auth0 API URLs all go through `client::Client` (SMTP servers through
//! `client::resolve`) under one `Policy` — public
//! addresses only unless a setting allows private ones, every spelling of an address checked, names resolved once,
//! every redirect re-checked, a time limit and a size limit. Every refusal is a sentence a person can act on.

pub mod address;
pub mod client;
mod fetch;

pub use client::{BodyError, Client, Options, Policy, check_url, read_limited, resolve};
pub use fetch::{Fetched, Fetcher, MAX_BODY};

/// The innermost cause of an error, on one line: what went wrong ("connection refused", "resolved to the
/// loopback address…") without the layers around it.
pub fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    crate::text::one_line(cause)
}
