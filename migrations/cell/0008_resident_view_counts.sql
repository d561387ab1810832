-- The leak guard's municipality-wide count, kept as the views are recorded
-- instead of counted on every read.
--
-- 0003 answered "how many distinct residents did this municipality's staff view
-- this hour" with count(DISTINCT resident_id) over all of the hour's views, on
-- every read: 20 to 50 ms at 20,000 views, the default limit, so the busier the
-- hour the slower every clerk's read. Now:
--   resident_view_residents: each resident once per municipality and hour (the
--     first view of them by anyone); an insert that finds the row already there
--     adds nothing to the count;
--   resident_view_counts: the number of those rows, spread over slots so that
--     concurrent reads (each adds to the slot of its database session) do not
--     queue on one row; the count is the sum of the hour's slots.
-- The account's own count stays a count of its rows in resident_views, by the
-- primary key's prefix (at most its hourly limit of rows).
--
-- Both hold ids and counts only. Like resident_views, rows older than a day
-- serve no limit and may be pruned.
CREATE TABLE resident_view_residents (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  hour              timestamptz NOT NULL,
  resident_id       uuid NOT NULL,
  PRIMARY KEY (municipality_code, hour, resident_id)
);

CREATE TABLE resident_view_counts (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  hour              timestamptz NOT NULL,
  slot              smallint NOT NULL CHECK (slot >= 0 AND slot < 64),
  residents         integer NOT NULL CHECK (residents >= 0),
  PRIMARY KEY (municipality_code, hour, slot)
);

-- The hours already recorded carry over (the tables are not forced yet, so
-- their owner running this migration sees every municipality's rows).
ALTER TABLE resident_views NO FORCE ROW LEVEL SECURITY;
INSERT INTO resident_view_residents (municipality_code, hour, resident_id)
SELECT DISTINCT municipality_code, hour, resident_id FROM resident_views;
INSERT INTO resident_view_counts (municipality_code, hour, slot, residents)
SELECT municipality_code, hour, 0, count(*) FROM resident_view_residents GROUP BY municipality_code, hour;
ALTER TABLE resident_views FORCE ROW LEVEL SECURITY;

-- It served only the distinct count.
DROP INDEX resident_views_by_resident;

ALTER TABLE resident_view_residents ENABLE ROW LEVEL SECURITY;
ALTER TABLE resident_view_residents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON resident_view_residents
  USING (municipality_code = (SELECT current_municipality()))
  WITH CHECK (municipality_code = (SELECT current_municipality()));

ALTER TABLE resident_view_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE resident_view_counts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON resident_view_counts
  USING (municipality_code = (SELECT current_municipality()))
  WITH CHECK (municipality_code = (SELECT current_municipality()));

GRANT SELECT, INSERT, DELETE ON resident_view_residents TO :app_role;
GRANT SELECT, INSERT, DELETE ON resident_view_counts TO :app_role;
GRANT UPDATE (residents) ON resident_view_counts TO :app_role;
