//! The TLS check: connect to `domain:443` with SNI, read the certificate the server presents, and say whether a
//! browser would accept it (trusted, valid now, covering the name) and how long it has left.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

pub use app::domains::TlsOutcome;

/// What the TLS check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsReport {
    pub outcome: TlsOutcome,
    pub not_after: Option<DateTime<Utc>>,
    pub days_left: Option<i64>,
    pub issuer: Option<String>,
    pub subject: Option<String>,
    /// DNS names the certificate covers.
    pub names: Vec<String>,
    pub advice: String,
}

/// Which certificates to trust, and when to warn.
#[derive(Clone)]
pub struct TlsSettings {
    pub roots: Arc<RootCertStore>,
    /// Days before expiry that warn, largest first (default 30, 14, 7).
    pub warn_days: Vec<i64>,
    pub timeout: Duration,
}

impl TlsSettings {
    /// The system's trusted roots (Debian's ca-certificates).
    pub fn system() -> TlsSettings {
        let mut roots = RootCertStore::empty();
        let found = rustls_native_certs::load_native_certs();
        let (added, _ignored) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            tracing::warn!("no trusted root certificate found on this system; every TLS check will say untrusted");
        }
        TlsSettings { roots: Arc::new(roots), warn_days: vec![30, 14, 7], timeout: Duration::from_secs(10) }
    }

    /// The system's roots and these CA certificates (DER) beside them: a company CA.
    pub fn with_roots(extra: &[Vec<u8>]) -> TlsSettings {
        let mut settings = TlsSettings::system();
        let mut roots = (*settings.roots).clone();
        let (_added, ignored) =
            roots.add_parsable_certificates(extra.iter().map(|der| CertificateDer::from(der.clone())));
        if ignored > 0 {
            tracing::warn!(ignored, "some extra CA certificates could not be read and are not trusted");
        }
        settings.roots = Arc::new(roots);
        settings
    }
}

/// Verifies like a browser would, remembers the verdict and the certificate, and lets the handshake finish so the
/// certificate can be read even when it would be refused.
#[derive(Debug)]
struct Recorder {
    inner: Arc<WebPkiServerVerifier>,
    seen: Mutex<Option<Seen>>,
}

/// The end-entity certificate (DER) and what verifying it said.
type Seen = (Vec<u8>, Result<(), rustls::Error>);

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp, now).map(|_| ());
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some((end_entity.to_vec(), verdict));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

fn report(outcome: TlsOutcome, advice: String) -> TlsReport {
    TlsReport { outcome, not_after: None, days_left: None, issuer: None, subject: None, names: Vec::new(), advice }
}

/// Connects to `addr` presenting `host` as SNI and reports on the certificate, at `now`.
pub async fn check(settings: &TlsSettings, host: &str, addr: SocketAddr, now: DateTime<Utc>) -> TlsReport {
    match tokio::time::timeout(settings.timeout, TcpStream::connect(addr)).await {
        Ok(Ok(tcp)) => check_stream(settings, host, tcp, now).await,
        Ok(Err(e)) => no_answer(&addr.to_string(), &e.to_string()),
        Err(_) => no_answer(&addr.to_string(), &format!("no answer within {} s", settings.timeout.as_secs())),
    }
}

fn no_answer(at: &str, reason: &str) -> TlsReport {
    report(
        TlsOutcome::NoAnswer,
        format!(
            "Nothing answered TLS on {at} ({reason}). Check the CNAME, and that Auth0 has provisioned the certificate."
        ),
    )
}

/// The TLS handshake over a connection already open (after SMTP's STARTTLS, say), presenting `host` as SNI, and
/// what it says of the certificate at `now`.
pub async fn check_stream(settings: &TlsSettings, host: &str, tcp: TcpStream, now: DateTime<Utc>) -> TlsReport {
    let inner = match WebPkiServerVerifier::builder(settings.roots.clone()).build() {
        Ok(v) => v,
        Err(e) => return report(TlsOutcome::HandshakeError, format!("no trusted roots to check against: {e}")),
    };
    let recorder = Arc::new(Recorder { inner, seen: Mutex::new(None) });
    let config = rustls::ClientConfig::builder()
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    let Ok(server_name) = ServerName::try_from(host.to_string()) else {
        return report(TlsOutcome::HandshakeError, format!("{host:?} is not a name TLS can ask for"));
    };
    let peer = tcp.peer_addr().map(|a| a.to_string()).unwrap_or_else(|_| host.to_string());
    let connect = TlsConnector::from(Arc::new(config)).connect(server_name, tcp);
    let handshake = match tokio::time::timeout(settings.timeout, connect).await {
        Err(_) => Err((TlsOutcome::NoAnswer, format!("no answer within {} s", settings.timeout.as_secs()))),
        Ok(result) => result.map_err(|e| (TlsOutcome::HandshakeError, e.to_string())),
    };
    let seen = recorder.seen.lock().ok().and_then(|mut s| s.take());
    let (der, verdict) = match (handshake, seen) {
        (_, Some(seen)) => seen,
        (Err((TlsOutcome::NoAnswer, reason)), None) => return no_answer(&peer, &reason),
        (Err((_, reason)), None) => {
            return report(TlsOutcome::HandshakeError, format!("The TLS handshake failed: {reason}."));
        }
        (Ok(_), None) => return report(TlsOutcome::HandshakeError, "the server presented no certificate".into()),
    };
    let mut out = report(TlsOutcome::Ok, String::new());
    if let Ok((_, cert)) = X509Certificate::from_der(&der) {
        let not_after = DateTime::<Utc>::from_timestamp(cert.validity().not_after.timestamp(), 0);
        out.not_after = not_after;
        out.days_left = not_after.map(|t| (t - now).num_days());
        out.issuer = Some(cert.issuer().to_string());
        out.subject = Some(cert.subject().to_string());
        if let Ok(Some(san)) = cert.subject_alternative_name() {
            out.names = san
                .value
                .general_names
                .iter()
                .filter_map(|n| match n {
                    GeneralName::DNSName(d) => Some(d.to_string()),
                    _ => None,
                })
                .collect();
        }
    }
    let names = if out.names.is_empty() { "no name".to_string() } else { out.names.join(", ") };
    match verdict {
        Err(rustls::Error::InvalidCertificate(e)) => match e {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                out.outcome = TlsOutcome::Expired;
                out.advice = format!(
                    "The certificate expired {}. Browsers refuse it: for Auth0-managed certificates check the CNAME \
                     (renewal needs it); for self-managed ones install a new certificate.",
                    out.not_after.map(app::format::timestamp).unwrap_or_default()
                );
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                out.outcome = TlsOutcome::NameMismatch;
                out.advice = format!(
                    "The certificate covers {names}, not {host}. The name points at the wrong server, or the certificate is wrong."
                );
            }
            CertificateError::UnknownIssuer => {
                out.outcome = TlsOutcome::Untrusted;
                out.advice = format!(
                    "The certificate is issued by {} which browsers do not trust (self-signed or a private CA).",
                    out.issuer.clone().unwrap_or_default()
                );
            }
            other => {
                out.outcome = TlsOutcome::HandshakeError;
                out.advice = format!("The certificate is not acceptable: {other:?}.");
            }
        },
        Err(other) => {
            out.outcome = TlsOutcome::HandshakeError;
            out.advice = format!("The certificate could not be checked: {other}.");
        }
        Ok(()) => {
            let left = out.days_left.unwrap_or(i64::MAX);
            let first_warning = settings.warn_days.iter().copied().max().unwrap_or(30);
            if left <= first_warning {
                let threshold =
                    settings.warn_days.iter().copied().filter(|d| left <= *d).min().unwrap_or(first_warning);
                out.outcome = TlsOutcome::Expiring;
                out.advice = format!(
                    "The certificate expires in {left} days (warning at {threshold} days). Auth0 renews managed \
                     certificates only while the CNAME is right; renew self-managed ones now."
                );
            } else {
                out.advice = format!("Trusted, covers {host}, {left} days left.");
            }
        }
    }
    out
}
