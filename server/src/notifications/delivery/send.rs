//! Sending one message to one channel: a signed JSON POST for generic webhooks, Slack's and Teams' webhook formats,
//! and email over SMTP (lettre: STARTTLS, implicit TLS, or none for a relay on a trusted network). The answer is a
//! `Sent` or a `Failure` whose text says what the receiver said and what to check.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use sha2::Sha256;

use super::message::{self, Message};
use super::model::{Channel, ChannelKind, SmtpSecurity, SmtpSettings};

/// The header that carries a generic webhook's signature: `sha256=` and the hex HMAC-SHA256 of the body.
pub const SIGNATURE_HEADER: &str = "x-tenantry-signature";
/// The delivery's id (the same on every retry), so a receiver can drop a repeat.
pub const DELIVERY_HEADER: &str = "x-tenantry-delivery";

/// How long one delivery may take.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// A delivery the receiver accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    /// The HTTP status or SMTP reply code.
    pub status: Option<u16>,
    pub duration: Duration,
}

/// A delivery that did not go through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub status: Option<u16>,
    /// What happened, for people: the receiver's answer and what to check.
    pub message: String,
    /// The receiver asked to wait this long (HTTP 429 `Retry-After`).
    pub retry_after: Option<Duration>,
    pub duration: Duration,
}

use crate::outbound::root_cause;

/// `t=<unix seconds>,v1=<hex>`: the HMAC-SHA256, under the channel's secret, of the timestamp, a `.` and the body.
/// The timestamp is signed with the body, so a receiver that refuses old timestamps cannot be sent a recorded
/// delivery again later.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", hex::encode(mac(secret, timestamp, body).finalize().into_bytes()))
}

/// The HMAC-SHA256 under `secret` of `"{timestamp}.{body}"`, not yet finalised.
fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// How old a signed delivery a receiver should still take (what `verify` allows).
pub const SIGNATURE_TOLERANCE_SECS: i64 = 300;

/// Checks a signature header the way a receiver should: the MAC over timestamp and body, in constant time, and a
/// timestamp within `SIGNATURE_TOLERANCE_SECS` of `now`.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> bool {
    let mut timestamp = None;
    let mut sent = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => sent = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(timestamp), Some(sent)) = (timestamp, sent) else { return false };
    if (now - timestamp).abs() > SIGNATURE_TOLERANCE_SECS {
        return false;
    }
    mac(secret, timestamp, body).verify_slice(&sent).is_ok()
}

/// Sends messages to channels.
#[derive(Clone)]
pub struct Sender {
    http: crate::outbound::Client,
    /// Roots trusted beside the system's for SMTP TLS (a company CA; the test lab's).
    smtp_roots: Vec<Vec<u8>>,
    /// TLS parameters per SMTP host: building them reads the system's roots.
    tls: Arc<Mutex<HashMap<String, TlsParameters>>>,
}

impl Sender {
    /// `allow_private`: whether webhook URLs may point at private or loopback addresses. `smtp_roots`: DER
    /// certificates trusted for SMTP beside the system's roots.
    pub fn new(allow_private: bool, smtp_roots: Vec<Vec<u8>>) -> Result<Sender, String> {
        let options = crate::outbound::Options { timeout: HTTP_TIMEOUT, redirects: 0, ..Default::default() };
        let http = crate::outbound::Client::new(crate::outbound::Policy::private_allowed(allow_private), options)?;
        Ok(Sender { http, smtp_roots, tls: Arc::default() })
    }

    /// Sends `m` to `channel`; `delivery` names the attempt's outbox row (`test-…` for "Send test").
    pub async fn send(&self, channel: &Channel, m: &Message, delivery: &str) -> Result<Sent, Failure> {
        let started = Instant::now();
        let result = match channel.kind {
            ChannelKind::Webhook => {
                let body = message::webhook(m).to_string();
                let now = chrono::Utc::now().timestamp();
                let signed = channel.signing_secret.as_deref().map(|s| signature(s, now, body.as_bytes()));
                self.post(channel, body, signed, delivery, m).await
            }
            ChannelKind::Slack => self.post(channel, message::slack(m).to_string(), None, delivery, m).await,
            ChannelKind::Teams => self.post(channel, message::teams(m).to_string(), None, delivery, m).await,
            ChannelKind::Email => self.email(channel, m).await,
        };
        let duration = started.elapsed();
        match result {
            Ok(status) => Ok(Sent { status, duration }),
            Err((status, message, retry_after)) => Err(Failure { status, message, retry_after, duration }),
        }
    }

    async fn post(
        &self,
        channel: &Channel,
        body: String,
        signature: Option<String>,
        delivery: &str,
        m: &Message,
    ) -> Result<Option<u16>, (Option<u16>, String, Option<Duration>)> {
        let url = channel.url.as_deref().ok_or((None, "the channel has no URL".to_string(), None))?;
        let request = self.http.post(url).map_err(|e| (None, e, None))?;
        let mut request = request.header(CONTENT_TYPE, "application/json").body(body);
        if let Some(signature) = signature {
            request = request
                .header(SIGNATURE_HEADER, signature)
                .header(DELIVERY_HEADER, delivery)
                .header("x-tenantry-event", if m.is_test() { "test" } else { "notification.update" });
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => {
                return Err((None, format!("no answer within {} s", HTTP_TIMEOUT.as_secs()), None));
            }
            Err(e) => return Err((None, format!("unreachable: {}", root_cause(&e.without_url())), None)),
        };
        let status = response.status();
        if status.is_success() {
            return Ok(Some(status.as_u16()));
        }
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let said = crate::outbound::read_limited(response, 64 * 1024).await.unwrap_or_default();
        let said: String = String::from_utf8_lossy(&said).split_whitespace().collect::<Vec<_>>().join(" ");
        let said: String = said.chars().take(200).collect();
        let hint = match (channel.kind, status.as_u16()) {
            (_, 300..=399) => "redirects are not followed; enter the final URL",
            (_, 401 | 403) => "the receiver refused us; check the URL (and the signing secret)",
            (ChannelKind::Slack, 404 | 410) => "Slack no longer knows this webhook (removed, or the channel archived)",
            (_, 404 | 410) => "the URL is not (or no longer) a webhook; check it",
            (_, 429) => "the receiver is rate limiting; Tenantry retries later",
            (_, 400..=499) => "the receiver refused the message",
            _ => "the receiver failed; Tenantry retries later",
        };
        let message = if said.is_empty() {
            format!("the receiver answered {} ({hint})", status.as_u16())
        } else {
            format!("the receiver answered {} {said:?} ({hint})", status.as_u16())
        };
        Err((Some(status.as_u16()), message, retry_after))
    }

    fn tls_parameters(&self, host: &str) -> Result<TlsParameters, String> {
        let mut cache = self.tls.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = cache.get(host) {
            return Ok(p.clone());
        }
        let mut builder = TlsParameters::builder(host.to_string());
        for der in &self.smtp_roots {
            builder = builder.add_root_certificate(Certificate::from_der(der.clone()).map_err(|e| e.to_string())?);
        }
        let params = builder.build_rustls().map_err(|e| e.to_string())?;
        cache.insert(host.to_string(), params.clone());
        Ok(params)
    }

    async fn email(
        &self,
        channel: &Channel,
        m: &Message,
    ) -> Result<Option<u16>, (Option<u16>, String, Option<Duration>)> {
        let fail = |e: String| (None, e, None);
        let smtp: &SmtpSettings =
            channel.smtp.as_ref().ok_or_else(|| fail("the channel has no SMTP settings".into()))?;
        let from: Mailbox = smtp.from.parse().map_err(|e| fail(format!("From: {e}")))?;
        let mut builder = lettre::Message::builder().from(from).subject(message::email_subject(m));
        for to in &smtp.to {
            builder = builder.to(to.parse::<Mailbox>().map_err(|e| fail(format!("To {to}: {e}")))?);
        }
        let email = builder
            .multipart(MultiPart::alternative_plain_html(message::email_text(m), message::email_html(m)))
            .map_err(|e| fail(format!("cannot build the email: {e}")))?;
        let tls = match smtp.security {
            SmtpSecurity::None => Tls::None,
            SmtpSecurity::StartTls => Tls::Required(self.tls_parameters(&smtp.host).map_err(fail)?),
            SmtpSecurity::Tls => Tls::Wrapper(self.tls_parameters(&smtp.host).map_err(fail)?),
        };
        // The server's address under the outbound policy, resolved once; TLS is still verified against the host name.
        let address = crate::outbound::resolve(&smtp.host, self.http.policy()).await.map_err(fail)?;
        let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(address.to_string())
            .port(smtp.port)
            .tls(tls)
            .timeout(Some(SMTP_TIMEOUT));
        if let Some(user) = &smtp.username {
            transport =
                transport.credentials(Credentials::new(user.clone(), channel.password.clone().unwrap_or_default()));
        }
        match transport.build().send(email).await {
            Ok(response) => Ok(Some(u16::from(response.code()))),
            Err(e) => {
                let code = e.status().map(u16::from);
                let hint = if e.is_timeout() {
                    "no answer in time; check the host and port"
                } else if e.is_tls() {
                    "TLS failed; check the security setting and the server's certificate"
                } else if e.is_permanent() {
                    "the server refused the message; check the addresses and the credentials"
                } else if e.is_transient() {
                    "the server asked to try again later"
                } else {
                    "check the host, port and security setting"
                };
                let said = crate::text::one_line(&e);
                Err((code, format!("SMTP {}:{}: {said} ({hint})", smtp.host, smtp.port), None))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_cover_the_timestamp_and_the_body() {
        // Computed independently: Python's hmac.new(b"Jefe", b"1800000000.what do ya want for nothing?", sha256).
        let header = signature("Jefe", 1_800_000_000, b"what do ya want for nothing?");
        assert_eq!(header, "t=1800000000,v1=ab5a2e6f7ddd4f6783bae7a65618acf1b188b4ca973bbebbbdeb60024ee0f3f3");
        let body = b"what do ya want for nothing?";
        assert!(verify("Jefe", &header, body, 1_800_000_000 + 299), "within five minutes");
        assert!(!verify("Jefe", &header, body, 1_800_000_000 + 301), "a replay an hour later is refused");
        assert!(!verify("Jefe", &header, b"what do ya want for something?", 1_800_000_000), "another body");
        assert!(!verify("Jefe", &header.replace("t=1800000000", "t=1800003600"), body, 1_800_003_600), "a moved clock");
        assert!(!verify("other", &header, body, 1_800_000_000));
        for garbage in ["", "sha256=ab5a", "t=x,v1=zz", "v1=ab5a2e6f"] {
            assert!(!verify("Jefe", garbage, body, 1_800_000_000), "{garbage}");
        }
    }
}
