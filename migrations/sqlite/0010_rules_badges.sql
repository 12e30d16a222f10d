-- Earning rules an admin changed (a missing key keeps its default), and
-- badges: each awarded once per person (the primary key).
CREATE TABLE earning_rules (
    key         TEXT PRIMARY KEY,
    value       INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE user_badges (
    user_id     INTEGER NOT NULL REFERENCES users(id),
    badge       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, badge)
);

-- The daily cap sums a person's report points of a day.
CREATE INDEX points_ledger_reason ON points_ledger (user_id, reason, created_at);
