-- The dashboard's counts. Every change to a report writes a delta row
-- (-1 for what it was, +1 for what it is) by trigger, in the same
-- transaction, so the counts can never drift from the reports. Delta rows
-- never conflict (no hot rows, no deadlocks between writers); a sweep folds
-- them into report_tallies every minute, and readers add up both tables:
-- a few hundred rows instead of a million reports.
-- on_time: rectified by the deadline. same_day: closed within a day of the
-- report (立行立改).
CREATE TABLE report_tallies (
    status       TEXT NOT NULL,
    category_id  INTEGER NOT NULL,
    unit_id      INTEGER NOT NULL,
    area_id      INTEGER NOT NULL,
    on_time      INTEGER NOT NULL,
    same_day     INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (status, category_id, unit_id, area_id, on_time, same_day)
);

CREATE TABLE report_tally_deltas (
    id           INTEGER PRIMARY KEY,
    status       TEXT NOT NULL,
    category_id  INTEGER NOT NULL,
    unit_id      INTEGER NOT NULL,
    area_id      INTEGER NOT NULL,
    on_time      INTEGER NOT NULL,
    same_day     INTEGER NOT NULL,
    n            INTEGER NOT NULL
);

INSERT INTO report_tallies (status, category_id, unit_id, area_id, on_time, same_day, n)
SELECT status, category_id, COALESCE(unit_id, 0), COALESCE(area_id, 0),
       CASE WHEN rectified_at IS NOT NULL AND deadline IS NOT NULL AND rectified_at <= deadline THEN 1 ELSE 0 END,
       CASE WHEN closed_at IS NOT NULL AND closed_at - created_at <= 86400000 THEN 1 ELSE 0 END, COUNT(*)
FROM reports GROUP BY 1, 2, 3, 4, 5, 6;

CREATE TRIGGER report_tally_insert AFTER INSERT ON reports BEGIN
    INSERT INTO report_tally_deltas (status, category_id, unit_id, area_id, on_time, same_day, n) VALUES (
            NEW.status, NEW.category_id, COALESCE(NEW.unit_id, 0), COALESCE(NEW.area_id, 0),
            CASE WHEN NEW.rectified_at IS NOT NULL AND NEW.deadline IS NOT NULL AND NEW.rectified_at <= NEW.deadline THEN 1 ELSE 0 END,
            CASE WHEN NEW.closed_at IS NOT NULL AND NEW.closed_at - NEW.created_at <= 86400000 THEN 1 ELSE 0 END, 1);
END;

CREATE TRIGGER report_tally_update AFTER UPDATE OF status, category_id, unit_id, area_id, deadline, rectified_at, closed_at, created_at ON reports BEGIN
    INSERT INTO report_tally_deltas (status, category_id, unit_id, area_id, on_time, same_day, n) VALUES (
            OLD.status, OLD.category_id, COALESCE(OLD.unit_id, 0), COALESCE(OLD.area_id, 0),
            CASE WHEN OLD.rectified_at IS NOT NULL AND OLD.deadline IS NOT NULL AND OLD.rectified_at <= OLD.deadline THEN 1 ELSE 0 END,
            CASE WHEN OLD.closed_at IS NOT NULL AND OLD.closed_at - OLD.created_at <= 86400000 THEN 1 ELSE 0 END, -1), (
            NEW.status, NEW.category_id, COALESCE(NEW.unit_id, 0), COALESCE(NEW.area_id, 0),
            CASE WHEN NEW.rectified_at IS NOT NULL AND NEW.deadline IS NOT NULL AND NEW.rectified_at <= NEW.deadline THEN 1 ELSE 0 END,
            CASE WHEN NEW.closed_at IS NOT NULL AND NEW.closed_at - NEW.created_at <= 86400000 THEN 1 ELSE 0 END, 1);
END;

CREATE TRIGGER report_tally_delete AFTER DELETE ON reports BEGIN
    INSERT INTO report_tally_deltas (status, category_id, unit_id, area_id, on_time, same_day, n) VALUES (
            OLD.status, OLD.category_id, COALESCE(OLD.unit_id, 0), COALESCE(OLD.area_id, 0),
            CASE WHEN OLD.rectified_at IS NOT NULL AND OLD.deadline IS NOT NULL AND OLD.rectified_at <= OLD.deadline THEN 1 ELSE 0 END,
            CASE WHEN OLD.closed_at IS NOT NULL AND OLD.closed_at - OLD.created_at <= 86400000 THEN 1 ELSE 0 END, -1);
END;

-- Time windows of the dashboard and the monthly 通报, each covering what
-- its query reads, so a month is an index range and nothing more.
CREATE INDEX reports_open_deadline ON reports (status, deadline, unit_id);
CREATE INDEX reports_assigned_at ON reports (assigned_at, unit_id);
CREATE INDEX reports_closed_at ON reports (closed_at, unit_id, status, rectified_at, deadline);
CREATE INDEX reports_deadline ON reports (deadline, unit_id, status, rectified_at);
CREATE INDEX report_events_action_at ON report_events (action, at, report_id);
