-- The private link of a volunteer's shift calendar (iCalendar). A new link
-- replaces the old one, which then stops working.
ALTER TABLE users ADD COLUMN calendar_token TEXT;
CREATE UNIQUE INDEX users_calendar_token ON users (calendar_token);
