/**
 * Entering many new households at once on the municipality's own authority
 * (職権記載): a register migrated from a previous system, or a synthetic
 * population for the demo and benchmarks. Each household is planned exactly
 * like a filing of `entry_by_authority` (every check of the planner applies)
 * and becomes its own change in the history, with its own outbox event; they
 * are only written together, with set-based INSERTs in the caller's tenant
 * transaction, and audited in entries of up to 1,000 ids. A household that
 * breaks a rule, or a My Number or resident code already current, refuses the
 * whole batch: nothing of it is written.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { recordGroups } from '../security/audit/record.js';
import type { MunicipalityKeys } from '../security/keys/index.js';
import { todayInJapan } from './changes.js';
import { planEnrolment, type EnrolmentFiling } from './filings.js';
import { applyEffect, emptyState, touched } from './history.js';
import { cryptoRandom, isValidResidentCode, newResidentCode } from './identifiers.js';
import { changeEvent, duplicateOf, residentWrite, sealedChange, type RegisterActor } from './service.js';
import {
  HOUSEHOLD_ADDRESS,
  insertChanges,
  insertHouseholds,
  insertResidents,
  insertSearchTerms,
  appendOutbox,
  type HouseholdState,
  type ResidentWrite,
} from './store.js';

/** The reason code of entries loaded in bulk (see CHANGE_KINDS.entry_by_authority). */
export const BULK_ENTRY_REASON = 'system_migration';

export interface BulkEntryResult {
  readonly changeIds: readonly string[];
  readonly households: number;
  readonly residents: number;
}

/**
 * Enters the households (each `household.kind` must be `new`) in the tenant
 * transaction `db` of `actor.tenant`. Filing dates default to today in Japan.
 */
export async function enterHouseholds(
  actor: RegisterActor,
  db: pg.ClientBase,
  keys: MunicipalityKeys,
  filings: readonly EnrolmentFiling[],
): Promise<BulkEntryResult> {
  const today = todayInJapan();
  const ctx = {
    state: emptyState(),
    newId: randomUUID,
    newResidentCode: () => newResidentCode(cryptoRandom),
    rules: { today, isValidResidentCode: (c: string) => isValidResidentCode(c) },
  };
  const plans = filings.map((filing, i) => {
    if (filing.household.kind !== 'new') throw new TypeError(`households[${i}]: a bulk entry founds new households only`);
    const plan = planEnrolment('entry_by_authority', { reasonCode: BULK_ENTRY_REASON, ...filing }, ctx);
    return { changeId: randomUUID(), plan, ids: touched(plan.effects) };
  });

  const changes = await Promise.all(plans.map(({ changeId, plan, ids }) => sealedChange(keys, changeId, plan, ids, actor.operatorId)));
  try {
    const seqs = await insertChanges(db, changes);
    const residents: ResidentWrite[] = [];
    const terms: { residentId: string; kind: string; term: Buffer }[] = [];
    const households: HouseholdState[] = [];
    for (const { changeId, plan } of plans) {
      const after = emptyState();
      for (const e of plan.effects) applyEffect(after, e);
      for (const record of after.persons.values()) {
        const { row, terms: own } = await residentWrite(keys, record);
        residents.push({ ...row, seq: seqs.get(changeId)! });
        for (const t of own) terms.push({ residentId: record.id, kind: t.kind, term: t.term });
      }
      for (const h of after.households.values()) {
        households.push({ id: h.id, headId: h.headId, state: h.state, addressSealed: await keys.seal(HOUSEHOLD_ADDRESS.field(h.id), JSON.stringify(h.address)) });
      }
    }
    await insertHouseholds(db, households);
    await insertResidents(db, residents);
    await insertSearchTerms(db, terms);
    await appendOutbox(db, plans.map(({ changeId, plan, ids }) => changeEvent(changeId, plan, ids)));

    // One entry per change would be 1,000 entries a second of the same job; an entry per 1,000 ids says the same.
    const named = [
      { resource: 'resident_changes', ids: changes.map((c) => c.id) },
      { resource: 'households', ids: households.map((h) => h.id) },
      { resource: 'residents', ids: residents.map((r) => r.id) },
    ];
    for (const records of recordGroups(named)) await actor.record('personal_data_change', { purpose: actor.tenant.purpose, records });
    return { changeIds: changes.map((c) => c.id), households: households.length, residents: residents.length };
  } catch (err) {
    throw duplicateOf(err) ?? err;
  }
}
