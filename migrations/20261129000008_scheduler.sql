-- When each run was planned to start (its due step plus jitter, or its retry time), so run lateness can be
-- measured; and an index for pruning old runs.
ALTER TABLE scheduler_runs ADD COLUMN planned_at timestamptz;
CREATE INDEX scheduler_runs_started ON scheduler_runs (started_at);
