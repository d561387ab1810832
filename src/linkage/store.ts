/** Linkage storage in the cell: subscriptions and reading the outbox as a feed. Every query runs in a tenant transaction. */
import type pg from 'pg';
import type { ResidentField } from './entitlements.js';
import { FEED_START, type FeedPosition } from './feed-position.js';

export interface Subscription {
  readonly id: string;
  readonly name: string;
  readonly operation: string;
  readonly purpose: string;
  readonly topics: string[];
  readonly fields: ResidentField[];
  readonly consumerAccountId: string;
  /** Pull (the consumer reads the feed) or webhook (the platform posts each event to webhookUrl). */
  readonly delivery: 'pull' | 'webhook';
  readonly webhookUrl: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

type SubscriptionRowDb = {
  id: string;
  name: string;
  operation: string;
  purpose: string;
  topics: string[];
  fields: ResidentField[];
  consumer_account_id: string;
  delivery: 'pull' | 'webhook';
  webhook_url: string | null;
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
};

const COLUMNS = 'id, name, operation, purpose, topics, fields, consumer_account_id, delivery, webhook_url, created_by, created_at, revoked_at';
const fromDb = (r: SubscriptionRowDb): Subscription => ({
  id: r.id,
  name: r.name,
  operation: r.operation,
  purpose: r.purpose,
  topics: r.topics,
  fields: r.fields,
  consumerAccountId: r.consumer_account_id,
  delivery: r.delivery,
  webhookUrl: r.webhook_url,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

export async function insertSubscription(
  db: pg.ClientBase,
  s: Omit<Subscription, 'createdAt' | 'revokedAt' | 'delivery' | 'webhookUrl'> & { webhook?: { url: string; secretSealed: Buffer } },
): Promise<Subscription> {
  const { rows } = await db.query<SubscriptionRowDb>(
    `INSERT INTO cell.linkage_subscriptions (municipality_code, id, name, operation, purpose, topics, fields, consumer_account_id, created_by,
                                             delivery, webhook_url, webhook_secret_sealed)
     VALUES (cell.current_municipality(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
    [s.id, s.name, s.operation, s.purpose, s.topics, s.fields, s.consumerAccountId, s.createdBy, s.webhook ? 'webhook' : 'pull', s.webhook?.url ?? null, s.webhook?.secretSealed ?? null],
  );
  return fromDb(rows[0]!);
}

export async function subscriptionById(db: pg.ClientBase, id: string): Promise<Subscription | null> {
  const { rows } = await db.query<SubscriptionRowDb>(`SELECT ${COLUMNS} FROM cell.linkage_subscriptions WHERE id = $1`, [id]);
  return rows[0] ? fromDb(rows[0]) : null;
}

export interface SubscriptionListPosition {
  readonly us: string;
  readonly id: string;
}

/** A page of the municipality's subscriptions, oldest first; with `consumer`, only those it consumes. */
export async function listSubscriptions(
  db: pg.ClientBase,
  options: { consumer?: string; after?: SubscriptionListPosition; limit: number },
): Promise<{ items: Subscription[]; total: number; last: SubscriptionListPosition | null }> {
  const args: unknown[] = [options.consumer ?? null];
  const scope = '($1::uuid IS NULL OR consumer_account_id = $1)';
  const total = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM cell.linkage_subscriptions WHERE ${scope}`, args);
  // The position is kept in microseconds: a JavaScript date would drop them and show a row twice.
  const { rows } = await db.query<SubscriptionRowDb & { created_us: string }>(
    `SELECT ${COLUMNS}, (extract(epoch FROM created_at) * 1000000)::bigint::text AS created_us FROM cell.linkage_subscriptions
      WHERE ${scope} AND ($2::bigint IS NULL OR (created_at, id) > ('epoch'::timestamptz + $2::bigint * interval '1 microsecond', $3::uuid))
      ORDER BY created_at, id LIMIT $4`,
    [...args, options.after?.us ?? null, options.after?.id ?? null, options.limit],
  );
  const last = rows.at(-1);
  return { items: rows.map(fromDb), total: Number(total.rows[0]!.n), last: last ? { us: last.created_us, id: last.id } : null };
}

/** Marks a live subscription revoked; false when there is no live one. */
export async function revokeSubscription(db: pg.ClientBase, id: string, by: string): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE cell.linkage_subscriptions SET revoked_at = now(), revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL', [id, by]);
  return rowCount === 1;
}

export interface StoredEvent {
  readonly position: FeedPosition;
  readonly id: string;
  readonly topic: string;
  readonly payload: Record<string, unknown>;
  readonly recordedAt: string;
}

/**
 * The municipality's events after a position, in feed order, of the given
 * topics. Only events below the oldest transaction still running anywhere on
 * the server are returned: those are final (committed, or never will be), so
 * a later read can never find one behind the position it was given.
 */
export async function eventsAfter(db: pg.ClientBase, after: FeedPosition, topics: readonly string[], limit: number): Promise<StoredEvent[]> {
  const { rows } = await db.query<{ txid: string; seq: string; id: string; topic: string; payload: Record<string, unknown>; created_at: Date }>(
    // ORDER BY names the table's columns (o.): a bare txid or seq would mean the text columns of the
    // output, and as text 10 sorts before 9, so a page would end past events it never returned.
    `SELECT o.txid::text AS txid, o.seq::text AS seq, o.id, o.topic, o.payload, o.created_at
       FROM cell.outbox o
      WHERE (o.txid, o.seq) > ($1::xid8, $2::bigint)
        AND o.txid < pg_snapshot_xmin(pg_current_snapshot())
        AND o.topic = ANY($3::text[])
      ORDER BY o.txid, o.seq
      LIMIT $4`,
    [after.txid, after.seq, topics, limit],
  );
  return rows.map(eventFrom);
}

/** Which of these residents are under a support measure now. */
export async function restrictedResidents(db: pg.ClientBase, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await db.query<{ id: string }>('SELECT id FROM cell.residents WHERE id = ANY($1::uuid[]) AND support_measure', [ids]);
  return new Set(rows.map((r) => r.id));
}

type EventRowDb = { txid: string; seq: string; id: string; topic: string; payload: Record<string, unknown>; created_at: Date };
const eventFrom = (r: EventRowDb): StoredEvent => ({ position: { txid: r.txid, seq: r.seq }, id: r.id, topic: r.topic, payload: r.payload, recordedAt: r.created_at.toISOString() });

/** One event by id (a dead letter's, to deliver it again). */
export async function eventById(db: pg.ClientBase, id: string): Promise<StoredEvent | null> {
  const { rows } = await db.query<EventRowDb>('SELECT txid::text AS txid, seq::text AS seq, id, topic, payload, created_at FROM cell.outbox WHERE id = $1', [id]);
  return rows[0] ? eventFrom(rows[0]) : null;
}

/**
 * Where one of the platform's own consumers of the municipality's feed stands
 * (cell migration 0011: the move-in notifier, the JetStream relay); the feed's
 * start when it has not moved yet.
 */
export async function internalCursor(db: pg.ClientBase, consumer: string): Promise<FeedPosition> {
  const { rows } = await db.query<{ txid: string; seq: string }>(
    'SELECT after_txid::text AS txid, after_seq::text AS seq FROM cell.linkage_internal_cursors WHERE consumer = $1',
    [consumer],
  );
  return rows[0] ? { txid: rows[0].txid, seq: rows[0].seq } : FEED_START;
}

/** Where an internal consumer stands and when it last moved; null before it first did (for status pages). */
export async function internalCursorState(db: pg.ClientBase, consumer: string): Promise<{ position: FeedPosition; updatedAt: string } | null> {
  const { rows } = await db.query<{ txid: string; seq: string; updated_at: Date }>(
    'SELECT after_txid::text AS txid, after_seq::text AS seq, updated_at FROM cell.linkage_internal_cursors WHERE consumer = $1',
    [consumer],
  );
  return rows[0] ? { position: { txid: rows[0].txid, seq: rows[0].seq }, updatedAt: rows[0].updated_at.toISOString() } : null;
}

/**
 * Moves an internal consumer's cursor from where it was read to past its last
 * handled event. Only if it still stands where it was read: a cursor another
 * process has moved meanwhile is left alone, never moved back.
 */
export async function moveInternalCursor(db: pg.ClientBase, consumer: string, from: FeedPosition, to: FeedPosition): Promise<void> {
  await db.query(
    `INSERT INTO cell.linkage_internal_cursors (municipality_code, consumer, after_txid, after_seq) VALUES (cell.current_municipality(), $1, $4::xid8, $5)
     ON CONFLICT (municipality_code, consumer) DO UPDATE SET after_txid = EXCLUDED.after_txid, after_seq = EXCLUDED.after_seq, updated_at = now()
       WHERE cell.linkage_internal_cursors.after_txid = $2::xid8 AND cell.linkage_internal_cursors.after_seq = $3`,
    [consumer, from.txid, from.seq, to.txid, to.seq],
  );
}

// ---------------------------------------------------------------------------
// Webhook delivery state and dead letters (cell migration 0010)

export interface WebhookState {
  readonly subscription: Subscription;
  readonly after: FeedPosition;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly delivered: number;
}

type StateRowDb = SubscriptionRowDb & { after_txid: string; after_seq: string; attempts: number; next_attempt_at: Date; last_status: number | null; last_error: string | null; delivered: string };
const stateFrom = (r: StateRowDb): WebhookState => ({
  subscription: fromDb(r),
  after: { txid: r.after_txid, seq: r.after_seq },
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at.toISOString(),
  lastStatus: r.last_status,
  lastError: r.last_error,
  delivered: Number(r.delivered),
});
const STATE_SELECT = `SELECT ${COLUMNS.split(', ').map((c) => `s.${c}`).join(', ')}, w.after_txid::text AS after_txid, w.after_seq::text AS after_seq,
       w.attempts, w.next_attempt_at, w.last_status, w.last_error, w.delivered::text AS delivered
  FROM cell.linkage_subscriptions s JOIN cell.linkage_webhook_state w ON w.subscription_id = s.id`;

/** The live webhook subscriptions whose next attempt is due (each gets its state row on first sight). */
export async function dueWebhooks(db: pg.ClientBase, now: Date): Promise<WebhookState[]> {
  await db.query(
    `INSERT INTO cell.linkage_webhook_state (municipality_code, subscription_id)
     SELECT municipality_code, id FROM cell.linkage_subscriptions WHERE delivery = 'webhook' AND revoked_at IS NULL
     ON CONFLICT DO NOTHING`,
  );
  const { rows } = await db.query<StateRowDb>(`${STATE_SELECT} WHERE s.revoked_at IS NULL AND w.next_attempt_at <= $1 ORDER BY w.next_attempt_at`, [now]);
  return rows.map(stateFrom);
}

export async function webhookState(db: pg.ClientBase, subscriptionId: string): Promise<WebhookState | null> {
  const { rows } = await db.query<StateRowDb>(`${STATE_SELECT} WHERE s.id = $1`, [subscriptionId]);
  return rows[0] ? stateFrom(rows[0]) : null;
}

/** The sealed secrets that sign a delivery at `at`: the current one, and the one it replaced while that still signs (cell migration 0019). */
export async function webhookSigningSecretsSealed(db: pg.ClientBase, subscriptionId: string, at: Date): Promise<{ current: Buffer; previous: Buffer | null } | null> {
  const { rows } = await db.query<{ current: Buffer | null; previous: Buffer | null }>(
    `SELECT webhook_secret_sealed AS current, CASE WHEN webhook_previous_secret_until > $2 THEN webhook_previous_secret_sealed END AS previous
       FROM cell.linkage_subscriptions WHERE id = $1`,
    [subscriptionId, at],
  );
  const r = rows[0];
  return r?.current ? { current: r.current, previous: r.previous } : null;
}

/** A webhook subscription's current sealed secret, its row locked until the transaction ends (two rotations at once go one after the other). */
export async function lockWebhookSecretSealed(db: pg.ClientBase, subscriptionId: string): Promise<Buffer | null> {
  const { rows } = await db.query<{ s: Buffer | null }>('SELECT webhook_secret_sealed AS s FROM cell.linkage_subscriptions WHERE id = $1 FOR UPDATE', [subscriptionId]);
  return rows[0]?.s ?? null;
}

/**
 * Replaces a live webhook subscription's secret; the secret it replaces (sealed again by the
 * caller under its own column) signs too until `previousUntil`. Only one previous secret is kept:
 * a second rotation drops the one before. False when the subscription is not live or not a webhook.
 */
export async function rotateWebhookSecret(
  db: pg.ClientBase,
  subscriptionId: string,
  r: { currentSealed: Buffer; previousSealed: Buffer; previousUntil: Date },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE cell.linkage_subscriptions
        SET webhook_secret_sealed = $2, webhook_previous_secret_sealed = $3, webhook_previous_secret_until = $4
      WHERE id = $1 AND delivery = 'webhook' AND revoked_at IS NULL`,
    [subscriptionId, r.currentSealed, r.previousSealed, r.previousUntil],
  );
  return rowCount === 1;
}

/** A new webhook subscription that starts after the last event already final (events still being written come after it). */
export async function startWebhookAtFeedEnd(db: pg.ClientBase, subscriptionId: string): Promise<void> {
  await db.query(
    `INSERT INTO cell.linkage_webhook_state (municipality_code, subscription_id, after_txid, after_seq)
     SELECT cell.current_municipality(), $1, coalesce(max_txid, '0'::xid8), coalesce(max_seq, 0)
       FROM (SELECT txid AS max_txid, seq AS max_seq FROM cell.outbox WHERE txid < pg_snapshot_xmin(pg_current_snapshot())
              ORDER BY txid DESC, seq DESC LIMIT 1) AS last RIGHT JOIN (SELECT 1) AS one ON true`,
    [subscriptionId],
  );
}

/** The next event is settled (delivered or set aside): move past it, with a clean retry state. */
export async function advanceWebhook(db: pg.ClientBase, subscriptionId: string, past: FeedPosition, delivered: boolean): Promise<void> {
  await db.query(
    `UPDATE cell.linkage_webhook_state SET after_txid = $2::xid8, after_seq = $3, attempts = 0, next_attempt_at = now(), last_status = NULL, last_error = NULL,
            delivered = delivered + $4, updated_at = now()
      WHERE subscription_id = $1`,
    [subscriptionId, past.txid, past.seq, delivered ? 1 : 0],
  );
}

/** A failed attempt: try again at `nextAttemptAt`. */
export async function retryWebhookLater(db: pg.ClientBase, subscriptionId: string, r: { attempts: number; nextAttemptAt: Date; status: number | null; error: string }): Promise<void> {
  await db.query(
    `UPDATE cell.linkage_webhook_state SET attempts = $2, next_attempt_at = $3, last_status = $4, last_error = $5, updated_at = now() WHERE subscription_id = $1`,
    [subscriptionId, r.attempts, r.nextAttemptAt, r.status, r.error],
  );
}

/** A successful attempt of a replayed dead letter resets the retry state without moving the cursor. */
export async function resetWebhookAttempts(db: pg.ClientBase, subscriptionId: string, delivered: boolean): Promise<void> {
  await db.query(
    `UPDATE cell.linkage_webhook_state SET attempts = 0, next_attempt_at = now(), last_status = NULL, last_error = NULL, delivered = delivered + $2, updated_at = now()
      WHERE subscription_id = $1`,
    [subscriptionId, delivered ? 1 : 0],
  );
}

export interface DeadLetter {
  readonly eventId: string;
  readonly position: FeedPosition;
  readonly residentIds: string[];
  readonly reason: 'failed' | 'held';
  readonly attempts: number;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly deadAt: string;
  readonly state: 'dead' | 'replaying' | 'delivered';
  readonly deliveredAt: string | null;
}

type DeadRowDb = { event_id: string; txid: string; seq: string; resident_ids: string[]; reason: 'failed' | 'held'; attempts: number; last_status: number | null; last_error: string | null; dead_at: Date; state: DeadLetter['state']; delivered_at: Date | null };
// Dead letters are ordered by d.txid, d.seq (the columns, not these text aliases: see eventsAfter).
const DEAD_COLUMNS = 'event_id, txid::text AS txid, seq::text AS seq, resident_ids, reason, attempts, last_status, last_error, dead_at, state, delivered_at';
const deadFrom = (r: DeadRowDb): DeadLetter => ({
  eventId: r.event_id,
  position: { txid: r.txid, seq: r.seq },
  residentIds: r.resident_ids,
  reason: r.reason,
  attempts: r.attempts,
  lastStatus: r.last_status,
  lastError: r.last_error,
  deadAt: r.dead_at.toISOString(),
  state: r.state,
  deliveredAt: r.delivered_at?.toISOString() ?? null,
});

export async function insertDeadLetter(
  db: pg.ClientBase,
  subscriptionId: string,
  d: { event: StoredEvent; residentIds: readonly string[]; reason: 'failed' | 'held'; attempts: number; status: number | null; error: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO cell.linkage_dead_letters (municipality_code, subscription_id, event_id, txid, seq, resident_ids, reason, attempts, last_status, last_error)
     VALUES (cell.current_municipality(), $1, $2, $3::xid8, $4, $5::uuid[], $6, $7, $8, $9)
     ON CONFLICT (municipality_code, subscription_id, event_id) DO UPDATE
        SET state = 'dead', reason = EXCLUDED.reason, attempts = EXCLUDED.attempts, last_status = EXCLUDED.last_status,
            last_error = EXCLUDED.last_error, dead_at = now()`,
    [subscriptionId, d.event.id, d.event.position.txid, d.event.position.seq, d.residentIds, d.reason, d.attempts, d.status, d.error],
  );
}

/** Whether an earlier event of any of these residents is set aside and not delivered yet. */
export async function residentsHeldBack(db: pg.ClientBase, subscriptionId: string, residentIds: readonly string[]): Promise<boolean> {
  if (residentIds.length === 0) return false;
  const { rows } = await db.query(
    `SELECT 1 FROM cell.linkage_dead_letters WHERE subscription_id = $1 AND state <> 'delivered' AND resident_ids && $2::uuid[] LIMIT 1`,
    [subscriptionId, residentIds],
  );
  return rows.length > 0;
}

export async function deadLetters(db: pg.ClientBase, subscriptionId: string, options: { includeDelivered: boolean; limit: number }): Promise<DeadLetter[]> {
  const { rows } = await db.query<DeadRowDb>(
    `SELECT ${DEAD_COLUMNS} FROM cell.linkage_dead_letters d WHERE subscription_id = $1 AND ($2 OR state <> 'delivered') ORDER BY d.txid, d.seq LIMIT $3`,
    [subscriptionId, options.includeDelivered, options.limit],
  );
  return rows.map(deadFrom);
}

/** How many of a subscription's dead letters wait (not delivered since). */
export async function waitingDeadLetters(db: pg.ClientBase, subscriptionId: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM cell.linkage_dead_letters WHERE subscription_id = $1 AND state <> 'delivered'`, [subscriptionId]);
  return Number(rows[0]!.n);
}

/** Asks for the dead letters to go out again (all, or those named); returns how many will. */
export async function requestReplay(db: pg.ClientBase, subscriptionId: string, by: string, eventIds: readonly string[] | null): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE cell.linkage_dead_letters SET state = 'replaying', replay_requested_by = $2, attempts = 0
      WHERE subscription_id = $1 AND state = 'dead' AND ($3::uuid[] IS NULL OR event_id = ANY($3::uuid[]))`,
    [subscriptionId, by, eventIds],
  );
  return rowCount ?? 0;
}

/** The first dead letter asked to go out again, in feed order. */
export async function nextReplay(db: pg.ClientBase, subscriptionId: string): Promise<DeadLetter | null> {
  const { rows } = await db.query<DeadRowDb>(
    `SELECT ${DEAD_COLUMNS} FROM cell.linkage_dead_letters d WHERE subscription_id = $1 AND state = 'replaying' ORDER BY d.txid, d.seq LIMIT 1`,
    [subscriptionId],
  );
  return rows[0] ? deadFrom(rows[0]) : null;
}

export async function settleReplay(db: pg.ClientBase, subscriptionId: string, eventId: string, outcome: { delivered: true } | { delivered: false; attempts: number; status: number | null; error: string; dead: boolean }): Promise<void> {
  if (outcome.delivered) {
    await db.query(`UPDATE cell.linkage_dead_letters SET state = 'delivered', delivered_at = now() WHERE subscription_id = $1 AND event_id = $2`, [subscriptionId, eventId]);
    return;
  }
  await db.query(
    `UPDATE cell.linkage_dead_letters SET attempts = $3, last_status = $4, last_error = $5, state = CASE WHEN $6 THEN 'dead' ELSE state END,
            dead_at = CASE WHEN $6 THEN now() ELSE dead_at END, reason = CASE WHEN $6 THEN 'failed' ELSE reason END
      WHERE subscription_id = $1 AND event_id = $2`,
    [subscriptionId, eventId, outcome.attempts, outcome.status, outcome.error, outcome.dead],
  );
}

// ---------------------------------------------------------------------------
// Day boundaries of the daily file (cell migration 0013)

export interface DayBoundary {
  readonly day: string;
  /** xid8 as decimal text: the events of the day's file are below it. */
  readonly horizon: string;
}

/** The advisory-lock class of day boundaries (the other key is a hash of the municipality code); 4_812–4_817 are taken. */
const DAY_BOUNDARY_LOCK_CLASS = 4_820;

/**
 * Serialises the recorders of this municipality's boundaries until the
 * transaction ends: each then reads the last boundary after the one before
 * committed, so horizons never decrease with the day. Takes no transaction id.
 */
export async function lockDayBoundaries(db: pg.ClientBase): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock($1, hashtext(cell.current_municipality()))', [DAY_BOUNDARY_LOCK_CLASS]);
}

export async function latestDayBoundary(db: pg.ClientBase): Promise<DayBoundary | null> {
  const { rows } = await db.query<{ day: string; horizon: string }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, horizon::text AS horizon FROM cell.linkage_day_boundaries ORDER BY day DESC LIMIT 1`,
  );
  return rows[0] ?? null;
}

/**
 * Closes days: the missed ones at the previous boundary's horizon (nothing
 * became final for them), `closing` at the feed's current horizon, the oldest
 * transaction still running (never below the previous one). A day already
 * recorded, by another process meanwhile, is left as it is. Returns how many
 * rows were added.
 */
export async function insertDayBoundaries(db: pg.ClientBase, missed: readonly string[], closing: string): Promise<number> {
  const { rowCount } = await db.query(
    `WITH previous AS (SELECT coalesce((SELECT horizon FROM cell.linkage_day_boundaries ORDER BY day DESC LIMIT 1), '0'::xid8) AS horizon)
     INSERT INTO cell.linkage_day_boundaries (municipality_code, day, horizon)
     SELECT cell.current_municipality(), d.day,
            CASE WHEN d.day = $2::date THEN greatest(pg_snapshot_xmin(pg_current_snapshot()), previous.horizon) ELSE previous.horizon END
       FROM (SELECT unnest($1::date[]) AS day UNION ALL SELECT $2::date) AS d, previous
     ON CONFLICT (municipality_code, day) DO NOTHING`,
    [missed, closing],
  );
  return rowCount ?? 0;
}

/** The part of the feed that is a day's file: lower <= txid < upper. */
export interface DayRange {
  readonly day: string;
  readonly lower: string;
  readonly upper: string;
  readonly closedAt: string;
}

/**
 * A recorded day's range (from the previous recorded day's horizon, or the
 * feed's start for the first); 'not_closed' when the day has no boundary yet,
 * 'before_first' when it is before the first day recorded (it never will).
 */
export async function dayRange(db: pg.ClientBase, day: string): Promise<DayRange | 'not_closed' | 'before_first'> {
  const { rows } = await db.query<{ upper: string; lower: string | null; recorded_at: Date }>(
    `SELECT b.horizon::text AS upper, b.recorded_at,
            (SELECT p.horizon::text FROM cell.linkage_day_boundaries p WHERE p.day < b.day ORDER BY p.day DESC LIMIT 1) AS lower
       FROM cell.linkage_day_boundaries b WHERE b.day = $1::date`,
    [day],
  );
  const r = rows[0];
  if (r) return { day, lower: r.lower ?? '0', upper: r.upper, closedAt: r.recorded_at.toISOString() };
  // Recorded days follow each other without a gap from the first on: a later one means this one is before the first.
  const later = await db.query('SELECT 1 FROM cell.linkage_day_boundaries WHERE day > $1::date LIMIT 1', [day]);
  return later.rows.length > 0 ? 'before_first' : 'not_closed';
}

/** How many events of these topics a day's file holds, and how many rows (one per resident named, one for an event naming none). */
export async function countDayEvents(db: pg.ClientBase, range: DayRange, topics: readonly string[]): Promise<{ events: number; rows: number }> {
  const { rows } = await db.query<{ events: string; rows: string }>(
    `SELECT count(*)::text AS events,
            coalesce(sum(CASE WHEN jsonb_typeof(o.payload->'residentIds') = 'array' THEN greatest(1, jsonb_array_length(o.payload->'residentIds')) ELSE 1 END), 0)::text AS rows
       FROM cell.outbox o
      WHERE o.txid >= $1::xid8 AND o.txid < $2::xid8 AND o.topic = ANY($3::text[])`,
    [range.lower, range.upper, topics],
  );
  return { events: Number(rows[0]!.events), rows: Number(rows[0]!.rows) };
}

/** A page of a day's events after a position, in feed order (like eventsAfter, within the day's range). */
export async function dayEventsAfter(db: pg.ClientBase, range: DayRange, after: FeedPosition, topics: readonly string[], limit: number): Promise<StoredEvent[]> {
  const { rows } = await db.query<EventRowDb>(
    // The range's upper bound was the oldest running transaction when the day closed, so every event below it is
    // final; the feed's own bound is repeated only as a guard (it cannot be lower).
    `SELECT o.txid::text AS txid, o.seq::text AS seq, o.id, o.topic, o.payload, o.created_at
       FROM cell.outbox o
      WHERE o.txid >= $1::xid8 AND o.txid < $2::xid8
        AND (o.txid, o.seq) > ($3::xid8, $4::bigint)
        AND o.txid < pg_snapshot_xmin(pg_current_snapshot())
        AND o.topic = ANY($5::text[])
      ORDER BY o.txid, o.seq
      LIMIT $6`,
    [range.lower, range.upper, after.txid, after.seq, topics, limit],
  );
  return rows.map(eventFrom);
}

export interface DaySummary {
  readonly day: string;
  readonly events: number;
  readonly closedAt: string;
}

/** The recorded days before `before` (all when null), newest first, with how many events of these topics each file holds. */
export async function listDays(db: pg.ClientBase, topics: readonly string[], before: string | null, limit: number): Promise<DaySummary[]> {
  const { rows } = await db.query<{ day: string; events: string; recorded_at: Date }>(
    `WITH b AS (SELECT day, horizon, recorded_at, lag(horizon) OVER (ORDER BY day) AS lower FROM cell.linkage_day_boundaries),
          page AS (SELECT * FROM b WHERE $1::date IS NULL OR day < $1::date ORDER BY day DESC LIMIT $2)
     SELECT to_char(page.day, 'YYYY-MM-DD') AS day, page.recorded_at,
            (SELECT count(*) FROM cell.outbox o
              WHERE o.txid >= coalesce(page.lower, '0'::xid8) AND o.txid < page.horizon AND o.topic = ANY($3::text[]))::text AS events
       FROM page ORDER BY page.day DESC`,
    [before, limit, topics],
  );
  return rows.map((r) => ({ day: r.day, events: Number(r.events), closedAt: r.recorded_at.toISOString() }));
}
