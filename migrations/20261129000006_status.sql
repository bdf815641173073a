-- Status sources know where they came from: the Auth0 feed of a registered tenant (removed with it), or an entry
-- of the provider catalog (offered again once removed). Incident history is read by time and by source.
ALTER TABLE status_sources
    ADD COLUMN tenant_id   uuid REFERENCES tenants (id) ON DELETE CASCADE,
    ADD COLUMN catalog_key text UNIQUE,
    -- A Statuspage's incidents.json is read beside its summary, with its own ETag.
    ADD COLUMN history_etag text;
CREATE UNIQUE INDEX status_sources_tenant ON status_sources (tenant_id) WHERE tenant_id IS NOT NULL;
CREATE INDEX status_incidents_started ON status_incidents (COALESCE(started_at, first_seen_at) DESC);
CREATE INDEX status_updates_incident ON status_updates (incident_id, at);
CREATE INDEX status_transitions_source ON status_transitions (source_id, at DESC);
-- Apple's system status is JSONP of its own.
ALTER TABLE status_sources DROP CONSTRAINT status_sources_kind_check;
ALTER TABLE status_sources ADD CONSTRAINT status_sources_kind_check
    CHECK (kind IN ('auth0_feed', 'statuspage', 'feed', 'google_workspace', 'apple'));
