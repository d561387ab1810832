-- The leak guard's memory: which residents each account viewed in each hour.
-- A tenant table like any other (row-level security, key led by the
-- municipality); it holds ids only. Rows older than a day serve no limit and
-- may be pruned.
CREATE TABLE resident_views (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  hour              timestamptz NOT NULL,
  account_id        uuid NOT NULL,
  resident_id       uuid NOT NULL,
  PRIMARY KEY (municipality_code, hour, account_id, resident_id)
);
CREATE INDEX resident_views_by_resident ON resident_views (municipality_code, hour, resident_id);

ALTER TABLE resident_views ENABLE ROW LEVEL SECURITY;
ALTER TABLE resident_views FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON resident_views
  USING (municipality_code = (SELECT current_municipality()))
  WITH CHECK (municipality_code = (SELECT current_municipality()));

GRANT SELECT, INSERT, DELETE ON resident_views TO :app_role;
