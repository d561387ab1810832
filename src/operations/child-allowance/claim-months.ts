/**
 * A claim's (認定) months: which children it counts in a month, what the
 * rules (eligibility.ts) pay for it, and the first month from which a change
 * of those children alters the amount (a revision, 額改定). Pure.
 *
 * A claim keeps its children as periods of months (from the month after they
 * joined to the month they left, as the register's events say) with their
 * dates of birth; nothing else. The amount of any month is computed from
 * those when asked, so a child turning 3 or passing high-school age needs no
 * event: the rules read the age from the date of birth for each month.
 */
import { allowanceForMonth, lastMonthWithin, ruleSetForMonth, type ChildInput, type MonthlyAllowance } from './eligibility.js';
import { addMonths, maxMonth, monthRange } from './months.js';

/** The months a claim pays for: from its start month (the month after the claim) to the month its entitlement ended (消滅), if it did. */
export interface ClaimPeriod {
  readonly startMonth: string;
  /** The last month of entitlement; null while the claim stands. */
  readonly endedMonth: string | null;
}

/** A child as the claim counts it over a period of months. */
export interface CountedChild {
  /** The resident's id, or an id of the claim's own for a declared child with no record here. */
  readonly childId: string;
  readonly dateOfBirth: string;
  /**
   * true: the claimant declared bearing the child's living costs (監護相当・生計費の
   * 負担), which counts a child past high-school age for birth order. null: no
   * declaration; the child is presumed in the claimant's care while a 児童 and
   * is not counted past that age.
   */
  readonly supported: boolean | null;
  readonly fromMonth: string;
  /** The last month counted; null while the child stays. */
  readonly untilMonth: string | null;
}

export interface ClaimState {
  readonly period: ClaimPeriod;
  readonly children: readonly CountedChild[];
}

export const isEntitled = (period: ClaimPeriod, month: string): boolean => month >= period.startMonth && (period.endedMonth === null || month <= period.endedMonth);

/** Whether a child born on dateOfBirth is still a 児童 (through high-school age) in the month, under the rules of that month. */
function isChildAged(dateOfBirth: string, month: string): boolean {
  return lastMonthWithin(ruleSetForMonth(month).childDefinition.value, dateOfBirth) >= month;
}

/** The children the claim counts in a month, as the rules take them. */
export function childInputs(children: readonly CountedChild[], month: string): ChildInput[] {
  return children
    .filter((c) => c.fromMonth <= month && (c.untilMonth === null || month <= c.untilMonth))
    .map((c) => ({
      residentId: c.childId,
      dateOfBirth: c.dateOfBirth,
      // Declared: counted while within the counting age. Undeclared: presumed in care while a 児童, not counted past it.
      ...(c.supported === true ? { supportedByClaimant: true } : isChildAged(c.dateOfBirth, month) ? {} : { supportedByClaimant: false }),
    }));
}

/** The allowance of one month, or null when the claim pays nothing for it (before its start, after its end). */
export function claimMonth(state: ClaimState, month: string): MonthlyAllowance | null {
  if (!isEntitled(state.period, month)) return null;
  return allowanceForMonth({ children: childInputs(state.children, month) }, month);
}

export const totalOf = (a: MonthlyAllowance | null): number => a?.total ?? 0;
/** Children paid in a month (支給対象), and counted for birth order (算定対象). */
export const paidOf = (a: MonthlyAllowance | null): number => a?.children.filter((c) => c.monthlyAmount > 0).length ?? 0;
export const countedOf = (a: MonthlyAllowance | null): number => a?.children.filter((c) => c.birthOrder !== null).length ?? 0;

/**
 * The last month in which any of these children can change an amount: the
 * school-year end after the counting age (22) of the youngest, under the rules
 * of `from`. Past it every child is past the counting age.
 */
function horizon(states: readonly ClaimState[], from: string): string {
  const counting = ruleSetForMonth(from).birthOrder.countedThrough.value;
  let last = from;
  for (const s of states) for (const c of s.children) last = maxMonth(last, lastMonthWithin(counting, c.dateOfBirth));
  return last;
}

export interface Revision {
  /** The first month whose amount differs. */
  readonly effectiveMonth: string;
  readonly amountBefore: number;
  readonly amountAfter: number;
  /** After the change, in that month. */
  readonly childrenPaid: number;
  readonly childrenCounted: number;
}

/**
 * The revision a change made, if it changed any amount: the first month, on
 * or after `from`, whose amount differs between the claim before and after
 * the change, with both amounts. Months before `from` the change cannot have
 * touched. null when every month pays the same.
 */
export function revisionOf(before: ClaimState, after: ClaimState, from: string): Revision | null {
  const first = maxMonth(from, before.period.startMonth < after.period.startMonth ? before.period.startMonth : after.period.startMonth);
  for (const month of monthRange(first, addMonths(horizon([before, after], first), 1))) {
    const b = claimMonth(before, month);
    const a = claimMonth(after, month);
    if (totalOf(a) !== totalOf(b)) {
      return { effectiveMonth: month, amountBefore: totalOf(b), amountAfter: totalOf(a), childrenPaid: paidOf(a), childrenCounted: countedOf(a) };
    }
  }
  return null;
}
