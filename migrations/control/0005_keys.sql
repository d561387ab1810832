-- Keys of each municipality (docs/keys.md). No key material is stored here in
-- the clear: a KEK lives in the KMS and appears only as the KMS's id for it;
-- data keys appear only wrapped by their KEK. Rows are never deleted: a
-- destroyed KEK stays as a tombstone, so a shredded municipality can never be
-- re-provisioned silently and its old ciphertexts fail as "destroyed".

CREATE TABLE key_encryption_keys (
  municipality_code text NOT NULL REFERENCES organizations (code),
  version           integer NOT NULL CHECK (version > 0),
  kms_kind          text NOT NULL CHECK (kms_kind ~ '^[a-z0-9-]{1,32}$'),
  kms_key_id        text NOT NULL CHECK (char_length(kms_key_id) BETWEEN 1 AND 512),
  state             text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'retired', 'destroyed')),
  created_at        timestamptz NOT NULL DEFAULT now(),
  retired_at        timestamptz,
  destroyed_at      timestamptz,
  PRIMARY KEY (municipality_code, version),
  UNIQUE (kms_kind, kms_key_id),
  CHECK ((state = 'destroyed') = (destroyed_at IS NOT NULL))
);
-- At most one KEK wraps new data keys.
CREATE UNIQUE INDEX key_encryption_keys_one_active ON key_encryption_keys (municipality_code) WHERE state = 'active';

-- Data keys: 'record' keys seal fields (AES-256-GCM), 'blind_index' keys MAC
-- search values. usage_reserved counts GCM messages handed out (in blocks, by
-- each process) so a key is retired long before random nonces could collide;
-- the ceiling of 2^32 is NIST SP 800-38D's limit for random 96-bit IVs.
CREATE TABLE data_keys (
  municipality_code text NOT NULL,
  purpose           text NOT NULL CHECK (purpose IN ('record', 'blind_index')),
  version           integer NOT NULL CHECK (version > 0),
  kek_version       integer NOT NULL,
  wrapped           bytea CHECK (octet_length(wrapped) BETWEEN 32 AND 1024),
  state             text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'retired', 'destroyed')),
  usage_reserved    bigint NOT NULL DEFAULT 0 CHECK (usage_reserved >= 0),
  usage_limit       bigint NOT NULL CHECK (usage_limit > 0 AND usage_limit <= 4294967296),
  created_at        timestamptz NOT NULL DEFAULT now(),
  retired_at        timestamptz,
  rewrapped_at      timestamptz,
  PRIMARY KEY (municipality_code, purpose, version),
  FOREIGN KEY (municipality_code, kek_version) REFERENCES key_encryption_keys (municipality_code, version),
  CHECK (usage_reserved <= usage_limit),
  CHECK ((state = 'destroyed') = (wrapped IS NULL))
);
CREATE UNIQUE INDEX data_keys_one_active ON data_keys (municipality_code, purpose) WHERE state = 'active';

-- Where the rewrap job is, per municipality and encrypted column, so it resumes after a crash.
-- last_id is a record id (never content).
CREATE TABLE key_rewrap_progress (
  municipality_code text NOT NULL REFERENCES organizations (code),
  table_name        text NOT NULL CHECK (table_name ~ '^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$'),
  column_name       text NOT NULL CHECK (column_name ~ '^[a-z_][a-z0-9_]*$'),
  target_version    integer NOT NULL CHECK (target_version > 0),
  last_id           text,
  rows_seen         bigint NOT NULL DEFAULT 0,
  rows_rewrapped    bigint NOT NULL DEFAULT 0,
  rows_failed       bigint NOT NULL DEFAULT 0,
  started_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz,
  PRIMARY KEY (municipality_code, table_name, column_name)
);

-- State only moves forward (active → retired → destroyed); identities never
-- change; a usage counter never goes back. This holds for the owner too, so a
-- mistaken UPDATE cannot resurrect a destroyed key or reuse nonces.
CREATE FUNCTION key_state_rank(state text) RETURNS integer LANGUAGE sql IMMUTABLE
  AS $$ SELECT CASE state WHEN 'active' THEN 0 WHEN 'retired' THEN 1 ELSE 2 END $$;

CREATE FUNCTION guard_key_encryption_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.municipality_code IS DISTINCT FROM OLD.municipality_code OR NEW.version IS DISTINCT FROM OLD.version
     OR NEW.kms_kind IS DISTINCT FROM OLD.kms_kind OR NEW.kms_key_id IS DISTINCT FROM OLD.kms_key_id
     OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
    RAISE EXCEPTION 'a key-encryption key''s identity cannot change' USING ERRCODE = 'check_violation';
  END IF;
  IF control.key_state_rank(NEW.state) < control.key_state_rank(OLD.state) THEN
    RAISE EXCEPTION 'a key-encryption key cannot go back from % to %', OLD.state, NEW.state USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER guard BEFORE UPDATE ON key_encryption_keys FOR EACH ROW EXECUTE FUNCTION guard_key_encryption_keys();

CREATE FUNCTION guard_data_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.municipality_code IS DISTINCT FROM OLD.municipality_code OR NEW.purpose IS DISTINCT FROM OLD.purpose
     OR NEW.version IS DISTINCT FROM OLD.version OR NEW.usage_limit IS DISTINCT FROM OLD.usage_limit
     OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
    RAISE EXCEPTION 'a data key''s identity cannot change' USING ERRCODE = 'check_violation';
  END IF;
  IF control.key_state_rank(NEW.state) < control.key_state_rank(OLD.state) THEN
    RAISE EXCEPTION 'a data key cannot go back from % to %', OLD.state, NEW.state USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.usage_reserved < OLD.usage_reserved THEN
    RAISE EXCEPTION 'a data key''s usage counter cannot go back' USING ERRCODE = 'check_violation';
  END IF;
  -- New wrapping only under a newer KEK (rotation) or none at all (shredding).
  IF NEW.wrapped IS DISTINCT FROM OLD.wrapped AND NEW.wrapped IS NOT NULL AND NEW.kek_version <= OLD.kek_version THEN
    RAISE EXCEPTION 'a data key can only be rewrapped under a newer key-encryption key' USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.kek_version < OLD.kek_version THEN
    RAISE EXCEPTION 'a data key cannot move to an older key-encryption key' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER guard BEFORE UPDATE ON data_keys FOR EACH ROW EXECUTE FUNCTION guard_data_keys();

-- The application role provisions, rotates, reserves usage, rewraps and shreds;
-- it never deletes, and may change only the columns those operations change.
GRANT SELECT, INSERT ON key_encryption_keys TO :app_role;
GRANT UPDATE (state, retired_at, destroyed_at) ON key_encryption_keys TO :app_role;
GRANT SELECT, INSERT ON data_keys TO :app_role;
GRANT UPDATE (kek_version, wrapped, state, usage_reserved, retired_at, rewrapped_at) ON data_keys TO :app_role;
GRANT SELECT, INSERT ON key_rewrap_progress TO :app_role;
GRANT UPDATE (target_version, last_id, rows_seen, rows_rewrapped, rows_failed, started_at, updated_at, finished_at)
  ON key_rewrap_progress TO :app_role;
