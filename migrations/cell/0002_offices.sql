-- Municipal offices (庁舎・支所・出張所): where residents are served. The first
-- tenant table; certificates and network zones refer to offices later.
--
-- Every tenant table follows the same rules (tested in test/isolation):
-- the primary key leads with municipality_code, row-level security is enabled
-- and forced, and a policy keyed on current_municipality() guards reads and writes.
-- The function is wrapped in a sub-select so that it is evaluated once per
-- statement (an InitPlan), not once per row, and can drive an index condition.
CREATE TABLE offices (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  kind              text NOT NULL CHECK (kind IN ('main', 'branch', 'counter')),
  name              text NOT NULL,
  name_kana         text NOT NULL,
  postal_code       text,
  address           text,
  phone             text,
  version           integer NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, id)
);
CREATE INDEX offices_by_kana ON offices (municipality_code, name_kana, id);

ALTER TABLE offices ENABLE ROW LEVEL SECURITY;
ALTER TABLE offices FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON offices
  USING (municipality_code = (SELECT current_municipality()))
  WITH CHECK (municipality_code = (SELECT current_municipality()));

GRANT SELECT, INSERT, UPDATE, DELETE ON offices TO :app_role;
