/**
 * Webhook delivery: the platform POSTs each event of a webhook subscription,
 * signed (webhook-signature.ts), to the subscription's URL, one at a time in
 * feed order, retrying with back-off (delivery-policy.ts).
 *
 * - At least once: the position moves past an event only after the receiver
 *   answered 2xx, in a transaction of its own; a crash in between sends the
 *   event again, with the same `municloud-event-id`, which the receiver
 *   deduplicates on. So effects happen exactly once.
 * - An event that fails for about a day, or that the receiver keeps refusing
 *   (a poison event), becomes a dead letter and the others go on; later events
 *   of the same residents are held back as dead letters too, so that each
 *   resident's events still arrive in order once an admin replays them.
 * - One subscription's backlog or hanging endpoint never holds up another's:
 *   each pass works on several subscriptions at once, a few events each, and
 *   a request waits at most the policy's timeout.
 * - Personal data goes only to the municipality's My Number zone: the URL's
 *   host is resolved and checked before every attempt, and the request goes
 *   to that very address.
 * - Several server processes may run the worker: a session advisory lock per
 *   subscription (no transaction id held, so feeds are not held back) keeps
 *   two of them from delivering one subscription at once.
 */
import { randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { inTenantTransaction } from '../platform/database.js';
import type { Platform } from '../platform/http/server.js';
import { zoneOf } from '../security/access/network-zones.js';
import { recordJobAction, type JobContext } from '../security/audit/record.js';
import { ENCRYPTED_COLUMNS } from '../security/keys/index.js';
import { DEFAULT_POLICY, describeOutcome, nextDelayMs, verdictOf, type DeliveryOutcome, type DeliveryPolicy } from './delivery-policy.js';
import { deliveredEvents } from './feed.js';
import { SIGNATURE_HEADER, signDelivery } from './webhook-signature.js';
import { municipalitiesIn, type PassScope } from './pass-scope.js';
import {
  advanceWebhook,
  dueWebhooks,
  eventById,
  eventsAfter,
  insertDeadLetter,
  nextReplay,
  resetWebhookAttempts,
  residentsHeldBack,
  retryWebhookLater,
  settleReplay,
  webhookSigningSecretsSealed,
  type StoredEvent,
  type WebhookState,
} from './store.js';

export const WEBHOOK_SECRET = ENCRYPTED_COLUMNS.register({ table: 'cell.linkage_subscriptions', column: 'webhook_secret_sealed' });
/** The secret a rotation replaced, sealed again under its own column (the column is in the associated data), while it still signs. */
export const WEBHOOK_PREVIOUS_SECRET = ENCRYPTED_COLUMNS.register({ table: 'cell.linkage_subscriptions', column: 'webhook_previous_secret_sealed' });

/** The advisory-lock class of webhook subscriptions (the other key is a hash of the subscription's id). */
const SUBSCRIPTION_LOCK_CLASS = 4_813;

export interface WebhookOptions {
  readonly policy?: DeliveryPolicy;
  readonly now?: () => Date;
  readonly random?: () => number;
  /** Subscriptions worked on at once, across municipalities. */
  readonly concurrency?: number;
  /** Events one subscription may deliver in a pass before the others get their turn. */
  readonly eventsPerPass?: number;
  /** The municipalities to look at (those whose outbox announced news); default all placed ones. */
  readonly scope?: PassScope;
}

export interface PassReport {
  delivered: number;
  failed: number;
  deadLettered: number;
}

/** One pass over every municipality's due webhook subscriptions. */
export async function deliverDueWebhooks(platform: Platform, options: WebhookOptions = {}): Promise<PassReport> {
  const now = options.now ?? (() => new Date());
  const report: PassReport = { delivered: 0, failed: 0, deadLettered: 0 };
  const due: { municipalityCode: string; state: WebhookState }[] = [];
  for (const municipalityCode of await municipalitiesIn(platform, options.scope)) {
    const pool = await platform.cells.poolFor(municipalityCode);
    for (const state of await inTenantTransaction(pool, municipalityCode, (db) => dueWebhooks(db, now()))) due.push({ municipalityCode, state });
  }
  const queue = [...due];
  const workers = Array.from({ length: Math.min(options.concurrency ?? 3, queue.length) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        await deliverSubscription(platform, next.municipalityCode, next.state, options, report);
      } catch (err) {
        // One subscription's trouble (its database, its keys) must not stop the others.
        platform.log.error({ err: { name: (err as Error).name, code: (err as { code?: string }).code }, subscription: next.state.subscription.id }, 'webhook delivery failed');
      }
    }
  });
  await Promise.all(workers);
  return report;
}

async function deliverSubscription(platform: Platform, municipalityCode: string, state: WebhookState, options: WebhookOptions, report: PassReport): Promise<void> {
  const pool = await platform.cells.poolFor(municipalityCode);
  const sub = state.subscription;
  const lock = await pool.connect();
  try {
    const { rows } = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [SUBSCRIPTION_LOCK_CLASS, sub.id]);
    if (!rows[0]!.ok) return; // another process is on it
    try {
      const policy = options.policy ?? DEFAULT_POLICY;
      const now = options.now ?? (() => new Date());
      const tenant = <T>(fn: Parameters<typeof inTenantTransaction<T>>[2]) => inTenantTransaction(pool, municipalityCode, fn);
      let { after, attempts } = state;
      for (let sent = 0; sent < (options.eventsPerPass ?? 20); sent++) {
        // Replays first, in feed order; then the next event after the position.
        const head = await tenant(async (db) => {
          const replay = await nextReplay(db, sub.id);
          if (replay) {
            const event = await eventById(db, replay.eventId);
            return event ? { event, replay: true as const } : null;
          }
          for (;;) {
            const [event] = await eventsAfter(db, after, sub.topics, 1);
            if (!event) return null;
            const residentIds = residentIdsOf(event);
            if (!(await residentsHeldBack(db, sub.id, residentIds))) return { event, replay: false as const };
            // An earlier event of one of its residents is set aside: this one waits with it, in order.
            await insertDeadLetter(db, sub.id, { event, residentIds, reason: 'held', attempts: 0, status: null, error: null });
            await advanceWebhook(db, sub.id, event.position, false);
            after = event.position;
            report.deadLettered++;
          }
        });
        if (!head) return;
        const outcome = await attempt(platform, municipalityCode, state, head.event, policy.timeoutMs, now);
        const verdict = verdictOf(outcome);
        const settled = await tenant(async (db) => {
          if (verdict === 'delivered') {
            if (head.replay) {
              await settleReplay(db, sub.id, head.event.id, { delivered: true });
              await resetWebhookAttempts(db, sub.id, true);
            } else await advanceWebhook(db, sub.id, head.event.position, true);
            return 'delivered' as const;
          }
          const tries = attempts + 1;
          const delay = nextDelayMs(verdict, tries, policy, options.random ?? Math.random);
          const status = 'status' in outcome ? outcome.status : null;
          const error = describeOutcome(outcome);
          if (delay === null) {
            if (head.replay) {
              await settleReplay(db, sub.id, head.event.id, { delivered: false, attempts: tries, status, error, dead: true });
              await resetWebhookAttempts(db, sub.id, false);
            } else {
              await insertDeadLetter(db, sub.id, { event: head.event, residentIds: residentIdsOf(head.event), reason: 'failed', attempts: tries, status, error });
              await advanceWebhook(db, sub.id, head.event.position, false);
            }
            return 'dead' as const;
          }
          if (head.replay) await settleReplay(db, sub.id, head.event.id, { delivered: false, attempts: tries, status, error, dead: false });
          await retryWebhookLater(db, sub.id, { attempts: tries, nextAttemptAt: new Date(now().getTime() + delay), status, error });
          return 'retry' as const;
        });
        if (settled === 'retry') {
          report.failed++;
          return; // its turn comes again when the delay is over
        }
        if (settled === 'dead') report.deadLettered++;
        else report.delivered++;
        if (!head.replay) after = head.event.position;
        attempts = 0;
      }
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1, hashtext($2))', [SUBSCRIPTION_LOCK_CLASS, sub.id]);
    }
  } finally {
    lock.release();
  }
}

const residentIdsOf = (e: StoredEvent) => (e.payload.residentIds as string[] | undefined) ?? [];

/** One attempt: build the event as the subscriber receives it, check where it goes, record the export, post it. */
async function attempt(platform: Platform, municipalityCode: string, state: WebhookState, event: StoredEvent, timeoutMs: number, now: () => Date): Promise<DeliveryOutcome> {
  const sub = state.subscription;
  const pool = await platform.cells.poolFor(municipalityCode);
  const { body, secrets } = await inTenantTransaction(pool, municipalityCode, async (db) => {
    const [delivered] = await deliveredEvents(db, platform, municipalityCode, sub, [event]);
    const sealed = await webhookSigningSecretsSealed(db, sub.id, now());
    if (!sealed) throw new Error('webhook subscription without a secret');
    const keys = await platform.keys.forMunicipality(municipalityCode);
    // The current secret first; the one a rotation replaced also signs until its time is up (a receiver may not have the new one yet).
    const secrets = [await keys.open(WEBHOOK_SECRET.field(sub.id), sealed.current)];
    if (sealed.previous) secrets.push(await keys.open(WEBHOOK_PREVIOUS_SECRET.field(sub.id), sealed.previous));
    return { body: JSON.stringify(delivered), secrets };
  });
  const url = new URL(sub.webhookUrl!);
  let address: string;
  try {
    address = (await lookup(url.hostname.replace(/^\[|\]$/g, ''))).address;
  } catch {
    return { error: 'network' };
  }
  if ((await zoneOf(platform.control, municipalityCode, address)) !== 'my_number') return { error: 'zone_refused' };
  // The export is on record before any byte leaves (fail closed: no entry, no delivery).
  const job: JobContext = {
    actor: { account: sub.consumerAccountId, roles: ['linkage_subscriber'], organization: municipalityCode },
    source: { zone: 'my_number', address },
    runId: randomUUID(),
  };
  await recordJobAction(platform, job, 'personal_data_export', {
    municipality: municipalityCode,
    purpose: sub.purpose,
    records: [
      { resource: 'linkage_subscriptions', ids: [sub.id] },
      { resource: 'resident_changes', ids: [event.id] },
      { resource: 'residents', ids: residentIdsOf(event) },
    ],
  });
  const timestamp = Math.floor(now().getTime() / 1000);
  return post(url, address, body, {
    'content-type': 'application/json',
    'municloud-event-id': event.id,
    'municloud-subscription-id': sub.id,
    [SIGNATURE_HEADER]: signDelivery(secrets, timestamp, body),
  }, timeoutMs);
}

/** POSTs to the URL at the address already checked (no second lookup), waiting at most timeoutMs; redirects are not followed. */
function post(url: URL, address: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<DeliveryOutcome> {
  return new Promise((resolve) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        lookup: (_host, options, callback) => {
          const family = address.includes(':') ? 6 : 4;
          if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
          else (callback as (e: null, a: string, f: number) => void)(null, address, family);
        },
      },
      (res) => {
        res.resume(); // the answer's body is not needed
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', () => resolve({ error: 'network' }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ error: 'timeout' });
    }, timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', () => resolve({ error: 'network' }));
    req.end(body);
  });
}
