-- Webhook delivery of linkage feeds (src/linkage/webhooks.ts, docs/linkage.md).
--
-- A subscription is delivered either by pull (its consumer reads the feed) or
-- by webhook (the platform POSTs each event, signed with the subscription's
-- secret, to a URL in the municipality's My Number zone). The secret is sealed
-- under the municipality's keys: crypto-shredding voids it with everything else.
ALTER TABLE linkage_subscriptions
  ADD COLUMN delivery text NOT NULL DEFAULT 'pull' CHECK (delivery IN ('pull', 'webhook')),
  ADD COLUMN webhook_url text CHECK (length(webhook_url) <= 2000),
  ADD COLUMN webhook_secret_sealed bytea,
  ADD CONSTRAINT linkage_subscriptions_webhook CHECK ((delivery = 'webhook') = (webhook_url IS NOT NULL AND webhook_secret_sealed IS NOT NULL));

-- Where each webhook subscription's delivery stands: the position after the
-- last event delivered (or dead-lettered), and the retry state of the next.
-- Advanced in the same transaction that records the delivery's outcome.
CREATE TABLE linkage_webhook_state (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  subscription_id   uuid NOT NULL,
  after_txid        xid8 NOT NULL DEFAULT '0',
  after_seq         bigint NOT NULL DEFAULT 0,
  attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at   timestamptz NOT NULL DEFAULT now(),
  last_status       integer,
  last_error        text CHECK (length(last_error) <= 200),
  delivered         bigint NOT NULL DEFAULT 0,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, subscription_id)
);

-- Events a webhook could not take: after the retries (failed), or held back
-- because an earlier event of one of its residents is here (held), so that
-- each resident's events still arrive in order. An admin inspects them and
-- asks for a replay; they go out again, in feed order, before anything new.
-- Ids and positions only: the event itself is read again from the outbox.
CREATE TABLE linkage_dead_letters (
  municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{6}$'),
  subscription_id   uuid NOT NULL,
  event_id          uuid NOT NULL,
  txid              xid8 NOT NULL,
  seq               bigint NOT NULL,
  resident_ids      uuid[] NOT NULL,
  reason            text NOT NULL CHECK (reason IN ('failed', 'held')),
  attempts          integer NOT NULL CHECK (attempts >= 0),
  last_status       integer,
  last_error        text CHECK (length(last_error) <= 200),
  dead_at           timestamptz NOT NULL DEFAULT now(),
  state             text NOT NULL DEFAULT 'dead' CHECK (state IN ('dead', 'replaying', 'delivered')),
  replay_requested_by uuid,
  delivered_at      timestamptz,
  PRIMARY KEY (municipality_code, subscription_id, event_id)
);
CREATE INDEX linkage_dead_letters_order ON linkage_dead_letters (municipality_code, subscription_id, state, txid, seq);
CREATE INDEX linkage_dead_letters_residents ON linkage_dead_letters USING gin (resident_ids);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['linkage_webhook_state', 'linkage_dead_letters'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (municipality_code = (SELECT current_municipality()))'
                   ' WITH CHECK (municipality_code = (SELECT current_municipality()))', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT ON linkage_webhook_state TO :app_role;
GRANT UPDATE (after_txid, after_seq, attempts, next_attempt_at, last_status, last_error, delivered, updated_at) ON linkage_webhook_state TO :app_role;
GRANT SELECT, INSERT ON linkage_dead_letters TO :app_role;
GRANT UPDATE (state, replay_requested_by, delivered_at, attempts, last_status, last_error, dead_at, reason) ON linkage_dead_letters TO :app_role;
