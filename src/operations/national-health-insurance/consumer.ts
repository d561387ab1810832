/**
 * National Health Insurance fed by linkage: the platform's own consumer of
 * each municipality's feed that keeps its NHI membership (資格) up to date.
 *
 * It reads with the subscription the municipality's admin set (nhi_settings):
 * the events of its topics, each resident with its entitled fields only,
 * recorded in the audit log as that subscription's export, exactly as its
 * receiving system would get them. What each event does is the pure rules'
 * answer (register-events.ts → eligibility.ts).
 *
 * Exactly once: a batch's effects and the move of the module's cursor
 * (cell.linkage_internal_cursors, consumer 'national_health_insurance') are
 * one tenant transaction, so a crash at any point leaves the batch applied
 * with its cursor or not at all; and every effect is harmless when applied
 * again (store.ts), should a cursor ever be set back. One process at a time
 * works on a municipality (a transaction advisory lock; the others skip it).
 */
import { municipalitiesIn, type PassScope } from '../../linkage/pass-scope.js';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { deliveredEvents, type DeliveredEvent } from '../../linkage/feed.js';
import { eventsAfter, internalCursor, moveInternalCursor, subscriptionById, type StoredEvent, type Subscription } from '../../linkage/store.js';
import { prefectureCodeOf } from '../../organizations/local-government-code.js';
import { findOrganization } from '../../organizations/store.js';
import { inTenantTransaction } from '../../platform/database.js';
import { Problem } from '../../platform/errors.js';
import type { Platform } from '../../platform/http/server.js';
import { foldPersons, HistoryError } from '../../resident-register/history.js';
import { openChange } from '../../resident-register/service.js';
import { changesTouching } from '../../resident-register/store.js';
import { recordGroups, recordJobAction, type JobContext } from '../../security/audit/record.js';
import { membershipEffects, NHI_CONSUMER, NHI_OPERATION, NHI_PURPOSE, NHI_REQUIRED_FIELDS, NHI_REQUIRED_TOPICS, type DeliveredResident } from './register-events.js';
import { applyMembershipEffects, membershipStates, nhiSettings } from './store.js';

/** The advisory-lock class of the NHI consumer (the other key is a hash of the municipality code); 4_812–4_814 are taken. */
const NHI_LOCK_CLASS = 4_815;

export interface NhiPassOptions {
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

export interface NhiPassReport {
  /** Events the cursors moved past (with or without effect). */
  applied: number;
  acquired: number;
  lost: number;
  reopened: number;
  /** Municipalities whose batch failed this pass (nothing of it applied). */
  failed: number;
}

/** Why a subscription cannot feed NHI, if it cannot: the rules below, one code each (also the settings route's answer). */
export type SubscriptionUnfit = 'not_found' | 'revoked' | 'not_nhi_eligibility' | 'webhook' | 'fields_missing' | 'topics_missing';

/** What is wrong with a subscription as NHI's source, if anything. Pure. */
export function subscriptionUnfit(sub: Subscription | null): SubscriptionUnfit[] {
  if (!sub) return ['not_found'];
  const problems: SubscriptionUnfit[] = [];
  if (sub.revokedAt) problems.push('revoked');
  if (sub.operation !== NHI_OPERATION || sub.purpose !== NHI_PURPOSE) problems.push('not_nhi_eligibility');
  // A webhook subscription's events go to its receiving system; reading it here too would deliver them twice under one declaration.
  if (sub.delivery !== 'pull') problems.push('webhook');
  if (NHI_REQUIRED_FIELDS.some((f) => !sub.fields.includes(f))) problems.push('fields_missing');
  if (NHI_REQUIRED_TOPICS.some((t) => !sub.topics.includes(t))) problems.push('topics_missing');
  return problems;
}

/**
 * One pass over every placed municipality that has set NHI's subscription:
 * at most one batch each, applied with its cursor in one transaction. One
 * municipality's failure (its cell, its keys, an event the rules refuse) is
 * logged by name and code and leaves its batch for the next pass; the others
 * go on.
 */
export async function applyNhiEvents(platform: Platform, options: NhiPassOptions = {}): Promise<NhiPassReport> {
  const report: NhiPassReport = { applied: 0, acquired: 0, lost: 0, reopened: 0, failed: 0 };
  const runId = randomUUID();
  for (const municipalityCode of await municipalitiesIn(platform, options.scope)) {
    try {
      const done = await applyBatch(platform, municipalityCode, runId, options);
      report.applied += done.applied;
      report.acquired += done.acquired;
      report.lost += done.lost;
      report.reopened += done.reopened;
    } catch (err) {
      report.failed++;
      platform.log.error({ err: { name: (err as Error).name, code: (err as { code?: string }).code }, municipality: municipalityCode }, 'nhi membership batch failed');
    }
  }
  return report;
}

const NOTHING = { applied: 0, acquired: 0, lost: 0, reopened: 0 };

/** One batch of one municipality, with its cursor, in one tenant transaction; what it did once committed. */
async function applyBatch(platform: Platform, municipalityCode: string, runId: string, options: NhiPassOptions): Promise<Omit<NhiPassReport, 'failed'>> {
  const pool = await platform.cells.poolFor(municipalityCode);
  return inTenantTransaction(pool, municipalityCode, async (db) => {
    const settings = await nhiSettings(db);
    if (!settings) return NOTHING;
    // Another process on this municipality: it has the batch; this pass skips it. (A lock takes no transaction id: feeds are not held back.)
    const { rows } = await db.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok', [NHI_LOCK_CLASS, municipalityCode]);
    if (!rows[0]!.ok) return NOTHING;
    const sub = await subscriptionById(db, settings.subscriptionId);
    const unfit = subscriptionUnfit(sub);
    if (unfit.length > 0 || !sub) {
      // Revoked since it was set, say: nothing is read until the admin sets a subscription that may feed NHI.
      // Said once per process and cause, not every half second.
      if (unfitWarned.get(municipalityCode) !== unfit.join()) platform.log.warn({ municipality: municipalityCode, reasons: unfit }, 'nhi subscription cannot be read');
      unfitWarned.set(municipalityCode, unfit.join());
      return NOTHING;
    }
    unfitWarned.delete(municipalityCode);
    const after = await internalCursor(db, NHI_CONSUMER);
    const stored = await eventsAfter(db, after, sub.topics, options.batch ?? 200);
    if (stored.length === 0) return NOTHING;
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

    const prefectureName = await prefectureOf(platform, municipalityCode);
    let acquired = 0;
    let lost = 0;
    let reopened = 0;
    for (const [i, event] of delivered.entries()) {
      const data = event.data as { kind: string; eventDate: string; transferFrom?: { municipalityCode: string }; residents?: DeliveredResident[] };
      const residents = data.residents ?? [];
      const memberships = await membershipStates(db, residents.map((r) => r.id));
      const flagsBefore = data.kind === 'correction_by_authority' ? await nhiFlagsBefore(db, platform, municipalityCode, stored[i]!) : undefined;
      const effects = membershipEffects(
        { kind: data.kind, eventDate: data.eventDate, transferFrom: data.transferFrom, residents },
        { municipalityCode, prefectureName, memberships, ...(flagsBefore ? { flagsBefore } : {}) },
      );
      const done = await applyMembershipEffects(db, event.id, effects);
      acquired += done.acquired;
      lost += done.lost;
      reopened += done.reopened;
      await options.afterEvent?.(event, db);
    }
    // In the same transaction as the effects: both commit, or neither.
    await moveInternalCursor(db, NHI_CONSUMER, after, stored.at(-1)!.position);
    return { applied: stored.length, acquired, lost, reopened };
  });
}

const unfitWarned = new Map<string, string>();

const residentIdsOf = (e: StoredEvent) => (e.payload.residentIds as string[] | undefined) ?? [];

/** The municipality's prefecture as addresses name it (東京都), to tell moves within it from moves across it. */
async function prefectureOf(platform: Platform, municipalityCode: string): Promise<string | null> {
  return (await findOrganization(platform.control, prefectureCodeOf(municipalityCode)))?.name ?? null;
}

/**
 * For a correction: each resident's NHI flag just before it (the history
 * folded up to the change before), so that only a flip of the flag changes a
 * membership. The flag is a field the subscription is entitled to and names;
 * the residents are those its export just recorded.
 */
async function nhiFlagsBefore(db: pg.ClientBase, platform: Platform, municipalityCode: string, event: StoredEvent): Promise<Map<string, boolean>> {
  const ids = residentIdsOf(event);
  const keys = await platform.keys.forMunicipality(municipalityCode);
  const history = await Promise.all((await changesTouching(db, ids, [])).map((c) => openChange(keys, c)));
  const seq = history.find((c) => c.row.id === event.payload.changeId)?.seq;
  let state;
  try {
    state = foldPersons(history.filter((c) => seq !== undefined && c.seq < seq), new Set(ids));
  } catch (err) {
    if (err instanceof HistoryError) throw new Problem('history_inconsistent');
    throw err;
  }
  return new Map(ids.map((id) => [id, state.persons.get(id)?.flags.nationalHealthInsurance === true]));
}
