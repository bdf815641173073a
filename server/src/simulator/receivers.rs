//! Real receivers on 127.0.0.1 for deliveries, used by tests, the demo and the benchmark: an HTTP receiver that
//! plays a generic webhook (checking `X-Tenantry-Signature`), Slack (`ok`, or `no_text`) and a Teams workflow
//! (`202 Accepted`), and can fail on demand; and a small SMTP server (EHLO, STARTTLS with a lab certificate, AUTH
//! PLAIN/LOGIN, MAIL, RCPT, DATA) that records every message and can refuse on demand.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;

use crate::notifications::send::{DELIVERY_HEADER, SIGNATURE_HEADER, verify};

/// One request the HTTP receiver accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    pub path: String,
    pub body: String,
    pub delivery: Option<String>,
    /// Whether `X-Tenantry-Signature` matched the body under the receiver's secret (`None`: none was sent).
    pub signature_ok: Option<bool>,
}

#[derive(Default)]
struct ReceiverState {
    secret: Option<String>,
    received: Vec<Received>,
    attempts: u64,
    fail_next: u32,
    fail_status: u16,
}

/// An HTTP receiver on 127.0.0.1.
pub struct Receiver {
    pub addr: SocketAddr,
    state: Arc<Mutex<ReceiverState>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(
    State(state): State<Arc<Mutex<ReceiverState>>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    s.attempts += 1;
    if s.fail_next > 0 {
        s.fail_next -= 1;
        let status = StatusCode::from_u16(s.fail_status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (status, "the lab receiver was asked to fail").into_response();
    }
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let sent = text(SIGNATURE_HEADER);
    let now = chrono::Utc::now().timestamp();
    let signature_ok = sent.as_ref().map(|got| s.secret.as_deref().is_some_and(|k| verify(k, got, &body, now)));
    let path = uri.path().to_string();
    let json: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    let answer = if path.starts_with("/slack") {
        match json.as_ref().and_then(|j| j["text"].as_str()) {
            Some(t) if !t.is_empty() => (StatusCode::OK, "ok").into_response(),
            _ => return (StatusCode::BAD_REQUEST, "no_text").into_response(),
        }
    } else if path.starts_with("/teams") {
        let card = json.as_ref().is_some_and(|j| j["type"] == "message" && j["attachments"].is_array());
        if !card {
            return (StatusCode::BAD_REQUEST, "the body is not a message with attachments").into_response();
        }
        StatusCode::ACCEPTED.into_response()
    } else {
        if sent.is_some() && signature_ok != Some(true) {
            return (StatusCode::UNAUTHORIZED, "bad signature").into_response();
        }
        (StatusCode::OK, "ok").into_response()
    };
    s.received.push(Received {
        path,
        body: String::from_utf8_lossy(&body).into_owned(),
        delivery: text(DELIVERY_HEADER),
        signature_ok,
    });
    answer
}

impl Receiver {
    /// Starts a receiver; `secret` is the generic webhook's signing secret it checks.
    pub async fn start(secret: Option<&str>) -> std::io::Result<Receiver> {
        let state = Arc::new(Mutex::new(ReceiverState {
            secret: secret.map(str::to_string),
            fail_status: 500,
            ..ReceiverState::default()
        }));
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let app = Router::new().fallback(receive).with_state(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Receiver { addr, state, task })
    }

    /// `http://127.0.0.1:PORT{path}`: `/slack…` answers like Slack, `/teams…` like a Teams workflow.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, ReceiverState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Answers the next `n` requests with `status` (500, 429…).
    pub fn fail_next(&self, n: u32, status: u16) {
        let mut s = self.state();
        s.fail_next = n;
        s.fail_status = status;
    }

    /// Every request accepted, in order.
    pub fn received(&self) -> Vec<Received> {
        self.state().received.clone()
    }

    /// Every request that arrived, accepted or not.
    pub fn attempts(&self) -> u64 {
        self.state().attempts
    }
}

/// One message the SMTP server accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent (headers and body), dots unstuffed.
    pub data: String,
    /// Whether the session had switched to TLS.
    pub tls: bool,
    /// The user who authenticated, if any.
    pub user: Option<String>,
}

#[derive(Default)]
struct SmtpState {
    mails: Vec<Mail>,
    refuse_next: u32,
    credentials: Option<(String, String)>,
}

#[derive(Debug)]
struct Always(Arc<CertifiedKey>);

impl ResolvesServerCert for Always {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}

/// An SMTP server on 127.0.0.1.
pub struct SmtpLab {
    pub addr: SocketAddr,
    state: Arc<Mutex<SmtpState>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpLab {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Where a session goes after a command loop ends.
enum Next {
    StartTls,
    Done,
}

/// A session's envelope so far.
#[derive(Default)]
struct Envelope {
    from: Option<String>,
    to: Vec<String>,
    user: Option<String>,
}

fn address(arg: &str) -> String {
    let arg = arg.split_once(':').map(|(_, a)| a).unwrap_or(arg).trim();
    let arg = arg.split_whitespace().next().unwrap_or("");
    arg.trim_start_matches('<').trim_end_matches('>').to_string()
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

async fn line<S: AsyncRead + AsyncWrite + Unpin>(r: &mut BufReader<S>) -> std::io::Result<Option<String>> {
    let mut buf = String::new();
    let n = tokio::time::timeout(Duration::from_secs(30), r.read_line(&mut buf))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle"))??;
    Ok((n > 0).then(|| buf.trim_end_matches(['\r', '\n']).to_string()))
}

async fn reply<S: AsyncRead + AsyncWrite + Unpin>(r: &mut BufReader<S>, text: &str) -> std::io::Result<()> {
    r.get_mut().write_all(text.as_bytes()).await?;
    r.get_mut().flush().await
}

/// Answers commands until QUIT, the end of the connection, or STARTTLS.
async fn commands<S: AsyncRead + AsyncWrite + Unpin>(
    r: &mut BufReader<S>,
    state: &Mutex<SmtpState>,
    tls_offered: bool,
    tls: bool,
    env: &mut Envelope,
) -> std::io::Result<Next> {
    let lock = || state.lock().unwrap_or_else(|e| e.into_inner());
    while let Some(command) = line(r).await? {
        let upper = command.to_ascii_uppercase();
        let verb = upper.split_whitespace().next().unwrap_or("").to_string();
        match verb.as_str() {
            "EHLO" => {
                let starttls = if tls_offered && !tls { "250-STARTTLS\r\n" } else { "" };
                reply(r, &format!("250-tenantry-lab\r\n{starttls}250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")).await?;
            }
            "HELO" => reply(r, "250 tenantry-lab\r\n").await?,
            "STARTTLS" if tls_offered && !tls => {
                reply(r, "220 2.0.0 go ahead\r\n").await?;
                return Ok(Next::StartTls);
            }
            "AUTH" => {
                let args: Vec<&str> = command.split_whitespace().skip(1).collect();
                let (user, pass) = match args.first().map(|m| m.to_ascii_uppercase()).as_deref() {
                    Some("PLAIN") => {
                        let blob = match args.get(1) {
                            Some(b) => b.to_string(),
                            None => {
                                reply(r, "334 \r\n").await?;
                                line(r).await?.unwrap_or_default()
                            }
                        };
                        let decoded = b64(&blob);
                        let mut parts = decoded.split('\0').skip(1);
                        (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string())
                    }
                    Some("LOGIN") => {
                        reply(r, "334 VXNlcm5hbWU6\r\n").await?;
                        let user = b64(&line(r).await?.unwrap_or_default());
                        reply(r, "334 UGFzc3dvcmQ6\r\n").await?;
                        (user, b64(&line(r).await?.unwrap_or_default()))
                    }
                    _ => {
                        reply(r, "504 5.5.4 mechanism not supported\r\n").await?;
                        continue;
                    }
                };
                let expected = lock().credentials.clone();
                if expected.is_none_or(|(u, p)| u == user && p == pass) {
                    env.user = Some(user);
                    reply(r, "235 2.7.0 authenticated\r\n").await?;
                } else {
                    reply(r, "535 5.7.8 authentication credentials invalid\r\n").await?;
                }
            }
            "MAIL" => {
                let refuse = {
                    let mut s = lock();
                    let refuse = s.refuse_next > 0;
                    s.refuse_next = s.refuse_next.saturating_sub(1);
                    refuse
                };
                if refuse {
                    reply(r, "451 4.3.0 the lab server was asked to refuse\r\n").await?;
                } else {
                    env.from = Some(address(&command));
                    env.to.clear();
                    reply(r, "250 2.1.0 ok\r\n").await?;
                }
            }
            "RCPT" => {
                env.to.push(address(&command));
                reply(r, "250 2.1.5 ok\r\n").await?;
            }
            "DATA" => {
                if env.from.is_none() || env.to.is_empty() {
                    reply(r, "503 5.5.1 MAIL and RCPT first\r\n").await?;
                    continue;
                }
                reply(r, "354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut data = String::new();
                while let Some(l) = line(r).await? {
                    if l == "." {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').filter(|_| l.starts_with("..")).unwrap_or(&l));
                    data.push('\n');
                }
                lock().mails.push(Mail {
                    from: env.from.take().unwrap_or_default(),
                    to: std::mem::take(&mut env.to),
                    data,
                    tls,
                    user: env.user.clone(),
                });
                reply(r, "250 2.0.0 queued\r\n").await?;
            }
            "RSET" => {
                env.from = None;
                env.to.clear();
                reply(r, "250 2.0.0 ok\r\n").await?;
            }
            "NOOP" => reply(r, "250 2.0.0 ok\r\n").await?,
            "QUIT" => {
                reply(r, "221 2.0.0 bye\r\n").await?;
                return Ok(Next::Done);
            }
            _ => reply(r, "502 5.5.2 command not implemented\r\n").await?,
        }
    }
    Ok(Next::Done)
}

async fn session(stream: tokio::net::TcpStream, state: Arc<Mutex<SmtpState>>, tls: Option<TlsAcceptor>) {
    let mut plain = BufReader::new(stream);
    let mut env = Envelope::default();
    if reply(&mut plain, "220 tenantry-lab ESMTP\r\n").await.is_err() {
        return;
    }
    match commands(&mut plain, &state, tls.is_some(), false, &mut env).await {
        Ok(Next::StartTls) => {}
        _ => return,
    }
    let Some(acceptor) = tls else { return };
    let Ok(secured) = acceptor.accept(plain.into_inner()).await else { return };
    let mut secured = BufReader::new(secured);
    let _ = commands(&mut secured, &state, true, true, &mut Envelope::default()).await;
}

impl SmtpLab {
    /// Starts an SMTP server; with `certificate` it offers STARTTLS with it. `credentials`: the user and password
    /// AUTH must give (any, when `None`).
    pub async fn start(
        certificate: Option<CertifiedKey>,
        credentials: Option<(&str, &str)>,
    ) -> std::io::Result<SmtpLab> {
        let tls = certificate.map(|key| {
            let config = tokio_rustls::rustls::ServerConfig::builder()
                .with_no_client_auth()
                .with_cert_resolver(Arc::new(Always(Arc::new(key))));
            TlsAcceptor::from(Arc::new(config))
        });
        let state = Arc::new(Mutex::new(SmtpState {
            credentials: credentials.map(|(u, p)| (u.to_string(), p.to_string())),
            ..SmtpState::default()
        }));
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, shared.clone(), tls.clone()));
            }
        });
        Ok(SmtpLab { addr, state, task })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, SmtpState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Refuses the next `n` messages with a temporary failure (451).
    pub fn refuse_next(&self, n: u32) {
        self.state().refuse_next = n;
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.state().mails.clone()
    }
}
