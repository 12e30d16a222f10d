-- 创城信箱: citizens' suggestions and the office's answers. An answer is
-- public (listed for everyone) or private (for its author only).
CREATE TABLE suggestions (
    id           INTEGER PRIMARY KEY,
    author_id    INTEGER NOT NULL REFERENCES users(id),
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    answer       TEXT,
    public       INTEGER NOT NULL DEFAULT 0,
    answered_by  INTEGER REFERENCES users(id),
    answered_at  INTEGER,
    created_at   INTEGER NOT NULL,
    CHECK (answer IS NULL OR answered_at IS NOT NULL)
);
CREATE INDEX suggestions_public ON suggestions (public, answered_at);
CREATE INDEX suggestions_author ON suggestions (author_id, id);
CREATE INDEX suggestions_open ON suggestions (answered_at, id);

-- The audit viewer filters by who, what and when.
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);
