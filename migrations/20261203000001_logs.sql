-- Auth0 tenant logs kept longer than Auth0 keeps them: every event as Auth0 sent it (payload) with the columns
-- searches filter on; per-tenant progress (newest event, counts, pull checkpoint, retention); the log-stream
-- receiver's token per tenant (hashed); and the items that could not be read, kept verbatim with the reason.
--
-- Every key leads with the tenant id and no table refers to another tenant's rows, so these tables can be
-- distributed by tenant_id (Citus) as they are. Events have no foreign key to `tenants`: a removed tenant's events
-- stay until retention drops their month.

CREATE TABLE logs_events (
    tenant_id   uuid        NOT NULL,
    -- Auth0's log_id: opaque, compared only as a string (56 digits today).
    log_id      text        NOT NULL,
    date        timestamptz NOT NULL,
    type_code   text        NOT NULL,
    description text,
    client_id   text,
    client_name text,
    user_id     text,
    user_name   text,
    ip          inet,
    connection  text,
    strategy    text,
    hostname    text,
    user_agent  text,
    payload     jsonb       NOT NULL,
    source      text        NOT NULL CHECK (source IN ('pull', 'stream', 'import')),
    received_at timestamptz NOT NULL,
    -- A log id has one date, so (tenant, log id) is one row: a second delivery of an event is ignored.
    PRIMARY KEY (tenant_id, log_id, date)
) PARTITION BY RANGE (date);

-- Events whose month has no partition yet land here, so an insert never fails for lack of one;
-- logs_ensure_partition moves them into their month when it creates it.
CREATE TABLE logs_events_default PARTITION OF logs_events DEFAULT;

-- Search: newest first per tenant and across tenants (keyset on date, tenant, log id), and the filters.
CREATE INDEX logs_events_tenant_date ON logs_events (tenant_id, date DESC, log_id DESC);
CREATE INDEX logs_events_date ON logs_events (date DESC, tenant_id DESC, log_id DESC);
-- A user across tenants (the helpdesk's look-up): by id or by name.
CREATE INDEX logs_events_user_id ON logs_events (user_id, date DESC) WHERE user_id IS NOT NULL;
CREATE INDEX logs_events_user_name ON logs_events (user_name, date DESC) WHERE user_name IS NOT NULL;
CREATE INDEX logs_events_client ON logs_events (tenant_id, client_id, date DESC) WHERE client_id IS NOT NULL;
CREATE INDEX logs_events_type ON logs_events (tenant_id, type_code, date DESC);
CREATE INDEX logs_events_ip ON logs_events USING gist (ip inet_ops) WHERE ip IS NOT NULL;

-- The partition of the month holding `day`, created when missing (rows of that month waiting in the default
-- partition are moved into it). Idempotent; concurrent callers serialise on an advisory lock.
CREATE FUNCTION logs_ensure_partition(day timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    lo   timestamptz := date_trunc('month', day AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    hi   timestamptz := (date_trunc('month', day AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
    name text := 'logs_events_' || to_char(day AT TIME ZONE 'UTC', 'YYYY_MM');
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN name;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('logs_events partitions'));
    IF to_regclass(name) IS NOT NULL THEN
        RETURN name;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE logs_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
    EXECUTE format('WITH moved AS (DELETE FROM logs_events_default WHERE date >= %L AND date < %L RETURNING *)
                    INSERT INTO %I SELECT * FROM moved', lo, hi, name);
    EXECUTE format('ALTER TABLE logs_events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name, lo, hi);
    RETURN name;
END
$$;

-- This month and the next three exist from the start; the retention job keeps creating them ahead.
SELECT logs_ensure_partition(now() + make_interval(months => m)) FROM generate_series(0, 3) AS m;

-- Per tenant: what has been stored, the pull's checkpoint, and how long events are kept.
CREATE TABLE logs_progress (
    tenant_id        uuid        PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    newest_log_id    text,
    newest_at        timestamptz,
    events_stored    bigint      NOT NULL DEFAULT 0,
    duplicates       bigint      NOT NULL DEFAULT 0,
    rejected         bigint      NOT NULL DEFAULT 0,
    -- The newest log id the pull stored (checkpoint paging continues after it).
    pull_checkpoint  text,
    last_pull_at     timestamptz,
    last_pull_error  text,
    last_delivery_at timestamptz,
    -- Days events are kept; NULL: the server's logs.retention_days.
    retention_days   integer     CHECK (retention_days BETWEEN 1 AND 3650)
);

-- The log-stream receiver's token per tenant: only its SHA-256 is kept; the token is shown once.
CREATE TABLE logs_stream_tokens (
    tenant_id  uuid        PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    token_hash bytea       NOT NULL,
    created_at timestamptz NOT NULL
);

-- Items that could not be read as an event: verbatim (cut at the item size limit), with the reason.
CREATE TABLE logs_quarantine (
    tenant_id   uuid        NOT NULL,
    id          bigint      GENERATED ALWAYS AS IDENTITY,
    received_at timestamptz NOT NULL,
    source      text        NOT NULL CHECK (source IN ('pull', 'stream', 'import')),
    reason      text        NOT NULL,
    item        text        NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX logs_quarantine_received ON logs_quarantine (received_at DESC);
