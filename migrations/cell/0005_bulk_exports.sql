-- Four-eyes bulk exports of personal data (一括出力の二者承認): src/security/exports,
-- docs/security.md. Three tenant tables, each following the rules of 0002_offices.sql:
-- the primary key leads with municipality_code, row-level security is enabled and
-- forced, and the tenant_isolation policy guards reads and writes.

-- One row per export request. `filter` holds codes, dates and flags only (the dataset
-- registry refuses filter schemas that admit free text); the reason, which may mention
-- people, is sealed with the municipality's record key, and so is the export key while
-- the request waits for a decision (erased once decided or expired: after approval only
-- the requester holds the key to the file).
CREATE TABLE bulk_exports (
  municipality_code  text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  id                 uuid NOT NULL,
  dataset            text NOT NULL CHECK (dataset ~ '^[a-z][a-z0-9_]{0,62}$'),
  filter             jsonb NOT NULL CHECK (jsonb_typeof(filter) = 'object'),
  purpose            text NOT NULL CHECK (purpose ~ '^[a-z][a-z0-9_]{0,62}$'),
  reason_sealed      bytea NOT NULL,
  export_key_sealed  bytea,
  requested_by       uuid NOT NULL,
  requested_at       timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),  -- exact in a listing cursor
  state              text NOT NULL DEFAULT 'requested' CHECK (state IN ('requested', 'approved', 'rejected', 'expired')),
  decided_by         uuid,
  decided_at         timestamptz,
  expires_at         timestamptz NOT NULL,
  row_count          bigint CHECK (row_count >= 0),
  record_count       bigint CHECK (record_count >= 0),
  record_ids_sha256  bytea CHECK (length(record_ids_sha256) = 32),
  file_sha256        bytea CHECK (length(file_sha256) = 32),
  file_size          bigint CHECK (file_size >= 0),
  max_downloads      integer NOT NULL CHECK (max_downloads BETWEEN 1 AND 100),
  downloads          integer NOT NULL DEFAULT 0 CHECK (downloads >= 0 AND downloads <= max_downloads),
  last_downloaded_at timestamptz,
  version            integer NOT NULL DEFAULT 1,
  PRIMARY KEY (municipality_code, id),
  -- Four eyes, in the data too: whoever decided is not whoever asked.
  CHECK (decided_by IS NULL OR decided_by <> requested_by),
  CHECK ((state = 'requested') = (decided_at IS NULL AND decided_by IS NULL) OR state = 'expired'),
  CHECK (state = 'requested' OR export_key_sealed IS NULL),
  CHECK (state <> 'approved' OR (file_sha256 IS NOT NULL AND record_ids_sha256 IS NOT NULL AND row_count IS NOT NULL))
);
CREATE INDEX bulk_exports_by_time ON bulk_exports (municipality_code, requested_at DESC, id DESC);
CREATE INDEX bulk_exports_due ON bulk_exports (municipality_code, expires_at) WHERE state IN ('requested', 'approved');

ALTER TABLE bulk_exports ENABLE ROW LEVEL SECURITY;
ALTER TABLE bulk_exports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bulk_exports
  USING (municipality_code = (SELECT current_municipality()))
  WITH CHECK (municipality_code = (SELECT current_municipality()));

-- No DELETE: the row is the record of what was asked, decided and downloaded. UPDATE
-- only of what changes (the sealed columns also for the key rewrap job).
GRANT SELECT, INSERT ON bulk_exports TO :app_role;
GRANT UPDATE (reason_sealed, export_key_sealed, state, decided_by, decided_at, expires_at, row_count, record_count,
              record_ids_sha256, file_sha256, file_size, downloads, last_downloaded_at, version) ON bulk_exports TO :app_role;

-- The encrypted file (MCX1, see src/security/exports/file-format.ts) as consecutive parts
-- of up to 1 MiB: part 0 starts with the header. Written when the export is approved,
-- deleted when it expires. Ciphertext does not compress: stored out of line, uncompressed.
CREATE TABLE bulk_export_file_parts (
  municipality_code text NOT NULL,
  export_id         uuid NOT NULL,
  part              integer NOT NULL CHECK (part >= 0),
  data              bytea NOT NULL,
  PRIMARY KEY (municipality_code, export_id, part),
  FOREIGN KEY (municipality_code, export_id) REFERENCES bulk_exports (municipality_code, id)
);
ALTER TABLE bulk_export_file_parts ALTER COLUMN data SET STORAGE EXTERNAL;

ALTER TABLE bulk_export_file_parts ENABLE ROW LEVEL SECURITY;
ALTER TABLE bulk_export_file_parts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bulk_export_file_parts
  USING (municipality_code = (SELECT current_municipality()))
  WITH CHECK (municipality_code = (SELECT current_municipality()));

GRANT SELECT, INSERT, DELETE ON bulk_export_file_parts TO :app_role;

-- The evidence of what left: the id of every record in an approved export, once each.
-- SHA-256 over these ids in byte order, each followed by a line feed, is the export's
-- record_ids_sha256, which the export_approved audit entry also carries (signed into
-- the audit log). Kept after the file is deleted; never changed (no UPDATE, no DELETE).
CREATE TABLE bulk_export_records (
  municipality_code text NOT NULL,
  export_id         uuid NOT NULL,
  record_id         text COLLATE "C" NOT NULL CHECK (record_id ~ '^[!-~]{1,200}$'),
  PRIMARY KEY (municipality_code, export_id, record_id),
  FOREIGN KEY (municipality_code, export_id) REFERENCES bulk_exports (municipality_code, id)
);

ALTER TABLE bulk_export_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE bulk_export_records FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bulk_export_records
  USING (municipality_code = (SELECT current_municipality()))
  WITH CHECK (municipality_code = (SELECT current_municipality()));

GRANT SELECT, INSERT ON bulk_export_records TO :app_role;
