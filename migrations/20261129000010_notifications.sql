-- One history of every notice: status incidents, console events (monitoring alerts, custom-domain outcomes), and
-- later advisories and change notices. A notification has its own timeline of updates; acknowledgements are part
-- of it. `origin` names what it came from, so a source's later updates land on the same notification.
CREATE TABLE notifications (
    id              bigserial   PRIMARY KEY,
    origin          text        NOT NULL UNIQUE,
    source          text        NOT NULL CHECK (source IN ('auth0_status', 'provider_status', 'security_advisory', 'change_notice', 'console')),
    kind            text        NOT NULL,
    severity        text        NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    title           text        NOT NULL,
    body            text        NOT NULL DEFAULT '',
    link            text,
    tenants         text[]      NOT NULL DEFAULT '{}',
    regions         text[]      NOT NULL DEFAULT '{}',
    first_seen_at   timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    acknowledged_at timestamptz,
    acknowledged_by text,
    search          tsvector    GENERATED ALWAYS AS (
        to_tsvector('english'::regconfig, title || ' ' || body || ' ' || replace(kind, '_', ' '))) STORED
);
CREATE INDEX notifications_updated ON notifications (updated_at DESC, id DESC);
CREATE INDEX notifications_search ON notifications USING gin (search);
CREATE INDEX notifications_open ON notifications (severity) WHERE acknowledged_at IS NULL;

CREATE TABLE notifications_updates (
    id              bigserial   PRIMARY KEY,
    notification_id bigint      NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    -- What it came from (a status update, a monitoring event…), so it is added once.
    origin          text        NOT NULL UNIQUE,
    at              timestamptz NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('update', 'acknowledged', 'reopened')),
    severity        text        NOT NULL,
    text            text        NOT NULL,
    by_user         text
);
CREATE INDEX notifications_updates_notification ON notifications_updates (notification_id, at, id);

-- How far the collector has read each feeding table.
CREATE TABLE notifications_cursors (
    name    text   PRIMARY KEY,
    last_id bigint NOT NULL
);
