-- Assessments of cloud services (src/providers/assessment, docs/assessments.md).
--
-- What a provider submits per service (an OSCAL component definition, kept as
-- submitted, and the claims read from it), what assessors find per requirement,
-- and what each certification decision rested on. Platform-wide, written by the
-- platform operator (API or CLI), every write audited. Nothing is ever changed
-- or deleted: a newer component definition is a new version, a finding is
-- superseded by a later one, a decision by a later decision.

-- A component definition submitted for a service: version 1, 2, … per service.
-- The document is kept as the bytes submitted (json, not jsonb, which would
-- reorder keys), so an export gives back exactly what the provider sent.
CREATE TABLE component_definitions (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  service_id    uuid NOT NULL REFERENCES provider_services (id),
  version       integer NOT NULL CHECK (version >= 1),
  document      json NOT NULL,
  -- The document's own uuid and metadata (OSCAL), for listing without reading it.
  document_uuid uuid NOT NULL,
  title         text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 1000),
  metadata_version text NOT NULL,
  submitted_at  timestamptz NOT NULL DEFAULT now(),
  -- NULL when written by a platform job (a CLI command) rather than an account.
  submitted_by  uuid REFERENCES accounts (id),
  UNIQUE (service_id, version)
);

-- The claims read from a component definition: how the service meets each
-- requirement, or which partner service's certification meets it.
CREATE TABLE component_definition_claims (
  definition_id  uuid NOT NULL REFERENCES component_definitions (id),
  requirement_id text NOT NULL CHECK (requirement_id ~ '^[A-Za-z_][A-Za-z0-9._-]{0,63}$'),
  description    text NOT NULL,
  inherited_from uuid REFERENCES provider_services (id),
  PRIMARY KEY (definition_id, requirement_id)
);

-- An assessor's finding on one requirement of one service. Insert-only: the
-- finding that counts on a day is the latest dated on or before it.
CREATE TABLE assessment_findings (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq            bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  service_id     uuid NOT NULL REFERENCES provider_services (id),
  requirement_id text NOT NULL CHECK (requirement_id ~ '^[A-Za-z_][A-Za-z0-9._-]{0,63}$'),
  state          text NOT NULL CHECK (state IN ('satisfied', 'not_satisfied', 'not_applicable')),
  reason         text CHECK (char_length(reason) BETWEEN 1 AND 4000),
  assessed_on    date NOT NULL,
  -- The assessor's id at the audit firm (not necessarily an account here).
  assessor       text NOT NULL CHECK (char_length(assessor) BETWEEN 1 AND 200),
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  recorded_by    uuid REFERENCES accounts (id),
  CHECK (state = 'satisfied' OR reason IS NOT NULL)
);
CREATE INDEX assessment_findings_service ON assessment_findings (service_id, seq);

-- What a certification decision rested on: the component definition read, the
-- findings current on the day, the day decided for, and the decision itself
-- (every requirement's standing and every gap) as JSON.
CREATE TABLE certification_bases (
  certification_id        uuid PRIMARY KEY REFERENCES certifications (id),
  component_definition_id uuid REFERENCES component_definitions (id),
  decided_for             date NOT NULL,
  finding_ids             uuid[] NOT NULL,
  decision                jsonb NOT NULL
);

-- Appended and read; never changed, never removed.
GRANT SELECT, INSERT ON component_definitions, component_definition_claims, assessment_findings, certification_bases TO :app_role;
