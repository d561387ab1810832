/** Linkage storage in the cell: subscriptions and reading the outbox as a feed. Every query runs in a tenant transaction. */
import type pg from 'pg';
import type { ResidentField } from './entitlements.js';
import type { FeedPosition } from './feed-position.js';

export interface Subscription {
  readonly id: string;
  readonly name: string;
  readonly operation: string;
  readonly purpose: string;
  readonly topics: string[];
  readonly fields: ResidentField[];
  readonly consumerAccountId: string;
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
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
};

const COLUMNS = 'id, name, operation, purpose, topics, fields, consumer_account_id, created_by, created_at, revoked_at';
const fromDb = (r: SubscriptionRowDb): Subscription => ({
  id: r.id,
  name: r.name,
  operation: r.operation,
  purpose: r.purpose,
  topics: r.topics,
  fields: r.fields,
  consumerAccountId: r.consumer_account_id,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

export async function insertSubscription(
  db: pg.ClientBase,
  s: Omit<Subscription, 'createdAt' | 'revokedAt'>,
): Promise<Subscription> {
  const { rows } = await db.query<SubscriptionRowDb>(
    `INSERT INTO cell.linkage_subscriptions (municipality_code, id, name, operation, purpose, topics, fields, consumer_account_id, created_by)
     VALUES (cell.current_municipality(), $1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
    [s.id, s.name, s.operation, s.purpose, s.topics, s.fields, s.consumerAccountId, s.createdBy],
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
    `SELECT txid::text AS txid, seq::text AS seq, id, topic, payload, created_at
       FROM cell.outbox
      WHERE (txid, seq) > ($1::xid8, $2::bigint)
        AND txid < pg_snapshot_xmin(pg_current_snapshot())
        AND topic = ANY($3::text[])
      ORDER BY txid, seq
      LIMIT $4`,
    [after.txid, after.seq, topics, limit],
  );
  return rows.map((r) => ({ position: { txid: r.txid, seq: r.seq }, id: r.id, topic: r.topic, payload: r.payload, recordedAt: r.created_at.toISOString() }));
}

/** Which of these residents are under a support measure now. */
export async function restrictedResidents(db: pg.ClientBase, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await db.query<{ id: string }>('SELECT id FROM cell.residents WHERE id = ANY($1::uuid[]) AND support_measure', [ids]);
  return new Set(rows.map((r) => r.id));
}
