-- Limits that must hold whichever server a request reaches (issue 17):
-- one row per (limit, key), a fixed window moved by one conditional upsert.
-- Keys are client addresses (IPv6 by /64), API keys or user ids. Rows whose
-- window ended a day ago are purged by the retention sweep.
CREATE TABLE rate_windows (
    bucket        TEXT NOT NULL,
    key           TEXT NOT NULL,
    window_start  BIGINT NOT NULL,
    hits          BIGINT NOT NULL,
    PRIMARY KEY (bucket, key)
);
CREATE INDEX rate_windows_start ON rate_windows (window_start);

-- The SMS per-address throttle is one of them now. Its old table stays for
-- servers of the previous release during a rolling upgrade (they still
-- write it); the retention sweep keeps purging it; a later release drops it.
