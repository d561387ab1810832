-- Child allowance (児童手当) fed by linkage (src/operations/child-allowance,
-- docs/child-allowance.md): the residents the rules need, kept from the
-- resident register's events through the subscription the municipality's
-- admin set for the module (cell.operation_feeds, consumer 'child_allowance');
-- the claims (認定) clerks record; the children each claim counts, by month;
-- and every revision of a claim's amount (額改定) with the register change that
-- caused it. Ids, dates, months, amounts and codes only: names, addresses and
-- numbers stay in the register. The module's place in the feed is its row in
-- linkage_internal_cursors, moved in the same transaction as everything here.
-- Months are 'YYYY-MM' text, which compares in calendar order.

-- Every resident the feed named, as they stood after the last event naming
-- them: the rules need the parents as well as the children, and a parent must
-- be known before a child is born into the household. relationship is the
-- register's 続柄 relative to the head (世帯主, 妻, 子, 孫 …): it tells whose child
-- is whose. closed_on / closed_reason: the record was closed (除票) that day.
CREATE TABLE child_allowance_residents (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  resident_id       uuid NOT NULL,
  household_id      uuid NOT NULL,
  relationship      text NOT NULL CHECK (char_length(relationship) BETWEEN 1 AND 16),
  date_of_birth     date NOT NULL,
  resident_since    date NOT NULL,
  closed_on         date,
  closed_reason     text CHECK (closed_reason ~ '^[a-z_]{1,64}$'),
  last_event_id     uuid NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, resident_id),
  CHECK ((closed_on IS NULL) = (closed_reason IS NULL))
);
CREATE INDEX child_allowance_residents_by_household ON child_allowance_residents (municipality_code, household_id);

-- A claim (認定): the claimant (a resident here, a parent in the household),
-- the claim date (認定請求日) and the first month paid (the month after it).
-- ended_month is the last month of entitlement once the claimant's record was
-- closed (消滅: moved out, abroad, died, removed), with the day, the reason and
-- the register change; NULL while the claim stands. household_id follows the
-- claimant's household.
CREATE TABLE child_allowance_claims (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  id                uuid NOT NULL,
  claimant_id       uuid NOT NULL,
  household_id      uuid NOT NULL,
  claimed_on        date NOT NULL,
  start_month       text NOT NULL CHECK (start_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  ended_month       text CHECK (ended_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  ended_on          date,
  end_reason        text CHECK (end_reason ~ '^[a-z_]{1,64}$'),
  end_change_id     uuid,
  recorded_by       uuid NOT NULL,
  recorded_at       timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, id),
  CHECK ((ended_month IS NULL) = (end_reason IS NULL) AND (ended_month IS NULL) = (ended_on IS NULL) AND (ended_month IS NULL) = (end_change_id IS NULL))
);
CREATE INDEX child_allowance_claims_by_household ON child_allowance_claims (municipality_code, household_id);
CREATE INDEX child_allowance_claims_by_claimant ON child_allowance_claims (municipality_code, claimant_id);
CREATE INDEX child_allowance_claims_listing ON child_allowance_claims (municipality_code, claimed_on, id);

-- The children a claim counts, as periods of months: from the month after the
-- child joined (or the claim's first month) through the month they left
-- (until_month, with the reason and the change), NULL while they stay.
-- resident: the child is a resident here (child_id is the resident's id);
-- false for a child living elsewhere whom the claimant declared supporting
-- (child_id is the claim's own). supported: the claimant declared bearing the
-- child's living costs (counts a child past high-school age for birth order);
-- NULL: not declared. The row's own id is its key: a child may leave and
-- come back.
CREATE TABLE child_allowance_claim_children (
  municipality_code    text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  id                   uuid NOT NULL,
  claim_id             uuid NOT NULL,
  child_id             uuid NOT NULL,
  resident             boolean NOT NULL,
  date_of_birth        date NOT NULL,
  supported            boolean CHECK (supported IS NULL OR supported),
  from_month           text NOT NULL CHECK (from_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  until_month          text CHECK (until_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  until_reason         text CHECK (until_reason ~ '^[a-z_]{1,64}$'),
  added_by_change_id   uuid,
  removed_by_change_id uuid,
  PRIMARY KEY (municipality_code, id),
  FOREIGN KEY (municipality_code, claim_id) REFERENCES child_allowance_claims (municipality_code, id),
  -- A period that counts no month (a back-dated change) ends the month before it starts (checked by the module).
  CHECK ((until_month IS NULL) = (until_reason IS NULL))
);
CREATE INDEX child_allowance_claim_children_by_claim ON child_allowance_claim_children (municipality_code, claim_id);
CREATE INDEX child_allowance_claim_children_open ON child_allowance_claim_children (municipality_code, child_id) WHERE until_month IS NULL;

-- Every change of a claim's amount (額改定, or the end and the restoring of a
-- claim): the first month whose amount changed, the amounts of that month
-- before and after, the children paid and counted after, and the register
-- change (the feed event's id) and its kind that caused it. One per claim and
-- event: an event applied again records nothing.
CREATE TABLE child_allowance_revisions (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  claim_id          uuid NOT NULL,
  change_id         uuid NOT NULL,
  cause             text NOT NULL CHECK (cause ~ '^[a-z_]{1,64}$'),
  effective_month   text NOT NULL CHECK (effective_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  amount_before     integer NOT NULL CHECK (amount_before >= 0),
  amount_after      integer NOT NULL CHECK (amount_after >= 0),
  children_paid     integer NOT NULL CHECK (children_paid >= 0),
  children_counted  integer NOT NULL CHECK (children_counted >= 0),
  -- The wall clock, not the transaction's start: a batch records its revisions in feed order.
  recorded_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (municipality_code, claim_id, change_id),
  FOREIGN KEY (municipality_code, claim_id) REFERENCES child_allowance_claims (municipality_code, id)
);

-- The feed events the module has applied, by id: an event delivered again (a
-- cursor set back, a replay) is skipped whole, so applying twice changes
-- nothing (linkage.md: consumers deduplicate on the event id).
CREATE TABLE child_allowance_applied_events (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  event_id          uuid NOT NULL,
  applied_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, event_id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['child_allowance_residents', 'child_allowance_claims', 'child_allowance_claim_children',
                           'child_allowance_revisions', 'child_allowance_applied_events'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (municipality_code = (SELECT current_municipality()))'
                   ' WITH CHECK (municipality_code = (SELECT current_municipality()))', t);
  END LOOP;
END $$;

-- No DELETE anywhere: a claim ends, a child's period closes, a revision stays.
GRANT SELECT, INSERT ON child_allowance_residents, child_allowance_claims, child_allowance_claim_children,
                        child_allowance_revisions, child_allowance_applied_events TO :app_role;
GRANT UPDATE (household_id, relationship, date_of_birth, resident_since, closed_on, closed_reason, last_event_id, updated_at)
  ON child_allowance_residents TO :app_role;
GRANT UPDATE (household_id, ended_month, ended_on, end_reason, end_change_id, updated_at) ON child_allowance_claims TO :app_role;
GRANT UPDATE (date_of_birth, until_month, until_reason, removed_by_change_id) ON child_allowance_claim_children TO :app_role;
