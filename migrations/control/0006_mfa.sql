-- Multi-factor login (TOTP, recovery codes) and lockout after repeated failures.
--
-- A credential records whether it was issued after a second factor: roles that
-- can see My Number may act only through such credentials. A login that still
-- owes its second factor holds a short-lived 'mfa_challenge' credential, which
-- is not a bearer token for any route.
ALTER TABLE credentials ADD COLUMN mfa boolean NOT NULL DEFAULT false;
ALTER TABLE credentials DROP CONSTRAINT credentials_kind_check;
ALTER TABLE credentials ADD CONSTRAINT credentials_kind_check CHECK (kind IN ('session', 'api_token', 'mfa_challenge'));

ALTER TABLE accounts ADD COLUMN failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0);
ALTER TABLE accounts ADD COLUMN locked_until timestamptz;

-- The TOTP shared secret. last_counter is the newest time step accepted, so no
-- code is accepted twice (replay protection).
CREATE TABLE mfa_totp (
  account_id   uuid PRIMARY KEY REFERENCES accounts (id),
  secret       bytea NOT NULL CHECK (octet_length(secret) >= 16),
  active       boolean NOT NULL DEFAULT false,
  last_counter bigint NOT NULL DEFAULT -1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  activated_at timestamptz
);

-- Single-use recovery codes, stored as SHA-256 (each code carries 80 random bits).
CREATE TABLE mfa_recovery_codes (
  account_id uuid NOT NULL REFERENCES accounts (id),
  code_hash  bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at    timestamptz,
  PRIMARY KEY (account_id, code_hash)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON mfa_totp TO :app_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON mfa_recovery_codes TO :app_role;
