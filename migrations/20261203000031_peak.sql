-- The peak area's spike watch: one row per tenant whose sign-in failures are spiking (far above its usual level),
-- with the origin of the notice that says so; the row goes when the rate falls back (the notice gets "resolved").
CREATE TABLE peak_spikes (
    tenant_id uuid        PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    since     timestamptz NOT NULL,
    origin    text        NOT NULL
);
