//! The `domains` area: the custom domain of every tenant, checked in live DNS (`dns`: the CNAME chain against the
//! target Auth0 expects) and TLS (`tls`: the certificate the domain presents), with host names parsed strictly
//! (`hostname`). `lab` runs real DNS and TLS servers on 127.0.0.1 for tests and the demo.

pub mod dns;
pub mod hostname;
pub mod lab;
pub mod tls;
