-- Points paid for a sign-up's credited time, and the moderators' corrections
-- (each a new ledger entry that refers to its correction, never an edit).
ALTER TABLE signups ADD COLUMN points_paid INTEGER NOT NULL DEFAULT 0;

CREATE TABLE attendance_corrections (
    id                INTEGER PRIMARY KEY,
    signup_id         INTEGER NOT NULL REFERENCES signups(id),
    credited_minutes  INTEGER NOT NULL,
    points_delta      INTEGER NOT NULL,
    actor_id          INTEGER NOT NULL REFERENCES users(id),
    created_at        INTEGER NOT NULL
);
CREATE INDEX attendance_corrections_signup ON attendance_corrections (signup_id);
