-- An admin can disable an account (and enable it again). A disabled account
-- cannot log in, and its tokens stop working on every server.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
ALTER TABLE users ADD COLUMN disabled_reason TEXT;
