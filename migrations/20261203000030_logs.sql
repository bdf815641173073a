-- Per-minute roll-ups of each tenant's events, kept at ingest (pull, receiver and import alike) in the transaction
-- that stores the events: only rows that were new are counted, so a second delivery never counts twice. The
-- peak-load report, its chart and the board's "recent rate-limit events" read these instead of the events.
--
-- Keys lead with the tenant, as every logs table's (Citus-ready). Retention removes a month's roll-ups with its
-- partition and a tenant's older minutes with its expired events.

CREATE TABLE logs_minutes (
    tenant_id    uuid        NOT NULL,
    minute       timestamptz NOT NULL,
    total        integer     NOT NULL DEFAULT 0,
    -- Auth0's outcome of each code (event_types.csv): success; failure apart from rate limits and blocks; the
    -- rate-limit and blocking codes (api_limit, limit_wc, limit_mu, …). Warnings, info and unknown codes are
    -- total − the three.
    successes    integer     NOT NULL DEFAULT 0,
    failures     integer     NOT NULL DEFAULT 0,
    limits       integer     NOT NULL DEFAULT 0,
    -- Sign-ins alone (category login): the login success rate and the "login failures spiking" warning.
    login_ok     integer     NOT NULL DEFAULT 0,
    login_failed integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, minute)
);
CREATE INDEX logs_minutes_minute ON logs_minutes (minute);

-- The codes worth naming per minute: every failure, warning, rate-limit and blocking code (not successes or info).
CREATE TABLE logs_minute_codes (
    tenant_id uuid        NOT NULL,
    minute    timestamptz NOT NULL,
    code      text        NOT NULL,
    events    integer     NOT NULL,
    PRIMARY KEY (tenant_id, minute, code)
);
CREATE INDEX logs_minute_codes_minute ON logs_minute_codes (minute);

-- Events stored before roll-ups existed are counted by the retention job's first run (it rebuilds the roll-ups
-- when there are events but none); nothing to do here.

-- The same counts summed over every tenant, per minute, kept in the same transactions: the cross-tenant report
-- reads 43,200 rows for 30 days instead of grouping every tenant's. (One row per minute for all tenants: a
-- reference table, not distributed by tenant.)
CREATE TABLE logs_minutes_all (
    minute       timestamptz PRIMARY KEY,
    total        integer     NOT NULL DEFAULT 0,
    successes    integer     NOT NULL DEFAULT 0,
    failures     integer     NOT NULL DEFAULT 0,
    limits       integer     NOT NULL DEFAULT 0,
    login_ok     integer     NOT NULL DEFAULT 0,
    login_failed integer     NOT NULL DEFAULT 0
);

CREATE TABLE logs_minute_codes_all (
    minute timestamptz NOT NULL,
    code   text        NOT NULL,
    events integer     NOT NULL,
    PRIMARY KEY (minute, code)
);

-- Rate limits, blocks, their warnings and deprecation notices per tenant and minute, by what they fired on (the
-- `api_limit` bucket or the deprecated feature, `METHOD /path`, the client; '' when the event does not say): the
-- report's "which limits fired, when, and on what" without reading the events' payloads.
CREATE TABLE logs_limit_minutes (
    tenant_id uuid        NOT NULL,
    minute    timestamptz NOT NULL,
    code      text        NOT NULL,
    what      text        NOT NULL,
    endpoint  text        NOT NULL,
    client    text        NOT NULL,
    events    integer     NOT NULL,
    first_at  timestamptz NOT NULL,
    last_at   timestamptz NOT NULL,
    -- The distinct addresses the events came from, at most 50 (the IPs a limit or block fired on).
    ips       inet[]      NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, minute, code, what, endpoint, client)
);
CREATE INDEX logs_limit_minutes_minute ON logs_limit_minutes (minute);

-- The distinct addresses of two lists, at most 50.
CREATE FUNCTION logs_merge_ips(a inet[], b inet[]) RETURNS inet[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE((array_agg(DISTINCT x ORDER BY x))[1:50], '{}') FROM unnest(a || b) AS x
$$;
