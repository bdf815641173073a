-- Reachability checks (issue 18): endpoints inside the company's network that Auth0 calls (a custom database's
-- API, the SMTP server, a log-stream receiver), checked from where Tenantry runs with the same runs, roll-ups and
-- alert policy as the Auth0 checks. `target` is `host:port` (tcp, smtp) or an https URL (https).
ALTER TABLE monitoring_checks DROP CONSTRAINT monitoring_checks_kind_check;
ALTER TABLE monitoring_checks ADD CONSTRAINT monitoring_checks_kind_check
    CHECK (kind IN ('testall', 'test', 'login', 'tcp', 'https', 'smtp'));
ALTER TABLE monitoring_checks
    ADD COLUMN target        text    CHECK (length(target) <= 300),
    ADD COLUMN expect_status integer CHECK (expect_status BETWEEN 100 AND 599),
    ADD COLUMN starttls      boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT monitoring_checks_reach_target CHECK (kind NOT IN ('tcp', 'https', 'smtp') OR target IS NOT NULL);
