-- The audit log (evidence): a transparency log in the control database, apart
-- from every tenant table (src/security/audit, docs/audit.md).
--
-- audit_entries holds the leaves of an RFC 9162 Merkle tree, one row per
-- entry, numbered from 0 without gaps in commit order (the appender takes a
-- transaction-level advisory lock per batch). leaf_hash is SHA-256(0x00 ||
-- leaf), written by the appender, which computes it anyway to chain the next
-- leaf (a generated column would hash every row twice); the publisher checks
-- it against the leaf before signing. municipality_code repeats the entry's
-- municipality so an auditor's listing is an index range; the leaf stays the
-- authority and the API re-checks it.
CREATE TABLE audit_entries (
  seq               bigint PRIMARY KEY CHECK (seq >= 0),
  leaf              bytea NOT NULL CHECK (length(leaf) BETWEEN 2 AND 262144),
  leaf_hash         bytea NOT NULL CHECK (length(leaf_hash) = 32),
  municipality_code text CHECK (municipality_code ~ '^[0-9]{6}$'),
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_entries_municipality ON audit_entries (municipality_code, seq) WHERE municipality_code IS NOT NULL;

-- Signed checkpoints (C2SP signed notes), each with the Merkle frontier of its
-- tree (the hashes of the perfect subtrees covering [0, tree_size), largest
-- first), so the next checkpoint extends it without reading old entries.
CREATE TABLE audit_checkpoints (
  tree_size  bigint PRIMARY KEY CHECK (tree_size >= 0),
  root_hash  bytea NOT NULL CHECK (length(root_hash) = 32),
  note       text NOT NULL,
  frontier   bytea NOT NULL CHECK (length(frontier) % 32 = 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Hashes of complete perfect subtrees at levels 8, 16, 24, ... (2^level
-- leaves each), written by the publisher as checkpoints cover them: any
-- subtree hash a proof needs is then at most 128 stored hashes away.
CREATE TABLE audit_nodes (
  level smallint NOT NULL CHECK (level > 0 AND level % 8 = 0),
  idx   bigint NOT NULL CHECK (idx >= 0),
  hash  bytea NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (level, idx)
);

-- Append-only for everyone who respects triggers, the owner included. A
-- superuser can still disable them; verification against a signed checkpoint
-- is what catches that.
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_nodes_append_only BEFORE UPDATE OR DELETE ON audit_nodes
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_nodes_no_truncate BEFORE TRUNCATE ON audit_nodes
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- The application appends and reads; it can neither change nor remove.
GRANT SELECT, INSERT ON audit_entries TO :app_role;
GRANT SELECT, INSERT ON audit_checkpoints TO :app_role;
GRANT SELECT, INSERT ON audit_nodes TO :app_role;
