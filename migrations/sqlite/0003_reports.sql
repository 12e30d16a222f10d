-- 随手拍 reports and the closed loop: reports, their photos, the public
-- timeline, followers, the Chinese search index, and in-app notifications.

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
                       ('pending_review', 'rejected', 'assigned', 'rectified', 'closed', 'duplicate')),
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
    -- an assigned report always has a unit and a deadline
    CHECK (status NOT IN ('assigned', 'rectified', 'closed') OR (unit_id IS NOT NULL AND deadline IS NOT NULL)),
    CHECK (status <> 'duplicate' OR duplicate_of IS NOT NULL)
);
CREATE INDEX reports_status ON reports (status, id);
CREATE INDEX reports_reporter ON reports (reporter_id, id);
CREATE INDEX reports_unit ON reports (unit_id, status, deadline);
CREATE INDEX reports_place ON reports (lat, lon);
CREATE INDEX reports_created ON reports (created_at);

CREATE TABLE report_photos (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    kind        TEXT NOT NULL CHECK (kind IN ('before', 'after')),
    object_key  TEXT NOT NULL UNIQUE,
    thumb_key   TEXT NOT NULL UNIQUE,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    redacted    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);
CREATE INDEX report_photos_report ON report_photos (report_id, id);

-- The public timeline. actor_id is never shown; actor_role is.
CREATE TABLE report_events (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    at          INTEGER NOT NULL,
    action      TEXT NOT NULL,
    actor_id    INTEGER REFERENCES users(id),
    actor_role  TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX report_events_report ON report_events (report_id, id);

CREATE TABLE report_follows (
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (report_id, user_id)
);
CREATE INDEX report_follows_user ON report_follows (user_id);

-- Chinese full text: single characters, neighbouring pairs and whole words
-- (app/src/domain/report.rs `index_terms`), the same on both engines.
CREATE TABLE report_terms (
    term        TEXT NOT NULL,
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    PRIMARY KEY (term, report_id)
);
CREATE INDEX report_terms_report ON report_terms (report_id);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    kind        TEXT NOT NULL,
    report_id   INTEGER REFERENCES reports(id),
    title       TEXT NOT NULL,
    body        TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    read_at     INTEGER
);
CREATE INDEX notifications_user ON notifications (user_id, id);
