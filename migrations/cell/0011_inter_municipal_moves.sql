-- A resident moving from municipality A to municipality B (src/linkage/moves.ts,
-- docs/linkage.md): B's clerk asks A for the move-out record (転出証明書情報),
-- A releases just that record, B registers the move-in, A is notified.

-- A's side: every release of a move-out record to another municipality.
CREATE TABLE move_out_releases (
  municipality_code  text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  id                 uuid NOT NULL,
  certificate_number text NOT NULL,
  released_to        text NOT NULL CHECK (released_to ~ '^[0-9]{6}$'),
  requested_by       uuid NOT NULL,
  released_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, id)
);
CREATE INDEX move_out_releases_by_certificate ON move_out_releases (municipality_code, certificate_number);

-- A's side: the move-in notice completes the move-out (転入通知): where and when
-- the person moved in. Once noticed, the move-out can no longer be cancelled.
ALTER TABLE move_out_certificates
  ADD COLUMN moved_in_municipality text CHECK (moved_in_municipality ~ '^[0-9]{6}$'),
  ADD COLUMN moved_in_change_id uuid,
  ADD COLUMN moved_in_on date,
  ADD COLUMN noticed_at timestamptz;

-- B's side: the records received from other municipalities, each usable by one move-in.
CREATE TABLE move_in_transfers (
  municipality_code  text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  id                 uuid NOT NULL,
  from_municipality  text NOT NULL CHECK (from_municipality ~ '^[0-9]{6}$'),
  certificate_number text NOT NULL,
  requested_by       uuid NOT NULL,
  requested_at       timestamptz NOT NULL DEFAULT now(),
  used_at            timestamptz,
  PRIMARY KEY (municipality_code, id),
  UNIQUE (municipality_code, from_municipality, certificate_number)
);

-- Where the platform's own consumers of each municipality's feed stand (the move-in notifier).
CREATE TABLE linkage_internal_cursors (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  consumer          text NOT NULL,
  after_txid        xid8 NOT NULL DEFAULT '0',
  after_seq         bigint NOT NULL DEFAULT 0,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, consumer)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['move_out_releases', 'move_in_transfers', 'linkage_internal_cursors'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (municipality_code = (SELECT current_municipality()))'
                   ' WITH CHECK (municipality_code = (SELECT current_municipality()))', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT ON move_out_releases TO :app_role;
GRANT SELECT, INSERT ON move_in_transfers TO :app_role;
GRANT UPDATE (requested_by, requested_at, used_at) ON move_in_transfers TO :app_role;
GRANT SELECT, INSERT ON linkage_internal_cursors TO :app_role;
GRANT UPDATE (after_txid, after_seq, updated_at) ON linkage_internal_cursors TO :app_role;
