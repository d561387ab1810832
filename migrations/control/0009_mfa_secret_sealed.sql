-- TOTP secrets sealed at rest (docs/keys.md, "Control-database columns").
--
-- secret_sealed holds the authenticator's shared secret sealed (AES-256-GCM)
-- under the record key of the account's organization, bound to this table,
-- column and account id: a copy of this table, a backup or a database
-- administrator sees no secret, a sealed value copied onto another account's
-- row does not open, and crypto-shredding the organization's keys makes its
-- authenticators unverifiable. organization_code repeats the account's
-- organization (the key the secret is sealed under, and what the rewrap job
-- selects by); the composite foreign key keeps it the account's.
--
-- The plaintext column stays only for rows written before this migration: the
-- application seals such a row when it starts and when the row is first used,
-- and clears the plaintext. Nothing may write a new plaintext secret (trigger).
ALTER TABLE accounts ADD CONSTRAINT accounts_id_organization_key UNIQUE (id, organization_code);

ALTER TABLE mfa_totp ADD COLUMN organization_code text;
UPDATE mfa_totp t SET organization_code = a.organization_code FROM accounts a WHERE a.id = t.account_id;
ALTER TABLE mfa_totp ALTER COLUMN organization_code SET NOT NULL;
ALTER TABLE mfa_totp ADD CONSTRAINT mfa_totp_account_organization
  FOREIGN KEY (account_id, organization_code) REFERENCES accounts (id, organization_code);

-- Format byte, key version, nonce and tag (33 bytes) around a secret of at least 16 bytes.
ALTER TABLE mfa_totp ADD COLUMN secret_sealed bytea CHECK (octet_length(secret_sealed) >= 33 + 16);
ALTER TABLE mfa_totp ALTER COLUMN secret DROP NOT NULL;
ALTER TABLE mfa_totp ADD CONSTRAINT mfa_totp_one_secret CHECK ((secret IS NULL) <> (secret_sealed IS NULL));

-- The rewrap job walks one organization's rows in account order; start-up finds the rows still in plaintext.
CREATE INDEX mfa_totp_organization ON mfa_totp (organization_code, account_id);
CREATE INDEX mfa_totp_plaintext ON mfa_totp (account_id) WHERE secret IS NOT NULL;

CREATE FUNCTION refuse_plaintext_totp_secret() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.secret IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.secret IS DISTINCT FROM OLD.secret) THEN
    RAISE EXCEPTION 'TOTP secrets are stored sealed (secret_sealed), never in plaintext' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER refuse_plaintext BEFORE INSERT OR UPDATE ON mfa_totp FOR EACH ROW EXECUTE FUNCTION refuse_plaintext_totp_secret();
