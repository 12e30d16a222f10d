-- Volunteer duty posts (志愿岗位), their shifts and sign-ups.

CREATE TABLE posts (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    lat          REAL NOT NULL,
    lon          REAL NOT NULL,
    radius_m     REAL NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
);

-- `taken` counts the seats held (confirmed, checked in, completed, no-show);
-- it never exceeds capacity (CHECK plus the conditional update that takes a
-- seat). `waitlist_seq` numbers the waitlist in order of arrival.
CREATE TABLE shifts (
    id            INTEGER PRIMARY KEY,
    post_id       INTEGER NOT NULL REFERENCES posts(id),
    starts_at     INTEGER NOT NULL,
    ends_at       INTEGER NOT NULL,
    capacity      INTEGER NOT NULL CHECK (capacity >= 1),
    taken         INTEGER NOT NULL DEFAULT 0,
    waitlisted    INTEGER NOT NULL DEFAULT 0 CHECK (waitlisted >= 0),
    waitlist_seq  INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK (taken >= 0 AND taken <= capacity),
    UNIQUE (post_id, starts_at, ends_at)
);
CREATE INDEX shifts_time ON shifts (starts_at);

CREATE TABLE signups (
    id                INTEGER PRIMARY KEY,
    shift_id          INTEGER NOT NULL REFERENCES shifts(id),
    user_id           INTEGER NOT NULL REFERENCES users(id),
    status            TEXT NOT NULL CHECK (status IN
                        ('confirmed', 'waitlisted', 'cancelled', 'checked_in', 'completed', 'no_show')),
    seq               INTEGER,
    starts_at         INTEGER NOT NULL,
    ends_at           INTEGER NOT NULL,
    checked_in_at     INTEGER,
    checked_out_at    INTEGER,
    credited_minutes  INTEGER,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
-- One live sign-up per person and shift (a cancelled one may be followed by a new one).
CREATE UNIQUE INDEX signups_live ON signups (shift_id, user_id) WHERE status <> 'cancelled';
CREATE INDEX signups_user ON signups (user_id, starts_at);
CREATE INDEX signups_waitlist ON signups (shift_id, status, seq);
