-- A report sent from a phone's offline outbox carries the phone's own id for
-- it, so a retry (or two tabs flushing at once) files it once.
ALTER TABLE reports ADD COLUMN client_ref TEXT;
CREATE UNIQUE INDEX reports_client_ref ON reports (reporter_id, client_ref);
