//! Real DNS and TLS servers on 127.0.0.1 for tests, the demo and benchmarks: an authoritative hickory-server over
//! UDP and TCP serving in-memory zones, and a TLS server choosing its certificate by SNI from certificates an
//! rcgen-made CA (or anyone else) issued — handshake only, or answering every HTTP request with one status. Nothing here is a mock: the checkers talk to them over the network.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Datelike, Utc};
use hickory_proto::rr::rdata::{A, CNAME, SOA, TXT};
use hickory_proto::rr::{LowerName, Name, RData, Record, RecordSet, RecordType, RrKey};
use hickory_server::Server;
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, date_time_ymd};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::net::{TcpListener, UdpSocket};
use tokio_rustls::TlsAcceptor;

/// One record of a lab zone.
#[derive(Clone, Debug)]
pub enum LabRecord {
    Cname(String, String),
    A(String, Ipv4Addr),
    Txt(String, String),
}

impl LabRecord {
    fn name(&self) -> &str {
        match self {
            LabRecord::Cname(n, _) | LabRecord::A(n, _) | LabRecord::Txt(n, _) => n,
        }
    }
}

fn fqdn(name: &str) -> Result<Name, String> {
    Name::from_ascii(format!("{}.", name.trim_end_matches('.'))).map_err(|e| format!("{name}: {e}"))
}

/// A running authoritative DNS server; dropped, it stops answering.
pub struct DnsLab {
    pub addr: SocketAddr,
    _server: Server<Catalog>,
}

impl DnsLab {
    /// Serves `records` from the zones `origins` (each record goes to the zone it is under) on one port of
    /// 127.0.0.1, over UDP and TCP.
    pub async fn start(origins: &[&str], records: &[LabRecord]) -> Result<DnsLab, String> {
        let mut catalog = Catalog::new();
        for origin in origins {
            let origin_name = fqdn(origin)?;
            let mut map: BTreeMap<RrKey, RecordSet> = BTreeMap::new();
            let soa = SOA::new(
                fqdn(&format!("ns.{origin}"))?,
                fqdn(&format!("hostmaster.{origin}"))?,
                1,
                3600,
                600,
                86400,
                60,
            );
            let mut set = RecordSet::new(origin_name.clone(), RecordType::SOA, 1);
            set.insert(Record::from_rdata(origin_name.clone(), 60, RData::SOA(soa)), 1);
            map.insert(RrKey::new(LowerName::from(&origin_name), RecordType::SOA), set);
            let suffix = format!(".{}", origin.trim_end_matches('.'));
            for record in records.iter().filter(|r| r.name().ends_with(&suffix) || r.name() == *origin) {
                let name = fqdn(record.name())?;
                let (kind, data) = match record {
                    LabRecord::Cname(_, target) => (RecordType::CNAME, RData::CNAME(CNAME(fqdn(target)?))),
                    LabRecord::A(_, ip) => (RecordType::A, RData::A(A(*ip))),
                    LabRecord::Txt(_, text) => (RecordType::TXT, RData::TXT(TXT::new(vec![text.clone()]))),
                };
                let key = RrKey::new(LowerName::from(&name), kind);
                map.entry(key)
                    .or_insert_with(|| RecordSet::new(name.clone(), kind, 1))
                    .insert(Record::from_rdata(name, 60, data), 1);
            }
            let handler = InMemoryZoneHandler::<hickory_resolver::net::runtime::TokioRuntimeProvider>::new(
                origin_name.clone(),
                map,
                ZoneType::Primary,
                AxfrPolicy::Deny,
            )?;
            catalog.upsert(LowerName::from(&origin_name), vec![Arc::new(handler)]);
        }
        // UDP and TCP on the same port, as resolvers expect.
        for _ in 0..20 {
            let udp = UdpSocket::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
            let addr = udp.local_addr().map_err(|e| e.to_string())?;
            let Ok(tcp) = TcpListener::bind(addr).await else { continue };
            let mut server = Server::new(catalog);
            server.register_socket(udp);
            server.register_listener(tcp, Duration::from_secs(5), 4096);
            return Ok(DnsLab { addr, _server: server });
        }
        Err("no free port for the lab DNS server".into())
    }
}

/// A certificate authority for lab certificates.
pub struct LabCa {
    issuer: Issuer<'static, KeyPair>,
    pub der: CertificateDer<'static>,
}

impl LabCa {
    pub fn new(name: &str) -> Result<LabCa, String> {
        let key = KeyPair::generate().map_err(|e| e.to_string())?;
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.distinguished_name.push(DnType::OrganizationName, "Tenantry lab");
        let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
        Ok(LabCa { der: cert.der().clone(), issuer: Issuer::new(params, key) })
    }

    /// A certificate for `names`, valid from `from` to `until` (whole days, UTC).
    pub fn issue(&self, names: &[&str], from: DateTime<Utc>, until: DateTime<Utc>) -> Result<CertifiedKey, String> {
        let key = KeyPair::generate().map_err(|e| e.to_string())?;
        let mut params = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .map_err(|e| e.to_string())?;
        params.distinguished_name.push(DnType::CommonName, names.first().copied().unwrap_or("lab"));
        let date = |at: DateTime<Utc>| date_time_ymd(at.year(), at.month() as u8, at.day() as u8);
        params.not_before = date(from);
        params.not_after = date(until);
        let cert = params.signed_by(&key, &self.issuer).map_err(|e| e.to_string())?;
        let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let signer = rustls::crypto::ring::sign::any_supported_type(&private).map_err(|e| e.to_string())?;
        Ok(CertifiedKey::new(vec![cert.der().clone(), self.der.clone()], signer))
    }
}

/// Reads one request's head (at most 16 KiB) and answers it with `status`.
async fn answer<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    stream: &mut S,
    status: u16,
) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let reply = format!("HTTP/1.1 {status} Lab\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    stream.write_all(reply.as_bytes()).await?;
    stream.shutdown().await
}

#[derive(Debug)]
struct BySni(BTreeMap<String, Arc<CertifiedKey>>);

impl ResolvesServerCert for BySni {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        hello.server_name().and_then(|name| self.0.get(&name.to_ascii_lowercase()).cloned())
    }
}

/// A TLS server on 127.0.0.1 that answers each SNI name with its certificate (handshake only, then closes; or,
/// started with `https`, one HTTP answer of a fixed status).
pub struct TlsLab {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TlsLab {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TlsLab {
    pub async fn start(certs: Vec<(String, CertifiedKey)>) -> Result<TlsLab, String> {
        TlsLab::serve(certs, None).await
    }

    /// An HTTPS server answering every request with `status` and an empty body.
    pub async fn https(certs: Vec<(String, CertifiedKey)>, status: u16) -> Result<TlsLab, String> {
        TlsLab::serve(certs, Some(status)).await
    }

    async fn serve(certs: Vec<(String, CertifiedKey)>, status: Option<u16>) -> Result<TlsLab, String> {
        // Any certificate under any name (a wrong-name certificate is a case the lab must be able to serve).
        let by_name = BySni(certs.into_iter().map(|(name, key)| (name.to_ascii_lowercase(), Arc::new(key))).collect());
        let config = rustls::ServerConfig::builder().with_no_client_auth().with_cert_resolver(Arc::new(by_name));
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A handshake is all a check needs; unknown names fail it, as a real edge does.
                    let session = async {
                        let mut tls = acceptor.accept(stream).await?;
                        if let Some(status) = status {
                            answer(&mut tls, status).await?;
                        }
                        Ok::<(), std::io::Error>(())
                    };
                    let _ = tokio::time::timeout(Duration::from_secs(5), session).await;
                });
            }
        });
        Ok(TlsLab { addr, task })
    }
}
