//! `tenantry demo`: the demo console. It lives in a database of its own — it refuses a database that holds real
//! users — and has one account per role whose passwords are new at every start and shown on the sign-in page.
//! The demo company's tenants live on the Auth0 simulator, started in-process.

use anyhow::Context;
use app::accounts::{DemoAccount, Role};
use sqlx::PgPool;

use crate::accounts::audit::Actor;
use crate::accounts::service::{self, NewUser};
use crate::accounts::{self, AccountError, password};
use crate::secrets::SecretBox;
use crate::simulator::{SimTenant, Simulator};
use crate::tenants::service::{self as tenants, TenantInput};

mod infra;
mod notifications;
mod reach;
mod repo;
mod sso;
mod stream;
pub use infra::infra;
pub use notifications::notifications;
pub use reach::reach;
pub use sso::sso;
pub use stream::{EVERY as LIVE_EVERY, live_stream};

/// Demo accounts are `{role}@demo.tenantry.test`; any other user marks a real database.
pub const DEMO_DOMAIN: &str = "demo.tenantry.test";

/// Checks the database is the demo's own and (re)creates one account per role with a fresh password.
pub async fn prepare(pool: &PgPool) -> anyhow::Result<Vec<DemoAccount>> {
    let real = repo::real_users(&mut *pool.acquire().await?, DEMO_DOMAIN).await.context("cannot read users")?;
    anyhow::ensure!(
        real == 0,
        "DATABASE_URL: this database holds {real} real user(s); the demo needs a database of its own \
         (scripts/run uses tenantry_demo on the private cluster)"
    );
    let mut accounts = Vec::new();
    for role in Role::ALL {
        let email = format!("{}@{DEMO_DOMAIN}", role.as_str().replace('_', "-"));
        let fresh = format!("demo-{}", &password::random_token()[..12]);
        let new = NewUser { email: &email, display_name: &format!("Demo {}", role.label()), role, password: &fresh };
        match service::create_user(pool, &Actor::CommandLine, new, "").await {
            Ok(_) => {}
            Err(AccountError::EmailTaken) => {
                // Whatever the last demo did to it, the account starts again as it was made.
                let user = service::reset_password(pool, &Actor::CommandLine, &email, &fresh, "").await?;
                let mut conn = pool.acquire().await?;
                accounts::repo::set_role(&mut conn, user.id, role).await?;
                accounts::repo::set_disabled(&mut conn, user.id, false).await?;
            }
            Err(e) => return Err(e.into()),
        }
        accounts.push(DemoAccount { email, role, password: fresh });
    }
    tracing::info!("demo mode: one account per role; the passwords are on the sign-in page");
    Ok(accounts)
}

/// One tenant of the fictional company: (name, region, environment, user domain, association, paid features).
struct DemoTenant {
    name: &'static str,
    region: &'static str,
    environment: &'static str,
    user_domain: &'static str,
    associated: bool,
    paid: bool,
}

const COMPANY: &[DemoTenant] = &[
    DemoTenant {
        name: "acme-dev",
        region: "us",
        environment: "development",
        user_domain: "customers",
        associated: true,
        paid: false,
    },
    DemoTenant {
        name: "acme-qa",
        region: "us",
        environment: "qa",
        user_domain: "customers",
        associated: true,
        paid: false,
    },
    DemoTenant {
        name: "acme-prod",
        region: "us",
        environment: "production",
        user_domain: "customers",
        associated: true,
        paid: true,
    },
    DemoTenant {
        name: "acme-sandbox1",
        region: "us",
        environment: "sandbox",
        user_domain: "customers",
        associated: false,
        paid: false,
    },
    DemoTenant {
        name: "acme-workforce-prod",
        region: "eu",
        environment: "production",
        user_domain: "employees",
        associated: true,
        paid: true,
    },
];

/// Starts the Auth0 simulator in-process and registers the demo company on it: customers on acme-dev, -qa, -prod
/// and -sandbox1 (not associated with the company account); employees on acme-workforce-prod with no development
/// tenant; a settings drift between acme-dev and acme-prod; and acme-qa registered with a wrong client secret, so
/// every finding and error state shows on first run. Re-running points the tenants at the new simulator.
pub async fn company(pool: &PgPool, secrets: &SecretBox, interval: std::time::Duration) -> anyhow::Result<Simulator> {
    let simulator = Simulator::start(0).await.context("cannot start the Auth0 simulator")?;
    for t in COMPANY {
        let domain = format!("{}.{}.auth0.com", t.name, t.region);
        let mut sim = SimTenant::new(&domain, &format!("{}-m2m", t.name), &format!("{}-secret", t.name));
        if t.name == "acme-prod" {
            let target = format!("{}-cd-demo.edge.tenants.us.auth0.com", t.name);
            sim.custom_domains.push(sim.custom_domain("login.acme.example", "ready", &target));
            // SendGrid sending as acme.example, whose DKIM key the demo's DNS zone publishes revoked.
            sim.email_provider = Some(serde_json::json!({
                "name": "sendgrid", "enabled": true, "default_from_address": "login@acme.example"
            }));
            sim.log_streams = serde_json::from_str(crate::simulator::fixtures::LOG_STREAMS).unwrap_or_default();
            // A paused stream, so the logs page's stream health shows its finding.
            for stream in &mut sim.log_streams {
                stream["status"] = serde_json::json!("paused");
            }
            sim.settings["idle_session_lifetime"] = serde_json::json!(24);
            // Its console client was not granted read:attack_protection: the readiness checklist shows that item
            // as unknown, naming the scope.
            sim.scopes.retain(|s| s != "read:attack_protection");
            // A legacy user store behind a custom database and an Action calling the CRM: the firewall guide lists
            // the origins their code names.
            sim.connections.push(SimTenant::database_connection(
                "legacy-users",
                &[
                    ("login", "function login(email, password, callback) {\n  request.post({ url: 'https://users-api.acme.example/v1/authenticate', json: { email, password }, headers: { 'x-api-key': configuration.API_KEY } }, (err, res, body) => callback(err, body));\n}"),
                    ("get_user", "function getByEmail(email, callback) {\n  request.get('https://users-api.acme.example/v1/users?email=' + encodeURIComponent(email), (err, res, body) => callback(err, body));\n}"),
                ],
            ));
            sim.connections.push(SimTenant::social_connection("google-oauth2"));
            // MFA with one-time passwords, and a rule still enabled after Rules' end of life.
            for factor in &mut sim.guardian_factors {
                factor["enabled"] = serde_json::json!(factor["name"] == "otp");
            }
            sim.email_templates = ["verify_email", "reset_email"]
                .map(|name| SimTenant::email_template(name, "Acme <login@acme.example>", "Your Acme account"))
                .to_vec();
            sim.rules.push(serde_json::json!({
                "id": "rul_legacyroles", "name": "Add roles (legacy)", "enabled": true, "order": 1, "stage": "login_success",
                "script": "function (user, context, callback) { callback(null, user, context); }"
            }));
            sim.actions.push(SimTenant::action(
                "Add CRM roles",
                "post-login",
                "exports.onExecutePostLogin = async (event, api) => {\n  const res = await fetch(`https://crm.acme.example:8443/roles/${event.user.user_id}`, { headers: { authorization: event.secrets.API_TOKEN } });\n  api.idToken.setCustomClaim('https://acme.example/roles', await res.json());\n};",
            ));
            sim.actions.push(SimTenant::action(
                "Block disposable emails",
                "pre-user-registration",
                "exports.onExecutePreUserRegistration = async (event, api) => {\n  if (isDisposable(event.user.email)) api.access.deny('disposable', 'Use your work email');\n};",
            ));
        }
        if t.name == "acme-workforce-prod" {
            // Employees sign in through the company IdP over SAML: its certificate expires in 45 days and requests
            // to it are not signed, so the readiness checklist warns.
            let expires = (chrono::Utc::now() + chrono::Duration::days(45)).to_rfc3339();
            sim.connections.push(serde_json::json!({"id": "con_samlp000000000000", "name": "acme-corp-idp",
                "strategy": "samlp", "options": {"expires": expires, "signSAMLRequest": false}}));
        }
        if t.name == "acme-sandbox1" {
            // A sandbox application without the newer read scopes: its custom databases and Actions are unknown.
            sim.scopes
                .retain(|s| !matches!(s.as_str(), "read:connections" | "read:connections_options" | "read:actions"));
        }
        if t.name == "acme-dev" {
            // An SMTP server on port 25: the firewall guide names it (and warns about the port).
            sim.email_provider = Some(serde_json::json!({
                "name": "smtp", "enabled": true, "default_from_address": "no-reply@acme-dev.example",
                "credentials": {"smtp_host": "mail.acme-dev.example", "smtp_port": 25, "smtp_user": "auth0"}
            }));
        }
        simulator.add_tenant(sim);
        let secret = if t.name == "acme-qa" { "not-the-secret".to_string() } else { format!("{}-secret", t.name) };
        let input = TenantInput {
            domain: domain.clone(),
            environment: t.environment.into(),
            user_domain: t.user_domain.into(),
            association: if t.associated { "associated" } else { "not_associated" }.into(),
            account_name: if t.associated { "Acme Corp".into() } else { String::new() },
            paid_features: t.paid,
            client_id: format!("{}-m2m", t.name),
            client_secret: secret,
            api_base_url: simulator.base_url(),
            notes: "Demo tenant on the built-in Auth0 simulator.".into(),
            ..TenantInput::default()
        };
        let existing: Option<uuid::Uuid> = repo::tenant_by_domain(&mut *pool.acquire().await?, &domain).await?;
        let now = chrono::Utc::now();
        match existing {
            Some(id) => tenants::update(pool, secrets, &Actor::CommandLine, id, &input, "", now).await?,
            None => {
                tenants::add(pool, secrets, &Actor::CommandLine, &input, "", now, interval).await?;
            }
        }
    }
    tracing::info!(simulator = %simulator.base_url(), "demo company registered on the in-process Auth0 simulator");
    Ok(simulator)
}

/// The demo's status pages on the simulator, and its provider sources pointing at them: Auth0 US calm with a
/// resolved incident whose postmortem is out, Auth0 EU with an incident being monitored, Twilio with degraded SMS
/// in the United Kingdom, SendGrid and GitHub operational. Re-running points the sources at the new simulator.
pub async fn status_pages(
    pool: &PgPool,
    simulator: &Simulator,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    use crate::simulator::SimStatusPage;
    let component = |id: &str, name: &str, status: &str| (id.to_string(), name.to_string(), status.to_string());
    simulator.set_status_page("auth0-us", SimStatusPage { name: "Auth0 US".into(), ..SimStatusPage::default() });
    simulator.set_status_page("auth0-eu", SimStatusPage { name: "Auth0 EU".into(), ..SimStatusPage::default() });
    let hours = |h: i64| now - chrono::Duration::hours(h);
    for (n, _) in crate::simulator::LIFECYCLE.iter().enumerate() {
        simulator.advance_incident("auth0-us", "us-2611", hours(72 - 6 * n as i64));
    }
    simulator.update_status_page("auth0-us", |p| {
        p.incidents[0].name = "Elevated authentication latency in US-3".into();
    });
    for n in 0..3 {
        simulator.advance_incident("auth0-eu", "eu-2911", hours(2) + chrono::Duration::minutes(25 * n));
    }
    simulator.update_status_page("auth0-eu", |p| {
        p.incidents[0].name = "Delays delivering log streams in EU".into();
        p.incidents[0].impact = "minor".into();
    });
    let pages = [
        (
            "twilio",
            "Twilio",
            vec![
                component("sms-us", "SMS United States", "operational"),
                component("sms-uk", "SMS United Kingdom", "degraded_performance"),
                component("voice", "Voice", "operational"),
            ],
        ),
        (
            "sendgrid",
            "SendGrid",
            vec![component("mail", "Mail Sending", "operational"), component("api", "API", "operational")],
        ),
        (
            "github",
            "GitHub",
            vec![component("oauth", "Git Operations", "operational"), component("api", "API Requests", "operational")],
        ),
    ];
    for (slug, name, components) in pages {
        simulator.set_status_page(slug, SimStatusPage { name: name.into(), components, incidents: Vec::new() });
    }
    simulator.advance_incident("twilio", "tw-2911", hours(1));
    simulator.update_status_page("twilio", |p| {
        p.incidents[0].name = "Delayed SMS delivery to UK numbers".into();
        p.incidents[0].impact = "minor".into();
    });
    for (key, slug) in [("twilio", "twilio"), ("sendgrid", "sendgrid"), ("github", "github")] {
        let provider = crate::status::service::from_catalog(key)?;
        let url = format!("{}/__status/{slug}/api/v2/summary.json", simulator.base_url());
        let seed = (provider.name.as_str(), provider.kind.as_str(), provider.category.as_str());
        let id = repo::upsert_catalog_source(&mut *pool.acquire().await?, seed, &url, key)
            .await
            .context("cannot add the demo's status sources")?;
        // Read at once from the new simulator (the job may be backing off from the last run's address).
        crate::scheduler::run_soon(&mut *pool.acquire().await?, crate::status::jobs::POLL_KIND, &id.to_string(), now)
            .await?;
    }
    Ok(())
}

/// The demo's monitoring: a passing synthetic login on acme-prod, a blocked test user on acme-dev (in alert), a
/// flapping `/testall` on acme-workforce-prod and a steady one on acme-prod — each with a day of real runs against
/// the simulator (every 30 minutes, backdated) so the charts have something to show on first run.
pub async fn monitoring(
    pool: &PgPool,
    simulator: &Simulator,
    secrets: &SecretBox,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    use crate::monitoring::jobs::check::CheckJob;
    use crate::monitoring::probe::Probe;
    use crate::monitoring::service;
    use crate::simulator::{TestUser, UserState};
    let user =
        |state| TestUser { username: "synthetic@acme.example".into(), password: "demo-synthetic-pass".into(), state };
    simulator.update("acme-prod.us.auth0.com", |t| t.users = vec![user(UserState::Active)]);
    simulator.update("acme-dev.us.auth0.com", |t| t.users = vec![user(UserState::Blocked)]);
    let checks = [
        ("acme-prod", "login", "Customer login"),
        ("acme-prod", "testall", "Monitoring endpoint"),
        ("acme-dev", "login", "Developer login"),
        ("acme-workforce-prod", "testall", "Monitoring endpoint"),
    ];
    let job = CheckJob {
        pool: pool.clone(),
        // The demo's tenants live on the simulator, on this machine.
        probe: Probe::new(crate::outbound::Policy::ANY_ADDRESS)
            .map_err(|e| anyhow::anyhow!("cannot build the monitor: {e}"))?,
        reach: crate::monitoring::reach::Reach::any_address()
            .map_err(|e| anyhow::anyhow!("cannot build the reachability checks: {e}"))?,
        secrets: secrets.clone(),
    };
    for (tenant, kind, name) in checks {
        let mut conn = pool.acquire().await?;
        let tenant_id = repo::tenant_by_name(&mut conn, tenant).await?.context("the demo tenant is missing")?;
        if repo::check_exists(&mut conn, tenant_id, name).await? {
            continue;
        }
        drop(conn);
        let form = app::monitoring::CheckForm {
            tenant_id: tenant_id.to_string(),
            kind: kind.into(),
            name: name.into(),
            interval_secs: "60".into(),
            grant_type: "password".into(),
            username: "synthetic@acme.example".into(),
            password: "demo-synthetic-pass".into(),
            client_id: format!("{tenant}-m2m"),
            client_secret: format!("{tenant}-secret"),
            ..Default::default()
        };
        let parsed = service::parse(&form, secrets, false).map_err(|e| anyhow::anyhow!("demo check: {e}"))?;
        let id = service::add(pool, &Actor::CommandLine, parsed, 6.0, "", now)
            .await
            .map_err(|e| anyhow::anyhow!("demo check: {e}"))?;
        let domain = format!("{tenant}.{}.auth0.com", if tenant == "acme-workforce-prod" { "eu" } else { "us" });
        for step in (1..=48).rev() {
            let at = now - chrono::Duration::minutes(30 * step);
            let down = tenant == "acme-workforce-prod" && (at.timestamp() / 240) % 2 == 1;
            simulator.update(&domain, |t| t.faults.testall_down = down);
            job.check(id, at).await.map_err(|e| anyhow::anyhow!("demo history: {e}"))?;
        }
        simulator.update(&domain, |t| t.faults.testall_down = false);
    }
    simulator.update("acme-workforce-prod.eu.auth0.com", |t| t.faults.testall_flaps = true);
    Ok(())
}

/// The demo's DNS, TLS, webhook and SMTP servers (kept alive as long as the server) and the CA of its
/// certificates.
pub struct Labs {
    dns: crate::simulator::dns_tls::DnsLab,
    _tls: crate::simulator::dns_tls::TlsLab,
    ca: crate::simulator::dns_tls::LabCa,
    receivers: Option<(crate::simulator::receivers::Receiver, crate::simulator::receivers::SmtpLab)>,
    /// The HTTPS endpoint of the reachability checks.
    reach: Option<crate::simulator::dns_tls::TlsLab>,
}

impl Labs {
    /// The demo's nameserver (its zones: the custom domains' and the mail records of acme.example).
    pub fn dns_addr(&self) -> std::net::SocketAddr {
        self.dns.addr
    }

    /// The demo CA's certificate (DER), which the demo's SMTP server's certificate chains to.
    pub fn ca_der(&self) -> Vec<u8> {
        self.ca.der.to_vec()
    }
}

/// The demo's custom domains, one for each outcome, served by a DNS zone and TLS endpoints of their own on
/// 127.0.0.1: login.acme.example (ok, valid certificate), auth.acme.example (a CNAME to an edge host no tenant
/// expects — dangling — with an untrusted certificate), login.acme-dev.example (wrong target, name mismatch),
/// dev-login.acme.example (missing), sandbox.acme.example (flattened, expired certificate) and id.acme-corp.example
/// (ok, certificate expiring in 5 days), and sso.acme-legacy.example, whose zone the nameserver refuses (lookup
/// error: unknown). Returns the checker pointed at them.
pub async fn domains(
    simulator: &Simulator,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<(crate::domains::check::Checker, Labs)> {
    use std::net::Ipv4Addr;

    use crate::domains::dns::DnsSettings;
    use crate::domains::tls::TlsSettings;
    use crate::simulator::dns_tls::{DnsLab, LabCa, LabRecord, TlsLab};
    let edge = |tenant: &str, id: &str| format!("{tenant}-cd-{id}.edge.tenants.us.auth0.com");
    let local = Ipv4Addr::LOCALHOST;
    let domains: [(&str, &str, &str, &str); 7] = [
        ("acme-prod.us.auth0.com", "login.acme.example", "ready", "demo"),
        ("acme-prod.us.auth0.com", "auth.acme.example", "ready", "auth"),
        ("acme-dev.us.auth0.com", "login.acme-dev.example", "pending_verification", "dev"),
        ("acme-dev.us.auth0.com", "dev-login.acme.example", "pending_verification", "devlogin"),
        ("acme-sandbox1.us.auth0.com", "sandbox.acme.example", "failed", "sbx"),
        ("acme-workforce-prod.eu.auth0.com", "id.acme-corp.example", "ready", "id"),
        // A zone the demo's nameserver does not serve: it refuses, and the verdict is unknown.
        ("acme-workforce-prod.eu.auth0.com", "sso.acme-legacy.example", "ready", "sso"),
    ];
    for (tenant, host, status, id) in domains {
        let target = edge(tenant.split('.').next().unwrap_or(tenant), id);
        simulator.update(tenant, |t| {
            t.custom_domains.retain(|d| d["domain"] != host);
            let mut d = t.custom_domain(host, status, &target);
            d["primary"] = serde_json::Value::Bool(host == "login.acme.example");
            t.custom_domains.push(d);
        });
    }
    use LabRecord::*;
    let records = vec![
        Cname("login.acme.example".into(), edge("acme-prod", "demo")),
        Cname("auth.acme.example".into(), edge("acme-prod", "retired")),
        Cname("login.acme-dev.example".into(), "elsewhere.acme.example".into()),
        A("elsewhere.acme.example".into(), local),
        A("sandbox.acme.example".into(), local),
        Cname("id.acme-corp.example".into(), edge("acme-workforce-prod", "id")),
        A(edge("acme-prod", "demo"), local),
        A(edge("acme-prod", "retired"), local),
        A(edge("acme-workforce-prod", "id"), local),
        // acme-prod's sender domain: SPF lets SendGrid send, DMARC quarantines, the DKIM key is revoked.
        Txt("acme.example".into(), "v=spf1 include:sendgrid.net ~all".into()),
        Txt("_dmarc.acme.example".into(), "v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.example".into()),
        Txt("s1._domainkey.acme.example".into(), "v=DKIM1; k=rsa; p=".into()),
    ];
    let dns = DnsLab::start(
        &["acme.example", "acme-dev.example", "acme-corp.example", "edge.tenants.us.auth0.com"],
        &records,
    )
    .await
    .map_err(|e| anyhow::anyhow!("demo DNS server: {e}"))?;
    let days = |n: i64| now + chrono::Duration::days(n);
    let ca = LabCa::new("Tenantry demo CA").map_err(|e| anyhow::anyhow!("{e}"))?;
    let stranger = LabCa::new("Unknown private CA").map_err(|e| anyhow::anyhow!("{e}"))?;
    let issue = |ca: &LabCa, names: &[&str], from: i64, until: i64| {
        ca.issue(names, days(from), days(until)).map_err(|e| anyhow::anyhow!("demo certificate: {e}"))
    };
    let tls = TlsLab::start(vec![
        ("login.acme.example".into(), issue(&ca, &["login.acme.example"], -20, 70)?),
        ("auth.acme.example".into(), issue(&stranger, &["auth.acme.example"], -5, 85)?),
        ("login.acme-dev.example".into(), issue(&ca, &["www.acme.example"], -5, 85)?),
        ("sandbox.acme.example".into(), issue(&ca, &["sandbox.acme.example"], -95, -3)?),
        ("id.acme-corp.example".into(), issue(&ca, &["id.acme-corp.example"], -85, 5)?),
    ])
    .await
    .map_err(|e| anyhow::anyhow!("demo TLS server: {e}"))?;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der.clone()).map_err(|e| anyhow::anyhow!("demo CA: {e}"))?;
    let settings = TlsSettings {
        roots: std::sync::Arc::new(roots),
        warn_days: vec![30, 14, 7],
        timeout: std::time::Duration::from_secs(3),
    };
    let checker = crate::domains::check::Checker::new(
        &DnsSettings { nameservers: Some(vec![dns.addr]), timeout: std::time::Duration::from_secs(1) },
        settings,
        tls.addr.port(),
    )
    .map_err(|e| anyhow::anyhow!("demo resolver: {e}"))?;
    tracing::info!(dns = %dns.addr, tls = %tls.addr, "demo custom domains served by a local DNS zone and TLS server");
    Ok((checker, Labs { dns, _tls: tls, ca, receivers: None, reach: None }))
}

/// The demo's Auth0 logs: two days of sign-ins, logouts, token exchanges, signups, Management API writes and a
/// rate-limit burst on acme-prod and acme-dev (the simulator's flow), and on acme-prod another burst in the last
/// hour, pulled by the scheduler from the first minute.
pub async fn logs(pool: &PgPool, simulator: &Simulator, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<()> {
    for (name, events) in [("acme-prod", 4000), ("acme-dev", 1500)] {
        let Some(t) = COMPANY.iter().find(|t| t.name == name) else { continue };
        let domain = format!("{}.{}.auth0.com", t.name, t.region);
        simulator.seed_log_flow(&domain, now - chrono::Duration::days(2), events);
        if name == "acme-prod" {
            // And the last hour: a peak with its rate-limit burst half an hour ago, for the peak-load report and
            // the board's step 5. (4,150 events in all: the first pull, 50 pages of 100, reads them all.)
            simulator.seed_log_flow(&domain, now - chrono::Duration::minutes(55), 150);
        }
        if let Some(id) = repo::tenant_by_domain(&mut *pool.acquire().await?, &domain).await? {
            let id = app::ids::TenantId(id);
            // A new simulator has a new flow: start again from its oldest event (stored ones are not stored twice).
            crate::logs::repo::reset_checkpoint(&mut *pool.acquire().await?, id).await?;
            crate::logs::jobs::schedule_pull(pool, id, now).await?;
            crate::scheduler::run_soon(&mut *pool.acquire().await?, crate::logs::jobs::PULL_KIND, &id.to_string(), now)
                .await?;
        }
    }
    Ok(())
}
