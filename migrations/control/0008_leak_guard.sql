-- Leak guard: hourly limits on distinct residents viewed, per account and per
-- municipality; accounts blocked from reading when they cross one; alerts for
-- the municipality's admins and auditors.
CREATE TABLE leak_guard_limits (
  municipality_code     text PRIMARY KEY REFERENCES organizations (code),
  per_account_per_hour  integer NOT NULL CHECK (per_account_per_hour > 0),
  per_municipality_per_hour integer NOT NULL CHECK (per_municipality_per_hour > 0),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE accounts ADD COLUMN reads_blocked_at timestamptz;

CREATE TABLE alerts (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  municipality_code text NOT NULL REFERENCES organizations (code),
  kind              text NOT NULL CHECK (kind IN ('leak_guard_account_limit', 'leak_guard_municipality_limit')),
  account_id        uuid REFERENCES accounts (id),
  created_at        timestamptz NOT NULL DEFAULT now(),
  acknowledged_at   timestamptz,
  acknowledged_by   uuid REFERENCES accounts (id)
);
CREATE INDEX alerts_open ON alerts (municipality_code, created_at DESC);

GRANT SELECT, INSERT, UPDATE ON leak_guard_limits TO :app_role;
GRANT SELECT, INSERT, UPDATE ON alerts TO :app_role;
