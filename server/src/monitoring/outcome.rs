//! What a check run found, classified from Auth0's answer. The `Outcome` vocabulary itself (with the sentence
//! that tells a person what to do) is `app::monitoring::Outcome`, shared with the pages.

use serde_json::Value;

pub use app::monitoring::Outcome;

fn error_fields(body: &[u8]) -> (String, String) {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let field = |k: &str| json.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    (field("error"), field("error_description"))
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(200).collect()
}

/// Classifies an `/oauth/token` answer to a password or password-realm grant. Returns the outcome and a detail
/// line (Auth0's own words where it gave some; never a token).
pub fn classify_login(status: u16, body: &[u8]) -> (Outcome, String) {
    let (error, description) = error_fields(body);
    let said = if description.is_empty() { error.clone() } else { format!("{error}: {description}") };
    let outcome = match (status, error.as_str()) {
        (200, _) => {
            let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            if json.get("access_token").and_then(Value::as_str).is_some_and(|t| !t.is_empty()) {
                return (Outcome::Ok, String::new());
            }
            return (Outcome::Unexpected, format!("200 without an access token: {}", snippet(body)));
        }
        (_, "too_many_attempts") => Outcome::Blocked,
        (_, "invalid_grant") | (_, "access_denied") | (_, "invalid_client") => Outcome::WrongCredentials,
        (_, "unauthorized_client") => Outcome::GrantNotAllowed,
        (_, "mfa_required") => Outcome::MfaRequired,
        (_, "server_error") if description.to_lowercase().contains("default connection") => {
            Outcome::NoDefaultConnection
        }
        (429, _) => Outcome::RateLimited,
        (500..=599, _) => Outcome::Auth0Error,
        _ => return (Outcome::Unexpected, format!("{status}: {}", if said.is_empty() { snippet(body) } else { said })),
    };
    (outcome, format!("{status} {said}").trim().to_string())
}

/// Classifies an answer of `/testall` (200, text `OK`) or `/test` (200, JSON with `clock`).
pub fn classify_endpoint(path: &str, status: u16, body: &[u8]) -> (Outcome, String) {
    match status {
        200 => {
            let fine = if path == "/testall" {
                String::from_utf8_lossy(body).trim() == "OK"
            } else {
                serde_json::from_slice::<Value>(body).ok().and_then(|v| v.get("clock").cloned()).is_some()
            };
            if fine {
                (Outcome::Ok, String::new())
            } else {
                (Outcome::Unexpected, format!("200 with an unexpected body: {}", snippet(body)))
            }
        }
        429 => (Outcome::RateLimited, "429".into()),
        500..=599 => (Outcome::Auth0Error, format!("{status} {}", snippet(body))),
        _ => (Outcome::Unexpected, format!("{status} {}", snippet(body))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth0_token_errors_map_to_outcomes() {
        let cases: [(u16, &str, Outcome); 9] = [
            (200, r#"{"access_token":"x","token_type":"Bearer"}"#, Outcome::Ok),
            (
                403,
                r#"{"error":"invalid_grant","error_description":"Wrong email or password."}"#,
                Outcome::WrongCredentials,
            ),
            (
                429,
                r#"{"error":"too_many_attempts","error_description":"Your account has been blocked"}"#,
                Outcome::Blocked,
            ),
            (
                403,
                r#"{"error":"unauthorized_client","error_description":"Grant type 'password' not allowed"}"#,
                Outcome::GrantNotAllowed,
            ),
            (
                500,
                r#"{"error":"server_error","error_description":"Authorization server not configured with default connection."}"#,
                Outcome::NoDefaultConnection,
            ),
            (
                403,
                r#"{"error":"mfa_required","error_description":"Multifactor authentication required"}"#,
                Outcome::MfaRequired,
            ),
            (
                429,
                r#"{"error":"too_many_requests","error_description":"Global limit has been reached"}"#,
                Outcome::RateLimited,
            ),
            (503, r#"{"statusCode":503,"error":"Service Unavailable"}"#, Outcome::Auth0Error),
            (418, "teapot", Outcome::Unexpected),
        ];
        for (status, body, expected) in cases {
            assert_eq!(classify_login(status, body.as_bytes()).0, expected, "{status} {body}");
        }
        assert_eq!(classify_login(200, b"{}").0, Outcome::Unexpected, "200 without a token is not a login");
        assert_eq!(classify_endpoint("/testall", 200, b"OK\n").0, Outcome::Ok);
        assert_eq!(classify_endpoint("/testall", 200, b"<html>").0, Outcome::Unexpected);
        assert_eq!(classify_endpoint("/test", 200, br#"{"clock":1}"#).0, Outcome::Ok);
        assert_eq!(classify_endpoint("/testall", 503, b"down").0, Outcome::Auth0Error);
    }
}
