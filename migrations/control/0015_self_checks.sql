-- Platform self-checks (src/providers/self-checks, docs/assessments.md
-- "Platform self-checks"): each run of the checks of what the deployment can
-- observe about itself, kept as it was produced. Insert-only: a run is never
-- changed or deleted; a later run is a new row.
--
-- `observations` holds counts, kinds, role names, cell ids and municipality
-- codes only: no personal data. `scheduled_day` is the day in Japan a
-- scheduled run stands for (NULL for a run on demand); its unique index makes
-- one scheduled run per day whatever the number of server processes.
CREATE TABLE self_check_runs (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  trigger       text NOT NULL CHECK (trigger IN ('on_demand', 'schedule', 'cli')),
  scheduled_day date,
  started_at    timestamptz NOT NULL,
  finished_at   timestamptz NOT NULL CHECK (finished_at >= started_at),
  requested_by  uuid REFERENCES accounts (id),
  observations  jsonb NOT NULL,
  -- [{checkId, state, reason, evidence}], in SELF_CHECK_IDS order.
  results       jsonb NOT NULL,
  satisfied     integer NOT NULL CHECK (satisfied >= 0),
  not_satisfied integer NOT NULL CHECK (not_satisfied >= 0),
  -- The OSCAL assessment-results document, as produced (json keeps its key order).
  assessment_results json NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK ((trigger = 'schedule') = (scheduled_day IS NOT NULL))
);
CREATE UNIQUE INDEX self_check_runs_scheduled_day ON self_check_runs (scheduled_day) WHERE scheduled_day IS NOT NULL;
CREATE INDEX self_check_runs_started ON self_check_runs (started_at DESC, id);

CREATE FUNCTION self_check_runs_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'self_check_runs is insert-only';
END;
$$;
CREATE TRIGGER self_check_runs_insert_only BEFORE UPDATE OR DELETE ON self_check_runs
  FOR EACH ROW EXECUTE FUNCTION self_check_runs_insert_only();
CREATE TRIGGER self_check_runs_no_truncate BEFORE TRUNCATE ON self_check_runs
  FOR EACH STATEMENT EXECUTE FUNCTION self_check_runs_insert_only();

GRANT SELECT, INSERT ON self_check_runs TO :app_role;
