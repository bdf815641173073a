//! The simulator's signing keys, SMS provider and email templates, in the Management API's shapes: `GET
//! /api/v2/keys/signing` (each key with its PEM certificate; the current one expiring when the tenant says),
//! `GET /api/v2/guardian/factors/phone/selected-provider` and `GET /api/v2/email-templates/{name}` (404 for a
//! template never customized, as Auth0 answers).

use chrono::{DateTime, Datelike, Utc};
use rcgen::{CertificateParams, DnType, KeyPair, date_time_ymd};
use serde_json::{Value, json};

use super::SimTenant;

/// A self-signed signing certificate for `domain` valid until `until`, as PEM.
fn certificate(domain: &str, until: DateTime<Utc>) -> String {
    let made = (|| {
        let key = KeyPair::generate().ok()?;
        let mut params = CertificateParams::new(Vec::<String>::new()).ok()?;
        params.distinguished_name.push(DnType::CommonName, domain);
        params.not_before = date_time_ymd(until.year() - 10, 1, 1);
        params.not_after = date_time_ymd(until.year(), until.month() as u8, until.day() as u8);
        Some(params.self_signed(&key).ok()?.pem())
    })();
    made.unwrap_or_default()
}

impl SimTenant {
    /// The tenant's signing keys: the current one (its certificate valid until `until`) and the next.
    pub fn signing_keys(domain: &str, until: DateTime<Utc>) -> Vec<Value> {
        let key = |kid: &str, current: bool, next: bool, until: DateTime<Utc>| {
            let cert = certificate(domain, until);
            json!({
                "kid": kid, "cert": cert, "pkcs7": "-----BEGIN PKCS7-----\nMIIsim\n-----END PKCS7-----",
                "current": current, "next": next, "previous": false,
                "current_since": if current { json!("2025-12-01T00:00:00.000Z") } else { Value::Null },
                "fingerprint": "AA:BB:CC", "thumbprint": "aabbcc", "revoked": false
            })
        };
        vec![key("sim-current", true, false, until), key("sim-next", false, true, until + chrono::Duration::days(3650))]
    }

    /// An email template as Auth0 answers it once customized.
    pub fn email_template(name: &str, from: &str, subject: &str) -> Value {
        json!({
            "template": name, "body": "<html><body><p>Hello {{ user.email }}</p></body></html>", "from": from,
            "resultUrl": "", "subject": subject, "syntax": "liquid", "urlLifetimeInSeconds": 432000,
            "includeEmailInRedirect": false, "enabled": true
        })
    }
}
