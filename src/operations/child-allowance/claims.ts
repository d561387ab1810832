/**
 * A claim (認定請求) as a clerk records it, checked against the roster the
 * module keeps from the register's events: who claims, since when, and which
 * children it counts. Pure: the route loads the roster and the open claims,
 * and writes what comes out. Malformed values are a 400; well-formed values
 * the rules or the roster refuse, a 422 (child_allowance_claim_rejected), all
 * listed in one answer. Messages name fields and rules, never values.
 */
import { fieldError, type FieldError } from '../../platform/errors.js';
import { claimMonth, totalOf } from './claim-months.js';
import { lastMonthWithin, ruleSetForMonth } from './eligibility.js';
import { monthAfter } from './months.js';
import { CHILD_ALLOWANCE_RULE_SETS } from './rules.js';
import { householdChildren, isCurrent, type RosterEntry } from './register-events.js';

/**
 * The first month from which every encoded rule set is without an income test
 * (October 2024): claims for earlier months would need the claimant's income,
 * which the module does not take. Derived from the rule sets, not repeated.
 */
export const FIRST_CLAIM_MONTH: string = (() => {
  let first: string | null = null;
  for (const r of CHILD_ALLOWANCE_RULE_SETS) first = r.incomeTest === null ? (first ?? r.effectiveFrom.slice(0, 7)) : null;
  if (!first) throw new Error('no encoded rule set without an income test');
  return first;
})();

/** A child the claimant declares supporting (監護相当・生計費の負担): a child of the household by resident id, or one living elsewhere by date of birth. */
export type DeclaredChild = { readonly residentId: string } | { readonly dateOfBirth: string };

export interface ClaimRequest {
  readonly claimantId: string;
  /** 認定請求日 (YYYY-MM-DD). */
  readonly claimedOn: string;
  readonly olderChildren?: readonly DeclaredChild[] | undefined;
}

export interface ClaimContext {
  /** Today in Japan (YYYY-MM-DD). */
  readonly today: string;
  /** The claimant's roster entry, if the roster knows them. */
  readonly claimant: RosterEntry | null;
  /** The roster entries of the claimant's household. */
  readonly members: readonly RosterEntry[];
  /** Whether the claimant's household already has an open claim. */
  readonly householdHasOpenClaim: boolean;
  /** Children counted by another open claim (they are not counted twice). */
  readonly countedElsewhere: ReadonlySet<string>;
  /** A new id for a declared child with no record here. */
  readonly newId: () => string;
}

/** A child the new claim counts from its start month. */
export interface PlannedChild {
  readonly childId: string;
  readonly resident: boolean;
  readonly dateOfBirth: string;
  readonly supported: boolean | null;
}

export type ClaimPlan =
  | { readonly ok: true; readonly startMonth: string; readonly householdId: string; readonly children: readonly PlannedChild[] }
  | { readonly ok: false; readonly malformed: boolean; readonly errors: readonly FieldError[] };

const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

/** Whether a 'YYYY-MM-DD' text is a calendar date. */
export function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1868 && dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

/** Checks a claim and works out its start month and children, or says everything wrong with it. */
export function planClaim(req: ClaimRequest, ctx: ClaimContext): ClaimPlan {
  const malformed: FieldError[] = [];
  const refused: FieldError[] = [];
  const declared = req.olderChildren ?? [];

  if (!isCalendarDate(req.claimedOn)) malformed.push(fieldError('body/claimedOn', 'date', { ja: '存在しない日付です。', en: 'is not a calendar date' }));
  declared.forEach((c, i) => {
    if ('dateOfBirth' in c && !isCalendarDate(c.dateOfBirth)) {
      malformed.push(fieldError(`body/olderChildren/${i}/dateOfBirth`, 'date', { ja: '存在しない日付です。', en: 'is not a calendar date' }));
    }
  });
  if (malformed.length > 0) return { ok: false, malformed: true, errors: malformed };

  const startMonth = monthAfter(req.claimedOn);
  if (req.claimedOn > ctx.today) refused.push(fieldError('body/claimedOn', 'future', { ja: '未来の日付は指定できません。', en: 'must not be in the future' }));
  else if (startMonth < FIRST_CLAIM_MONTH) {
    refused.push(
      fieldError('body/claimedOn', 'before_rules', {
        ja: '令和6年10月分より前の認定（所得制限のあった期間）は扱えません。2024-09-01 以後の請求日を指定してください。',
        en: 'claims for months before October 2024 (under the income test) are not handled: the claim date must be 2024-09-01 or later',
      }),
    );
  }
  const claimant = ctx.claimant;
  if (!claimant || !isCurrent(claimant) || claimant.residentSince > req.claimedOn) {
    refused.push(
      fieldError('body/claimantId', 'not_resident', {
        ja: '請求日に本市区町村の住民である方を指定してください（住民記録の連携がまだ反映されていない場合は、しばらくしてからやり直してください）。',
        en: 'must be a resident of the municipality on the claim date (if the register change was just filed, retry once the feed has applied it)',
      }),
    );
  }
  if (refused.length > 0 || !claimant) return { ok: false, malformed: false, errors: refused };

  if (ctx.householdHasOpenClaim) {
    refused.push(fieldError('body/claimantId', 'open_claim_exists', { ja: 'この世帯には既に認定中の児童手当があります。', en: 'the household already has an open claim' }));
  }
  const children = householdChildren(claimant, ctx.members, startMonth).filter((c) => !ctx.countedElsewhere.has(c.residentId));
  const rules = ruleSetForMonth(startMonth);
  const isChildAged = (dob: string) => lastMonthWithin(rules.childDefinition.value, dob) >= startMonth;
  const inCounting = (dob: string) => lastMonthWithin(rules.birthOrder.countedThrough.value, dob) >= startMonth;

  const supportedIds = new Set<string>();
  const elsewhere: PlannedChild[] = [];
  declared.forEach((c, i) => {
    const at = `body/olderChildren/${i}`;
    if ('residentId' in c) {
      const child = children.find((k) => k.residentId === c.residentId);
      if (!child) {
        refused.push(
          fieldError(`${at}/residentId`, 'not_household_child', { ja: '請求者の世帯の子（22歳年度末まで）を指定してください。', en: "must be a child of the claimant's household within the counting age" }),
        );
      } else if (supportedIds.has(c.residentId)) refused.push(fieldError(`${at}/residentId`, 'duplicate', { ja: '同じ子が重複しています。', en: 'names a child twice' }));
      else supportedIds.add(c.residentId);
    } else if (isChildAged(c.dateOfBirth) || !inCounting(c.dateOfBirth)) {
      // A 児童 living elsewhere (別居監護) is not handled; a declared child elsewhere is one past high-school age, counted for birth order.
      refused.push(
        fieldError(`${at}/dateOfBirth`, 'not_older_child', {
          ja: '別居の子は、高校生年代を過ぎ22歳年度末までの子に限ります。',
          en: 'a child living elsewhere must be past high-school age and within the counting age (the school-year end after 22)',
        }),
      );
    } else elsewhere.push({ childId: ctx.newId(), resident: false, dateOfBirth: c.dateOfBirth, supported: true });
  });

  const planned: PlannedChild[] = [
    ...children.map((c) => ({ childId: c.residentId, resident: true, dateOfBirth: c.dateOfBirth, supported: supportedIds.has(c.residentId) ? true : null })),
    ...elsewhere,
  ];
  if (refused.length === 0) {
    const first = claimMonth({ period: { startMonth, endedMonth: null }, children: planned.map((c) => ({ ...c, fromMonth: startMonth, untilMonth: null })) }, startMonth);
    if (totalOf(first) === 0) {
      refused.push(
        fieldError('body/claimantId', 'no_eligible_child', {
          ja: '請求者の世帯に、開始月に支給対象となる児童（高校生年代まで）がいません。',
          en: "the claimant's household has no child paid for the first month (through high-school age)",
        }),
      );
    }
  }
  if (refused.length > 0) return { ok: false, malformed: false, errors: refused };
  return { ok: true, startMonth, householdId: claimant.householdId, children: planned };
}
