-- Overdue reports per unit (the dashboard's staff detail): one covering
-- range per status, already in unit order, so counting needs no sort.
-- `reports_open_deadline` (status, deadline, unit_id) stays for the
-- city-wide count and the sweep, which read a deadline range.
CREATE INDEX reports_overdue_by_unit ON reports (status, unit_id, deadline);
