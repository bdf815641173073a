//! The `auth0` client: what Tenantry sends to Auth0's Management and Authentication APIs, and how it reads the
//! answers. Server-only; areas use it through their engines.

pub mod client;
pub mod ratelimit;
pub mod types;

pub use client::{Auth0Client, Auth0Error, Fetched, TenantEndpoint};
