//! The readiness checklist's items: one per row of Auth0's operations-readiness checklist
//! (../shared/reference/readiness-checklist.md), in its order, each with its stable id, why it matters, its area,
//! how much it matters and what to do when it does not pass. The rules that decide them are in `rules`.

use super::model::{Item, Severity};

const REQUIRED: Severity = Severity::Required;
const RECOMMENDED: Severity = Severity::Recommended;
const BEST_PRACTICE: Severity = Severity::BestPractice;

pub const ITEMS: &[Item] = &[
    Item {
        id: "email-provider",
        title: "Email provider configured",
        why: "Auth0's built-in email provider is for testing only and cannot send production volumes.",
        area: "Email",
        severity: REQUIRED,
        manual: false,
        todo: "Configure your own provider (SendGrid, SES, SMTP…) in Dashboard > Branding > Email Provider and \
               enable it.",
    },
    Item {
        id: "support-contact",
        title: "Support email and URL set",
        why: "Users who cannot log in need a way to get help.",
        area: "Login and sessions",
        severity: REQUIRED,
        manual: false,
        todo: "Set the Support Email and Support URL in Dashboard > Settings > General.",
    },
    Item {
        id: "tenant-login-uri",
        title: "Tenant login URI set",
        why: "Auth0 sends users to it when a login cannot return to an application (expired links, password resets).",
        area: "Login and sessions",
        severity: REQUIRED,
        manual: false,
        todo: "Set Default Login Route to an https page of your application in Dashboard > Settings > Advanced.",
    },
    Item {
        id: "env-tag",
        title: "Environment tag set",
        why: "Production rate limits only apply to tenants tagged Production.",
        area: "Environments",
        severity: REQUIRED,
        manual: true,
        todo: "Set the Environment Tag in Dashboard > Settings > General (Production for a production tenant); the \
               Management API does not show it.",
    },
    Item {
        id: "no-localhost",
        title: "No localhost URLs in applications",
        why: "Development URLs left in an application let a local page receive codes and tokens.",
        area: "Applications and APIs",
        severity: REQUIRED,
        manual: false,
        todo: "Remove localhost, 127.0.0.1 and file:// entries (and wildcards) from Allowed Callback URLs, Allowed \
               Origins (CORS) and Allowed Web Origins in Dashboard > Applications.",
    },
    Item {
        id: "legacy-flags",
        title: "Legacy grants and endpoints off",
        why: "Deprecated endpoints and flows have weaker security and are being removed.",
        area: "Security",
        severity: REQUIRED,
        manual: false,
        todo: "Turn off the legacy toggles in Dashboard > Settings > Advanced and remove legacy grant types from \
               applications (Advanced Settings > Grant Types).",
    },
    Item {
        id: "node-runtime",
        title: "Recommended Node.js runtime",
        why: "Older Node.js versions no longer get security patches.",
        area: "Extensibility",
        severity: REQUIRED,
        manual: false,
        todo: "Upgrade each Action to Node 22 in Dashboard > Actions > Library, and the tenant's default runtime in \
               Dashboard > Settings > Advanced.",
    },
    Item {
        id: "rules-hooks",
        title: "Rules and Hooks migrated to Actions",
        why: "Rules and Hooks are deprecated and stop running when Auth0 retires them.",
        area: "Extensibility",
        severity: REQUIRED,
        manual: false,
        todo: "Rewrite enabled Rules and Hooks as Actions (Dashboard > Actions > Flows), then disable them.",
    },
    Item {
        id: "social-devkeys",
        title: "No Auth0 developer keys on social connections",
        why: "Developer keys break single sign-on, MFA and logout, and are rate limited.",
        area: "Login and sessions",
        severity: REQUIRED,
        manual: false,
        todo: "Enter your own client ID and secret for each social connection in Dashboard > Authentication > Social.",
    },
    Item {
        id: "sms-provider",
        title: "Own SMS provider for MFA",
        why: "Auth0's default SMS provider is rate limited and not meant for production.",
        area: "Security",
        severity: REQUIRED,
        manual: false,
        todo: "Choose Twilio or a Send Phone Message Action in Dashboard > Security > Multi-factor Auth > Phone \
               Message.",
    },
    Item {
        id: "email-custom-domain",
        title: "Custom domain in emails",
        why: "Links in emails should point to your own domain, not the tenant's Auth0 domain.",
        area: "Email",
        severity: REQUIRED,
        manual: false,
        todo: "Make a custom domain ready (/domains), then turn on Use Custom Domain in Emails in Dashboard > \
               Branding > Custom Domains.",
    },
    Item {
        id: "log-streaming",
        title: "Log streaming active",
        why: "Auth0 keeps logs for 1 to 30 days depending on the plan; investigations need them longer.",
        area: "Operations",
        severity: RECOMMENDED,
        manual: false,
        todo: "Create or resume a log stream in Dashboard > Monitoring > Streams, and agree how long logs are kept \
               and who can read them.",
    },
    Item {
        id: "custom-domain",
        title: "Custom domain configured",
        why: "Universal Login on your own domain is seamless for users and avoids third-party cookie problems.",
        area: "Login and sessions",
        severity: RECOMMENDED,
        manual: false,
        todo: "Add and verify a custom domain in Dashboard > Branding > Custom Domains; /domains follows its DNS and \
               certificate.",
    },
    Item {
        id: "error-page",
        title: "Custom error page set",
        why: "Auth0's default error page is cryptic and Auth0-branded.",
        area: "Login and sessions",
        severity: RECOMMENDED,
        manual: false,
        todo: "Set a custom error page URL or HTML in Dashboard > Branding > Universal Login > Advanced Options.",
    },
    Item {
        id: "universal-login",
        title: "New Universal Login experience",
        why: "The new experience is accessible and customizable without code.",
        area: "Login and sessions",
        severity: RECOMMENDED,
        manual: false,
        todo: "Choose the New Universal Login experience in Dashboard > Branding > Universal Login.",
    },
    Item {
        id: "email-templates",
        title: "Email templates customized",
        why: "Users should get branded emails, including the attack-protection notices.",
        area: "Email",
        severity: RECOMMENDED,
        manual: false,
        todo: "Customize and enable the verification, password reset, welcome, blocked account and stolen \
               credentials templates in Dashboard > Branding > Email Templates.",
    },
    Item {
        id: "mfa",
        title: "MFA configured",
        why: "A second factor stops most account takeovers.",
        area: "Security",
        severity: RECOMMENDED,
        manual: false,
        todo: "Enable at least one factor in Dashboard > Security > Multi-factor Auth and decide when it is required.",
    },
    Item {
        id: "admin-mfa",
        title: "MFA for tenant administrators",
        why: "A Dashboard administrator can change everything in the tenant.",
        area: "Security",
        severity: RECOMMENDED,
        manual: true,
        todo: "Check every member in Dashboard > Settings > Tenant Members has MFA on; the Management API does not \
               show it.",
    },
    Item {
        id: "logout-urls",
        title: "Allowed logout URLs set",
        why: "Users must be sent somewhere public after logging out.",
        area: "Login and sessions",
        severity: RECOMMENDED,
        manual: false,
        todo: "Add your public logout page to Allowed Logout URLs in Dashboard > Settings > Advanced (no localhost).",
    },
    Item {
        id: "rs256",
        title: "Tokens signed with RS256",
        why: "HS256 means every party that checks a token holds the key that signs it.",
        area: "Applications and APIs",
        severity: RECOMMENDED,
        manual: false,
        todo: "Use RS256 in each application's Advanced Settings > OAuth and each API's settings in Dashboard > \
               Applications.",
    },
    Item {
        id: "app-login-uri",
        title: "Application login URIs set",
        why: "Interactive applications need a route Auth0 can start a login from.",
        area: "Applications and APIs",
        severity: RECOMMENDED,
        manual: false,
        todo: "Set Application Login URI for each web and single-page application in Dashboard > Applications > \
               Settings.",
    },
    Item {
        id: "client-conns-flag",
        title: "New applications get no connection by default",
        why: "Otherwise every new application can log users in through every connection.",
        area: "Applications and APIs",
        severity: RECOMMENDED,
        manual: false,
        todo: "Turn off Enable Application Connections in Dashboard > Settings > Advanced.",
    },
    Item {
        id: "attack-protection",
        title: "Attack protection reviewed",
        why: "Brute-force, breached-password and suspicious-IP protection stop most automated attacks.",
        area: "Security",
        severity: BEST_PRACTICE,
        manual: false,
        todo: "Enable brute-force protection, breached password detection and suspicious IP throttling in Dashboard \
               > Security > Attack Protection.",
    },
    Item {
        id: "externalize-config",
        title: "Configuration kept out of code",
        why: "Keys written into Actions, Rules, Hooks or custom-database scripts leak with the code.",
        area: "Extensibility",
        severity: BEST_PRACTICE,
        manual: true,
        todo: "Move keys and URLs into Action secrets or the connection's settings, and remove console.log of \
               sensitive values; then sign off.",
    },
    Item {
        id: "sso-timeouts",
        title: "Session timeouts reviewed",
        why: "How long a login lasts must match the security requirements.",
        area: "Login and sessions",
        severity: BEST_PRACTICE,
        manual: true,
        todo: "Compare Inactivity and Require log in after in Dashboard > Settings > Advanced > Login Session \
               Management with your policy, then sign off.",
    },
    Item {
        id: "tenants-admins",
        title: "Tenants and administrators reviewed",
        why: "Every administrator can change the tenant, and forgotten tenants are unwatched.",
        area: "Environments",
        severity: BEST_PRACTICE,
        manual: true,
        todo: "Remove administrators who no longer need access in Dashboard > Settings > Tenant Members (and \
               Delegated Admin users), retire unused tenants, then sign off.",
    },
    Item {
        id: "client-ids",
        title: "Client IDs in application code verified",
        why: "An application configured with another tenant's client ID fails at launch.",
        area: "Applications and APIs",
        severity: BEST_PRACTICE,
        manual: true,
        todo: "Compare each application's configured client ID with the list here, then sign off.",
    },
    Item {
        id: "ip-allowlist",
        title: "Auth0 IP addresses allowed through firewalls",
        why: "Actions, custom databases and SMTP delivery call your network from Auth0's addresses.",
        area: "Security",
        severity: BEST_PRACTICE,
        manual: true,
        todo: "Allow Auth0's outbound IP addresses on the firewalls in front of what Auth0 calls (/infra lists them), \
               then sign off.",
    },
    Item {
        id: "grant-types",
        title: "Only needed grant types enabled",
        why: "Every enabled grant type is a way to get tokens that must be defended.",
        area: "Applications and APIs",
        severity: RECOMMENDED,
        manual: true,
        todo: "Untick grant types applications do not use (password, implicit and legacy ones first) in Dashboard > \
               Applications > Advanced Settings > Grant Types, then sign off.",
    },
    Item {
        id: "api-tokens",
        title: "API token lifetimes reviewed",
        why: "Access tokens must not live longer than production needs, and offline access only where refresh \
              tokens are used.",
        area: "Applications and APIs",
        severity: RECOMMENDED,
        manual: true,
        todo: "Review Token Expiration and Allow Offline Access of each API in Dashboard > Applications > APIs, then \
               sign off.",
    },
    Item {
        id: "saml-certs",
        title: "Certificate rollover planned",
        why: "An expiring signing certificate breaks every federation that trusts it.",
        area: "Security",
        severity: RECOMMENDED,
        manual: false,
        todo: "Rotate the signing key in Dashboard > Settings > Signing Keys before it expires and tell relying \
               parties; check SAML connections' certificates and request signing in Dashboard > Authentication > \
               Enterprise.",
    },
    Item {
        id: "rate-limit-scan",
        title: "Logs scanned for rate limits",
        why: "Rate-limit warnings come before outages; catching them early leaves time to act.",
        area: "Operations",
        severity: RECOMMENDED,
        manual: false,
        todo: "Start the log pull or the log stream for this tenant on /logs, so Tenantry scans its events.",
    },
    Item {
        id: "notifications",
        title: "Deprecation notices watched",
        why: "Deprecations need action before Auth0 removes what they announce.",
        area: "Operations",
        severity: RECOMMENDED,
        manual: true,
        todo: "Make sure the right people are tenant administrators and read Dashboard notifications, the changelog \
               and the migrations page (/notifications), then sign off.",
    },
    Item {
        id: "status-sub",
        title: "Status pages subscribed",
        why: "Auth0's and your identity providers' status pages are the first place to look in an incident.",
        area: "Operations",
        severity: RECOMMENDED,
        manual: true,
        todo: "Subscribe to status.auth0.com for the tenant's region and to your external identity providers' status \
               pages (/status follows them), then sign off.",
    },
    Item {
        id: "synthetic-mon",
        title: "Synthetic login monitoring",
        why: "A test login every minute detects end-to-end outages before users report them.",
        area: "Operations",
        severity: RECOMMENDED,
        manual: true,
        todo: "Add a synthetic login check with a test user on /monitoring (every minute), then sign off.",
    },
    Item {
        id: "ntp",
        title: "Clocks synchronized",
        why: "Clock skew makes valid tokens look expired or not yet valid.",
        area: "Operations",
        severity: RECOMMENDED,
        manual: true,
        todo: "Run NTP with alerting on your servers and remote identity providers, then sign off.",
    },
    Item {
        id: "load-balancers",
        title: "Load balancers fit the AD/LDAP connector",
        why: "Load balancers drop idle connections and break the connector's heartbeat.",
        area: "Operations",
        severity: RECOMMENDED,
        manual: true,
        todo: "Set load-balancer idle timeouts above LDAP_HEARTBEAT_SECONDS and sticky sessions where needed, then \
               sign off.",
    },
    Item {
        id: "sdlc-tenants",
        title: "Separate development, test and production tenants",
        why: "Separate tenants isolate changes, and linking them to the contract gives them the same features.",
        area: "Environments",
        severity: RECOMMENDED,
        manual: true,
        todo: "Create the missing tenants and ask Auth0 Support Center to link them all to your subscription, then \
               sign off.",
    },
    Item {
        id: "deploy-automation",
        title: "Deployments automated",
        why: "Changes deployed from version control can be repeated and reverted.",
        area: "Environments",
        severity: BEST_PRACTICE,
        manual: true,
        todo: "Deploy tenant configuration with the Deploy CLI or Terraform from version control, with \
               tenant-specific variables, and deploy or discard Dashboard drafts; then sign off.",
    },
    Item {
        id: "backup-dr",
        title: "Backup and recovery documented",
        why: "Auth0 does not restore a deleted tenant or its configuration.",
        area: "Environments",
        severity: BEST_PRACTICE,
        manual: true,
        todo: "Export the tenant configuration regularly, document restore, disaster recovery and continuity \
               processes, then sign off.",
    },
];
