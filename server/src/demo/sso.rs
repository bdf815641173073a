//! The demo's single sign-on: the console registered as an application at the simulator's identity provider, and
//! one provider user per role whose roles claim (namespaced, as an Auth0 Action adds it) maps to that role, plus a
//! newcomer with no roles claim (the default role). Passwords are new at every start; the provider's sign-in page
//! lists them, as the console's sign-in page lists the role accounts.

use std::net::SocketAddr;

use app::accounts::Role;

use super::DEMO_DOMAIN;
use crate::accounts::password;
use crate::config::SsoSettings;
use crate::simulator::{IdpClient, IdpUser, Simulator};

/// The claim the demo's provider puts roles in.
pub const ROLES_CLAIM: &str = "https://tenantry.example/roles";

/// The provider's group for each role.
fn group(role: Role) -> String {
    format!("tenantry-{}", role.as_str().replace('_', "-"))
}

/// Registers the console at the simulator's provider and returns the settings that use it.
pub fn sso(simulator: &Simulator, addr: SocketAddr) -> SsoSettings {
    let origins = [format!("http://127.0.0.1:{}", addr.port()), format!("http://localhost:{}", addr.port())];
    let secret = password::random_token();
    simulator.idp_add_client(IdpClient {
        client_id: "tenantry-demo-console".into(),
        client_secret: secret.clone(),
        callbacks: origins.iter().map(|o| format!("{o}/login/sso/callback")).collect(),
        logout_urls: origins.iter().map(|o| format!("{o}/login?signed_out=1")).collect(),
    });
    for (n, role) in Role::ALL.into_iter().enumerate() {
        let mut claims = serde_json::Map::new();
        claims.insert(ROLES_CLAIM.into(), serde_json::json!([group(role)]));
        simulator.idp_add_user(IdpUser {
            sub: format!("auth0|demo{n:04}"),
            email: format!("sso-{}@{DEMO_DOMAIN}", role.as_str().replace('_', "-")),
            name: format!("SSO {}", role.label()),
            password: format!("sso-{}", &password::random_token()[..12]),
            email_verified: true,
            claims,
        });
    }
    simulator.idp_add_user(IdpUser {
        sub: "auth0|demo0100".into(),
        email: format!("sso-newcomer@{DEMO_DOMAIN}"),
        name: "SSO Newcomer".into(),
        password: format!("sso-{}", &password::random_token()[..12]),
        email_verified: true,
        claims: serde_json::Map::new(),
    });
    SsoSettings {
        issuer: simulator.idp_issuer(),
        client_id: "tenantry-demo-console".into(),
        client_secret: secret,
        label: "Sign in with Auth0 (simulator)".into(),
        roles_claim: ROLES_CLAIM.into(),
        role_map: Role::ALL.into_iter().map(|role| (group(role), role)).collect(),
        default_role: Some(Role::Helpdesk),
        allow_private: true,
    }
}
