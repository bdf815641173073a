-- Monitoring: checks bound to a tenant (Auth0's monitoring endpoints and synthetic logins), every run, hourly and
-- daily roll-ups (latency as a fixed-bucket histogram so percentiles survive aggregation), alerts with their
-- events, and maintenance windows.
CREATE TABLE monitoring_checks (
    id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id           uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind                text        NOT NULL CHECK (kind IN ('testall', 'test', 'login')),
    name                text        NOT NULL,
    interval_secs       integer     NOT NULL DEFAULT 60 CHECK (interval_secs >= 30),
    enabled             boolean     NOT NULL DEFAULT true,
    -- Synthetic logins: the grant, the connection (password-realm), the test user and the application.
    grant_type          text        CHECK (grant_type IN ('password', 'password_realm')),
    realm               text,
    username            text,
    -- AES-256-GCM (nonce ‖ ciphertext), see server/src/secrets.rs; never rendered back.
    password            bytea,
    client_id           text,
    client_secret       bytea,
    audience            text,
    scope               text,
    fail_threshold      integer     NOT NULL DEFAULT 3 CHECK (fail_threshold BETWEEN 1 AND 100),
    success_threshold   integer     NOT NULL DEFAULT 2 CHECK (success_threshold BETWEEN 1 AND 100),
    reminder_minutes    integer     NOT NULL DEFAULT 60 CHECK (reminder_minutes >= 0),
    -- What the runs so far say: the streak and the open alert.
    consecutive_failures  integer   NOT NULL DEFAULT 0,
    consecutive_successes integer   NOT NULL DEFAULT 0,
    last_run_at         timestamptz,
    last_outcome        text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, name)
);

CREATE TABLE monitoring_runs (
    id          bigserial   PRIMARY KEY,
    check_id    uuid        NOT NULL REFERENCES monitoring_checks (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    outcome     text        NOT NULL,
    latency_ms  integer     NOT NULL,
    http_status integer,
    detail      text        NOT NULL DEFAULT '',
    maintenance boolean     NOT NULL DEFAULT false
);
CREATE INDEX monitoring_runs_check_at ON monitoring_runs (check_id, at DESC);
CREATE INDEX monitoring_runs_at ON monitoring_runs (at);

-- One row per check and hour ('hour') or day ('day'); `histogram[i]` counts runs with latency in bucket i
-- (bounds in server/src/monitoring/rollup.rs).
CREATE TABLE monitoring_rollups (
    check_id  uuid        NOT NULL REFERENCES monitoring_checks (id) ON DELETE CASCADE,
    period    text        NOT NULL CHECK (period IN ('hour', 'day')),
    bucket    timestamptz NOT NULL,
    runs      integer     NOT NULL,
    ok        integer     NOT NULL,
    histogram integer[]   NOT NULL,
    PRIMARY KEY (check_id, period, bucket)
);

CREATE TABLE monitoring_alerts (
    id               bigserial   PRIMARY KEY,
    check_id         uuid        NOT NULL REFERENCES monitoring_checks (id) ON DELETE CASCADE,
    opened_at        timestamptz NOT NULL,
    resolved_at      timestamptz,
    reason           text        NOT NULL,
    last_reminded_at timestamptz
);
CREATE UNIQUE INDEX monitoring_alerts_open ON monitoring_alerts (check_id) WHERE resolved_at IS NULL;

-- Every alert transition, for the notifications area to deliver.
CREATE TABLE monitoring_events (
    id       bigserial   PRIMARY KEY,
    check_id uuid        NOT NULL REFERENCES monitoring_checks (id) ON DELETE CASCADE,
    alert_id bigint      REFERENCES monitoring_alerts (id) ON DELETE CASCADE,
    at       timestamptz NOT NULL,
    kind     text        NOT NULL CHECK (kind IN ('alert_opened', 'alert_resolved', 'alert_reminder')),
    detail   text        NOT NULL
);
CREATE INDEX monitoring_events_at ON monitoring_events (at DESC);

-- Failures inside a window are recorded but do not alert. A window covers one check, or every check of a tenant.
CREATE TABLE monitoring_maintenance (
    id         bigserial   PRIMARY KEY,
    tenant_id  uuid        REFERENCES tenants (id) ON DELETE CASCADE,
    check_id   uuid        REFERENCES monitoring_checks (id) ON DELETE CASCADE,
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz NOT NULL CHECK (ends_at > starts_at),
    reason     text        NOT NULL DEFAULT '',
    CHECK ((tenant_id IS NULL) <> (check_id IS NULL))
);
