-- Retention of the per-check history: old checks are pruned by age (the latest state lives on `domains`, changes
-- on `domains_events`).
CREATE INDEX domains_checks_at ON domains_checks (at);
