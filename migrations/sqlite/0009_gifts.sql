-- The gift shop. `stock` never goes below zero (CHECK plus the conditional
-- update that takes one unit); a redemption holds the points it cost and a
-- unique pickup code. Cancelling and fulfilling are conditional updates
-- from `pending_pickup`, so exactly one of them wins.
CREATE TABLE gifts (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    description  TEXT NOT NULL DEFAULT '',
    cost         INTEGER NOT NULL CHECK (cost >= 1),
    stock        INTEGER NOT NULL CHECK (stock >= 0),
    hidden       INTEGER NOT NULL DEFAULT 0,
    photo_key    TEXT,
    created_at   INTEGER NOT NULL
);

CREATE TABLE redemptions (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    gift_id       INTEGER NOT NULL REFERENCES gifts(id),
    cost          INTEGER NOT NULL,
    code          TEXT NOT NULL UNIQUE,
    status        TEXT NOT NULL CHECK (status IN ('pending_pickup', 'fulfilled', 'cancelled')),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    fulfilled_by  INTEGER REFERENCES users(id)
);
CREATE INDEX redemptions_user ON redemptions (user_id, id);
