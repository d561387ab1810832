/**
 * Pull feeds (the standard's pull principle): a subscriber reads its
 * subscription's events after the cursor it last kept. Events come in the
 * feed's order (feed-position.ts), so each resident's changes come in the
 * order they were recorded; a page read again gives the same events with the
 * same ids, so a consumer that keeps its cursor with its own effects applies
 * each event once.
 *
 * An event carries ids; a subscription that names fields receives, for each
 * resident the change touched, those fields as they stood right after the
 * change (the history folded up to it), whenever the page is read. Receiving
 * them is recorded in the audit log like an export.
 */
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { Platform, TenantContext } from '../platform/http/server.js';
import { Problem } from '../platform/errors.js';
import { foldPersons, HistoryError } from '../resident-register/history.js';
import type { ResidentRecord } from '../resident-register/record.js';
import { openChange } from '../resident-register/service.js';
import { changesTouching } from '../resident-register/store.js';
import type { RecordRef } from '../security/audit/entry.js';
import { recordAction, recordGroups } from '../security/audit/record.js';
import type { MunicipalityKeys } from '../security/keys/index.js';
import { eventType } from './catalogue.js';
import { projectResident } from './entitlements.js';
import { FEED_START, formatPosition, type FeedPosition } from './feed-position.js';
import { eventsAfter, restrictedResidents, subscriptionById, type StoredEvent, type Subscription } from './store.js';

export interface DeliveredEvent {
  readonly id: string;
  readonly topic: string;
  readonly version: number;
  readonly municipalityCode: string;
  readonly cursor: string;
  readonly recordedAt: string;
  readonly data: Record<string, unknown>;
}

export interface FeedPage {
  readonly items: DeliveredEvent[];
  /** Where to continue: the last event's cursor, or the one given when there was none. */
  readonly nextCursor: string;
}

/** The subscription, if it exists and this account is its consumer; a revoked one delivers nothing. */
export async function consumersSubscription(db: pg.ClientBase, subscriptionId: string, accountId: string): Promise<Subscription> {
  const sub = await subscriptionById(db, subscriptionId);
  // Another account's subscription is as invisible as a missing one.
  if (!sub || sub.consumerAccountId !== accountId) throw new Problem('not_found');
  if (sub.revokedAt) throw new Problem('subscription_revoked');
  return sub;
}

/** One page of a subscription's feed, read, enriched and audited in one tenant transaction. */
export async function readFeed(
  platform: Platform,
  request: FastifyRequest,
  tenant: TenantContext,
  sub: Subscription,
  after: FeedPosition | null,
  limit: number,
): Promise<FeedPage> {
  return tenant.run(async (db) => {
    const stored = await eventsAfter(db, after ?? FEED_START, sub.topics, limit);
    const items = await deliveredEvents(db, platform, tenant.municipalityCode, sub, stored);
    if (items.length > 0) await recordFeedExport(platform, request, sub, stored);
    return { items, nextCursor: items.at(-1)?.cursor ?? formatPosition(after ?? FEED_START) };
  });
}

/**
 * Records a page of a subscription's events as delivered to its consumer: a
 * `personal_data_export` with the subscription's purpose naming the changes
 * and the residents (ids only). A page of 500 events names more ids than one
 * entry holds: as many entries as it takes, each naming the subscription (and
 * `also`, e.g. the day of a daily file).
 */
export async function recordFeedExport(platform: Platform, request: FastifyRequest, sub: Subscription, stored: readonly StoredEvent[], also: readonly RecordRef[] = []): Promise<void> {
  const residentIds = [...new Set(stored.flatMap((e) => (e.payload.residentIds as string[] | undefined) ?? []))];
  const groups = recordGroups(
    [
      { resource: 'resident_changes', ids: stored.map((e) => e.id) },
      { resource: 'residents', ids: residentIds },
    ],
    [{ resource: 'linkage_subscriptions', ids: [sub.id] }, ...also],
  );
  for (const records of groups) await recordAction(platform, request, 'personal_data_export', { purpose: sub.purpose, records });
}

/** The events as the subscriber receives them (by pull or webhook): the envelope, ids, and the residents with the subscription's fields. */
export async function deliveredEvents(db: pg.ClientBase, platform: Platform, municipalityCode: string, sub: Subscription, stored: readonly StoredEvent[]): Promise<DeliveredEvent[]> {
  const keys = sub.fields.length > 0 && stored.length > 0 ? await platform.keys.forMunicipality(municipalityCode) : null;
  const residentsOf = keys ? await residentsAfterChanges(db, keys, stored) : null;
  const restricted = residentsOf ? await restrictedResidents(db, [...new Set([...residentsOf.values()].flat().map((r) => r.id))]) : new Set<string>();
  return stored.map((e) => {
    const data: Record<string, unknown> = { ...e.payload };
    if (residentsOf) data.residents = (residentsOf.get(e.id) ?? []).map((r) => ({ ...projectResident(r, sub.fields), restricted: restricted.has(r.id) }));
    return eventEnvelope(municipalityCode, e, data);
  });
}

/** A stored event in the envelope every delivery uses (feeds, webhooks, JetStream), around the given data. */
export function eventEnvelope(municipalityCode: string, e: StoredEvent, data: Record<string, unknown>): DeliveredEvent {
  return {
    id: e.id,
    topic: e.topic,
    version: eventType(e.topic)?.version ?? 1,
    municipalityCode,
    cursor: formatPosition(e.position),
    recordedAt: e.recordedAt,
    data,
  };
}

/** For each event (a register change), the residents it touched as they stood right after it. */
async function residentsAfterChanges(db: pg.ClientBase, keys: MunicipalityKeys, events: readonly StoredEvent[]): Promise<Map<string, ResidentRecord[]>> {
  const residentIds = [...new Set(events.flatMap((e) => (e.payload.residentIds as string[] | undefined) ?? []))];
  if (residentIds.length === 0) return new Map();
  const history = await Promise.all((await changesTouching(db, residentIds, [])).map((c) => openChange(keys, c)));
  const seqOf = new Map(history.map((c) => [c.row.id, c.seq]));
  // Each event folds only the changes of its own residents (a page of a bulk load names a thousand residents, one event a few).
  const changesOf = new Map<string, typeof history>();
  for (const c of history) {
    for (const id of c.row.residentIds) {
      const list = changesOf.get(id);
      if (list) list.push(c);
      else changesOf.set(id, [c]);
    }
  }
  const out = new Map<string, ResidentRecord[]>();
  for (const e of events) {
    const seq = seqOf.get(e.payload.changeId as string);
    if (seq === undefined) continue;
    const ids = (e.payload.residentIds as string[] | undefined) ?? [];
    const relevant = new Set(ids.flatMap((id) => changesOf.get(id) ?? []));
    let state;
    try {
      // Only these residents' own effects: a change of theirs may also touch someone whose history is not read here
      // (a move-out that re-heads the household touches the head who leaves; a later death of a child names the child only).
      state = foldPersons([...relevant].filter((c) => c.seq <= seq), new Set(ids));
    } catch (err) {
      if (err instanceof HistoryError) throw new Problem('history_inconsistent');
      throw err;
    }
    out.set(e.id, ids.flatMap((id) => state.persons.get(id) ?? []));
  }
  return out;
}
