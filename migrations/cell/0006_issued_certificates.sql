-- Certificates of the resident register (住民票の写し, 住民票記載事項証明書,
-- 転出証明書): each municipality's signing keys and the certificates it issued
-- (src/resident-register/certificates, docs/certificates.md). Both tables follow
-- the tenant rules of 0002_offices.sql: the primary key leads with
-- municipality_code, row-level security is enabled and forced, and the
-- tenant_isolation policy guards reads and writes.

-- Ed25519 keys that sign the QR codes. One active key per municipality, created
-- by the first issue; a retired key keeps its public half (and key id) so that
-- certificates it signed still verify, and loses its private half. The private
-- key is sealed with the municipality's record key (AES-256-GCM, bound to this
-- table, column and row), which its KEK in the HSM wraps: crypto-shredding the
-- municipality leaves the private key unopenable too.
CREATE TABLE certificate_signing_keys (
  municipality_code  text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  id                 uuid NOT NULL,
  -- base64url of the first 8 bytes of SHA-256(public key): how a code names its key.
  key_id             text NOT NULL CHECK (key_id ~ '^[A-Za-z0-9_-]{11}$'),
  public_key         bytea NOT NULL CHECK (length(public_key) = 32),
  private_key_sealed bytea,
  state              text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'retired')),
  created_at         timestamptz NOT NULL DEFAULT now(),
  created_by         uuid,
  retired_at         timestamptz,
  PRIMARY KEY (municipality_code, id),
  UNIQUE (municipality_code, key_id),
  CHECK ((state = 'active') = (retired_at IS NULL)),
  CHECK ((state = 'active') = (private_key_sealed IS NOT NULL))
);
-- Concurrent first issues insert with ON CONFLICT DO NOTHING on this index: one key wins.
CREATE UNIQUE INDEX certificate_signing_keys_one_active ON certificate_signing_keys (municipality_code) WHERE state = 'active';

-- A key only moves from active to retired, and its identity never changes (the owner included).
CREATE FUNCTION certificate_signing_keys_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'certificate signing keys are kept for verification' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.municipality_code, NEW.id, NEW.key_id, NEW.public_key, NEW.created_at, NEW.created_by)
     IS DISTINCT FROM (OLD.municipality_code, OLD.id, OLD.key_id, OLD.public_key, OLD.created_at, OLD.created_by)
     OR (OLD.state = 'retired' AND NEW.state <> 'retired') THEN
    RAISE EXCEPTION 'a certificate signing key''s identity cannot change, nor a retired key come back' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER guard BEFORE UPDATE OR DELETE ON certificate_signing_keys
  FOR EACH ROW EXECUTE FUNCTION certificate_signing_keys_guard();

-- One row per certificate printed. What the public verification endpoint reads:
-- the SHA-256 of the verification token (the token itself is only on paper), the
-- digest of the printed content, and the verification view (the printed content
-- with 個人番号 and 住民票コード masked), sealed like any personal data. The
-- rest is what the municipality lists and audits: number, kind, date, who issued
-- it, for whom (platform ids), which key signed it, whether it was revoked.
CREATE TABLE issued_certificates (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  id                uuid NOT NULL,
  -- Listing order and cursor position.
  seq               bigint GENERATED ALWAYS AS IDENTITY,
  -- J (copies) and K (items certificate) from cell.certificate_counters; a
  -- move-out certificate carries its move-out number (T…).
  number            text NOT NULL CHECK (number ~ '^[A-Z][0-9]{4}-[0-9]{6}$'),
  kind              text NOT NULL CHECK (kind IN ('resident_copy_household', 'resident_copy_individual', 'resident_items', 'move_out')),
  issued_on         date NOT NULL,
  issued_at         timestamptz NOT NULL DEFAULT now(),
  issued_by         uuid NOT NULL,
  resident_ids      uuid[] NOT NULL CHECK (cardinality(resident_ids) > 0),
  key_id            text NOT NULL,
  token_hash        bytea NOT NULL CHECK (length(token_hash) = 32),
  content_digest    bytea NOT NULL CHECK (length(content_digest) = 32),
  view_sealed       bytea NOT NULL,
  revoked_on        date,
  revoked_at        timestamptz,
  revoked_by        uuid,
  revocation_reason text CHECK (revocation_reason ~ '^[a-z][a-z_]{0,39}$'),
  PRIMARY KEY (municipality_code, id),
  UNIQUE (municipality_code, seq),
  UNIQUE (municipality_code, token_hash),
  FOREIGN KEY (municipality_code, key_id) REFERENCES certificate_signing_keys (municipality_code, key_id),
  CHECK ((revoked_at IS NULL) = (revoked_on IS NULL) AND (revoked_at IS NULL) = (revocation_reason IS NULL))
);
-- At most one valid certificate per number: a number is never reused, except
-- that a move-out certificate may be printed again once the earlier print is revoked.
CREATE UNIQUE INDEX issued_certificates_one_valid_per_number ON issued_certificates (municipality_code, number) WHERE revoked_at IS NULL;
CREATE INDEX issued_certificates_by_number ON issued_certificates (municipality_code, number);
CREATE INDEX issued_certificates_by_resident ON issued_certificates USING gin (resident_ids);

-- What was issued stays as issued (the owner included): only the sealed view may
-- be rewritten (by the rewrap job, same plaintext under a newer key), and a
-- revocation is set once and never undone.
CREATE FUNCTION issued_certificates_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'issued certificates are evidence and are not deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.municipality_code, NEW.id, NEW.seq, NEW.number, NEW.kind, NEW.issued_on, NEW.issued_at, NEW.issued_by,
      NEW.resident_ids, NEW.key_id, NEW.token_hash, NEW.content_digest)
     IS DISTINCT FROM
     (OLD.municipality_code, OLD.id, OLD.seq, OLD.number, OLD.kind, OLD.issued_on, OLD.issued_at, OLD.issued_by,
      OLD.resident_ids, OLD.key_id, OLD.token_hash, OLD.content_digest)
     OR (OLD.revoked_at IS NOT NULL AND (NEW.revoked_at, NEW.revoked_on, NEW.revoked_by, NEW.revocation_reason)
                                         IS DISTINCT FROM (OLD.revoked_at, OLD.revoked_on, OLD.revoked_by, OLD.revocation_reason)) THEN
    RAISE EXCEPTION 'an issued certificate cannot change, and a revocation cannot be undone' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER guard BEFORE UPDATE OR DELETE ON issued_certificates
  FOR EACH ROW EXECUTE FUNCTION issued_certificates_guard();

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['certificate_signing_keys', 'issued_certificates'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (municipality_code = (SELECT current_municipality()))'
                   ' WITH CHECK (municipality_code = (SELECT current_municipality()))', t);
  END LOOP;
END $$;

-- No DELETE. UPDATE only of what retirement, revocation and the rewrap job change.
GRANT SELECT, INSERT ON certificate_signing_keys TO :app_role;
GRANT UPDATE (state, retired_at, private_key_sealed) ON certificate_signing_keys TO :app_role;
GRANT SELECT, INSERT ON issued_certificates TO :app_role;
GRANT UPDATE (view_sealed, revoked_on, revoked_at, revoked_by, revocation_reason) ON issued_certificates TO :app_role;
