-- The tenant registry, what Auth0 said about each tenant (snapshots, stored only when something changed), the
-- field-level changes between snapshots, and the state of each tenant's last poll.
CREATE TABLE tenants (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name          text        NOT NULL,
    domain        text        NOT NULL,
    region        text        CHECK (region IN ('us', 'eu', 'au', 'jp', 'ca', 'uk')),
    environment   text        NOT NULL CHECK (environment IN ('development', 'qa', 'uat', 'staging', 'production', 'sandbox')),
    user_domain   text        NOT NULL,
    association   text        NOT NULL DEFAULT 'unknown' CHECK (association IN ('associated', 'not_associated', 'unknown')),
    account_name  text        NOT NULL DEFAULT '',
    paid_features boolean     NOT NULL DEFAULT false,
    client_id     text        NOT NULL,
    -- AES-256-GCM (nonce ‖ ciphertext), see server/src/secrets.rs; never rendered back.
    client_secret bytea       NOT NULL,
    -- Reach the tenant's APIs here instead of https://{domain} (the simulator in tests and the demo).
    api_base_url  text,
    notes         text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tenants_name ON tenants (name);
CREATE UNIQUE INDEX tenants_domain ON tenants (domain);

CREATE TABLE tenants_snapshots (
    id        bigserial   PRIMARY KEY,
    tenant_id uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    taken_at  timestamptz NOT NULL,
    hash      text        NOT NULL,
    data      jsonb       NOT NULL
);
CREATE INDEX tenants_snapshots_latest ON tenants_snapshots (tenant_id, taken_at DESC, id DESC);

CREATE TABLE tenants_changes (
    id          bigserial   PRIMARY KEY,
    tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    snapshot_id bigint      NOT NULL REFERENCES tenants_snapshots (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    field       text        NOT NULL,
    before      text,
    after       text
);
CREATE INDEX tenants_changes_by_tenant ON tenants_changes (tenant_id, at DESC, id DESC);

CREATE TABLE tenants_polls (
    tenant_id       uuid        PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    last_attempt_at timestamptz,
    last_success_at timestamptz,
    failure_class   text,
    failure         text,
    active_users    bigint
);
