//! The value parsers settings share: whole numbers in bounds, booleans, PEM certificate files.

/// Reads the CA certificates of a PEM file.
pub(super) fn pem_certificates(path: &str) -> Result<Vec<Vec<u8>>, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read {path}: {e}"))?
        .map(|c| c.map(|c| c.to_vec()).map_err(|e| format!("{path} is not PEM: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    if certs.is_empty() {
        return Err(format!("{path} holds no PEM certificate"));
    }
    Ok(certs)
}

pub(super) fn bounded(v: &str, min: u64, max: u64) -> Result<u64, String> {
    let n: u64 = v.parse().map_err(|_| "not a whole number".to_string())?;
    if (min..=max).contains(&n) { Ok(n) } else { Err(format!("{n} is out of range")) }
}

pub(super) fn true_or_false(v: &str) -> Result<bool, String> {
    match v {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("neither true nor false".to_string()),
    }
}

/// Comma-separated IP addresses or networks (`10.0.0.0/8, 192.0.2.7`).
pub(super) fn networks(v: &str) -> Result<Vec<ipnet::IpNet>, String> {
    v.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("{p:?} is neither an IP address nor a network"))
        })
        .collect()
}
