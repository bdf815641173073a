-- What each tenant's events take, measured by the hourly retention run: the events kept (from the per-minute
-- roll-ups, so retention's deletions count) and their share of the size of logs_events and its indexes.
ALTER TABLE logs_progress
    ADD COLUMN kept_events bigint,
    ADD COLUMN kept_bytes  bigint,
    ADD COLUMN kept_at     timestamptz;
