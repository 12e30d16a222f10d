-- Verified phones (PIPL): SMS codes, the throttles on sending them, the
-- city's daily SMS budget, and the privacy policy each person accepted.

-- A code is kept only as an HMAC of (phone, purpose, code); used once,
-- tried at most 5 times, valid 5 minutes. Purged 30 days after it was sent.
CREATE TABLE sms_codes (
    id          INTEGER PRIMARY KEY,
    phone       TEXT NOT NULL,
    purpose     TEXT NOT NULL CHECK (purpose IN ('register', 'login', 'reset', 'delete')),
    code_hash   TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    tries       INTEGER NOT NULL DEFAULT 0 CHECK (tries >= 0),
    used_at     INTEGER
);
CREATE INDEX sms_codes_phone ON sms_codes (phone, purpose, id);
CREATE INDEX sms_codes_created ON sms_codes (created_at);

-- One row per number, moved by a conditional upsert: the last send and the
-- sends of its day (the city's date).
CREATE TABLE sms_throttle (
    phone    TEXT PRIMARY KEY,
    last_at  INTEGER NOT NULL,
    day      TEXT NOT NULL,
    sent     INTEGER NOT NULL
);

-- Per client address (with ZHUOMU_RATE_LIMITS), an hour window.
CREATE TABLE sms_address_throttle (
    address       TEXT PRIMARY KEY,
    window_start  INTEGER NOT NULL,
    sent          INTEGER NOT NULL
);

-- City-wide sends per day, held under the ceiling in `city_settings`.
CREATE TABLE sms_daily (
    day   TEXT PRIMARY KEY,
    sent  INTEGER NOT NULL CHECK (sent >= 0)
);

-- Settings an admin changes at run time (a missing key keeps its default).
CREATE TABLE city_settings (
    key         TEXT PRIMARY KEY,
    value       INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Each acceptance of a privacy policy version, with its time.
CREATE TABLE consents (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    version      TEXT NOT NULL,
    accepted_at  INTEGER NOT NULL
);
CREATE INDEX consents_user ON consents (user_id);
ALTER TABLE users ADD COLUMN privacy_version TEXT;

-- 后台实名、前台自愿: a reporter's nickname is public only when they chose
-- to show it (show_name); reports filed before the choice existed are hidden.
UPDATE reports SET hide_name = 1;

-- Points boards show 市民张* unless the person chose to show their nickname.
ALTER TABLE users ADD COLUMN show_name INTEGER NOT NULL DEFAULT 0;
-- An erased account (DELETE /api/v1/me): the row stays, tied to no one, so
-- the public record and the ledger sums stay whole.
ALTER TABLE users ADD COLUMN deleted_at INTEGER;
