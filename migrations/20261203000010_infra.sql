-- The infrastructure area: every version of Auth0's published outbound IP ranges (the source's state is one row),
-- so a firewall team can see what changed and when.
CREATE TABLE infra_ip_source (
    id              smallint    PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    url             text        NOT NULL,
    etag            text,
    last_modified   text,
    last_attempt_at timestamptz,
    last_good_at    timestamptz,
    -- Why the last read failed (cleared by a good read); the last good version stays in infra_ip_versions.
    error           text
);

CREATE TABLE infra_ip_versions (
    id              bigserial   PRIMARY KEY,
    fetched_at      timestamptz NOT NULL,
    -- The list's own `last_updated_at`, when it gives one.
    last_updated_at timestamptz,
    sha256          text        NOT NULL,
    -- The list as read (at most 1 MB, checked before it is stored).
    body            text        NOT NULL,
    ranges          integer     NOT NULL,
    -- What changed against the version before, in words (empty for the first).
    summary         text        NOT NULL DEFAULT ''
);
CREATE INDEX infra_ip_versions_latest ON infra_ip_versions (fetched_at DESC, id DESC);
