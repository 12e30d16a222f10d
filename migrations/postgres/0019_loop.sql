-- The loop as 12345 hotlines run it (issue 19): 退回 (a `returned` status),
-- 督办 (urgings and escalation), 我也看到 (seen), 满意度回访 (rating).
-- The index the foreign key checks and erasure need (SQLite's rebuild of
-- reports below leans on it).
CREATE INDEX notifications_report ON notifications (report_id);
ALTER TABLE reports DROP CONSTRAINT reports_status_check;
ALTER TABLE reports ADD CONSTRAINT reports_status_check CHECK (status IN
    ('pending_review', 'rejected', 'assigned', 'returned', 'rectified', 'closed', 'duplicate'));
ALTER TABLE reports DROP CONSTRAINT reports_check;
-- an assigned (or returned) report always has a unit and a deadline
ALTER TABLE reports ADD CONSTRAINT reports_check CHECK
    (status NOT IN ('assigned', 'returned', 'rectified', 'closed') OR (unit_id IS NOT NULL AND deadline IS NOT NULL));
-- A returned report stays public (it was approved; it is being re-routed).
-- PostgreSQL 15 cannot change a generation expression: the column (and its
-- two indexes) is made again.
ALTER TABLE reports DROP COLUMN public;
ALTER TABLE reports ADD COLUMN public BIGINT
    GENERATED ALWAYS AS (CASE WHEN status IN ('assigned', 'returned', 'rectified', 'closed') THEN 1 ELSE 0 END) STORED;
CREATE INDEX reports_public ON reports (public, id, lat, lon);
CREATE INDEX reports_public_category ON reports (public, category_id, id, lat, lon);
ALTER TABLE reports ADD COLUMN seen_count BIGINT NOT NULL DEFAULT 0 CHECK (seen_count >= 0);
ALTER TABLE reports ADD COLUMN urge_count BIGINT NOT NULL DEFAULT 0 CHECK (urge_count >= 0);
ALTER TABLE reports ADD COLUMN escalation TEXT CHECK (escalation IN ('yellow', 'red'));
ALTER TABLE reports ADD COLUMN rating BIGINT CHECK (rating BETWEEN 1 AND 5);
ALTER TABLE reports ADD COLUMN rated_at BIGINT;
-- the unit's task list: red, yellow, then the rest, each by deadline
ALTER TABLE reports ADD COLUMN urgency BIGINT GENERATED ALWAYS AS
    (CASE escalation WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END) STORED;
CREATE INDEX reports_unit_tasks ON reports (unit_id, status, urgency, deadline, id);
-- 督办 sweep: assigned reports by deadline whose escalation may still rise.
CREATE INDEX reports_escalation ON reports (status, escalation, deadline);
-- The unit a report was with when the event happened (returns and urgings
-- are counted for that unit in the monthly 通报, whoever has it now).
ALTER TABLE report_events ADD COLUMN unit_id BIGINT REFERENCES units(id);
CREATE INDEX report_events_unit ON report_events (unit_id, action, at);
-- 我也看到: one voice per person and report.
CREATE TABLE report_seen (
    report_id  BIGINT NOT NULL REFERENCES reports(id),
    user_id    BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (report_id, user_id)
);
CREATE INDEX report_seen_user ON report_seen (user_id);
-- Ratings of the month per unit.
CREATE INDEX reports_rated_at ON reports (rated_at, unit_id, rating);
