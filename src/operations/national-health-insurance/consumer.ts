/**
 * National Health Insurance fed by linkage: the platform's own consumer of
 * each municipality's feed that keeps its NHI membership (資格) up to date.
 *
 * It reads with the subscription the municipality's admin set for it
 * (cell.operation_feeds), through the shared batch loop of
 * ../fed-by-linkage.ts (audit, cursor and effects in one transaction, one
 * process per municipality). What each event does is the pure rules' answer
 * (register-events.ts → eligibility.ts); every effect is harmless when applied
 * again (store.ts), should a cursor ever be set back. It also keeps the people
 * each event names as they now stand (premium-store.ts), for the premium.
 */
import type pg from 'pg';
import type { StoredEvent } from '../../linkage/store.js';
import { prefectureCodeOf } from '../../organizations/local-government-code.js';
import { findOrganization } from '../../organizations/store.js';
import { Problem } from '../../platform/errors.js';
import type { Platform } from '../../platform/http/server.js';
import { foldPersons, HistoryError } from '../../resident-register/history.js';
import { openChange } from '../../resident-register/service.js';
import { changesTouching } from '../../resident-register/store.js';
import { applyFedEvents, LOCK_CLASSES, residentIdsOf, type FedOperation, type FedPassOptions, type FedPassReport } from '../fed-by-linkage.js';
import { recordPeople } from './premium-store.js';
import { agesOutDates, membershipEffects, NHI_CONSUMER, NHI_OPERATION, NHI_PURPOSE, NHI_REQUIRED_FIELDS, NHI_REQUIRED_TOPICS, type DeliveredResident } from './register-events.js';
import { applyMembershipEffects, membershipStates, setAgesOut } from './store.js';

export type NhiPassReport = FedPassReport<{ acquired: number; lost: number; reopened: number }>;

/** NHI as an operation fed by linkage: its subscription's terms and what a batch of events does to the membership. */
export const NHI_FEED: FedOperation<{ acquired: number; lost: number; reopened: number }> = {
  consumer: NHI_CONSUMER,
  operation: NHI_OPERATION,
  purpose: NHI_PURPOSE,
  requiredFields: NHI_REQUIRED_FIELDS,
  requiredTopics: NHI_REQUIRED_TOPICS,
  lockClass: LOCK_CLASSES.nationalHealthInsurance,
  nothing: { acquired: 0, lost: 0, reopened: 0 },
  async applyBatch({ db, platform, municipalityCode, stored, delivered, afterEvent }) {
    const prefectureName = await prefectureOf(platform, municipalityCode);
    const done = { acquired: 0, lost: 0, reopened: 0 };
    for (const [i, event] of delivered.entries()) {
      const data = event.data as { kind: string; eventDate: string; transferFrom?: { municipalityCode: string }; residents?: DeliveredResident[] };
      const residents = data.residents ?? [];
      const memberships = await membershipStates(db, residents.map((r) => r.id));
      const flagsBefore = data.kind === 'correction_by_authority' ? await nhiFlagsBefore(db, platform, municipalityCode, stored[i]!) : undefined;
      const effects = membershipEffects(
        { kind: data.kind, eventDate: data.eventDate, transferFrom: data.transferFrom, residents },
        { municipalityCode, prefectureName, memberships, ...(flagsBefore ? { flagsBefore } : {}) },
      );
      const applied = await applyMembershipEffects(db, event.id, effects);
      await setAgesOut(db, agesOutDates({ kind: data.kind, eventDate: data.eventDate, residents }, { memberships }, effects));
      // Everyone the event names, as they now stand: the premium's head of household and dates of birth (premium-store.ts).
      await recordPeople(db, event.id, residents);
      done.acquired += applied.acquired;
      done.lost += applied.lost;
      done.reopened += applied.reopened;
      await afterEvent(event);
    }
    return done;
  },
};

/** One pass of NHI's consumer over the municipalities in scope (fed-by-linkage.ts). */
export function applyNhiEvents(platform: Platform, options: FedPassOptions = {}): Promise<NhiPassReport> {
  return applyFedEvents(platform, NHI_FEED, options);
}

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
