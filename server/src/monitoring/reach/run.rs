//! One timed run of a reachability check. Every connection goes to an address `outbound::resolve` gave under the
//! reachability policy (public addresses, plus the networks `infra.reach_networks` names); certificates are judged
//! as the custom-domain check judges them (the system's roots and `infra.reach_ca_file`).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::io::BufReader;
use tokio::net::TcpStream;

use super::Endpoint;
use super::smtp::{offers_starttls, read_reply, send};
use crate::domains::tls::{self, TlsOutcome, TlsReport, TlsSettings};
use crate::monitoring::model::{Kind, Outcome};
use crate::monitoring::probe::Ran;
use crate::outbound::{self, Policy};

/// The time limit of one run.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Runs reachability checks under one policy and one set of trusted roots.
#[derive(Clone)]
pub struct Reach {
    policy: Policy,
    tls: TlsSettings,
    http: outbound::Client,
}

/// What one check asks.
#[derive(Clone, Debug)]
pub struct Ask {
    pub kind: Kind,
    pub endpoint: Endpoint,
    /// HTTPS: the status expected.
    pub expect_status: u16,
    /// SMTP: the server must offer STARTTLS and present an acceptable certificate.
    pub starttls: bool,
}

/// A failed step: the outcome and what happened.
type Failed = (Outcome, String);

impl Reach {
    /// Under `policy`, trusting the system's roots and `roots` (a company CA's certificates, DER), each run
    /// stopped after `timeout`.
    pub fn new(policy: Policy, roots: &[Vec<u8>], timeout: Duration) -> Result<Reach, String> {
        let mut tls = TlsSettings::with_roots(roots);
        tls.timeout = timeout;
        let options = outbound::Options {
            timeout,
            connect_timeout: timeout.min(Duration::from_secs(5)),
            redirects: 0,
            user_agent: concat!("tenantry-reach/", env!("CARGO_PKG_VERSION")),
        };
        Ok(Reach { policy, http: outbound::Client::with_roots(policy, options, roots)?, tls })
    }

    /// Any address, the system's roots: where no reachability check is expected (the demo's Auth0 history, tests).
    pub fn any_address() -> Result<Reach, String> {
        Reach::new(Policy::ANY_ADDRESS, &[], TIMEOUT)
    }

    pub async fn run(&self, ask: &Ask, now: DateTime<Utc>) -> Ran {
        let started = Instant::now();
        let result = tokio::time::timeout(self.tls.timeout, self.steps(ask, now)).await.unwrap_or_else(|_| {
            Err((Outcome::Timeout, format!("no complete answer within {} s", self.tls.timeout.as_secs())))
        });
        let latency_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        match result {
            Ok((status, detail)) => Ran { outcome: Outcome::Ok, latency_ms, http_status: status, detail },
            Err((outcome, detail)) => Ran { outcome, latency_ms, http_status: None, detail },
        }
    }

    async fn steps(&self, ask: &Ask, now: DateTime<Utc>) -> Result<(Option<u16>, String), Failed> {
        let endpoint = &ask.endpoint;
        let ip = outbound::resolve(&endpoint.host, self.policy).await.map_err(|e| (Outcome::Unreachable, e))?;
        let addr = SocketAddr::new(ip, endpoint.port);
        let tcp = TcpStream::connect(addr).await.map_err(|e| {
            let outcome =
                if e.kind() == std::io::ErrorKind::ConnectionRefused { Outcome::Refused } else { Outcome::Unreachable };
            (outcome, format!("cannot connect to {addr}: {e}"))
        })?;
        match ask.kind {
            Kind::Https => self.https(ask, tcp, now).await,
            Kind::Smtp => self.smtp(ask, tcp, now).await.map(|detail| (None, detail)),
            _ => Ok((None, format!("connected to {addr}"))),
        }
    }

    async fn https(&self, ask: &Ask, tcp: TcpStream, now: DateTime<Utc>) -> Result<(Option<u16>, String), Failed> {
        let endpoint = &ask.endpoint;
        let certificate = acceptable(tls::check_stream(&self.tls, &endpoint.host, tcp, now).await, &endpoint.host)?;
        let url = format!("https://{}{}", endpoint.authority(), endpoint.path);
        let request = self.http.get(&url).map_err(|e| (Outcome::Unreachable, e))?;
        let response = request.send().await.map_err(|e| {
            let outcome = if e.is_timeout() { Outcome::Timeout } else { Outcome::Unreachable };
            (outcome, outbound::root_cause(&e))
        })?;
        let status = response.status().as_u16();
        if status != ask.expect_status {
            return Err((
                Outcome::WrongStatus,
                format!("answered {status}, expected {}; {certificate}", ask.expect_status),
            ));
        }
        Ok((Some(status), format!("answered {status}; {certificate}")))
    }

    async fn smtp(&self, ask: &Ask, tcp: TcpStream, now: DateTime<Utc>) -> Result<String, Failed> {
        let problem = |e: String| (Outcome::SmtpProblem, e);
        let local = tcp.local_addr().map(|a| a.ip().to_string()).unwrap_or_else(|_| "127.0.0.1".into());
        let mut stream = BufReader::new(tcp);
        let greeting = read_reply(&mut stream).await.map_err(problem)?;
        if greeting.code != 220 {
            return Err(problem(format!("greeted with {:?} instead of 220", greeting.said())));
        }
        send(stream.get_mut(), &format!("EHLO [{local}]")).await.map_err(problem)?;
        let ehlo = read_reply(&mut stream).await.map_err(problem)?;
        if ehlo.code != 250 {
            return Err(problem(format!("answered EHLO with {:?}", ehlo.said())));
        }
        let greeted = format!("greeted with {:?}", greeting.said());
        if !ask.starttls {
            let _ = send(stream.get_mut(), "QUIT").await;
            return Ok(greeted);
        }
        if !offers_starttls(&ehlo) {
            return Err(problem(format!("{greeted} but does not offer STARTTLS")));
        }
        send(stream.get_mut(), "STARTTLS").await.map_err(problem)?;
        let ready = read_reply(&mut stream).await.map_err(problem)?;
        if ready.code != 220 {
            return Err(problem(format!("answered STARTTLS with {:?}", ready.said())));
        }
        let certificate = acceptable(
            tls::check_stream(&self.tls, &ask.endpoint.host, stream.into_inner(), now).await,
            &ask.endpoint.host,
        )?;
        Ok(format!("{greeted}, STARTTLS {certificate}"))
    }
}

/// The certificate in words when a client would accept it (an expiring one is accepted, and said), else why not.
fn acceptable(report: TlsReport, host: &str) -> Result<String, Failed> {
    let until = report.not_after.map(app::format::timestamp).unwrap_or_default();
    let left = report.days_left.unwrap_or_default();
    match report.outcome {
        TlsOutcome::Ok => Ok(format!("certificate valid until {until} ({left} days)")),
        TlsOutcome::Expiring => Ok(format!("certificate valid until {until}: only {left} days left, renew it")),
        TlsOutcome::Expired => Err((Outcome::Certificate, format!("the certificate expired {until}"))),
        TlsOutcome::NameMismatch => {
            Err((Outcome::Certificate, format!("the certificate covers {}, not {host}", report.names.join(", "))))
        }
        TlsOutcome::Untrusted => Err((
            Outcome::Certificate,
            format!(
                "the certificate is issued by {}, which is not trusted here (a company CA goes in \
                 infra.reach_ca_file; Auth0 itself trusts public CAs)",
                report.issuer.unwrap_or_default()
            ),
        )),
        TlsOutcome::NoAnswer => Err((Outcome::Timeout, "no TLS handshake within the time limit".into())),
        TlsOutcome::HandshakeError => Err((Outcome::Certificate, report.advice)),
    }
}
