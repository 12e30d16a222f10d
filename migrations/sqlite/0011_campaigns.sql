-- 好人 campaigns. A nomination is public once approved; its vote count is
-- kept in the same transaction as each vote. The vote limits are the
-- database's: one vote per nomination per person per city day (UNIQUE), and
-- at most `votes_per_day` per campaign per person per day, because each vote
-- takes a numbered slot 1..votes_per_day (UNIQUE, counted under the voter's
-- row lock), so no interleaving can fit a fourth vote into three slots.
CREATE TABLE campaigns (
    id                     INTEGER PRIMARY KEY,
    title                  TEXT NOT NULL,
    description            TEXT NOT NULL DEFAULT '',
    nomination_starts_at   INTEGER NOT NULL,
    nomination_ends_at     INTEGER NOT NULL,
    voting_starts_at       INTEGER NOT NULL,
    voting_ends_at         INTEGER NOT NULL,
    votes_per_day          INTEGER NOT NULL DEFAULT 3 CHECK (votes_per_day BETWEEN 1 AND 20),
    min_account_age_hours  INTEGER NOT NULL DEFAULT 24 CHECK (min_account_age_hours >= 0),
    created_at             INTEGER NOT NULL,
    CHECK (nomination_starts_at < nomination_ends_at),
    CHECK (voting_starts_at < voting_ends_at)
);

CREATE TABLE nominations (
    id             INTEGER PRIMARY KEY,
    campaign_id    INTEGER NOT NULL REFERENCES campaigns(id),
    nominator_id   INTEGER NOT NULL REFERENCES users(id),
    nominee_name   TEXT NOT NULL,
    category       TEXT NOT NULL CHECK (category IN ('助人为乐', '见义勇为', '诚实守信', '敬业奉献', '孝老爱亲')),
    story          TEXT NOT NULL,
    photo_key      TEXT,
    thumb_key      TEXT,
    status         TEXT NOT NULL CHECK (status IN ('pending_review', 'approved', 'rejected')),
    reject_reason  TEXT,
    reviewed_by    INTEGER REFERENCES users(id),
    reviewed_at    INTEGER,
    vote_count     INTEGER NOT NULL DEFAULT 0 CHECK (vote_count >= 0),
    winner         INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
);
-- One standing nomination per nominator and name in a campaign; a rejected
-- one may be submitted again, better told.
CREATE UNIQUE INDEX nominations_once ON nominations (campaign_id, nominator_id, nominee_name)
    WHERE status <> 'rejected';
CREATE INDEX nominations_public ON nominations (campaign_id, status, vote_count DESC, id);
CREATE INDEX nominations_queue ON nominations (status, id);

CREATE TABLE votes (
    id             INTEGER PRIMARY KEY,
    campaign_id    INTEGER NOT NULL REFERENCES campaigns(id),
    nomination_id  INTEGER NOT NULL REFERENCES nominations(id),
    voter_id       INTEGER NOT NULL REFERENCES users(id),
    day            TEXT NOT NULL,
    slot           INTEGER NOT NULL CHECK (slot >= 1),
    ip             TEXT,
    created_at     INTEGER NOT NULL,
    UNIQUE (nomination_id, voter_id, day),
    UNIQUE (campaign_id, voter_id, day, slot)
);
CREATE INDEX votes_voter_day ON votes (voter_id, day);
CREATE INDEX votes_ip ON votes (ip, created_at);
