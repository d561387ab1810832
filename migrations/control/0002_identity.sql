-- Accounts belong to one organization. Credentials are login sessions and API
-- tokens: only a SHA-256 of each token is stored, so a copy of this table
-- cannot be replayed. Accounts are disabled, never deleted, to keep history.
CREATE TABLE accounts (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_code text NOT NULL REFERENCES organizations (code),
  login_name        text NOT NULL CHECK (login_name ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
  display_name      text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 100),
  roles             text[] NOT NULL CHECK (cardinality(roles) > 0 AND roles <@ ARRAY[
                      'clerk', 'municipal_admin', 'auditor', 'platform_operator', 'prefecture_security_admin']),
  password_hash     text NOT NULL,
  disabled_at       timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_code, login_name)
);

CREATE TABLE credentials (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id   uuid NOT NULL REFERENCES accounts (id),
  kind         text NOT NULL CHECK (kind IN ('session', 'api_token')),
  name         text,
  token_hash   bytea NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  last_used_at timestamptz,
  CHECK (expires_at > created_at)
);
CREATE INDEX credentials_account ON credentials (account_id, kind);

GRANT SELECT, INSERT, UPDATE ON accounts TO :app_role;
GRANT SELECT, INSERT, UPDATE ON credentials TO :app_role;
