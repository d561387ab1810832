-- Who issues a municipality's certificates: the mayor's title and name printed
-- under the certifying statement (e.g. 千代田区長　千代田 一郎). Settings, not
-- personal data: the mayor is a public office holder and the name is printed on
-- every certificate. Set by the municipality's admin (PUT
-- /v1/municipality/certificate-issuer) or by the demo seeder; a certificate is
-- not issued until it is set (docs/certificates.md).
CREATE TABLE certificate_issuers (
  municipality_code text PRIMARY KEY REFERENCES organizations (code),
  -- Normalized text (NFKC, single spaces) that the certificate font can draw;
  -- src/resident-register/certificates/issuer.ts checks it before writing.
  mayor_title       text NOT NULL CHECK (char_length(mayor_title) BETWEEN 1 AND 40),
  mayor_name        text NOT NULL CHECK (char_length(mayor_name) BETWEEN 1 AND 60),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  -- NULL when set by a platform job (the demo seeder) rather than an account.
  updated_by        uuid REFERENCES accounts (id)
);

-- Replaced, never removed: the row is what the next certificate prints.
GRANT SELECT, INSERT ON certificate_issuers TO :app_role;
GRANT UPDATE (mayor_title, mayor_name, updated_at, updated_by) ON certificate_issuers TO :app_role;
