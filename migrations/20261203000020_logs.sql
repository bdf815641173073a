-- Stream health: what the log-stream receiver has had from each tenant (deliveries and events, beside the totals of
-- logs_progress), and the stream-health findings last recorded per tenant, so a finding is told once when it
-- appears and once when it clears.

ALTER TABLE logs_progress
    ADD COLUMN stream_deliveries bigint NOT NULL DEFAULT 0,
    ADD COLUMN stream_events     bigint NOT NULL DEFAULT 0;

CREATE TABLE logs_health (
    tenant_id  uuid        PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    -- [{"key": "stream:lst_1:paused", "severity": "warning", "text": "…"}, …]: the findings as last recorded.
    findings   jsonb       NOT NULL DEFAULT '[]',
    checked_at timestamptz NOT NULL
);
