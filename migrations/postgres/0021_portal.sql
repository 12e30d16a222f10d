-- Who runs the portal (every page's footer): one row, set by the seed and
-- changed by an admin.
CREATE TABLE portal_profile (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    city        TEXT NOT NULL,
    office      TEXT NOT NULL,
    hotline     TEXT NOT NULL,
    filing      TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);
