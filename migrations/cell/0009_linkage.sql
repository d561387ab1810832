-- Linkage (src/linkage, docs/linkage.md): the outbox becomes a feed that
-- subscribers read in order, and the municipality declares who may read what.
--
-- The feed order. An outbox row's seq is taken when the row is inserted, but
-- transactions commit in another order: a reader that had passed seq 11 would
-- never see seq 10 committing after it. So each row also records its
-- transaction (txid, 64-bit, never wraps) and the feed is read in (txid, seq)
-- order, only up to the oldest transaction still running: every row below
-- that point has committed or never will, so nothing can appear behind a
-- reader's cursor.
-- Rows written before this migration all get its transaction id: in seq order among themselves.
ALTER TABLE outbox ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX outbox_feed_order ON outbox (municipality_code, txid, seq);

-- Who receives what: one row per declared subscription. A subscription names
-- the operation and legal purpose it serves, the event topics, the resident
-- fields it is entitled to (checked against src/linkage/entitlements.ts when
-- declared), and the account of the receiving system, the only one that may
-- read its feed. Revoked subscriptions are kept (evidence of what was shared).
CREATE TABLE linkage_subscriptions (
  municipality_code   text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  id                  uuid NOT NULL,
  name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  operation           text NOT NULL,
  purpose             text NOT NULL,
  topics              text[] NOT NULL CHECK (cardinality(topics) > 0),
  fields              text[] NOT NULL,
  consumer_account_id uuid NOT NULL,
  created_by          uuid NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  revoked_at          timestamptz,
  revoked_by          uuid,
  PRIMARY KEY (municipality_code, id),
  CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);

ALTER TABLE linkage_subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE linkage_subscriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON linkage_subscriptions
  USING (municipality_code = (SELECT current_municipality()))
  WITH CHECK (municipality_code = (SELECT current_municipality()));

GRANT SELECT, INSERT ON linkage_subscriptions TO :app_role;
GRANT UPDATE (revoked_at, revoked_by) ON linkage_subscriptions TO :app_role;
