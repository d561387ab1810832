-- Bulk loads into the resident register (src/resident-register/population-load.ts):
-- a synthetic population for the demo and benchmarks, entered on the
-- municipality's authority in batches. One row per load; each batch advances it
-- in the batch's own transaction, so an interrupted load resumes exactly after
-- the last batch that committed, with nothing lost or entered twice.
--
-- Holds no personal data: the generator's seed, size and date, and counts.
-- Follows the tenant rules of 0002_offices.sql.
CREATE TABLE register_loads (
  municipality_code  text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  id                 uuid NOT NULL,
  source             text NOT NULL CHECK (source IN ('synthetic')),
  seed               text NOT NULL CHECK (length(seed) BETWEEN 1 AND 100),
  size               integer NOT NULL CHECK (size >= 0),
  as_of              date NOT NULL,
  households_entered integer NOT NULL DEFAULT 0 CHECK (households_entered >= 0),
  residents_entered  integer NOT NULL DEFAULT 0 CHECK (residents_entered >= 0 AND residents_entered <= size),
  started_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  finished_at        timestamptz,
  PRIMARY KEY (municipality_code, id),
  -- A seed stands for one sequence of synthetic people (and My Numbers): loading
  -- it twice would enter the same people twice.
  UNIQUE (municipality_code, source, seed)
);

ALTER TABLE register_loads ENABLE ROW LEVEL SECURITY;
ALTER TABLE register_loads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON register_loads
  USING (municipality_code = (SELECT current_municipality()))
  WITH CHECK (municipality_code = (SELECT current_municipality()));

GRANT SELECT, INSERT ON register_loads TO :app_role;
GRANT UPDATE (households_entered, residents_entered, updated_at, finished_at) ON register_loads TO :app_role;
