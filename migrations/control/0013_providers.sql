-- The provider registry and where each cell runs (src/providers, docs/providers.md).
--
-- Cloud providers, their services and regions; each service's ISMAP-style
-- registrations; joint proposals (a lead company and partners' services, and
-- whose service meets which requirement); certifications of a service for a
-- class of data; and the declared location of each cell (provider, service,
-- region). Platform-wide, written by the platform operator (API or CLI), every
-- write audited. History matters here: nothing is ever deleted, a registration
-- changes only by its renewal and withdrawal columns, and a certification or a
-- cell's location changes by appending a newer row.

-- A cloud provider (クラウドサービス事業者), identified by its 法人番号 (corporate
-- number: 13 digits, the first a check digit, checked by
-- src/providers/registry/corporate-number.ts before writing).
CREATE TABLE providers (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                 text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  corporate_number     text NOT NULL UNIQUE CHECK (corporate_number ~ '^[1-9][0-9]{12}$'),
  -- ISO 3166-1 alpha-2.
  headquarters_country text NOT NULL CHECK (headquarters_country ~ '^[A-Z]{2}$'),
  created_at           timestamptz NOT NULL DEFAULT now(),
  -- NULL when written by a platform job (a CLI command) rather than an account.
  created_by           uuid REFERENCES accounts (id)
);

CREATE TABLE provider_services (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  provider_id uuid NOT NULL REFERENCES providers (id),
  name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  model       text NOT NULL CHECK (model IN ('IaaS', 'PaaS', 'SaaS')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  uuid REFERENCES accounts (id),
  UNIQUE (provider_id, name),
  -- The target of cell_locations' key: a cell's service and region belong to one provider.
  UNIQUE (id, provider_id)
);

-- A provider's region (e.g. ap-northeast-1): its country, the law that governs
-- the contract (準拠法) and its data centres. In Japan, locations are JIS X 0401
-- prefecture codes ('13' 東京都, '27' 大阪府), checked by the application;
-- elsewhere, place names.
CREATE TABLE provider_regions (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  provider_id  uuid NOT NULL REFERENCES providers (id),
  code         text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  country      text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  jurisdiction text NOT NULL CHECK (jurisdiction ~ '^[A-Z]{2}$'),
  locations    text[] NOT NULL CHECK (cardinality(locations) BETWEEN 1 AND 47),
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   uuid REFERENCES accounts (id),
  UNIQUE (provider_id, code),
  UNIQUE (id, provider_id)
);

-- A service's registration (ISMAP 登録): valid until 1 year 4 months after the
-- end of the audited period (src/providers/registry/registration.ts computes it:
-- a pure rule, so it is not stored), and while a renewal applied for in time is
-- pending. The application checks the period's length exactly (at most one
-- year, counted as the Civil Code counts); the CHECK below is a backstop.
CREATE TABLE service_registrations (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  service_id            uuid NOT NULL REFERENCES provider_services (id),
  registration_number   text NOT NULL UNIQUE CHECK (registration_number ~ '^[A-Za-z0-9][A-Za-z0-9-]{0,39}$'),
  audit_period_start    date NOT NULL,
  audit_period_end      date NOT NULL,
  listed_on             date NOT NULL,
  -- A renewal applied for (pending since) and decided (ended on: the successor's
  -- listing, or the renewal's refusal).
  renewal_pending_since date,
  renewal_ended_on      date,
  withdrawn_on          date,
  withdrawal_reason     text CHECK (char_length(withdrawal_reason) BETWEEN 1 AND 500),
  withdrawn_by          uuid REFERENCES accounts (id),
  created_at            timestamptz NOT NULL DEFAULT now(),
  created_by            uuid REFERENCES accounts (id),
  CHECK (audit_period_end >= audit_period_start),
  CHECK (audit_period_end <= audit_period_start + interval '1 year'),
  CHECK (listed_on > audit_period_end),
  CHECK (renewal_ended_on IS NULL OR (renewal_pending_since IS NOT NULL AND renewal_ended_on >= renewal_pending_since)),
  CHECK ((withdrawn_on IS NULL) = (withdrawal_reason IS NULL)),
  CHECK (withdrawn_on IS NULL OR withdrawn_on >= listed_on)
);
CREATE INDEX service_registrations_service ON service_registrations (service_id);

-- A joint proposal (共同提案, since 2023): a lead company answers for it; every
-- service in it held a valid registration when it was proposed (the one that
-- admitted each service is kept), and each requirement is met by one of them.
CREATE TABLE joint_proposals (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name             text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  lead_provider_id uuid NOT NULL REFERENCES providers (id),
  proposed_on      date NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  created_by       uuid REFERENCES accounts (id)
);

CREATE TABLE joint_proposal_services (
  proposal_id     uuid NOT NULL REFERENCES joint_proposals (id),
  service_id      uuid NOT NULL REFERENCES provider_services (id),
  registration_id uuid NOT NULL REFERENCES service_registrations (id),
  PRIMARY KEY (proposal_id, service_id)
);

-- Requirement ids are those of the requirements catalogue (OSCAL control ids).
CREATE TABLE joint_proposal_assignments (
  proposal_id    uuid NOT NULL,
  requirement_id text NOT NULL CHECK (requirement_id ~ '^[A-Za-z_][A-Za-z0-9._-]{0,63}$'),
  service_id     uuid NOT NULL,
  PRIMARY KEY (proposal_id, requirement_id),
  FOREIGN KEY (proposal_id, service_id) REFERENCES joint_proposal_services (proposal_id, service_id)
);

-- Whether a service may hold a class of data: decided by an assessment against
-- the class's profile (src/providers/assessment) and written through
-- recordCertification. The latest decision (by seq) on or before a day is the
-- one in force on that day.
CREATE TABLE certifications (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  service_id    uuid NOT NULL REFERENCES provider_services (id),
  data_class    text NOT NULL CHECK (data_class IN ('my_number', 'personal', 'general')),
  status        text NOT NULL CHECK (status IN ('certified', 'not_certified', 'withdrawn')),
  decided_at    timestamptz NOT NULL DEFAULT now(),
  expires_on    date,
  -- The assessment the decision rests on; no foreign key, its table belongs to the assessment module.
  assessment_id uuid,
  basis         text CHECK (char_length(basis) BETWEEN 1 AND 500),
  decided_by    uuid REFERENCES accounts (id),
  CHECK (status <> 'certified' OR expires_on IS NOT NULL)
);
CREATE INDEX certifications_service ON certifications (service_id, data_class, seq);

-- Where each cell runs, as declared by the operator; the latest row is the
-- cell's location. Service and region belong to the same provider.
CREATE TABLE cell_locations (
  seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cell_id     text NOT NULL REFERENCES cells (id),
  provider_id uuid NOT NULL REFERENCES providers (id),
  service_id  uuid NOT NULL,
  region_id   uuid NOT NULL,
  declared_at timestamptz NOT NULL DEFAULT now(),
  declared_by uuid REFERENCES accounts (id),
  FOREIGN KEY (service_id, provider_id) REFERENCES provider_services (id, provider_id),
  FOREIGN KEY (region_id, provider_id) REFERENCES provider_regions (id, provider_id)
);
CREATE INDEX cell_locations_cell ON cell_locations (cell_id, seq DESC);

-- Appended and read; never removed. A registration changes only by its renewal and withdrawal.
GRANT SELECT, INSERT ON providers, provider_services, provider_regions, service_registrations,
  joint_proposals, joint_proposal_services, joint_proposal_assignments, certifications, cell_locations TO :app_role;
GRANT UPDATE (renewal_pending_since, renewal_ended_on, withdrawn_on, withdrawal_reason, withdrawn_by) ON service_registrations TO :app_role;
