-- The loop as 12345 hotlines run it (issue 19): 退回 (a `returned` status),
-- 督办 (urgings and escalation), 我也看到 (seen), 满意度回访 (rating).
-- SQLite cannot change a CHECK constraint or a generated column in place, so
-- `reports` is made again, inside the migration's transaction (sqlx runs
-- each SQLite migration in one, where foreign keys cannot be switched off,
-- and a rename would carry the other tables' references along). With the
-- foreign keys deferred to the commit: the rows go to a temporary copy, the
-- table is dropped (its tally triggers first, so no deltas are written; the
-- other tables' rows are orphans for a moment), made again under the same
-- name and filled from the copy, which gives every orphan its parent back
-- before the commit checks. notifications.report_id gets the index the
-- checks (and erasure) need.
CREATE INDEX notifications_report ON notifications (report_id);
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE reports_copy AS SELECT id, reporter_id, category_id, description, lat, lon, address, hide_name, status, unit_id, area_id, deadline, disputed, duplicate_of, patrol, fixed_on_spot, source, follower_count, reopen_count, reporter_verdict, assigned_at, rectified_at, closed_at, created_at, updated_at, client_ref, open311_token, media_url FROM reports;
DROP TRIGGER report_tally_insert;
DROP TRIGGER report_tally_update;
DROP TRIGGER report_tally_delete;
DROP TABLE reports;
CREATE TABLE reports (
    id               INTEGER PRIMARY KEY,
    reporter_id      INTEGER NOT NULL REFERENCES users(id),
    category_id      INTEGER NOT NULL REFERENCES categories(id),
    description      TEXT NOT NULL,
    lat              REAL NOT NULL,
    lon              REAL NOT NULL,
    address          TEXT NOT NULL DEFAULT '',
    hide_name        INTEGER NOT NULL DEFAULT 0,
    status           TEXT NOT NULL CHECK (status IN
                       ('pending_review', 'rejected', 'assigned', 'returned', 'rectified', 'closed', 'duplicate')),
    unit_id          INTEGER REFERENCES units(id),
    area_id          INTEGER REFERENCES areas(id),
    deadline         INTEGER,
    disputed         INTEGER NOT NULL DEFAULT 0,
    duplicate_of     INTEGER REFERENCES reports(id),
    patrol           INTEGER NOT NULL DEFAULT 0,
    fixed_on_spot    INTEGER NOT NULL DEFAULT 0,
    source           TEXT NOT NULL DEFAULT 'web',
    follower_count   INTEGER NOT NULL DEFAULT 0 CHECK (follower_count >= 0),
    reopen_count     INTEGER NOT NULL DEFAULT 0,
    reporter_verdict TEXT CHECK (reporter_verdict IN ('fixed', 'not_fixed')),
    assigned_at      INTEGER,
    rectified_at     INTEGER,
    closed_at        INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    client_ref       TEXT,
    open311_token    TEXT,
    media_url        TEXT,
    public           INTEGER GENERATED ALWAYS AS
                       (CASE WHEN status IN ('assigned', 'returned', 'rectified', 'closed') THEN 1 ELSE 0 END) VIRTUAL,
    seen_count       INTEGER NOT NULL DEFAULT 0 CHECK (seen_count >= 0),
    urge_count       INTEGER NOT NULL DEFAULT 0 CHECK (urge_count >= 0),
    escalation       TEXT CHECK (escalation IN ('yellow', 'red')),
    rating           INTEGER CHECK (rating BETWEEN 1 AND 5),
    rated_at         INTEGER,
    -- the unit's task list: red, yellow, then the rest, each by deadline
    urgency          INTEGER GENERATED ALWAYS AS
                       (CASE escalation WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END) VIRTUAL,
    -- an assigned (or returned) report always has a unit and a deadline
    CHECK (status NOT IN ('assigned', 'returned', 'rectified', 'closed') OR (unit_id IS NOT NULL AND deadline IS NOT NULL)),
    CHECK (status <> 'duplicate' OR duplicate_of IS NOT NULL)
);
INSERT INTO reports (id, reporter_id, category_id, description, lat, lon, address, hide_name, status, unit_id, area_id, deadline, disputed, duplicate_of, patrol, fixed_on_spot, source, follower_count, reopen_count, reporter_verdict, assigned_at, rectified_at, closed_at, created_at, updated_at, client_ref, open311_token, media_url)
    SELECT id, reporter_id, category_id, description, lat, lon, address, hide_name, status, unit_id, area_id, deadline, disputed, duplicate_of, patrol, fixed_on_spot, source, follower_count, reopen_count, reporter_verdict, assigned_at, rectified_at, closed_at, created_at, updated_at, client_ref, open311_token, media_url FROM reports_copy;
DROP TABLE reports_copy;
CREATE INDEX reports_reporter ON reports (reporter_id, id);
CREATE INDEX reports_unit ON reports (unit_id, status, deadline);
CREATE INDEX reports_place ON reports (lat, lon);
CREATE INDEX reports_created ON reports (created_at);
CREATE UNIQUE INDEX reports_client_ref ON reports (reporter_id, client_ref);
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
CREATE INDEX reports_open_deadline ON reports (status, deadline, unit_id);
CREATE INDEX reports_assigned_at ON reports (assigned_at, unit_id);
CREATE INDEX reports_closed_at ON reports (closed_at, unit_id, status, rectified_at, deadline);
CREATE INDEX reports_deadline ON reports (deadline, unit_id, status, rectified_at);
CREATE UNIQUE INDEX reports_open311_token ON reports (open311_token);
CREATE INDEX reports_public ON reports (public, id, lat, lon);
CREATE INDEX reports_public_category ON reports (public, category_id, id, lat, lon);
CREATE INDEX reports_status_category ON reports (status, category_id, id);
CREATE INDEX reports_verify_queue ON reports (status, disputed DESC, updated_at, id);
CREATE INDEX reports_status ON reports (status, id, deadline);
-- 督办 sweep: assigned reports by deadline whose escalation may still rise.
CREATE INDEX reports_unit_tasks ON reports (unit_id, status, urgency, deadline, id);
CREATE INDEX reports_escalation ON reports (status, escalation, deadline);
-- The unit a report was with when the event happened (returns and urgings
-- are counted for that unit in the monthly 通报, whoever has it now).
ALTER TABLE report_events ADD COLUMN unit_id INTEGER REFERENCES units(id);
CREATE INDEX report_events_unit ON report_events (unit_id, action, at);
-- 我也看到: one voice per person and report.
CREATE TABLE report_seen (
    report_id  INTEGER NOT NULL REFERENCES reports(id),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (report_id, user_id)
);
CREATE INDEX report_seen_user ON report_seen (user_id);
-- Ratings of the month per unit.
CREATE INDEX reports_rated_at ON reports (rated_at, unit_id, rating);
