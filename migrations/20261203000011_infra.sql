-- The mail records of each tenant's sender domain (SPF, DKIM, DMARC) as last read in live DNS, and the DKIM
-- selectors set for the tenant (empty: the provider's usual ones).
CREATE TABLE infra_mail (
    tenant_id  uuid        PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    selectors  text[]      NOT NULL DEFAULT '{}',
    domain     text,
    provider   text,
    -- The provider verdict last seen (required, warning, ok, unknown), so a change is noticed once.
    provider_verdict text,
    checked_at timestamptz,
    -- The snapshot the check read (a newer one makes the tenant due again).
    snapshot_id bigint,
    -- [{record, verdict, found, advice}], one per record.
    checks     jsonb       NOT NULL DEFAULT '[]'
);
