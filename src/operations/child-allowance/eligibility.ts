/**
 * 児童手当 (child allowance): who is paid how much for a month, and when the
 * months are paid. Pure and deterministic: no clock, no database; every figure
 * comes from the rule set in force (./rules.ts), chosen by the month.
 *
 * The month model (児童手当法 第8条・第9条): a change of a child's situation on
 * some day takes effect from the month after that day. So a child is paid from
 * the month after birth; keeps the under-3 amount through the month of the
 * third birthday; is paid through the March of the school-year end after 18;
 * and is counted for birth order through the March of the school-year end after
 * 22. In code: a child is within an age limit for month M when the day the limit
 * is passed falls in month M or later (see lastMonthWithin).
 *
 * Ages follow 年齢計算ニ関スル法律 with 民法 第143条: a person attains an age at
 * the end of the day before the birthday (a child born on 1 April attains it on
 * 31 March, and so belongs to the earlier school year); someone born on 29
 * February attains it on 28 February in a common year.
 */
import { CHILD_ALLOWANCE_RULE_SETS, type AgeLimit, type ChildAllowanceRuleSet, type DependantScaledLimit } from './rules.js';

// ---------------------------------------------------------------------------
// Errors

/**
 * Input the rules cannot be applied to: a malformed date or month, a missing
 * declaration, a month no rule set covers, or a case that turns on a figure not
 * confirmed. field is a JSON pointer into the input (e.g. /children/1/dateOfBirth).
 */
export class ChildAllowanceError extends Error {
  constructor(
    readonly field: string,
    readonly rule: 'date' | 'month' | 'required' | 'type' | 'duplicate' | 'range' | 'no_rule_set' | 'unconfirmed_figure',
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ChildAllowanceError';
  }
}

// ---------------------------------------------------------------------------
// Calendar (proleptic Gregorian, as the register's dates)

interface Ymd {
  readonly y: number;
  readonly m: number;
  readonly d: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

function parseDate(value: unknown, field: string): Ymd {
  if (typeof value !== 'string') throw new ChildAllowanceError(field, 'date', `expected a date 'YYYY-MM-DD', got ${typeof value}`);
  const match = DATE.exec(value);
  if (!match) throw new ChildAllowanceError(field, 'date', `expected a date 'YYYY-MM-DD', got '${value}'`);
  const y = Number(match[1]);
  const m = Number(match[2]);
  const d = Number(match[3]);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) throw new ChildAllowanceError(field, 'date', `'${value}' is not a calendar date`);
  return { y, m, d };
}

function parseMonth(value: unknown, field: string): { readonly y: number; readonly m: number } {
  if (typeof value !== 'string') throw new ChildAllowanceError(field, 'month', `expected a month 'YYYY-MM', got ${typeof value}`);
  const match = MONTH.exec(value);
  const m = match ? Number(match[2]) : 0;
  if (!match || m < 1 || m > 12) throw new ChildAllowanceError(field, 'month', `expected a month 'YYYY-MM', got '${value}'`);
  return { y: Number(match[1]), m };
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const formatDate = ({ y, m, d }: Ymd): string => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
const formatMonth = (y: number, m: number): string => `${pad(y, 4)}-${pad(m, 2)}`;
const monthOf = (date: Ymd): string => formatMonth(date.y, date.m);

function dayBefore({ y, m, d }: Ymd): Ymd {
  if (d > 1) return { y, m, d: d - 1 };
  if (m > 1) return { y, m: m - 1, d: daysInMonth(y, m - 1) };
  return { y: y - 1, m: 12, d: 31 };
}

function nextMonth(month: string): string {
  const { y, m } = parseMonth(month, 'month');
  return m === 12 ? formatMonth(y + 1, 1) : formatMonth(y, m + 1);
}

/** Comparison of dates or of months in their fixed-width forms. */
const before = (a: string, b: string): boolean => a < b;

// ---------------------------------------------------------------------------
// Ages

/**
 * The day a person born on dateOfBirth attains the given age (年齢計算ニ関スル法律:
 * age is counted from the day of birth, and by 民法 第143条 the year ends on the
 * day before the anniversary; for 29 February in a common year, on the last day
 * of February).
 */
export function attainsAgeOn(dateOfBirth: string, age: number): string {
  const birth = parseDate(dateOfBirth, 'dateOfBirth');
  const y = birth.y + age;
  // 民法 第143条第2項ただし書: no corresponding day in the last month → its last day.
  if (birth.m === 2 && birth.d === 29 && !isLeap(y)) return formatDate({ y, m: 2, d: 28 });
  return formatDate(dayBefore({ y, m: birth.m, d: birth.d }));
}

/** The first 31 March on or after the date (以後の最初の三月三十一日): the end of the school year (年度末) the date falls in. */
export function firstMarch31OnOrAfter(date: string): string {
  const { y, m } = parseDate(date, 'date');
  return formatDate({ y: m <= 3 ? y : y + 1, m: 3, d: 31 });
}

/**
 * The day after whose month the child is no longer within the limit: status
 * changes take effect from the month after the day they happen (第9条, 第8条).
 */
function limitPassedOn(limit: AgeLimit, dateOfBirth: string): string {
  if (limit.kind === 'school_year_end') return firstMarch31OnOrAfter(attainsAgeOn(dateOfBirth, limit.age));
  const birth = parseDate(dateOfBirth, 'dateOfBirth');
  if (limit.firstOfMonthBirthsCountFromBirthDate && birth.d === 1) {
    // 出生の日から N 年を経過しない: the period starts the day after birth
    // (民法 第140条), so it runs through the Nth birthday itself, which is the
    // first of a month and always exists.
    return formatDate({ y: birth.y + limit.age, m: birth.m, d: 1 });
  }
  return attainsAgeOn(dateOfBirth, limit.age);
}

/**
 * The last month ('YYYY-MM') in which a child born on dateOfBirth is within the
 * limit: the month of the third birthday for "under 3" (every birth date, the
 * first of a month included), the March of the school-year end for the others.
 */
export function lastMonthWithin(limit: AgeLimit, dateOfBirth: string): string {
  return monthOf(parseDate(limitPassedOn(limit, dateOfBirth), 'dateOfBirth'));
}

/** The first month of entitlement after birth: the month after the month of birth. */
export function firstMonthAfterBirth(dateOfBirth: string): string {
  return nextMonth(monthOf(parseDate(dateOfBirth, 'dateOfBirth')));
}

// ---------------------------------------------------------------------------
// Rule sets

/** The rule set in force on a date ('YYYY-MM-DD'); throws if none is encoded for it. */
export function ruleSetFor(date: string, ruleSets: readonly ChildAllowanceRuleSet[] = CHILD_ALLOWANCE_RULE_SETS): ChildAllowanceRuleSet {
  const day = formatDate(parseDate(date, 'date'));
  const found = ruleSets.find((r) => !before(day, r.effectiveFrom) && (r.effectiveUntil === null || !before(r.effectiveUntil, day)));
  if (!found) {
    const periods = ruleSets.map((r) => `${r.effectiveFrom}..${r.effectiveUntil ?? ''}`).join(', ');
    throw new ChildAllowanceError('date', 'no_rule_set', `no child-allowance rule set is encoded for ${day} (encoded: ${periods})`);
  }
  return found;
}

/** The rule set in force for a month ('YYYY-MM'): the one in force on its first day. */
export function ruleSetForMonth(month: string, ruleSets: readonly ChildAllowanceRuleSet[] = CHILD_ALLOWANCE_RULE_SETS): ChildAllowanceRuleSet {
  const { y, m } = parseMonth(month, 'month');
  try {
    return ruleSetFor(formatDate({ y, m, d: 1 }), ruleSets);
  } catch (e) {
    if (e instanceof ChildAllowanceError) throw new ChildAllowanceError('month', e.rule, e.message.replace(/^date: /, ''));
    throw e;
  }
}

// ---------------------------------------------------------------------------
// The household and the month's allowance

/** A child of the claimant's household (in the register's terms: a resident and their date of birth). */
export interface ChildInput {
  readonly residentId: string;
  readonly dateOfBirth: string;
  /**
   * Whether the claimant looks after and supports this child: for a child past
   * 児童 age (after the school-year end after 18), whether the claimant bears
   * the child's living costs (監護相当・生計費の負担), which decides whether the
   * child counts for birth order; required for such a child while the rules
   * count them. For a younger child it defaults to true (the claimant claims
   * for the children in their care); false excludes the child altogether.
   */
  readonly supportedByClaimant?: boolean;
}

/**
 * The claimant's income as the rules before October 2024 test it: 所得額 after
 * the deductions of 児童手当法施行令 (for January–May the year before last,
 * from June the previous year; the caller picks the year), and the number of
 * dependants (扶養親族等), of whom elderly dependants (老人扶養親族 and
 * 同一生計配偶者 aged 70 or over).
 */
export interface ClaimantIncome {
  readonly incomeYen: number;
  readonly dependents: number;
  readonly elderlyDependents: number;
}

export interface HouseholdInput {
  readonly children: readonly ChildInput[];
  /** Needed only for months whose rule set has an income test; ignored otherwise. */
  readonly claimantIncome?: ClaimantIncome;
}

export type ChildReason =
  /** 児童手当 at the band's amount. */
  | 'paid'
  /** 特例給付 (before October 2024): the claimant's income is at or above the 所得制限限度額. */
  | 'special_benefit'
  /** Not yet entitled: entitlement starts the month after birth. */
  | 'not_yet_entitled'
  /** Past the payment age, still counted for birth order. */
  | 'past_payment_age_counted'
  /** Past both the payment age and the counting age. */
  | 'past_counting_age'
  /** The claimant does not look after or support the child (or bear their living costs). */
  | 'not_supported_by_claimant'
  /** Before October 2024: the claimant's income is at or above the 所得上限限度額. */
  | 'income_at_or_above_upper_limit';

export interface ChildAllowance {
  readonly residentId: string;
  readonly eligible: boolean;
  readonly reason: ChildReason;
  /** The age band (rule set band id) the child is in this month, null past the payment age or before entitlement. */
  readonly band: string | null;
  /** 1 for the oldest counted child (第1子); null when not counted. */
  readonly birthOrder: number | null;
  readonly monthlyAmount: number;
}

export type IncomeOutcome = 'not_tested' | 'below_restriction_limit' | 'special_benefit' | 'at_or_above_upper_limit';

export interface MonthlyAllowance {
  readonly month: string;
  readonly ruleSetId: string;
  readonly income: IncomeOutcome;
  /** In the order of the input. */
  readonly children: readonly ChildAllowance[];
  readonly total: number;
}

function validateHousehold(input: HouseholdInput): void {
  if (typeof input !== 'object' || input === null) throw new ChildAllowanceError('', 'type', 'expected a household object');
  if (!Array.isArray(input.children)) throw new ChildAllowanceError('/children', 'type', 'expected an array of children');
  const seen = new Set<string>();
  input.children.forEach((child: ChildInput, i: number) => {
    const at = `/children/${i}`;
    if (typeof child !== 'object' || child === null) throw new ChildAllowanceError(at, 'type', 'expected a child object');
    if (typeof child.residentId !== 'string' || child.residentId.length === 0) throw new ChildAllowanceError(`${at}/residentId`, 'required', 'expected a non-empty resident id');
    if (seen.has(child.residentId)) throw new ChildAllowanceError(`${at}/residentId`, 'duplicate', `resident ${child.residentId} is listed twice`);
    seen.add(child.residentId);
    parseDate(child.dateOfBirth, `${at}/dateOfBirth`);
    if (child.supportedByClaimant !== undefined && typeof child.supportedByClaimant !== 'boolean') {
      throw new ChildAllowanceError(`${at}/supportedByClaimant`, 'type', 'expected a boolean');
    }
  });
  const income = input.claimantIncome;
  if (income !== undefined) {
    if (typeof income !== 'object' || income === null) throw new ChildAllowanceError('/claimantIncome', 'type', 'expected an object');
    for (const key of ['incomeYen', 'dependents', 'elderlyDependents'] as const) {
      const v = income[key];
      if (!Number.isSafeInteger(v) || v < 0) throw new ChildAllowanceError(`/claimantIncome/${key}`, 'range', `expected a non-negative integer, got ${String(v)}`);
    }
    if (income.elderlyDependents > income.dependents) {
      throw new ChildAllowanceError('/claimantIncome/elderlyDependents', 'range', 'elderly dependants are counted among the dependants, so cannot outnumber them');
    }
  }
}

/** Whether the income is at or above the limit (以上: 第5条, 附則第2条); throws if that turns on an unconfirmed figure. */
function atOrAbove(limit: DependantScaledLimit, income: ClaimantIncome, which: string): boolean {
  const withoutExtra = limit.base.value + limit.perDependent.value * income.dependents;
  if (income.elderlyDependents === 0) return income.incomeYen >= withoutExtra;
  if (limit.perElderlyDependentExtra !== null) return income.incomeYen >= withoutExtra + limit.perElderlyDependentExtra.value * income.elderlyDependents;
  // The elderly addition only raises the limit: below it even without the addition decides nothing here.
  if (income.incomeYen < withoutExtra) return false;
  throw new ChildAllowanceError(
    '/claimantIncome/elderlyDependents',
    'unconfirmed_figure',
    `the ${which} for a claimant with elderly dependants is not encoded (its addition per elderly dependant is unconfirmed); decide this case by hand`,
  );
}

function incomeOutcome(rules: ChildAllowanceRuleSet, input: HouseholdInput): IncomeOutcome {
  const test = rules.incomeTest;
  if (test === null) return 'not_tested';
  const income = input.claimantIncome;
  if (income === undefined) {
    throw new ChildAllowanceError('/claimantIncome', 'required', `the rules in force (${rules.id}) test the claimant's income: claimantIncome is required`);
  }
  if (!atOrAbove(test.restrictionLimit, income, '所得制限限度額')) return 'below_restriction_limit';
  if (test.upperLimit !== null && atOrAbove(test.upperLimit, income, '所得上限限度額')) return 'at_or_above_upper_limit';
  return 'special_benefit';
}

/**
 * The allowance for one month ('YYYY-MM') of a claimant's household, under the
 * rule set in force on the month's first day: per child whether they are
 * paid, why, their birth order and monthly amount, and the total.
 *
 * Birth order counts, oldest first, the children within the counting age whom
 * the claimant supports (children past 児童 age only if supportedByClaimant);
 * twins and other children born the same day are ordered by residentId, which
 * never changes the total since they share an age band.
 */
export function allowanceForMonth(input: HouseholdInput, month: string, ruleSets: readonly ChildAllowanceRuleSet[] = CHILD_ALLOWANCE_RULE_SETS): MonthlyAllowance {
  const rules = ruleSetForMonth(month, ruleSets);
  validateHousehold(input);
  const { y, m } = parseMonth(month, 'month');
  const theMonth = formatMonth(y, m);
  const within = (limit: AgeLimit, dateOfBirth: string): boolean => !before(lastMonthWithin(limit, dateOfBirth), theMonth);

  interface Facts {
    readonly child: ChildInput;
    readonly born: boolean;
    readonly supported: boolean;
    readonly inCounting: boolean;
    readonly counted: boolean;
    readonly bandIndex: number; // -1 past the payment age
  }

  const facts: Facts[] = input.children.map((child, i) => {
    const born = !before(theMonth, firstMonthAfterBirth(child.dateOfBirth));
    const isChild = within(rules.childDefinition.value, child.dateOfBirth);
    const inCounting = within(rules.birthOrder.countedThrough.value, child.dateOfBirth);
    let supported: boolean;
    if (child.supportedByClaimant !== undefined) supported = child.supportedByClaimant;
    else if (isChild || !inCounting || !born) supported = true; // presumed for a 児童; irrelevant outside the counting age
    else {
      throw new ChildAllowanceError(
        `/children/${i}/supportedByClaimant`,
        'required',
        `resident ${child.residentId} is past high-school age in ${theMonth} but within the birth-order counting age: say whether the claimant bears their living costs (監護相当・生計費の負担)`,
      );
    }
    const bandIndex = rules.bands.findIndex((band) => within(band.through.value, child.dateOfBirth));
    return { child, born, supported, inCounting, counted: born && supported && inCounting, bandIndex };
  });

  const order = new Map<string, number>();
  facts
    .filter((f) => f.counted)
    .sort((a, b) => (a.child.dateOfBirth === b.child.dateOfBirth ? (a.child.residentId < b.child.residentId ? -1 : 1) : before(a.child.dateOfBirth, b.child.dateOfBirth) ? -1 : 1))
    .forEach((f, i) => order.set(f.child.residentId, i + 1));

  const income = incomeOutcome(rules, input);
  const thirdChildOrdinal = rules.birthOrder.thirdChildOrdinal.value;

  const children = facts.map((f): ChildAllowance => {
    const birthOrder = order.get(f.child.residentId) ?? null;
    const band = f.bandIndex >= 0 ? rules.bands[f.bandIndex] : undefined;
    const result = (reason: ChildReason, monthlyAmount: number, bandId: string | null = null): ChildAllowance => ({
      residentId: f.child.residentId,
      eligible: monthlyAmount > 0,
      reason,
      band: bandId,
      birthOrder,
      monthlyAmount,
    });
    if (!f.born) return result('not_yet_entitled', 0);
    if (band === undefined) {
      if (birthOrder !== null) return result('past_payment_age_counted', 0);
      return result(f.inCounting ? 'not_supported_by_claimant' : 'past_counting_age', 0);
    }
    if (!f.supported) return result('not_supported_by_claimant', 0);
    if (income === 'at_or_above_upper_limit') return result('income_at_or_above_upper_limit', 0, band.id);
    if (income === 'special_benefit') return result('special_benefit', rules.incomeTest?.specialBenefitMonthly.value ?? 0, band.id);
    // A paid child is always counted: the counting age reaches at least the payment age.
    const amount = birthOrder !== null && birthOrder >= thirdChildOrdinal ? band.thirdAndLaterChild.value : band.firstAndSecondChild.value;
    return result('paid', amount, band.id);
  });

  return { month: theMonth, ruleSetId: rules.id, income, children, total: children.reduce((sum, c) => sum + c.monthlyAmount, 0) };
}

// ---------------------------------------------------------------------------
// Payments

/** A month's entitlement as paymentSchedule takes it (a MonthlyAllowance is one). */
export interface MonthlyEntitlement {
  readonly month: string;
  readonly total: number;
}

export interface Payment {
  /** The payment month (支払期月). */
  readonly paymentMonth: string;
  /** The months of entitlement it pays, oldest first. */
  readonly covers: readonly string[];
  readonly amount: number;
}

/**
 * The payment month of a month of entitlement: the first payment month of the
 * rule set in force for that month strictly after it (第8条第4項: each payment
 * month pays the months up to the one before it). Under the 2024 rules December
 * and January are paid in February; under the earlier ones June–September were
 * paid in October, so the change of rules needs no special case.
 */
export function paymentMonthFor(month: string, ruleSets: readonly ChildAllowanceRuleSet[] = CHILD_ALLOWANCE_RULE_SETS): string {
  const rules = ruleSetForMonth(month, ruleSets);
  const { y, m } = parseMonth(month, 'month');
  const months = [...rules.paymentMonths.value].sort((a, b) => a - b);
  const later = months.find((p) => p > m);
  if (later !== undefined) return formatMonth(y, later);
  const first = months[0];
  if (first === undefined) throw new ChildAllowanceError('month', 'no_rule_set', `rule set ${rules.id} has no payment months`);
  return formatMonth(y + 1, first);
}

/**
 * Groups monthly entitlements into payments, by payment month, oldest first.
 * Months with a total of 0 pay nothing and are left out. Each month may appear
 * once; amounts must be non-negative integer yen.
 */
export function paymentSchedule(months: readonly MonthlyEntitlement[], ruleSets: readonly ChildAllowanceRuleSet[] = CHILD_ALLOWANCE_RULE_SETS): Payment[] {
  if (!Array.isArray(months)) throw new ChildAllowanceError('', 'type', 'expected an array of monthly entitlements');
  const seen = new Set<string>();
  const byPayment = new Map<string, { covers: string[]; amount: number }>();
  months.forEach((entry: MonthlyEntitlement, i: number) => {
    const { y, m } = parseMonth(entry?.month, `/${i}/month`);
    const month = formatMonth(y, m);
    if (seen.has(month)) throw new ChildAllowanceError(`/${i}/month`, 'duplicate', `month ${month} is listed twice`);
    seen.add(month);
    if (!Number.isSafeInteger(entry.total) || entry.total < 0) throw new ChildAllowanceError(`/${i}/total`, 'range', `expected a non-negative integer amount of yen, got ${String(entry.total)}`);
    if (entry.total === 0) return;
    const paymentMonth = paymentMonthFor(month, ruleSets);
    const payment = byPayment.get(paymentMonth) ?? { covers: [], amount: 0 };
    payment.covers.push(month);
    payment.amount += entry.total;
    byPayment.set(paymentMonth, payment);
  });
  return [...byPayment.entries()]
    .sort(([a], [b]) => (before(a, b) ? -1 : 1))
    .map(([paymentMonth, p]) => ({ paymentMonth, covers: [...p.covers].sort(), amount: p.amount }));
}
