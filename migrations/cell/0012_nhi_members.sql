-- National Health Insurance fed by linkage (src/operations/national-health-insurance,
-- docs/national-health-insurance.md): the municipality's NHI membership (資格),
-- kept up to date from the resident register's events through a declared
-- subscription. The module's place in the feed is its row in
-- linkage_internal_cursors (consumer 'national_health_insurance'), moved in the
-- same transaction as the memberships it changed.

-- Which declared linkage subscription (operation national_health_insurance,
-- purpose nhi_eligibility) the module reads the register's events with: the
-- municipality's admin chooses it, so what NHI receives is exactly what was
-- declared and is audited as that subscription's export.
CREATE TABLE nhi_settings (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  subscription_id   uuid NOT NULL,
  set_by            uuid,
  set_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code)
);

-- One row per period of membership (資格の取得から喪失まで): ids, dates and
-- reason codes only. Names and addresses stay in the register. lost_on is the
-- first day without insurance (資格喪失日); NULL while the membership is open.
-- last_event_id is the register change (the feed event's id) that last changed
-- the row, so every row can be traced back to the event that made it so.
CREATE TABLE nhi_members (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  resident_id       uuid NOT NULL,
  acquired_on       date NOT NULL,
  acquire_reason    text NOT NULL CHECK (acquire_reason ~ '^[a-z_]{1,64}$'),
  lost_on           date,
  lose_reason       text CHECK (lose_reason ~ '^[a-z_]{1,64}$'),
  household_id      uuid,
  last_event_id     uuid NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, resident_id, acquired_on),
  CHECK ((lost_on IS NULL) = (lose_reason IS NULL)),
  -- A loss on the acquisition day itself (moved in and out the same day) is a membership of no day.
  CHECK (lost_on IS NULL OR lost_on >= acquired_on)
);
-- One open membership per resident: a second acquisition of someone insured is a no-op (ON CONFLICT DO NOTHING).
CREATE UNIQUE INDEX nhi_members_one_open ON nhi_members (municipality_code, resident_id) WHERE lost_on IS NULL;
CREATE INDEX nhi_members_by_household ON nhi_members (municipality_code, household_id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['nhi_settings', 'nhi_members'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (municipality_code = (SELECT current_municipality()))'
                   ' WITH CHECK (municipality_code = (SELECT current_municipality()))', t);
  END LOOP;
END $$;

-- No DELETE: a membership is closed, never removed; a setting is replaced.
GRANT SELECT, INSERT ON nhi_settings TO :app_role;
GRANT UPDATE (subscription_id, set_by, set_at) ON nhi_settings TO :app_role;
GRANT SELECT, INSERT ON nhi_members TO :app_role;
GRANT UPDATE (lost_on, lose_reason, household_id, last_event_id, updated_at) ON nhi_members TO :app_role;
