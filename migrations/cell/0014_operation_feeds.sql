-- Which declared linkage subscription each of the platform's own operations
-- reads the resident register with (src/operations/fed-by-linkage.ts): one row
-- per municipality and operation module, set by the municipality's admin, so
-- what an operation receives is exactly what was declared and is audited as
-- that subscription's export. The module's place in the feed is its row in
-- linkage_internal_cursors under the same consumer name.
--
-- This replaces NHI's own settings table (0012): every operation fed by
-- linkage keeps its setting here, one shape for all.
CREATE TABLE operation_feeds (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  consumer          text NOT NULL CHECK (consumer ~ '^[a-z_]{1,64}$'),
  subscription_id   uuid NOT NULL,
  set_by            uuid,
  set_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, consumer)
);

-- NHI's settings move over. FORCE ROW LEVEL SECURITY hides every row from
-- the owner running this migration, so it is lifted for the copy (the table is
-- dropped right after, in the same transaction).
ALTER TABLE nhi_settings NO FORCE ROW LEVEL SECURITY;
INSERT INTO operation_feeds (municipality_code, consumer, subscription_id, set_by, set_at)
  SELECT municipality_code, 'national_health_insurance', subscription_id, set_by, set_at FROM nhi_settings;
DROP TABLE nhi_settings;

ALTER TABLE operation_feeds ENABLE ROW LEVEL SECURITY;
ALTER TABLE operation_feeds FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON operation_feeds USING (municipality_code = (SELECT current_municipality()))
  WITH CHECK (municipality_code = (SELECT current_municipality()));

-- No DELETE: a setting is replaced, never removed.
GRANT SELECT, INSERT ON operation_feeds TO :app_role;
GRANT UPDATE (subscription_id, set_by, set_at) ON operation_feeds TO :app_role;
