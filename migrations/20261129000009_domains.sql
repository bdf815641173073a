-- Custom domains from the tenants' latest snapshots, with what their last DNS and TLS checks found; every check;
-- and every change of outcome (an event the notifications area will deliver).
CREATE TABLE domains (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id        uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    host             text        NOT NULL,
    custom_domain_id text,
    is_primary       boolean     NOT NULL DEFAULT false,
    status           text        NOT NULL,
    kind             text        NOT NULL,
    -- What Auth0 expects: the CNAME target (Auth0-managed certificates) or a TXT record (self-managed).
    expected_cname   text,
    txt_name         text,
    txt_value        text,
    cert_status      text,
    renews_before    timestamptz,
    status_since     timestamptz NOT NULL,
    dns_outcome      text,
    dns_chain        text[]      NOT NULL DEFAULT '{}',
    dns_advice       text,
    tls_outcome      text,
    tls_days_left    integer,
    tls_not_after    timestamptz,
    tls_issuer       text,
    tls_names        text[]      NOT NULL DEFAULT '{}',
    tls_advice       text,
    checked_at       timestamptz,
    UNIQUE (tenant_id, host)
);

CREATE TABLE domains_checks (
    id          bigserial   PRIMARY KEY,
    domain_id   uuid        NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    dns_outcome text        NOT NULL,
    tls_outcome text        NOT NULL,
    days_left   integer
);
CREATE INDEX domains_checks_domain ON domains_checks (domain_id, at DESC);

CREATE TABLE domains_events (
    id        bigserial   PRIMARY KEY,
    domain_id uuid        NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    at        timestamptz NOT NULL,
    kind      text        NOT NULL CHECK (kind IN ('dns_changed', 'tls_changed')),
    before    text,
    after     text        NOT NULL,
    detail    text        NOT NULL
);
CREATE INDEX domains_events_domain ON domains_events (domain_id, at DESC);
