-- The linkage daily file (src/linkage/daily-files.ts, docs/linkage.md "Daily
-- file"): each day's file is a slice of the municipality's feed, cut where the
-- feed stood when the day was closed.
--
-- Why not by created_at: an outbox row's created_at is when its transaction
-- began, and the feed orders by transaction id. A transaction that began
-- before midnight and committed after it would fall into a file that was
-- already handed out, and be lost to anyone who reads files. So a day is
-- closed by recording a horizon instead: the oldest transaction still running
-- on the server at that moment (pg_snapshot_xmin(pg_current_snapshot()), the
-- same bound the feed reads up to). Every event with a transaction id below it
-- is final. The file of day D holds the events with
--   horizon(the previous recorded day) <= txid < horizon(D)
-- (from the start of the feed for the first recorded day): consecutive files
-- partition the feed, nothing lost, nothing twice. A transaction still open at
-- midnight lands in the next day's file.
--
-- Rows are only ever added (ON CONFLICT DO NOTHING, one recorder at a time per
-- municipality under an advisory lock), never changed: a file handed out once
-- must read the same the next time. Horizons never decrease with the day.
CREATE TABLE linkage_day_boundaries (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  day               date NOT NULL,
  horizon           xid8 NOT NULL,
  recorded_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, day)
);

ALTER TABLE linkage_day_boundaries ENABLE ROW LEVEL SECURITY;
ALTER TABLE linkage_day_boundaries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON linkage_day_boundaries
  USING (municipality_code = (SELECT current_municipality()))
  WITH CHECK (municipality_code = (SELECT current_municipality()));

-- No UPDATE, no DELETE: a recorded boundary is what files were cut by.
GRANT SELECT, INSERT ON linkage_day_boundaries TO :app_role;
