-- Background work claimed through the database: a reminder is sent once per
-- sign-up (reminded_at), a no-show marked once (the status moves). Two
-- no-shows in 30 days suspend self sign-up until volunteer_suspended_until.
ALTER TABLE signups ADD COLUMN reminded_at INTEGER;
ALTER TABLE users ADD COLUMN volunteer_suspended_until INTEGER;
CREATE INDEX signups_due ON signups (status, starts_at);
