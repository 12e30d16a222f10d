-- Foundation: units, accounts, tokens, the points ledger, city data, audit.
-- Times are milliseconds since the Unix epoch, written by the application.

CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    phone           TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    display_name    TEXT NOT NULL,
    roles           TEXT NOT NULL DEFAULT 'citizen',
    unit_id         INTEGER REFERENCES units(id),
    token_version   INTEGER NOT NULL DEFAULT 0,
    points_balance  INTEGER NOT NULL DEFAULT 0 CHECK (points_balance >= 0),
    points_lifetime INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
);

-- Logged-out tokens until they would have expired anyway.
CREATE TABLE revoked_tokens (
    jti         TEXT PRIMARY KEY,
    expires_at  INTEGER NOT NULL
);

-- Failed logins per phone, for the lockout (shared by every server).
CREATE TABLE login_failures (
    id     INTEGER PRIMARY KEY,
    phone  TEXT NOT NULL,
    at     INTEGER NOT NULL
);
CREATE INDEX login_failures_phone_at ON login_failures (phone, at);

-- Append-only. An earning is unique per (reason, ref_type, ref_id); entries
-- without a reference (adjustments) are never deduplicated (NULLs differ).
CREATE TABLE points_ledger (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    delta       INTEGER NOT NULL CHECK (delta <> 0),
    reason      TEXT NOT NULL,
    ref_type    TEXT,
    ref_id      INTEGER,
    note        TEXT,
    actor_id    INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    UNIQUE (reason, ref_type, ref_id)
);
CREATE INDEX points_ledger_user ON points_ledger (user_id, id);

CREATE TABLE categories (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    points      INTEGER NOT NULL CHECK (points >= 0),
    sla_days    INTEGER NOT NULL CHECK (sla_days >= 1),
    unit_id     INTEGER REFERENCES units(id),
    created_at  INTEGER NOT NULL
);

CREATE TABLE areas (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('segment', 'grid')),
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    geometry    TEXT NOT NULL,
    min_lon     REAL NOT NULL,
    min_lat     REAL NOT NULL,
    max_lon     REAL NOT NULL,
    max_lat     REAL NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (kind, name)
);

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor_id     INTEGER REFERENCES users(id),
    action       TEXT NOT NULL,
    target_type  TEXT NOT NULL,
    target_id    INTEGER,
    detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
