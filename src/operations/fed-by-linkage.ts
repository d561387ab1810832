/**
 * The platform's own operations fed by linkage (National Health Insurance,
 * child allowance, residential tax): each reads its municipality's register
 * events through a subscription the municipality's admin declared and chose
 * for it, exactly as a receiving system would get them, and applies them to
 * its own tables.
 *
 * What they share lives here: which subscription an operation reads with
 * (cell.operation_feeds), whether a subscription can feed it, and the batch
 * loop. A batch's export is recorded in the audit log before anything is used;
 * its effects and the move of the operation's cursor
 * (cell.linkage_internal_cursors) are one tenant transaction, so a crash at
 * any point leaves the batch applied with its cursor or not at all. One
 * process at a time works on a municipality's batch (a transaction advisory
 * lock; the others skip it). What an event does is the operation's own pure
 * rules, behind `applyBatch`.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ResidentField, SubscribingOperation } from '../linkage/entitlements.js';
import { deliveredEvents, type DeliveredEvent } from '../linkage/feed.js';
import { municipalitiesIn, type PassScope } from '../linkage/pass-scope.js';
import { eventsAfter, internalCursor, moveInternalCursor, subscriptionById, type StoredEvent, type Subscription } from '../linkage/store.js';
import { inTenantTransaction } from '../platform/database.js';
import type { Platform } from '../platform/http/server.js';
import { recordGroups, recordJobAction, type JobContext } from '../security/audit/record.js';

/** An operation module fed by linkage, as the batch loop and the settings routes see it. */
export interface FedOperation<Effects extends Record<string, number>> {
  /** Its name among the consumers of a municipality's feed (cursor and setting). */
  readonly consumer: string;
  readonly operation: SubscribingOperation;
  /** The legal purpose it reads the register for (security/access/purposes.ts). */
  readonly purpose: string;
  /** The fields its rules need: a subscription without one of them is refused. */
  readonly requiredFields: readonly ResidentField[];
  /** The topics it must receive: a subscription missing one would leave its records wrong, so it is refused. */
  readonly requiredTopics: readonly string[];
  /** Its advisory-lock class (the other key is a hash of the municipality code); see LOCK_CLASSES. */
  readonly lockClass: number;
  /** What a batch did, all zero. */
  readonly nothing: Effects;
  /**
   * Applies a batch's events in feed order inside the transaction that will
   * move the cursor; answers what it did. Must call `afterEvent` after each
   * event (tests crash there).
   */
  applyBatch(batch: FedBatch): Promise<Effects>;
}

/**
 * Advisory-lock classes in use, so that a new one does not collide: 4812–4814 the register and linkage, 4815 NHI,
 * 4816 child allowance, 4817 residential tax's feed, 4818 a residential tax assessment run (one per municipality and year);
 * 4820 the linkage daily file's day closing (src/linkage/store.ts).
 */
export const LOCK_CLASSES = { nationalHealthInsurance: 4_815, childAllowance: 4_816, residentialTax: 4_817, residentialTaxAssessment: 4_818 } as const;

export interface FedBatch {
  readonly db: pg.ClientBase;
  readonly platform: Platform;
  readonly municipalityCode: string;
  readonly subscription: Subscription;
  /** The events as stored, in feed order, and as the subscription delivers them (same order). */
  readonly stored: readonly StoredEvent[];
  readonly delivered: readonly DeliveredEvent[];
  readonly afterEvent: (event: DeliveredEvent) => Promise<void>;
}

export interface FedPassOptions {
  /** The municipalities to look at (those whose outbox announced news); default all placed ones. */
  readonly scope?: PassScope;
  /** Events per municipality per pass (default 200); a municipality with more gets its next batch in the next pass. */
  readonly batch?: number;
  /**
   * Called after each event's effects, inside the batch's transaction, before
   * the cursor moves and anything commits. For tests: throwing here is a crash
   * in the middle of a batch.
   */
  readonly afterEvent?: (event: DeliveredEvent, db: pg.ClientBase) => void | Promise<void>;
}

export type FedPassReport<Effects> = Effects & {
  /** Events the cursors moved past (with or without effect). */
  applied: number;
  /** Municipalities whose batch failed this pass (nothing of it applied). */
  failed: number;
};

/** Why a subscription cannot feed an operation, if it cannot: one code per rule (also the settings route's answer). */
export type SubscriptionUnfit = 'not_found' | 'revoked' | 'wrong_purpose' | 'webhook' | 'fields_missing' | 'topics_missing';

/** What is wrong with a subscription as an operation's source, if anything. Pure. */
export function subscriptionUnfit(op: Pick<FedOperation<Record<string, number>>, 'operation' | 'purpose' | 'requiredFields' | 'requiredTopics'>, sub: Subscription | null): SubscriptionUnfit[] {
  if (!sub) return ['not_found'];
  const problems: SubscriptionUnfit[] = [];
  if (sub.revokedAt) problems.push('revoked');
  if (sub.operation !== op.operation || sub.purpose !== op.purpose) problems.push('wrong_purpose');
  // A webhook subscription's events go to its receiving system; reading it here too would deliver them twice under one declaration.
  if (sub.delivery !== 'pull') problems.push('webhook');
  if (op.requiredFields.some((f) => !sub.fields.includes(f))) problems.push('fields_missing');
  if (op.requiredTopics.some((t) => !sub.topics.includes(t))) problems.push('topics_missing');
  return problems;
}

export interface FeedSetting {
  readonly subscriptionId: string;
  readonly setBy: string | null;
  readonly setAt: string;
}

/** The subscription an operation reads the tenant's register with, if its admin set one. */
export async function feedSetting(db: pg.ClientBase, consumer: string): Promise<FeedSetting | null> {
  const { rows } = await db.query<{ subscription_id: string; set_by: string | null; set_at: Date }>(
    'SELECT subscription_id, set_by, set_at FROM cell.operation_feeds WHERE consumer = $1',
    [consumer],
  );
  const r = rows[0];
  return r ? { subscriptionId: r.subscription_id, setBy: r.set_by, setAt: r.set_at.toISOString() } : null;
}

export async function setFeedSetting(db: pg.ClientBase, consumer: string, subscriptionId: string, setBy: string): Promise<FeedSetting> {
  await db.query(
    `INSERT INTO cell.operation_feeds (municipality_code, consumer, subscription_id, set_by) VALUES (cell.current_municipality(), $1, $2, $3)
     ON CONFLICT (municipality_code, consumer) DO UPDATE SET subscription_id = EXCLUDED.subscription_id, set_by = EXCLUDED.set_by, set_at = now()`,
    [consumer, subscriptionId, setBy],
  );
  return (await feedSetting(db, consumer))!;
}

/**
 * One pass over the municipalities in scope that have set the operation's
 * subscription: at most one batch each, applied with its cursor in one
 * transaction. One municipality's failure (its cell, its keys, an event the
 * rules refuse) is logged by name and code and leaves its batch for the next
 * pass; the others go on.
 */
export async function applyFedEvents<Effects extends Record<string, number>>(
  platform: Platform,
  op: FedOperation<Effects>,
  options: FedPassOptions = {},
): Promise<FedPassReport<Effects>> {
  const effects: Record<string, number> = { ...op.nothing };
  let applied = 0;
  let failed = 0;
  const runId = randomUUID();
  for (const municipalityCode of await municipalitiesIn(platform, options.scope)) {
    try {
      const done = await applyBatch(platform, op, municipalityCode, runId, options);
      if (!done) continue;
      applied += done.applied;
      for (const [k, v] of Object.entries(done.effects)) effects[k] = (effects[k] ?? 0) + v;
    } catch (err) {
      failed++;
      platform.log.error({ err: { name: (err as Error).name, code: (err as { code?: string }).code }, municipality: municipalityCode, consumer: op.consumer }, 'operation batch failed');
    }
  }
  return { ...(effects as Effects), applied, failed };
}

/** One batch of one municipality, with its cursor, in one tenant transaction; what it did once committed (null: nothing to do). */
async function applyBatch<Effects extends Record<string, number>>(
  platform: Platform,
  op: FedOperation<Effects>,
  municipalityCode: string,
  runId: string,
  options: FedPassOptions,
): Promise<{ applied: number; effects: Effects } | null> {
  const pool = await platform.cells.poolFor(municipalityCode);
  return inTenantTransaction(pool, municipalityCode, async (db) => {
    const setting = await feedSetting(db, op.consumer);
    if (!setting) return null;
    // Another process on this municipality: it has the batch; this pass skips it. (A lock takes no transaction id: feeds are not held back.)
    const { rows } = await db.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok', [op.lockClass, municipalityCode]);
    if (!rows[0]!.ok) return null;
    const sub = await subscriptionById(db, setting.subscriptionId);
    const unfit = subscriptionUnfit(op, sub);
    const warnKey = `${op.consumer}:${municipalityCode}`;
    if (unfit.length > 0 || !sub) {
      // Revoked since it was set, say: nothing is read until the admin sets a subscription that may feed the operation.
      // Said once per process and cause, not every half second.
      if (unfitWarned.get(warnKey) !== unfit.join()) platform.log.warn({ municipality: municipalityCode, consumer: op.consumer, reasons: unfit }, 'operation subscription cannot be read');
      unfitWarned.set(warnKey, unfit.join());
      return null;
    }
    unfitWarned.delete(warnKey);
    const after = await internalCursor(db, op.consumer);
    const stored = await eventsAfter(db, after, sub.topics, options.batch ?? 200);
    if (stored.length === 0) return null;
    const delivered = await deliveredEvents(db, platform, municipalityCode, sub, stored);
    // On record before anything is used, as the subscription's export to its receiving system (a platform job, like a webhook's).
    const job: JobContext = {
      actor: { account: sub.consumerAccountId, roles: ['linkage_subscriber'], organization: municipalityCode },
      source: { zone: 'operator', address: null },
      runId,
    };
    const groups = recordGroups(
      [
        { resource: 'resident_changes', ids: stored.map((e) => e.id) },
        { resource: 'residents', ids: [...new Set(stored.flatMap(residentIdsOf))] },
      ],
      [{ resource: 'linkage_subscriptions', ids: [sub.id] }],
    );
    for (const records of groups) await recordJobAction(platform, job, 'personal_data_export', { municipality: municipalityCode, purpose: sub.purpose, records });

    const effects = await op.applyBatch({
      db,
      platform,
      municipalityCode,
      subscription: sub,
      stored,
      delivered,
      afterEvent: async (event) => options.afterEvent?.(event, db),
    });
    // In the same transaction as the effects: both commit, or neither.
    await moveInternalCursor(db, op.consumer, after, stored.at(-1)!.position);
    return { applied: stored.length, effects };
  });
}

const unfitWarned = new Map<string, string>();

/** The residents an event names (its stored payload's ids). */
export const residentIdsOf = (e: StoredEvent): string[] => (e.payload.residentIds as string[] | undefined) ?? [];
