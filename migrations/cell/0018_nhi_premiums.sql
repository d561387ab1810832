-- National Health Insurance premiums (国民健康保険料・税, src/operations/national-health-insurance,
-- docs/national-health-insurance.md, "Premiums over the API"): the municipality's rate table,
-- and the few facts about residents the household premium needs that memberships lack.

-- The municipality's rate table (MunicipalRateTable in premium.ts): 保険料 or 保険税, and
-- entries by fiscal year with each part's 所得割率 (basis points), 均等割 and 平等割 (yen) and
-- the rounding. Its municipal admin replaces the whole table; every version is kept (no
-- UPDATE, no DELETE), so the rates a past premium was computed with stay on record, and the
-- premium names the version it used. Rates are not personal data: the entries are plain
-- JSON, checked at the edge (the API's schema and ratesFor for every year an entry covers).
CREATE TABLE nhi_premium_rates (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  version           integer NOT NULL CHECK (version >= 1),
  levy              text NOT NULL CHECK (levy IN ('premium', 'tax')),
  entries           jsonb NOT NULL CHECK (jsonb_typeof(entries) = 'array'),
  set_by            uuid,
  set_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, version)
);

-- Every resident NHI's feed named, as they stood after the last event naming them: the
-- premium is assessed on the head of household (世帯主, even one not insured: 擬制世帯主)
-- and its months and parts follow each person's date of birth. Ids, dates and flags
-- only: names, addresses and the relationship itself stay in the register.
-- last_event_id is the register change (feed event) that last changed the row.
CREATE TABLE nhi_people (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  resident_id       uuid NOT NULL,
  household_id      uuid,
  date_of_birth     date,
  head_of_household boolean NOT NULL,
  is_current        boolean NOT NULL,
  last_event_id     uuid NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, resident_id)
);
CREATE INDEX nhi_people_by_household ON nhi_people (municipality_code, household_id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['nhi_premium_rates', 'nhi_people'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (municipality_code = (SELECT current_municipality()))'
                   ' WITH CHECK (municipality_code = (SELECT current_municipality()))', t);
  END LOOP;
END $$;

-- No DELETE: a rate table is followed by its next version; a person stays known (closed
-- records included: a household's past head and members still count for its premium).
GRANT SELECT, INSERT ON nhi_premium_rates TO :app_role;
GRANT SELECT, INSERT ON nhi_people TO :app_role;
GRANT UPDATE (household_id, date_of_birth, head_of_household, is_current, last_event_id, updated_at) ON nhi_people TO :app_role;
