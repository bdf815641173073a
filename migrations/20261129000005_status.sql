-- Status sources (Auth0's per-tenant feeds, providers' status pages and feeds), what each last said, their
-- components, incidents with one row per published update, and every change of a source's state.
CREATE TABLE status_sources (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name            text        NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('auth0_feed', 'statuspage', 'feed', 'google_workspace')),
    category        text        NOT NULL CHECK (category IN ('auth0', 'social', 'email', 'sms', 'other')),
    url             text        NOT NULL UNIQUE,
    enabled         boolean     NOT NULL DEFAULT true,
    interval_secs   integer     NOT NULL DEFAULT 120 CHECK (interval_secs >= 30),
    state           text        NOT NULL DEFAULT 'unknown',
    last_good_at    timestamptz,
    last_attempt_at timestamptz,
    error           text,
    etag            text,
    last_modified   text,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE status_components (
    source_id    uuid        NOT NULL REFERENCES status_sources (id) ON DELETE CASCADE,
    component_id text        NOT NULL,
    name         text        NOT NULL,
    state        text        NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (source_id, component_id)
);

CREATE TABLE status_incidents (
    id            bigserial   PRIMARY KEY,
    source_id     uuid        NOT NULL REFERENCES status_sources (id) ON DELETE CASCADE,
    external_id   text        NOT NULL,
    title         text        NOT NULL,
    impact        text,
    phase         text        NOT NULL,
    started_at    timestamptz,
    updated_at    timestamptz,
    link          text,
    first_seen_at timestamptz NOT NULL,
    UNIQUE (source_id, external_id)
);

CREATE TABLE status_updates (
    id          bigserial   PRIMARY KEY,
    incident_id bigint      NOT NULL REFERENCES status_incidents (id) ON DELETE CASCADE,
    external_id text        NOT NULL,
    at          timestamptz,
    phase       text        NOT NULL,
    text        text        NOT NULL,
    seen_at     timestamptz NOT NULL,
    UNIQUE (incident_id, external_id)
);

CREATE TABLE status_transitions (
    id         bigserial   PRIMARY KEY,
    source_id  uuid        NOT NULL REFERENCES status_sources (id) ON DELETE CASCADE,
    at         timestamptz NOT NULL,
    from_state text        NOT NULL,
    to_state   text        NOT NULL
);
