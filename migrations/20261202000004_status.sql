-- Real status feeds read right (issue 15).
-- What a source's body was recognised as ("Statuspage-style history feed", "legacy Google Workspace RSS"), shown on
-- Status → Sources.
ALTER TABLE status_sources ADD COLUMN read_as text;

-- Every stored history is read again on the next poll: validators are dropped so the whole body comes back, and
-- updates already stored get the time their provider published them (the poll fills a missing or changed time,
-- phase and text of an update it knows by id; it adds the updates Google's incidents.json had and were not kept).
UPDATE status_sources SET etag = NULL, last_modified = NULL, history_etag = NULL;
-- Items of the legacy Workspace RSS were stored one incident per shared guid; they are read again as one incident
-- per service per outage, so the old grouping goes.
DELETE FROM status_incidents WHERE external_id LIKE 'outageid:%' AND external_id NOT LIKE 'outageid:%/%';
