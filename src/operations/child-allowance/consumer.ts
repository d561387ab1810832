/**
 * Child allowance fed by linkage: the platform's own consumer of each
 * municipality's feed that keeps the module's roster, and every claim's
 * children and amounts, up to date with the resident register.
 *
 * It reads with the subscription the municipality's admin set for it
 * (cell.operation_feeds), through the shared batch loop of
 * ../fed-by-linkage.ts (audit, cursor and effects in one transaction, one
 * process per municipality). Events are applied in feed order, each once:
 * an event already applied (a cursor set back, a replay) is skipped whole, by
 * its id. What an event does is the pure rules' answer (register-events.ts,
 * claim-months.ts).
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { DeliveredEvent } from '../../linkage/feed.js';
import type { Platform } from '../../platform/http/server.js';
import { applyFedEvents, LOCK_CLASSES, type FedOperation, type FedPassOptions, type FedPassReport } from '../fed-by-linkage.js';
import { revisionOf, type ClaimPeriod } from './claim-months.js';
import { addMonths, maxMonth, minMonth, monthOf } from './months.js';
import {
  applyChildChanges,
  CHILD_ALLOWANCE_CONSUMER,
  CHILD_ALLOWANCE_OPERATION,
  CHILD_ALLOWANCE_PURPOSE,
  CHILD_ALLOWANCE_REQUIRED_FIELDS,
  CHILD_ALLOWANCE_REQUIRED_TOPICS,
  effectiveMonthOf,
  ENDS_UNDONE_BY_CANCELLATION,
  householdChildren,
  isCurrent,
  reconcileChildren,
  rosterEntryOf,
  type ClaimChildRow,
  type DeliveredResident,
  type RosterEntry,
} from './register-events.js';
import {
  applyChildChangesToDb,
  claimChildren,
  claimsTouching,
  countedByOtherClaims,
  endClaim,
  householdHasOpenClaim,
  householdMembers,
  insertRevision,
  markApplied,
  putRosterEntries,
  restoreClaim,
  rosterEntries,
  setClaimHousehold,
  type ClaimRecord,
} from './store.js';

export interface ChildAllowanceEffects {
  /** Residents recorded in the roster (one per resident an event named). */
  residents: number;
  /** Revisions recorded (an amount changed from some month). */
  revisions: number;
  ended: number;
  restored: number;
  /** Events skipped because they had been applied before. */
  duplicates: number;
  [key: string]: number;
}

export type ChildAllowancePassReport = FedPassReport<ChildAllowanceEffects>;

interface EventFacts {
  readonly id: string;
  readonly kind: string;
  readonly eventDate: string;
  readonly householdIds: readonly string[];
  readonly residents: readonly DeliveredResident[];
}

const factsOf = (event: DeliveredEvent): EventFacts => {
  const data = event.data as { kind: string; eventDate: string; householdIds?: string[]; residents?: DeliveredResident[] };
  return { id: event.id, kind: data.kind, eventDate: data.eventDate, householdIds: data.householdIds ?? [], residents: data.residents ?? [] };
};

/** Child allowance as an operation fed by linkage: its subscription's terms and what a batch of events does. */
export const CHILD_ALLOWANCE_FEED: FedOperation<ChildAllowanceEffects> = {
  consumer: CHILD_ALLOWANCE_CONSUMER,
  operation: CHILD_ALLOWANCE_OPERATION,
  purpose: CHILD_ALLOWANCE_PURPOSE,
  requiredFields: CHILD_ALLOWANCE_REQUIRED_FIELDS,
  requiredTopics: CHILD_ALLOWANCE_REQUIRED_TOPICS,
  lockClass: LOCK_CLASSES.childAllowance,
  nothing: { residents: 0, revisions: 0, ended: 0, restored: 0, duplicates: 0 },
  async applyBatch({ db, delivered, afterEvent }) {
    const done: ChildAllowanceEffects = { residents: 0, revisions: 0, ended: 0, restored: 0, duplicates: 0 };
    for (const event of delivered) {
      if (await markApplied(db, event.id)) await applyEvent(db, factsOf(event), done);
      else done.duplicates++;
      await afterEvent(event);
    }
    return done;
  },
};

/** One pass of the child-allowance consumer over the municipalities in scope (fed-by-linkage.ts). */
export function applyChildAllowanceEvents(platform: Platform, options: FedPassOptions = {}): Promise<ChildAllowancePassReport> {
  return applyFedEvents(platform, CHILD_ALLOWANCE_FEED, options);
}

/** The roster follows the event's residents; then every claim of their households, or of which one is the claimant, is recomputed. */
async function applyEvent(db: pg.ClientBase, event: EventFacts, done: ChildAllowanceEffects): Promise<void> {
  // One entry per resident (an upsert may not touch a row twice).
  const entries = [...new Map(event.residents.map(rosterEntryOf).filter((e): e is RosterEntry => e !== null).map((e) => [e.residentId, e])).values()];
  const before = await rosterEntries(db, entries.map((e) => e.residentId));
  await putRosterEntries(db, entries, event.id);
  done.residents += entries.length;

  const residentIds = entries.map((e) => e.residentId);
  // A child who leaves is no longer in the household the event names (a move-out names none): the roster's household before counts too.
  const households = [...new Set([...event.householdIds, ...entries.map((e) => e.householdId), ...[...before.values()].map((b) => b.householdId)])];
  const claims = await claimsTouching(db, residentIds, households, event.kind === 'move_out_cancelled' ? residentIds : []);
  for (const claim of claims) await applyToClaim(db, claim, event, done);
}

async function applyToClaim(db: pg.ClientBase, claim: ClaimRecord, event: EventFacts, done: ChildAllowanceEffects): Promise<void> {
  const claimant = (await rosterEntries(db, [claim.claimantId])).get(claim.claimantId);
  // The claimant was in the roster when the claim was recorded and is never removed from it.
  if (!claimant) return;
  const rows: ClaimChildRow[] = (await claimChildren(db, [claim.id])).get(claim.id) ?? [];
  const periodBefore: ClaimPeriod = { startMonth: claim.startMonth, endedMonth: claim.endedMonth };
  let period = periodBefore;
  let from = effectiveMonthOf(event.eventDate, claim.startMonth);

  if (claim.endedMonth === null && !isCurrent(claimant)) {
    // 消滅: the claimant's record was closed (moved out, abroad, died, removed); paid through the month it happened (第8条第2項).
    const endedMonth = maxMonth(monthOf(claimant.closedOn!), addMonths(claim.startMonth, -1));
    await endClaim(db, claim.id, { endedMonth, endedOn: claimant.closedOn!, reason: claimant.closedReason!, changeId: event.id });
    period = { ...period, endedMonth };
    from = minMonth(from, addMonths(endedMonth, 1));
    done.ended++;
  } else if (claim.endedMonth !== null) {
    // Only a cancelled move-out (or move abroad) of the claimant brings a claim back, as if it had never ended; not over another claim of the household.
    const restorable =
      event.kind === 'move_out_cancelled' &&
      isCurrent(claimant) &&
      claim.endReason !== null &&
      ENDS_UNDONE_BY_CANCELLATION.includes(claim.endReason) &&
      !(await householdHasOpenClaim(db, claimant.householdId, claim.id));
    if (!restorable) return;
    await restoreClaim(db, claim.id);
    period = { ...period, endedMonth: null };
    from = minMonth(from, addMonths(claim.endedMonth, 1));
    done.restored++;
  }

  let rowsAfter = rows;
  if (period.endedMonth === null) {
    await setClaimHousehold(db, claim.id, claimant.householdId);
    const m = effectiveMonthOf(event.eventDate, claim.startMonth);
    const candidates = householdChildren(claimant, await householdMembers(db, [claimant.householdId]), m);
    const elsewhere = await countedByOtherClaims(db, candidates.map((c) => c.residentId), claim.id);
    const desired = new Map(candidates.filter((c) => !elsewhere.has(c.residentId)).map((c) => [c.residentId, c.dateOfBirth]));
    const roster = await rosterEntries(db, rows.filter((r) => r.resident && r.untilMonth === null).map((r) => r.childId));
    const reconciled = reconcileChildren({ rows, desired, roster, eventKind: event.kind, effectiveMonth: m });
    await applyChildChangesToDb(db, claim.id, reconciled.changes, event.id, randomUUID);
    rowsAfter = applyChildChanges(rows, reconciled.changes);
    from = minMonth(from, reconciled.from);
  }

  const revision = revisionOf({ period: periodBefore, children: rows }, { period, children: rowsAfter }, from);
  if (revision) done.revisions += await insertRevision(db, claim.id, event.id, event.kind, revision);
}
