-- The login lockout as one counter row per phone, bumped atomically *before*
-- the password is checked, so parallel guesses cannot slip past the limit.
DROP TABLE login_failures;

CREATE TABLE login_attempts (
    phone         TEXT PRIMARY KEY,
    failures      BIGINT NOT NULL,
    window_start  BIGINT NOT NULL
);
