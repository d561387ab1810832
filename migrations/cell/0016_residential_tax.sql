-- Individual residential tax (個人住民税) fed by linkage (src/operations/residential-tax,
-- docs/residential-tax.md, "Fed by linkage, and the batch"): the residence roster kept
-- from the register's events, the income records, the batch assessment's runs and
-- the assessments. The module's subscription is its row in operation_feeds (consumer
-- 'residential_tax'), its place in the feed its row in linkage_internal_cursors.

-- One row per period of residence (住民となった日 to the day the record was closed),
-- so "resident here on 1 January" is a query: resident_from <= day AND (left_on IS
-- NULL OR day < left_on). Ids, dates and codes only: names and addresses stay in the
-- register. left_on is the first day no longer resident (the move-out's or move
-- abroad's date, the day of death …), NULL while resident; last_event_id the register
-- change (feed event) that last changed the row.
CREATE TABLE residential_tax_roster (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  resident_id       uuid NOT NULL,
  resident_from     date NOT NULL,
  left_on           date,
  left_reason       text CHECK (left_reason ~ '^[a-z_]{1,64}$'),
  household_id      uuid,
  date_of_birth     date,
  relationship      text CHECK (length(relationship) BETWEEN 1 AND 32),
  last_event_id     uuid NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, resident_id, resident_from),
  CHECK ((left_on IS NULL) = (left_reason IS NULL)),
  CHECK (left_on IS NULL OR left_on >= resident_from)
);
-- One open period per resident.
CREATE UNIQUE INDEX residential_tax_roster_one_open ON residential_tax_roster (municipality_code, resident_id) WHERE left_on IS NULL;

-- Income records (所得の資料) per resident and fiscal year. The figures (source,
-- income, deductions, family, status) are sealed under the municipality's record
-- key (cell.residential_tax_income_records.record_sealed); ids, the year and the
-- version are in the clear to find them. A newer record of the same resident and
-- year replaces the earlier one: it gets the next version and the earlier one is
-- marked superseded, kept as the evidence of what a past assessment used.
CREATE TABLE residential_tax_income_records (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  id                uuid NOT NULL,
  resident_id       uuid NOT NULL,
  fiscal_year       smallint NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
  version           integer NOT NULL CHECK (version >= 1),
  -- The clerk's account, or NULL for a platform job (the import); the job's run id then.
  entered_by        uuid,
  import_run_id     uuid,
  received_at       timestamptz NOT NULL DEFAULT now(),
  superseded_at     timestamptz,
  record_sealed     bytea NOT NULL,
  PRIMARY KEY (municipality_code, id),
  UNIQUE (municipality_code, resident_id, fiscal_year, version)
);
-- The record in force for each resident and year: what the batch joins with.
CREATE UNIQUE INDEX residential_tax_income_current ON residential_tax_income_records (municipality_code, fiscal_year, resident_id) WHERE superseded_at IS NULL;

-- Runs of the batch assessment of a fiscal year. Progress (after_resident_id and the
-- counts) advances in each batch's own transaction, so an interrupted run resumes
-- after the last batch that committed. One unfinished run per year; a finished
-- year is run again only on request (reassess), as the next number. No personal
-- data: the context the rules were given and counts.
CREATE TABLE residential_tax_runs (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  id                uuid NOT NULL,
  fiscal_year       smallint NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
  number            integer NOT NULL CHECK (number >= 1),
  living_cost_class smallint NOT NULL CHECK (living_cost_class BETWEEN 1 AND 3),
  designated_city   boolean NOT NULL,
  rate_set_from     smallint NOT NULL,
  roster_total      integer NOT NULL CHECK (roster_total >= 0),
  processed         integer NOT NULL DEFAULT 0 CHECK (processed >= 0),
  assessed          integer NOT NULL DEFAULT 0 CHECK (assessed >= 0),
  unreported        integer NOT NULL DEFAULT 0 CHECK (unreported >= 0),
  rejected          integer NOT NULL DEFAULT 0 CHECK (rejected >= 0),
  after_resident_id uuid,
  started_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz,
  PRIMARY KEY (municipality_code, id),
  UNIQUE (municipality_code, fiscal_year, number),
  CHECK (processed = assessed + unreported + rejected)
);
CREATE UNIQUE INDEX residential_tax_runs_one_open ON residential_tax_runs (municipality_code, fiscal_year) WHERE finished_at IS NULL;

-- One row per resident on the roster of 1 January and run: 'assessed' (the figures,
-- amounts and installments sealed: they are personal data), 'unreported' (no income
-- record: not assessed, to be asked for a declaration) or 'rejected' (the rules
-- refused the record: the field and the rule, never a value). The unique key is
-- "nobody assessed twice in a run"; the notice reads a resident's latest run.
CREATE TABLE residential_tax_assessments (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  id                uuid NOT NULL,
  fiscal_year       smallint NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
  resident_id       uuid NOT NULL,
  run_id            uuid NOT NULL,
  run_number        integer NOT NULL CHECK (run_number >= 1),
  outcome           text NOT NULL CHECK (outcome IN ('assessed', 'unreported', 'rejected')),
  income_record_id  uuid,
  rejected_field    text CHECK (rejected_field ~ '^[A-Za-z0-9_.]{1,64}$'),
  rejected_rule     text CHECK (rejected_rule ~ '^[a-z_]{1,64}$'),
  assessed_at       timestamptz NOT NULL DEFAULT now(),
  assessment_sealed bytea,
  PRIMARY KEY (municipality_code, id),
  UNIQUE (municipality_code, fiscal_year, resident_id, run_number),
  CHECK ((outcome = 'assessed') = (assessment_sealed IS NOT NULL)),
  CHECK ((outcome = 'rejected') = (rejected_rule IS NOT NULL))
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['residential_tax_roster', 'residential_tax_income_records', 'residential_tax_runs', 'residential_tax_assessments'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (municipality_code = (SELECT current_municipality()))'
                   ' WITH CHECK (municipality_code = (SELECT current_municipality()))', t);
  END LOOP;
END $$;

-- No DELETE anywhere: a period is closed, a record superseded, an assessment
-- followed by the next run's. The sealed columns may be re-encrypted (rewrap).
GRANT SELECT, INSERT ON residential_tax_roster TO :app_role;
GRANT UPDATE (resident_from, left_on, left_reason, household_id, date_of_birth, relationship, last_event_id, updated_at) ON residential_tax_roster TO :app_role;
GRANT SELECT, INSERT ON residential_tax_income_records TO :app_role;
GRANT UPDATE (superseded_at, record_sealed) ON residential_tax_income_records TO :app_role;
GRANT SELECT, INSERT ON residential_tax_runs TO :app_role;
GRANT UPDATE (processed, assessed, unreported, rejected, after_resident_id, updated_at, finished_at) ON residential_tax_runs TO :app_role;
GRANT SELECT, INSERT ON residential_tax_assessments TO :app_role;
GRANT UPDATE (assessment_sealed) ON residential_tax_assessments TO :app_role;
