-- Notifications, step 2: advisory and change-notice feeds, console state watched for changes, delivery channels
-- with a durable outbox and a delivery log.

-- Feeds of security advisories and change notices (RSS/Atom, GitHub's security-advisory Atom feed, Auth0's
-- changelog). Each item becomes a notification; a feed that cannot be read is marked in error and its items stay.
CREATE TABLE notifications_feeds (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name            text        NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('github_advisories', 'feed')),
    -- What the feed's items are: `auto` classifies each by its words (security / deprecation / change).
    classify        text        NOT NULL CHECK (classify IN ('auto', 'security', 'change')),
    url             text        NOT NULL UNIQUE,
    -- Only items that mention one of these words are taken (empty: every item).
    keywords        text[]      NOT NULL DEFAULT '{}',
    interval_secs   integer     NOT NULL CHECK (interval_secs >= 60),
    enabled         boolean     NOT NULL DEFAULT true,
    catalog_key     text,
    etag            text,
    last_modified   text,
    last_attempt_at timestamptz,
    last_good_at    timestamptz,
    error           text,
    items           integer     NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Console state the collector compares with what it saw last (tenant polls failing, findings appearing or
-- clearing), so only changes become notification updates.
CREATE TABLE notifications_watch (
    key   text        PRIMARY KEY,
    state text        NOT NULL,
    -- When the current episode began (a run of failures, a finding's appearance).
    since timestamptz NOT NULL,
    -- The notification's title, for the update that says it cleared.
    title text        NOT NULL DEFAULT ''
);

-- Where notifications are sent. Targets (webhook URLs carry tokens) and secrets are encrypted; `target` is what
-- pages may show.
CREATE TABLE notifications_channels (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name            text        NOT NULL UNIQUE,
    kind            text        NOT NULL CHECK (kind IN ('webhook', 'slack', 'teams', 'email')),
    target          text        NOT NULL,
    -- AES-256-GCM: the URL for webhooks, Slack and Teams; the SMTP password for email.
    url_secret      bytea,
    -- The HMAC-SHA256 signing secret of a generic webhook.
    signing_secret  bytea,
    -- Email: host, port, security (starttls / tls / none), username, from, to.
    smtp            jsonb,
    min_severity    text        NOT NULL CHECK (min_severity IN ('info', 'warning', 'critical')),
    sources         text[]      NOT NULL DEFAULT '{}',
    tenants         text[]      NOT NULL DEFAULT '{}',
    regions         text[]      NOT NULL DEFAULT '{}',
    enabled         boolean     NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_success_at timestamptz,
    last_failure_at timestamptz,
    -- The first failure since the last success; a channel failing for a day is unhealthy.
    failing_since   timestamptz,
    last_error      text
);

-- One row per (channel, notification update): the unique key is what makes each update go out at most once per
-- channel, however many replicas deliver. Rows are leased with FOR UPDATE SKIP LOCKED.
CREATE TABLE notifications_outbox (
    id              bigserial   PRIMARY KEY,
    channel_id      uuid        NOT NULL REFERENCES notifications_channels (id) ON DELETE CASCADE,
    notification_id bigint      NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    update_id       bigint      NOT NULL REFERENCES notifications_updates (id) ON DELETE CASCADE,
    state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    due_at          timestamptz NOT NULL,
    lease_until     timestamptz,
    leased_by       text,
    created_at      timestamptz NOT NULL,
    finished_at     timestamptz,
    last_error      text,
    UNIQUE (channel_id, update_id)
);
CREATE INDEX notifications_outbox_due ON notifications_outbox (due_at) WHERE state = 'pending';
CREATE INDEX notifications_outbox_finished ON notifications_outbox (finished_at) WHERE state <> 'pending';

-- The delivery log: every attempt, kept after its outbox row is pruned (and with "Send test" attempts).
CREATE TABLE notifications_deliveries (
    id              bigserial   PRIMARY KEY,
    channel_id      uuid        NOT NULL REFERENCES notifications_channels (id) ON DELETE CASCADE,
    notification_id bigint      REFERENCES notifications (id) ON DELETE CASCADE,
    update_id       bigint,
    outbox_id       bigint,
    at              timestamptz NOT NULL,
    attempt         integer     NOT NULL,
    ok              boolean     NOT NULL,
    -- The HTTP status or SMTP reply code, when there was one.
    status          integer,
    duration_ms     integer     NOT NULL,
    error           text,
    test            boolean     NOT NULL DEFAULT false
);
CREATE INDEX notifications_deliveries_notification ON notifications_deliveries (notification_id, at);
CREATE INDEX notifications_deliveries_channel ON notifications_deliveries (channel_id, at DESC);
CREATE INDEX notifications_deliveries_at ON notifications_deliveries (at);
