-- Lists at a million reports (issue 18). Every list walks one index in its
-- own order and stops after the page, so a page costs the rows it skips and
-- shows, however many reports there are.
-- `public`: the report is on the public list (assigned, rectified, closed),
-- kept by the database itself; an equality the planners turn into one index
-- range in id order (an IN list of statuses made them sort instead). lat and
-- lon ride along for the map's box.
ALTER TABLE reports ADD COLUMN public INTEGER
    GENERATED ALWAYS AS (CASE WHEN status IN ('assigned', 'rectified', 'closed') THEN 1 ELSE 0 END) VIRTUAL;
CREATE INDEX reports_public ON reports (public, id, lat, lon);
CREATE INDEX reports_public_category ON reports (public, category_id, id, lat, lon);
-- One status and a category; the 督查 queue (disputed first, then oldest).
CREATE INDEX reports_status_category ON reports (status, category_id, id);
CREATE INDEX reports_verify_queue ON reports (status, disputed DESC, updated_at, id);
-- One status newest first, with the deadline on the index: the overdue list
-- walks the assigned ones in id order and checks each deadline on the index
-- entry, reading a row only for the page.
DROP INDEX reports_status;
CREATE INDEX reports_status ON reports (status, id, deadline);
