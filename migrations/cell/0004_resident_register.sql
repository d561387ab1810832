-- The resident register (住民基本台帳): an immutable history of changes (異動)
-- and, derived from it, the current state of each person and household.
--
-- Personal data is sealed by the key service (AES-256-GCM bound to the
-- municipality, table, row and column) and searched by blind indexes; the
-- plaintext never reaches the database. What stays readable is what the
-- platform needs to route, lock and order: ids, states, dates of changes,
-- change kinds and reason codes, and the support-measure flag that decides
-- who may see a record.
--
-- Every table follows the tenant rules (tested in test/isolation).

-- 異動: one row per filing or recording, never updated except to re-encrypt
-- its sealed columns (key rotation), never deleted.
CREATE TABLE resident_changes (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  id                uuid NOT NULL,
  seq               bigint GENERATED ALWAYS AS IDENTITY,
  kind              text NOT NULL,
  event_date        date NOT NULL,
  filed_on          date NOT NULL,
  reason_code       text NOT NULL,
  late              boolean NOT NULL,
  operator_id       uuid NOT NULL,
  resident_ids      uuid[] NOT NULL,
  household_ids     uuid[] NOT NULL,
  -- The change's effects and note (personal data), sealed.
  payload_sealed    bytea NOT NULL,
  recorded_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, id),
  UNIQUE (municipality_code, seq)
);
CREATE INDEX resident_changes_by_resident ON resident_changes USING gin (resident_ids);
CREATE INDEX resident_changes_by_household ON resident_changes USING gin (household_ids);
CREATE INDEX resident_changes_by_date ON resident_changes (municipality_code, recorded_at);

-- History is evidence: only the sealed payload may be rewritten (by the rewrap
-- job, same plaintext under a newer key). Owner and application alike.
CREATE FUNCTION resident_changes_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'resident_changes is append-only' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.municipality_code, NEW.id, NEW.seq, NEW.kind, NEW.event_date, NEW.filed_on, NEW.reason_code, NEW.late,
      NEW.operator_id, NEW.resident_ids, NEW.household_ids, NEW.recorded_at)
     IS DISTINCT FROM
     (OLD.municipality_code, OLD.id, OLD.seq, OLD.kind, OLD.event_date, OLD.filed_on, OLD.reason_code, OLD.late,
      OLD.operator_id, OLD.resident_ids, OLD.household_ids, OLD.recorded_at) THEN
    RAISE EXCEPTION 'resident_changes is append-only' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER resident_changes_immutable BEFORE UPDATE OR DELETE ON resident_changes
  FOR EACH ROW EXECUTE FUNCTION resident_changes_immutable();
CREATE TRIGGER resident_changes_no_truncate BEFORE TRUNCATE ON resident_changes
  FOR EACH STATEMENT EXECUTE FUNCTION resident_changes_immutable();

-- The current state of each person ever registered (closed records, 除票, stay).
CREATE TABLE residents (
  municipality_code  text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  id                 uuid NOT NULL,
  household_id       uuid NOT NULL,
  state              text NOT NULL CHECK (state IN ('current', 'closed')),
  -- The person's record (everything but id, household and state), sealed.
  record_sealed      bytea NOT NULL,
  -- Blind indexes that must be unique among current records.
  my_number_index    bytea,
  resident_code_index bytea NOT NULL,
  support_measure    boolean NOT NULL DEFAULT false,
  last_change_seq    bigint NOT NULL,
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, id)
);
CREATE UNIQUE INDEX residents_current_my_number ON residents (municipality_code, my_number_index)
  WHERE state = 'current' AND my_number_index IS NOT NULL;
CREATE UNIQUE INDEX residents_current_resident_code ON residents (municipality_code, resident_code_index)
  WHERE state = 'current';
CREATE INDEX residents_by_household ON residents (municipality_code, household_id);

CREATE TABLE households (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  id                uuid NOT NULL,
  head_id           uuid NOT NULL,
  state             text NOT NULL CHECK (state IN ('current', 'closed')),
  address_sealed    bytea NOT NULL,
  -- Optimistic concurrency: every change that touches the household or one of
  -- its members bumps it; a filing names the version it was prepared from.
  version           integer NOT NULL DEFAULT 1,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, id)
);

-- Search: blind indexes (keyed HMAC of folded values), one row per term.
CREATE TABLE resident_search_terms (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  kind              text NOT NULL,
  term              bytea NOT NULL,
  resident_id       uuid NOT NULL,
  PRIMARY KEY (municipality_code, kind, term, resident_id)
);
CREATE INDEX resident_search_terms_by_resident ON resident_search_terms (municipality_code, resident_id);

-- 転出証明書: the record another municipality asks for at the move-in.
CREATE TABLE move_out_certificates (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  number            text NOT NULL,
  change_id         uuid NOT NULL,
  resident_ids      uuid[] NOT NULL,
  issued_on         date NOT NULL,
  cancelled         boolean NOT NULL DEFAULT false,
  PRIMARY KEY (municipality_code, number)
);
CREATE INDEX move_out_certificates_by_change ON move_out_certificates (municipality_code, change_id);

-- Per-municipality counters for certificate numbers (move-out certificates, copies).
CREATE TABLE certificate_counters (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  series            text NOT NULL,
  year              integer NOT NULL,
  next              integer NOT NULL,
  PRIMARY KEY (municipality_code, series, year)
);

-- 支援措置: who is protected, from when, until when, and on whose decision.
CREATE TABLE support_measures (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  resident_id       uuid NOT NULL,
  since             date NOT NULL,
  until             date,
  decided_by        uuid NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  ended_by          uuid,
  ended_at          timestamptz,
  PRIMARY KEY (municipality_code, id)
);
CREATE UNIQUE INDEX support_measures_one_open ON support_measures (municipality_code, resident_id) WHERE ended_at IS NULL;

-- The outbox: one event per change, written in the change's transaction and
-- carrying ids only. Linkage (feeds, webhooks, JetStream) reads it.
CREATE TABLE outbox (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  seq               bigint GENERATED ALWAYS AS IDENTITY,
  id                uuid NOT NULL,
  topic             text NOT NULL,
  payload           jsonb NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, seq)
);
CREATE UNIQUE INDEX outbox_id ON outbox (municipality_code, id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['resident_changes', 'residents', 'households', 'resident_search_terms',
                           'move_out_certificates', 'certificate_counters', 'support_measures', 'outbox'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (municipality_code = (SELECT current_municipality()))'
                   ' WITH CHECK (municipality_code = (SELECT current_municipality()))', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT ON resident_changes TO :app_role;
GRANT UPDATE (payload_sealed) ON resident_changes TO :app_role;
GRANT SELECT, INSERT, UPDATE ON residents, households, move_out_certificates, certificate_counters, support_measures TO :app_role;
GRANT SELECT, INSERT, DELETE ON resident_search_terms TO :app_role;
GRANT SELECT, INSERT ON outbox TO :app_role;
