/**
 * What a resident-register event, as the child-allowance subscription
 * delivers it, does to the module's roster and to the children of a claim:
 * the bridge between the linkage feed and the pure rules. Pure: the consumer
 * (consumer.ts) loads what the module holds, asks these functions what
 * changes, and writes it (store.ts). Documented in docs/child-allowance.md
 * ("Fed by linkage").
 *
 * The month model of the rules applies throughout: a change on some day takes
 * effect from the month after (児童手当法 第8条第2項, 第9条). A child who joins
 * the claimant's household is counted from the month after; one who leaves
 * (moves out, moves to another household, dies) is counted through the month
 * they left.
 */
import type { ResidentField } from '../../linkage/entitlements.js';
import type { ClosingReason, ResidentRecord } from '../../resident-register/record.js';
import type { CountedChild } from './claim-months.js';
import { lastMonthWithin, ruleSetForMonth } from './eligibility.js';
import { addMonths, maxMonth, minMonth, monthAfter } from './months.js';

/** The module's name among the platform's own consumers of a municipality's feed (cell.linkage_internal_cursors, cell.operation_feeds). */
export const CHILD_ALLOWANCE_CONSUMER = 'child_allowance';
export const CHILD_ALLOWANCE_OPERATION = 'child_allowance';
/** The legal purpose the module reads the register for (security/access/purposes.ts). */
export const CHILD_ALLOWANCE_PURPOSE = 'child_allowance_eligibility';

/**
 * The fields the rules need, and no more: the date of birth (ages and birth
 * order), the household and the relationship to its head (who is whose
 * child), and the record's state (since when a resident, whether and why the
 * record was closed). Names, addresses and numbers stay in the register.
 */
export const CHILD_ALLOWANCE_REQUIRED_FIELDS: readonly ResidentField[] = ['dateOfBirth', 'householdId', 'relationship', 'state'];

/**
 * Every kind of register change: each can add a child or a claimant to the
 * municipality, take one away, move one between households or correct a date
 * of birth or a relationship. 職権記載 (entry_by_authority) brings in the
 * residents loaded from a previous system, who may claim; 職権消除 removes one.
 * A subscription without one of them would leave claims counting children
 * who left, so it is refused when set.
 */
export const CHILD_ALLOWANCE_REQUIRED_TOPICS: readonly string[] = [
  'move_in',
  'return_from_abroad',
  'birth',
  'entry_by_authority',
  'move_out',
  'move_abroad',
  'death',
  'removal_by_authority',
  'move_within',
  'household_change',
  'correction_by_authority',
  'move_out_cancelled',
].map((kind) => `resident_register.${kind}`);

/** A resident as the subscription delivers them: the id and the subscription's fields (any may be absent). */
export type DeliveredResident = { readonly id: string } & Partial<Pick<ResidentRecord, 'dateOfBirth' | 'householdId' | 'relationship' | 'state' | 'residentSince' | 'closed'>>;

/** What the roster holds of a resident: ids, dates and the register's codes. */
export interface RosterEntry {
  readonly residentId: string;
  readonly householdId: string;
  /** 続柄 relative to the head of the household, as the register records it. */
  readonly relationship: string;
  readonly dateOfBirth: string;
  readonly residentSince: string;
  /** The day the record was closed (除票), and why; null while a resident. */
  readonly closedOn: string | null;
  readonly closedReason: ClosingReason | null;
}

export const isCurrent = (r: RosterEntry): boolean => r.closedOn === null;

/** The roster entry of a delivered resident (as they stood right after the event), or null when the delivery lacks a field the rules need. */
export function rosterEntryOf(r: DeliveredResident): RosterEntry | null {
  if (!r.householdId || !r.relationship || !r.dateOfBirth || !r.state || !r.residentSince) return null;
  const closed = r.state === 'closed' ? (r.closed ?? null) : null;
  return {
    residentId: r.id,
    householdId: r.householdId,
    relationship: r.relationship,
    dateOfBirth: r.dateOfBirth,
    residentSince: r.residentSince,
    closedOn: closed?.on ?? null,
    closedReason: closed?.reason ?? null,
  };
}

/**
 * Who a claimant's children are, by the register's relationships (続柄), which
 * are all relative to the head: the head and their spouse are the parents of
 * the head's children (子); a child of the head and their spouse, of the
 * grandchildren (孫). A resident of any other relationship (a grandparent, a
 * 同居人) is not taken as a parent in the household: see docs.
 */
const CHILDREN_OF: Readonly<Record<string, string>> = {
  世帯主: '子',
  妻: '子',
  夫: '子',
  '妻（未届）': '子',
  '夫（未届）': '子',
  子: '孫',
  子の妻: '孫',
  子の夫: '孫',
};

/** The relationship the claimant's children have to the head, or null if the claimant is not a parent the register can tell. */
export const childRelationshipOf = (claimantRelationship: string): string | null => CHILDREN_OF[claimantRelationship] ?? null;

/**
 * The claimant's children in the household who can count for the claim from
 * `month` on: current residents of the claimant's household, of the next
 * generation, not yet past the counting age (22) of the rules of that month.
 * An adult child living at home is therefore no child of the claim.
 */
export function householdChildren(claimant: RosterEntry, members: readonly RosterEntry[], month: string): RosterEntry[] {
  const relation = childRelationshipOf(claimant.relationship);
  if (!relation || !isCurrent(claimant)) return [];
  const counting = ruleSetForMonth(month).birthOrder.countedThrough.value;
  return members
    .filter((m) => m.residentId !== claimant.residentId && isCurrent(m) && m.householdId === claimant.householdId && m.relationship === relation)
    .filter((m) => lastMonthWithin(counting, m.dateOfBirth) >= month);
}

/** A stored child row of a claim: a period of months a child counts, with how it ended. */
export interface ClaimChildRow extends CountedChild {
  readonly rowId: string;
  /** Whether the child is a resident here (the household's, or declared by resident id); false for a declared child living elsewhere. */
  readonly resident: boolean;
  readonly untilReason: ChildLeaveReason | null;
}

/** Why a child stopped counting for a claim. */
export type ChildLeaveReason = ClosingReason | 'left_household' | 'date_of_birth_corrected';

export type ChildChange =
  | { readonly op: 'add'; readonly childId: string; readonly dateOfBirth: string; readonly fromMonth: string }
  | { readonly op: 'close'; readonly rowId: string; readonly untilMonth: string; readonly reason: ChildLeaveReason }
  /** Counted again without a gap (back in the household within the month, or a move-out cancelled). */
  | { readonly op: 'reopen'; readonly rowId: string }
  /** A corrected date of birth on a row that has not counted any month before the correction takes effect. */
  | { readonly op: 'redate'; readonly rowId: string; readonly dateOfBirth: string };

/** The reasons a move-out cancellation (転出取消) undoes: the child never left. */
const UNDONE_BY_CANCELLATION: readonly ChildLeaveReason[] = ['moved_out', 'moved_abroad'];

export interface ReconcileInput {
  /** The claim's rows (every period, open or closed). */
  readonly rows: readonly ClaimChildRow[];
  /** The children the claim should count now: resident id → date of birth. */
  readonly desired: ReadonlyMap<string, string>;
  /** The roster now, for why a child left. */
  readonly roster: ReadonlyMap<string, RosterEntry>;
  readonly eventKind: string;
  /** The month the event takes effect for this claim (the month after its date, not before the claim's start). */
  readonly effectiveMonth: string;
}

/**
 * What the claim's child rows need so that from `effectiveMonth` on they
 * count exactly the desired children, and the first month that may change
 * (earlier than effectiveMonth when a cancelled move-out restores months).
 * Only resident rows are reconciled; a declared child living elsewhere stays.
 */
export function reconcileChildren(input: ReconcileInput): { changes: ChildChange[]; from: string } {
  const { rows, desired, roster, eventKind, effectiveMonth: m } = input;
  const changes: ChildChange[] = [];
  let from = m;
  const lastCounted = addMonths(m, -1);
  const closeAt = (row: ClaimChildRow) => maxMonth(lastCounted, addMonths(row.fromMonth, -1));
  const open = rows.filter((r) => r.resident && r.untilMonth === null);
  const openIds = new Set<string>();
  for (const row of open) {
    const dob = desired.get(row.childId);
    if (dob === undefined) {
      const entry = roster.get(row.childId);
      changes.push({ op: 'close', rowId: row.rowId, untilMonth: closeAt(row), reason: entry?.closedReason ?? 'left_household' });
    } else if (dob !== row.dateOfBirth) {
      // A corrected date of birth takes effect like any change, from the month after; earlier months keep the old one.
      if (row.fromMonth >= m) changes.push({ op: 'redate', rowId: row.rowId, dateOfBirth: dob });
      else {
        changes.push({ op: 'close', rowId: row.rowId, untilMonth: closeAt(row), reason: 'date_of_birth_corrected' });
        changes.push({ op: 'add', childId: row.childId, dateOfBirth: dob, fromMonth: m });
      }
      openIds.add(row.childId);
    } else openIds.add(row.childId);
  }
  for (const [childId, dob] of desired) {
    if (openIds.has(childId)) continue;
    const latest = rows
      .filter((r) => r.resident && r.childId === childId && r.untilMonth !== null)
      .sort((a, b) => (a.fromMonth < b.fromMonth ? 1 : -1))[0];
    const cancelled = eventKind === 'move_out_cancelled' && latest?.untilReason != null && UNDONE_BY_CANCELLATION.includes(latest.untilReason);
    const contiguous = latest !== undefined && latest.untilMonth! >= lastCounted;
    if (latest && latest.dateOfBirth === dob && (cancelled || contiguous)) {
      changes.push({ op: 'reopen', rowId: latest.rowId });
      from = minMonth(from, addMonths(latest.untilMonth!, 1));
    } else changes.push({ op: 'add', childId, dateOfBirth: dob, fromMonth: m });
  }
  return { changes, from };
}

/** The rows after the changes, as the months are computed from them (pure: for the revision). */
export function applyChildChanges(rows: readonly ClaimChildRow[], changes: readonly ChildChange[]): ClaimChildRow[] {
  const out = rows.map((r) => ({ ...r }));
  for (const c of changes) {
    if (c.op === 'add') {
      out.push({ rowId: `new:${c.childId}:${c.fromMonth}`, childId: c.childId, dateOfBirth: c.dateOfBirth, supported: null, fromMonth: c.fromMonth, untilMonth: null, resident: true, untilReason: null });
      continue;
    }
    const i = out.findIndex((r) => r.rowId === c.rowId);
    if (i < 0) continue;
    const r = out[i]!;
    if (c.op === 'close') out[i] = { ...r, untilMonth: c.untilMonth, untilReason: c.reason };
    else if (c.op === 'reopen') out[i] = { ...r, untilMonth: null, untilReason: null };
    else out[i] = { ...r, dateOfBirth: c.dateOfBirth };
  }
  return out;
}

/** The month an event takes effect for a claim: the month after its date, never before the claim's first month. */
export const effectiveMonthOf = (eventDate: string, startMonth: string): string => maxMonth(monthAfter(eventDate), startMonth);

/** Why a claim's entitlement ended (消滅), from the claimant's closed record. */
export type ClaimEndReason = ClosingReason;

/** The claim reasons a move-out cancellation undoes. */
export const ENDS_UNDONE_BY_CANCELLATION: readonly ClaimEndReason[] = ['moved_out', 'moved_abroad'];
