-- Open311 GeoReport v2: API keys for city systems and third-party apps.
-- Each key has its own service account (no phone, no password: it can never
-- log in), so a POSTed request is a report filed by that client. The key is
-- kept only as its SHA-256; `prefix` tells keys apart in the console.
CREATE TABLE api_keys (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,
    prefix      TEXT NOT NULL,
    user_id     INTEGER NOT NULL UNIQUE REFERENCES users(id),
    created_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

-- A request POSTed through Open311 answers with a token; the token finds the
-- report once a moderator has approved it. `media_url` is the client's link to
-- its photo (never fetched by the server).
ALTER TABLE reports ADD COLUMN open311_token TEXT;
ALTER TABLE reports ADD COLUMN media_url TEXT;
CREATE UNIQUE INDEX reports_open311_token ON reports (open311_token);
