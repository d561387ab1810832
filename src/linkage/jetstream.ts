/**
 * The NATS JetStream relay, for when one process is not enough: every
 * municipality's feed (the outbox read in feed order up to the oldest running
 * transaction, store.ts `eventsAfter`) is published to a JetStream stream, and
 * a subscription may be consumed from there by any number of processes.
 *
 * The guarantees are those of the built-in path (docs/linkage.md):
 *
 * - Nothing lost: the relay's cursor (`cell.linkage_internal_cursors`,
 *   consumer `jetstream`) moves past a batch only after JetStream acknowledged
 *   every message of it, and the feed it reads never finds an event behind a
 *   position already passed.
 * - Nothing doubled in effect: each message carries `Nats-Msg-Id` = the event
 *   id, so a batch published again after a crash (before the cursor moved) is
 *   dropped by JetStream within its duplicate window; beyond it, the consumer's
 *   handler deduplicates on the event id, as every linkage consumer must.
 * - Order per resident: one publisher per municipality at a time (a session
 *   advisory lock), each message published only after the one before it was
 *   acknowledged; the consumer has one message out at a time and acks it only
 *   after its handler resolved, so a redelivery comes before the next event.
 * - No one waits for anyone else: a pass relays at most a batch per
 *   municipality, several municipalities at once.
 *
 * The broker holds no personal data: a message is the stored envelope with the
 * outbox's payload (ids only). The consumer side enriches each event with the
 * subscription's entitled fields from the register, in the municipality's
 * tenant transaction, exactly as the pull feed does, and audits it.
 */
import { randomUUID } from 'node:crypto';
import {
  AckPolicy,
  connect,
  DeliverPolicy,
  DiscardPolicy,
  nanos,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  type StreamConfig,
} from 'nats';
import type pg from 'pg';
import type { Logger } from 'pino';
import { inTenantTransaction } from '../platform/database.js';
import { Problem } from '../platform/errors.js';
import type { Platform } from '../platform/http/server.js';
import { recordGroups, recordJobAction, type JobContext } from '../security/audit/record.js';
import type { Source } from '../security/audit/entry.js';
import { TOPICS } from './catalogue.js';
import { deliveredEvents, eventEnvelope, type DeliveredEvent } from './feed.js';
import type { FeedPosition } from './feed-position.js';
import { eventById, eventsAfter, internalCursor, moveInternalCursor, subscriptionById, type StoredEvent } from './store.js';
import { listenToOutboxes } from './outbox-listener.js';
import { municipalitiesIn, type PassScope } from './pass-scope.js';
import { runInBackground, type BackgroundLoop } from './worker.js';

export const EVENT_STREAM = 'MUNICLOUD_EVENTS';
export const SUBJECT_PREFIX = 'municloud.events';

/** The relay's name among the platform's own consumers of a municipality's feed (its row in linkage_internal_cursors). */
export const RELAY_CONSUMER = 'jetstream';

/** The advisory-lock class of the relay (the other key is a hash of the municipality code); 4_812 and 4_813 are taken. */
const RELAY_LOCK_CLASS = 4_814;

// ---------------------------------------------------------------------------
// Pure parts: subjects, the message, the consumer's filter

/** `municloud.events.<municipalityCode>.<topic>`: a consumer filters on the municipality, and on topics where the server can. */
export function eventSubject(municipalityCode: string, topic: string): string {
  return `${SUBJECT_PREFIX}.${municipalityCode}.${topic}`;
}

/** Every subject of one municipality. */
export function municipalitySubjects(municipalityCode: string): string {
  return `${SUBJECT_PREFIX}.${municipalityCode}.>`;
}

/** What the broker holds of an event: the envelope of a delivered event, with the outbox's payload, which carries ids only (never the residents). */
export type RelayedEvent = DeliveredEvent;

export function relayedEvent(municipalityCode: string, e: StoredEvent): RelayedEvent {
  return eventEnvelope(municipalityCode, e, e.payload);
}

/**
 * The filter of a subscription's durable consumer. Several filter subjects
 * need a 2.10 server; on an older one a subscription of several topics filters
 * on its municipality and the consumer skips the other topics (it checks the
 * topic anyway). Pure.
 */
export function consumerFilter(municipalityCode: string, topics: readonly string[], multipleFilters: boolean): Pick<ConsumerConfig, 'filter_subject' | 'filter_subjects'> {
  if (topics.length === 1) return { filter_subject: eventSubject(municipalityCode, topics[0]!) };
  if (multipleFilters) return { filter_subjects: topics.map((t) => eventSubject(municipalityCode, t)) };
  return { filter_subject: municipalitySubjects(municipalityCode) };
}

/** Whether a server (its version as announced, `2.10.7`) takes several filter subjects on one consumer. Pure. */
export function supportsFilterSubjects(version: string | undefined): boolean {
  const [major, minor] = (version ?? '0.0').split('.').map((n) => Number.parseInt(n, 10));
  return (major ?? 0) > 2 || ((major ?? 0) === 2 && (minor ?? 0) >= 10);
}

/** The durable consumer of a subscription (subscription ids are UUIDs: unique across municipalities, and valid in a consumer name). */
export function durableName(subscriptionId: string): string {
  return `subscription-${subscriptionId}`;
}

// ---------------------------------------------------------------------------
// The stream

export interface StreamOptions {
  /** Default MUNICLOUD_EVENTS. */
  readonly name?: string;
  /** How long JetStream remembers a Nats-Msg-Id to drop a second copy; default 2 minutes. */
  readonly duplicateWindowMs?: number;
  /** How long a message is kept; default 0, for ever (like the outbox). A consumer further behind than this loses messages. */
  readonly maxAgeMs?: number;
  /** Copies in a JetStream cluster; default 1 (a single server). */
  readonly replicas?: number;
}

/** Creates the events stream, or brings an existing one to these settings. */
export async function ensureStream(jsm: JetStreamManager, options: StreamOptions = {}): Promise<void> {
  const name = options.name ?? EVENT_STREAM;
  const settings = {
    subjects: [`${SUBJECT_PREFIX}.>`],
    duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
    max_age: nanos(options.maxAgeMs ?? 0),
    num_replicas: options.replicas ?? 1,
  };
  if (await exists(() => jsm.streams.info(name))) {
    await jsm.streams.update(name, settings);
    return;
  }
  const config: Partial<StreamConfig> = {
    name,
    ...settings,
    // On disk: a restart of the server loses nothing the relay was told is stored.
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
  };
  await jsm.streams.add(config);
}

/** Whether a JetStream object exists: its info answers, or the server says it is not found (any other failure is thrown). */
async function exists(info: () => Promise<unknown>): Promise<boolean> {
  try {
    await info();
    return true;
  } catch (err) {
    const code = (err as { api_error?: { err_code?: number; code?: number } }).api_error;
    if (code?.code === 404) return false;
    throw err;
  }
}

// ---------------------------------------------------------------------------
// The relay

export interface RelayOptions {
  readonly stream?: string;
  /** Events relayed per municipality per pass, before the others get their turn; default 100. */
  readonly batch?: number;
  /** Municipalities relayed at once; default 4. */
  readonly concurrency?: number;
  /** The municipalities to look at (those whose outbox announced news); default all placed ones. */
  readonly scope?: PassScope;
}

export interface RelayReport {
  /** Messages JetStream stored. */
  published: number;
  /** Messages it had already (a batch relayed again after an interruption). */
  duplicates: number;
  /** Municipalities with more events waiting than a pass relays. */
  readonly waiting: string[];
  /** Municipalities whose pass failed (their cell, or the broker): they are tried again next pass. */
  readonly failed: string[];
}

/** One pass of the relay over every placed municipality. */
export async function relayToJetStream(platform: Platform, js: JetStreamClient, options: RelayOptions = {}): Promise<RelayReport> {
  const report: RelayReport = { published: 0, duplicates: 0, waiting: [], failed: [] };
  const queue = await municipalitiesIn(platform, options.scope);
  const workers = Array.from({ length: Math.min(options.concurrency ?? 4, queue.length) }, async () => {
    for (let code = queue.shift(); code; code = queue.shift()) {
      try {
        await relayMunicipality(platform, js, code, options, report);
      } catch (err) {
        // One municipality's trouble must not stop the others; its cursor has not moved, so nothing is lost.
        report.failed.push(code);
        platform.log.error({ err: errorOf(err), municipality: code }, 'jetstream relay failed');
      }
    }
  });
  await Promise.all(workers);
  return report;
}

async function relayMunicipality(platform: Platform, js: JetStreamClient, municipalityCode: string, options: RelayOptions, report: RelayReport): Promise<void> {
  const pool = await platform.cells.poolFor(municipalityCode);
  const batch = options.batch ?? 100;
  const stream = options.stream ?? EVENT_STREAM;
  // A session lock (no transaction id held, so feeds are not held back): one publisher per municipality,
  // so its messages enter the stream in feed order even when several relay processes run.
  const lock = await pool.connect();
  try {
    const { rows } = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [RELAY_LOCK_CLASS, municipalityCode]);
    if (!rows[0]!.ok) return; // another process is relaying it
    try {
      const { events, after } = await inTenantTransaction(pool, municipalityCode, async (db) => {
        const at = await internalCursor(db, RELAY_CONSUMER);
        return { events: await eventsAfter(db, at, TOPICS, batch), after: at };
      });
      if (events.length === 0) return;
      let stored: FeedPosition | null = null;
      try {
        for (const e of events) {
          // Each publish waits for its acknowledgement: the next event is sent only once this one is stored.
          const ack = await js.publish(eventSubject(municipalityCode, e.topic), JSON.stringify(relayedEvent(municipalityCode, e)), {
            msgID: e.id,
            expect: { streamName: stream },
          });
          if (ack.duplicate) report.duplicates++;
          else report.published++;
          stored = e.position;
        }
      } finally {
        // The cursor moves past what JetStream acknowledged, in one short transaction, also when the batch broke off
        // (the broker went away): only the rest is published again. A crash before this publishes the batch again.
        if (stored) {
          const to = stored;
          await inTenantTransaction(pool, municipalityCode, (db) => moveInternalCursor(db, RELAY_CONSUMER, after, to));
        }
      }
      if (events.length === batch) report.waiting.push(municipalityCode);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1, hashtext($2))', [RELAY_LOCK_CLASS, municipalityCode]);
    }
  } finally {
    lock.release();
  }
}

/**
 * Runs relay passes in the background until stopped: connects to NATS
 * (retrying while it cannot), makes sure of the stream, then a pass every
 * half second, or at once while a municipality has more waiting.
 */
export function startJetStreamRelay(
  platform: Platform,
  log: Logger,
  options: RelayOptions & StreamOptions & { url: string; idleMs?: number },
): BackgroundLoop {
  let nc: NatsConnection | null = null;
  let js: JetStreamClient | null = null;
  const relay = { ...options, stream: options.name ?? EVENT_STREAM };
  // The URL may carry credentials: it is never logged (runInBackground logs an error's name and code only).
  const loop = runInBackground(
    log,
    'jetstream relay pass',
    async (scope) => {
      // The client reconnects by itself once connected; until then each pass tries again.
      nc ??= await connect({ servers: options.url.split(','), name: 'municloud-jetstream-relay', maxReconnectAttempts: -1 });
      if (!js) {
        await ensureStream(await nc.jetstreamManager(), options);
        js = nc.jetstream();
      }
      return (await relayToJetStream(platform, js, { ...relay, scope })).waiting.length > 0;
    },
    { idleMs: options.idleMs },
    async () => {
      await listener.stop();
      if (nc && !nc.isClosed()) await nc.drain();
    },
  );
  // A commit with events starts the next pass at once for its municipality (commit-to-stream latency); sweeps cover the rest.
  const listener = listenToOutboxes(platform, log, (code) => loop.wake(code));
  return loop;
}

// ---------------------------------------------------------------------------
// The consumer side

export interface ConsumeOptions {
  readonly stream?: string;
  /** Where a new durable consumer starts: every event still in the stream (default), or only those relayed from now on. */
  readonly startAt?: 'first_event' | 'now';
  /** How long a message whose handler failed waits before it comes again; default 1 s. */
  readonly retryDelayMs?: number;
  /** How long JetStream waits for an ack before it sends a message again; the handler's progress keeps it waiting. Default 60 s. */
  readonly ackWaitMs?: number;
  /** Where the handler runs, for the audit log; default the platform's own processes (`operator`). */
  readonly source?: Source;
}

export interface SubscriptionConsumer {
  stop(): Promise<void>;
  /** Ends (never rejects) when stopped, when the subscription was revoked, or when the broker ended the consumer (logged); the last two stop it by themselves. */
  readonly finished: Promise<'stopped' | 'revoked' | 'failed'>;
}

/**
 * Consumes one subscription from JetStream: its durable pull consumer
 * (created on first use) hands each event, enriched and audited as the pull
 * feed would deliver it, to `handler`, one at a time in feed order, and acks
 * it only once the handler resolved. A handler that throws gets the same
 * event again after `retryDelayMs`; a crash anywhere gets it again after the
 * ack wait. So the handler deduplicates on the event id, ideally in the same
 * transaction as its effects, and each event takes effect once.
 */
export async function consumeSubscriptionFromJetStream(
  platform: Platform,
  nc: NatsConnection,
  subscription: { municipalityCode: string; subscriptionId: string },
  handler: (event: DeliveredEvent) => Promise<void>,
  options: ConsumeOptions = {},
): Promise<SubscriptionConsumer> {
  const { municipalityCode, subscriptionId } = subscription;
  const stream = options.stream ?? EVENT_STREAM;
  const pool = await platform.cells.poolFor(municipalityCode);
  const sub = await inTenantTransaction(pool, municipalityCode, (db) => subscriptionById(db, subscriptionId));
  if (!sub) throw new Problem('not_found');
  if (sub.revokedAt) throw new Problem('subscription_revoked');
  if (sub.delivery !== 'pull') {
    throw new Problem('conflict', [], {
      ja: 'Webhook の購読はプラットフォームが配信します。JetStream からは pull の購読を受け取ります。',
      en: 'A webhook subscription is delivered by the platform; JetStream consumes pull subscriptions.',
    });
  }

  const jsm = await nc.jetstreamManager();
  const name = durableName(sub.id);
  const ackWaitMs = options.ackWaitMs ?? 60_000;
  if (!(await exists(() => jsm.consumers.info(stream, name)))) {
    await jsm.consumers.add(stream, {
      durable_name: name,
      ...consumerFilter(municipalityCode, sub.topics, supportsFilterSubjects(nc.info?.version)),
      deliver_policy: options.startAt === 'now' ? DeliverPolicy.New : DeliverPolicy.All,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(ackWaitMs),
      // One message out at a time: a message handed back comes again before the next, so the order holds.
      max_ack_pending: 1,
    });
  }
  // The server hands out one unacknowledged message at a time (max_ack_pending above): a larger pull only saves
  // the client asking again after each message, which cost seconds when the pull had to expire first.
  const messages = await (await nc.jetstream().consumers.get(stream, name)).consume({ max_messages: 100 });

  const job: JobContext = {
    actor: { account: sub.consumerAccountId, roles: ['linkage_subscriber'], organization: municipalityCode },
    source: options.source ?? { zone: 'operator', address: null },
    runId: randomUUID(),
  };
  const finished = (async (): Promise<'stopped' | 'revoked' | 'failed'> => {
    try {
      for await (const m of messages) {
        try {
          const step = await deliverMessage(platform, pool, municipalityCode, subscriptionId, job, m, handler, ackWaitMs);
          if (step === 'revoked') {
            m.nak();
            messages.stop();
            return 'revoked';
          }
          await m.ackAck();
        } catch (err) {
          // The handler, the register or the audit log failed: the same event comes again, before any later one.
          platform.log.warn({ err: errorOf(err), subscription: subscriptionId, streamSeq: m.seq }, 'jetstream event not consumed yet');
          m.nak(options.retryDelayMs ?? 1000);
        }
      }
      return 'stopped';
    } catch (err) {
      // The consumer or its stream is gone for good: nothing was acked that was not handled.
      platform.log.error({ err: errorOf(err), subscription: subscriptionId }, 'jetstream consumer ended');
      return 'failed';
    }
  })();
  return {
    async stop() {
      messages.stop();
      await finished;
    },
    finished,
  };
}

/** Hands one message's event to the handler (unless it is of a topic the subscription does not take); 'revoked' when the subscription no longer stands. */
async function deliverMessage(
  platform: Platform,
  pool: pg.Pool,
  municipalityCode: string,
  subscriptionId: string,
  job: JobContext,
  m: JsMsg,
  handler: (event: DeliveredEvent) => Promise<void>,
  ackWaitMs: number,
): Promise<'delivered' | 'skipped' | 'revoked'> {
  const eventId = m.headers?.get('Nats-Msg-Id') ?? '';
  const prepared = await inTenantTransaction(pool, municipalityCode, async (db) => {
    // The subscription is read again for every event: a revocation stops delivery at once.
    const sub = await subscriptionById(db, subscriptionId);
    if (!sub || sub.revokedAt) return 'revoked' as const;
    // The event is read from the outbox in the municipality's own transaction: the broker's copy is only a pointer to it.
    const stored = UUID.test(eventId) ? await eventById(db, eventId) : null;
    if (!stored) {
      // Not an event of this municipality's outbox (the relay publishes only those): nothing to hand over, ever.
      platform.log.warn({ subscription: subscriptionId, streamSeq: m.seq }, 'jetstream message names no event of the municipality');
      return 'skipped' as const;
    }
    // A topic the subscription does not take (on a server that filters by municipality only).
    if (!sub.topics.includes(stored.topic)) return 'skipped' as const;
    const [delivered] = await deliveredEvents(db, platform, municipalityCode, sub, [stored]);
    // On record before the handler sees it (fail closed: no entry, no delivery), as a page of the pull feed
    // (in as many entries as its ids take, each naming the subscription).
    const groups = recordGroups(
      [
        { resource: 'resident_changes', ids: [stored.id] },
        { resource: 'residents', ids: (stored.payload.residentIds as string[] | undefined) ?? [] },
      ],
      [{ resource: 'linkage_subscriptions', ids: [sub.id] }],
    );
    for (const records of groups) await recordJobAction(platform, job, 'personal_data_export', { municipality: municipalityCode, purpose: sub.purpose, records });
    return delivered!;
  });
  if (prepared === 'revoked' || prepared === 'skipped') return prepared;
  // A handler that works longer than the ack wait keeps its message: JetStream is told it is in progress.
  const progress = setInterval(() => m.working(), Math.max(1000, Math.floor(ackWaitMs / 3)));
  try {
    await handler(prepared);
  } finally {
    clearInterval(progress);
  }
  return 'delivered';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What of an error may be logged: its kind, never its message (it may quote data). */
const errorOf = (err: unknown) => ({ name: (err as Error).name, code: (err as { code?: string }).code });
