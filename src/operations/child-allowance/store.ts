/**
 * Child allowance in a cell (cell migration 0015). Every function takes a
 * client from a tenant transaction: row-level security confines it to one
 * municipality, and the municipality code written is the transaction's own.
 * Dates are read as text (YYYY-MM-DD): a JavaScript Date would shift them by
 * the server's time zone.
 */
import type pg from 'pg';
import type { ClosingReason } from '../../resident-register/record.js';
import type { Revision } from './claim-months.js';
import type { PlannedChild } from './claims.js';
import type { ChildChange, ChildLeaveReason, ClaimChildRow, ClaimEndReason, RosterEntry } from './register-events.js';

// ---------------------------------------------------------------------------
// Applied events

/** Marks an event applied; false when it already was (it is then skipped whole). */
export async function markApplied(db: pg.ClientBase, eventId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'INSERT INTO cell.child_allowance_applied_events (municipality_code, event_id) VALUES (cell.current_municipality(), $1) ON CONFLICT DO NOTHING',
    [eventId],
  );
  return rowCount === 1;
}

// ---------------------------------------------------------------------------
// Roster

type RosterRowDb = {
  resident_id: string;
  household_id: string;
  relationship: string;
  date_of_birth: string;
  resident_since: string;
  closed_on: string | null;
  closed_reason: string | null;
};
const ROSTER_COLUMNS = `resident_id, household_id, relationship, to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth,
  to_char(resident_since, 'YYYY-MM-DD') AS resident_since, to_char(closed_on, 'YYYY-MM-DD') AS closed_on, closed_reason`;
const rosterFromDb = (r: RosterRowDb): RosterEntry => ({
  residentId: r.resident_id,
  householdId: r.household_id,
  relationship: r.relationship,
  dateOfBirth: r.date_of_birth,
  residentSince: r.resident_since,
  closedOn: r.closed_on,
  closedReason: r.closed_reason as ClosingReason | null,
});

export async function rosterEntries(db: pg.ClientBase, residentIds: readonly string[]): Promise<Map<string, RosterEntry>> {
  if (residentIds.length === 0) return new Map();
  const { rows } = await db.query<RosterRowDb>(`SELECT ${ROSTER_COLUMNS} FROM cell.child_allowance_residents WHERE resident_id = ANY($1::uuid[])`, [[...new Set(residentIds)]]);
  return new Map(rows.map((r) => [r.resident_id, rosterFromDb(r)]));
}

/** The current members of these households. */
export async function householdMembers(db: pg.ClientBase, householdIds: readonly string[]): Promise<RosterEntry[]> {
  if (householdIds.length === 0) return [];
  const { rows } = await db.query<RosterRowDb>(
    `SELECT ${ROSTER_COLUMNS} FROM cell.child_allowance_residents WHERE household_id = ANY($1::uuid[]) AND closed_on IS NULL ORDER BY resident_id`,
    [[...new Set(householdIds)]],
  );
  return rows.map(rosterFromDb);
}

/** Records residents as an event left them, in one statement (a bulk load's event names a thousand). */
export async function putRosterEntries(db: pg.ClientBase, entries: readonly RosterEntry[], eventId: string): Promise<void> {
  if (entries.length === 0) return;
  const column = <T>(f: (e: RosterEntry) => T) => entries.map(f);
  await db.query(
    `INSERT INTO cell.child_allowance_residents
       (municipality_code, resident_id, household_id, relationship, date_of_birth, resident_since, closed_on, closed_reason, last_event_id)
     SELECT cell.current_municipality(), r.*, $8::uuid
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::date[], $5::date[], $6::date[], $7::text[]) AS r
     ON CONFLICT (municipality_code, resident_id) DO UPDATE SET household_id = EXCLUDED.household_id, relationship = EXCLUDED.relationship,
       date_of_birth = EXCLUDED.date_of_birth, resident_since = EXCLUDED.resident_since, closed_on = EXCLUDED.closed_on,
       closed_reason = EXCLUDED.closed_reason, last_event_id = EXCLUDED.last_event_id, updated_at = now()`,
    [
      column((e) => e.residentId),
      column((e) => e.householdId),
      column((e) => e.relationship),
      column((e) => e.dateOfBirth),
      column((e) => e.residentSince),
      column((e) => e.closedOn),
      column((e) => e.closedReason),
      eventId,
    ],
  );
}

// ---------------------------------------------------------------------------
// Claims

export interface ClaimRecord {
  readonly id: string;
  readonly claimantId: string;
  readonly householdId: string;
  readonly claimedOn: string;
  readonly startMonth: string;
  readonly endedMonth: string | null;
  readonly endedOn: string | null;
  readonly endReason: ClaimEndReason | null;
  readonly endChangeId: string | null;
  readonly recordedBy: string;
  readonly recordedAt: string;
  readonly updatedAt: string;
}

type ClaimRowDb = {
  id: string;
  claimant_id: string;
  household_id: string;
  claimed_on: string;
  start_month: string;
  ended_month: string | null;
  ended_on: string | null;
  end_reason: string | null;
  end_change_id: string | null;
  recorded_by: string;
  recorded_at: Date;
  updated_at: Date;
};
const CLAIM_COLUMNS = `id, claimant_id, household_id, to_char(claimed_on, 'YYYY-MM-DD') AS claimed_on, start_month, ended_month,
  to_char(ended_on, 'YYYY-MM-DD') AS ended_on, end_reason, end_change_id, recorded_by, recorded_at, updated_at`;
const claimFromDb = (r: ClaimRowDb): ClaimRecord => ({
  id: r.id,
  claimantId: r.claimant_id,
  householdId: r.household_id,
  claimedOn: r.claimed_on,
  startMonth: r.start_month,
  endedMonth: r.ended_month,
  endedOn: r.ended_on,
  endReason: r.end_reason as ClaimEndReason | null,
  endChangeId: r.end_change_id,
  recordedBy: r.recorded_by,
  recordedAt: r.recorded_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export async function claimById(db: pg.ClientBase, id: string): Promise<ClaimRecord | null> {
  const { rows } = await db.query<ClaimRowDb>(`SELECT ${CLAIM_COLUMNS} FROM cell.child_allowance_claims WHERE id = $1`, [id]);
  return rows[0] ? claimFromDb(rows[0]) : null;
}

/**
 * The claims an event may touch: the open ones of its residents (as claimants)
 * and of its households; and, when `endedOf` names claimants, their ended
 * claims too (a cancelled move-out restores them). In id order, so that two
 * processes would take them in the same order.
 */
export async function claimsTouching(db: pg.ClientBase, claimantIds: readonly string[], householdIds: readonly string[], endedOf: readonly string[]): Promise<ClaimRecord[]> {
  const { rows } = await db.query<ClaimRowDb>(
    `SELECT ${CLAIM_COLUMNS} FROM cell.child_allowance_claims
      WHERE (ended_month IS NULL AND (claimant_id = ANY($1::uuid[]) OR household_id = ANY($2::uuid[])))
         OR (ended_month IS NOT NULL AND claimant_id = ANY($3::uuid[]))
      ORDER BY id`,
    [[...new Set(claimantIds)], [...new Set(householdIds)], [...new Set(endedOf)]],
  );
  return rows.map(claimFromDb);
}

/** Whether the household has an open claim (other than `except`). */
export async function householdHasOpenClaim(db: pg.ClientBase, householdId: string, except: string | null = null): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM cell.child_allowance_claims WHERE household_id = $1 AND ended_month IS NULL AND id IS DISTINCT FROM $2 LIMIT 1', [householdId, except]);
  return rows.length > 0;
}

export async function insertClaim(
  db: pg.ClientBase,
  claim: { id: string; claimantId: string; householdId: string; claimedOn: string; startMonth: string; recordedBy: string },
  children: readonly PlannedChild[],
  newId: () => string,
): Promise<void> {
  await db.query(
    `INSERT INTO cell.child_allowance_claims (municipality_code, id, claimant_id, household_id, claimed_on, start_month, recorded_by)
     VALUES (cell.current_municipality(), $1, $2, $3, $4, $5, $6)`,
    [claim.id, claim.claimantId, claim.householdId, claim.claimedOn, claim.startMonth, claim.recordedBy],
  );
  for (const c of children) {
    await db.query(
      `INSERT INTO cell.child_allowance_claim_children (municipality_code, id, claim_id, child_id, resident, date_of_birth, supported, from_month)
       VALUES (cell.current_municipality(), $1, $2, $3, $4, $5, $6, $7)`,
      [newId(), claim.id, c.childId, c.resident, c.dateOfBirth, c.supported, claim.startMonth],
    );
  }
}

export async function setClaimHousehold(db: pg.ClientBase, claimId: string, householdId: string): Promise<void> {
  await db.query('UPDATE cell.child_allowance_claims SET household_id = $2, updated_at = now() WHERE id = $1 AND household_id <> $2', [claimId, householdId]);
}

/** Ends a claim (消滅): its last month of entitlement, the day and why, and the change. */
export async function endClaim(db: pg.ClientBase, claimId: string, end: { endedMonth: string; endedOn: string; reason: ClaimEndReason; changeId: string }): Promise<void> {
  await db.query(
    `UPDATE cell.child_allowance_claims SET ended_month = $2, ended_on = $3, end_reason = $4, end_change_id = $5, updated_at = now()
      WHERE id = $1 AND ended_month IS NULL`,
    [claimId, end.endedMonth, end.endedOn, end.reason, end.changeId],
  );
}

/** Restores an ended claim as if it had not ended (the claimant's move-out was cancelled). */
export async function restoreClaim(db: pg.ClientBase, claimId: string): Promise<void> {
  await db.query(
    `UPDATE cell.child_allowance_claims SET ended_month = NULL, ended_on = NULL, end_reason = NULL, end_change_id = NULL, updated_at = now()
      WHERE id = $1 AND ended_month IS NOT NULL`,
    [claimId],
  );
}

// ---------------------------------------------------------------------------
// A claim's children

type ChildRowDb = {
  id: string;
  claim_id: string;
  child_id: string;
  resident: boolean;
  date_of_birth: string;
  supported: boolean | null;
  from_month: string;
  until_month: string | null;
  until_reason: string | null;
  added_by_change_id: string | null;
  removed_by_change_id: string | null;
};

export interface StoredClaimChild extends ClaimChildRow {
  readonly addedByChangeId: string | null;
  readonly removedByChangeId: string | null;
}

const childFromDb = (r: ChildRowDb): StoredClaimChild => ({
  rowId: r.id,
  childId: r.child_id,
  resident: r.resident,
  dateOfBirth: r.date_of_birth,
  supported: r.supported,
  fromMonth: r.from_month,
  untilMonth: r.until_month,
  untilReason: r.until_reason as ChildLeaveReason | null,
  addedByChangeId: r.added_by_change_id,
  removedByChangeId: r.removed_by_change_id,
});

/** Every child period of these claims, by claim, oldest first. */
export async function claimChildren(db: pg.ClientBase, claimIds: readonly string[]): Promise<Map<string, StoredClaimChild[]>> {
  const out = new Map<string, StoredClaimChild[]>(claimIds.map((id) => [id, []]));
  if (claimIds.length === 0) return out;
  const { rows } = await db.query<ChildRowDb>(
    `SELECT id, claim_id, child_id, resident, to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth, supported, from_month, until_month, until_reason,
            added_by_change_id, removed_by_change_id
       FROM cell.child_allowance_claim_children WHERE claim_id = ANY($1::uuid[]) ORDER BY claim_id, from_month, date_of_birth, child_id`,
    [[...new Set(claimIds)]],
  );
  for (const r of rows) out.get(r.claim_id)?.push(childFromDb(r));
  return out;
}

/** Of these children, those an open claim other than `except` counts now: a child counts for one claim at a time. */
export async function countedByOtherClaims(db: pg.ClientBase, childIds: readonly string[], except: string | null): Promise<Set<string>> {
  if (childIds.length === 0) return new Set();
  const { rows } = await db.query<{ child_id: string }>(
    `SELECT DISTINCT k.child_id FROM cell.child_allowance_claim_children k JOIN cell.child_allowance_claims c ON c.id = k.claim_id
      WHERE k.child_id = ANY($1::uuid[]) AND k.until_month IS NULL AND c.ended_month IS NULL AND c.id IS DISTINCT FROM $2`,
    [[...new Set(childIds)], except],
  );
  return new Set(rows.map((r) => r.child_id));
}

/** Writes the changes reconcileChildren answered, caused by the change (event) given. */
export async function applyChildChangesToDb(db: pg.ClientBase, claimId: string, changes: readonly ChildChange[], changeId: string, newId: () => string): Promise<void> {
  for (const c of changes) {
    switch (c.op) {
      case 'add':
        await db.query(
          `INSERT INTO cell.child_allowance_claim_children (municipality_code, id, claim_id, child_id, resident, date_of_birth, supported, from_month, added_by_change_id)
           VALUES (cell.current_municipality(), $1, $2, $3, true, $4, NULL, $5, $6)`,
          [newId(), claimId, c.childId, c.dateOfBirth, c.fromMonth, changeId],
        );
        break;
      case 'close':
        await db.query(
          `UPDATE cell.child_allowance_claim_children SET until_month = $2, until_reason = $3, removed_by_change_id = $4 WHERE id = $1 AND until_month IS NULL`,
          [c.rowId, c.untilMonth, c.reason, changeId],
        );
        break;
      case 'reopen':
        await db.query(
          `UPDATE cell.child_allowance_claim_children SET until_month = NULL, until_reason = NULL, removed_by_change_id = NULL WHERE id = $1 AND until_month IS NOT NULL`,
          [c.rowId],
        );
        break;
      case 'redate':
        await db.query('UPDATE cell.child_allowance_claim_children SET date_of_birth = $2 WHERE id = $1', [c.rowId, c.dateOfBirth]);
        break;
    }
  }
}

// ---------------------------------------------------------------------------
// Revisions

export interface RevisionRecord extends Revision {
  readonly changeId: string;
  readonly cause: string;
  readonly recordedAt: string;
}

export async function insertRevision(db: pg.ClientBase, claimId: string, changeId: string, cause: string, r: Revision): Promise<number> {
  const { rowCount } = await db.query(
    `INSERT INTO cell.child_allowance_revisions
       (municipality_code, claim_id, change_id, cause, effective_month, amount_before, amount_after, children_paid, children_counted)
     VALUES (cell.current_municipality(), $1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
    [claimId, changeId, cause, r.effectiveMonth, r.amountBefore, r.amountAfter, r.childrenPaid, r.childrenCounted],
  );
  return rowCount ?? 0;
}

/** A claim's revisions in the order they were recorded (the feed's order). */
export async function revisionsOf(db: pg.ClientBase, claimId: string): Promise<RevisionRecord[]> {
  const { rows } = await db.query<{
    change_id: string;
    cause: string;
    effective_month: string;
    amount_before: number;
    amount_after: number;
    children_paid: number;
    children_counted: number;
    recorded_at: Date;
  }>(
    `SELECT change_id, cause, effective_month, amount_before, amount_after, children_paid, children_counted, recorded_at
       FROM cell.child_allowance_revisions WHERE claim_id = $1 ORDER BY recorded_at, change_id`,
    [claimId],
  );
  return rows.map((r) => ({
    changeId: r.change_id,
    cause: r.cause,
    effectiveMonth: r.effective_month,
    amountBefore: r.amount_before,
    amountAfter: r.amount_after,
    childrenPaid: r.children_paid,
    childrenCounted: r.children_counted,
    recordedAt: r.recorded_at.toISOString(),
  }));
}

// ---------------------------------------------------------------------------
// Listing

export interface ClaimFilter {
  readonly householdId?: string | undefined;
  readonly openOnly?: boolean | undefined;
}

export interface ClaimListPosition {
  readonly claimedOn: string;
  readonly id: string;
}

/** A page of claims in (claim date, id) order, after the given position. */
export async function listClaims(db: pg.ClientBase, filter: ClaimFilter, page: { limit: number; after?: ClaimListPosition | undefined }): Promise<{ items: ClaimRecord[]; total: number }> {
  const args: unknown[] = [filter.householdId ?? null, filter.openOnly ?? false];
  const where = '($1::uuid IS NULL OR household_id = $1) AND (NOT $2::boolean OR ended_month IS NULL)';
  const total = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM cell.child_allowance_claims WHERE ${where}`, args);
  const { rows } = await db.query<ClaimRowDb>(
    `SELECT ${CLAIM_COLUMNS} FROM cell.child_allowance_claims
      WHERE ${where} AND ($3::date IS NULL OR (claimed_on, id) > ($3::date, $4::uuid))
      ORDER BY claimed_on, id LIMIT $5`,
    [...args, page.after?.claimedOn ?? null, page.after?.id ?? null, page.limit],
  );
  return { items: rows.map(claimFromDb), total: Number(total.rows[0]!.n) };
}
