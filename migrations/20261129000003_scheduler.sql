-- The durable scheduler: one row per recurring job, leased by workers with FOR UPDATE SKIP LOCKED so several
-- `tenantry serve` replicas on one database share the work without running a job twice.
CREATE TABLE scheduler_jobs (
    id              bigserial   PRIMARY KEY,
    kind            text        NOT NULL,
    key             text        NOT NULL,
    interval_secs   integer     NOT NULL CHECK (interval_secs > 0),
    -- The run's place in the schedule (interval steps from the first run), and when it actually runs: that plus
    -- jitter, or a backoff after a failure. Jitter never accumulates because it is added to the schedule.
    scheduled_for   timestamptz NOT NULL,
    next_run_at     timestamptz NOT NULL,
    lease_until     timestamptz,
    leased_by       text,
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text,
    last_run_at     timestamptz,
    last_success_at timestamptz,
    runs            bigint      NOT NULL DEFAULT 0,
    UNIQUE (kind, key)
);
CREATE INDEX scheduler_jobs_due ON scheduler_jobs (next_run_at);

-- Every run, for history and for checking that no job ran twice in one interval.
CREATE TABLE scheduler_runs (
    id          bigserial   PRIMARY KEY,
    job_id      bigint      NOT NULL REFERENCES scheduler_jobs (id) ON DELETE CASCADE,
    due_at      timestamptz NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    worker      text        NOT NULL,
    ok          boolean     NOT NULL,
    error       text
);
CREATE INDEX scheduler_runs_job ON scheduler_runs (job_id, started_at);
