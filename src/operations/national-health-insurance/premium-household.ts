/**
 * The household an NHI premium is assessed on, put together from what the
 * module keeps: the people its feed named (cell.nhi_people), the household's
 * memberships (cell.nhi_members) and each person's income as the residential
 * tax assessed it. Pure: the route reads, this decides, `householdPremium`
 * (premium.ts) computes. Documented in docs/national-health-insurance.md
 * ("Premiums over the API"), with what is approximated.
 */
import { attainmentDate } from './eligibility.js';
import type { Household, HouseholdPerson, InsuredPeriod } from './premium.js';

/** A resident as the feed last delivered them. */
export interface KnownPerson {
  readonly residentId: string;
  readonly householdId: string | null;
  readonly dateOfBirth: string | null;
  /** 世帯主 of `householdId`, as the register last said. */
  readonly head: boolean;
  /** The register's record is current (not closed: moved out, died …). */
  readonly current: boolean;
}

/** A membership period kept under the household. */
export interface HouseholdMembership {
  readonly residentId: string;
  readonly acquiredOn: string;
  /** 資格喪失日: the first day not insured; null while insured. */
  readonly lostOn: string | null;
  readonly loseReason: string | null;
}

const yearStart = (fiscalYear: number) => `${fiscalYear}-04-01`;
const yearEnd = (fiscalYear: number) => `${fiscalYear + 1}-04-01`;

/** Whether a membership has a day in the fiscal year (one of no day, lost on its first day, has none). */
export function touchesFiscalYear(m: Pick<HouseholdMembership, 'acquiredOn' | 'lostOn'>, fiscalYear: number): boolean {
  return m.acquiredOn < yearEnd(fiscalYear) && (m.lostOn === null || (m.lostOn > yearStart(fiscalYear) && m.lostOn > m.acquiredOn));
}

export interface Composition {
  readonly fiscalYear: number;
  /** The head as the register now has it; null when NHI knows none. */
  readonly headId: string | null;
  /** Everyone the premium looks at: the head first (when known), then the others in resident order. */
  readonly residentIds: readonly string[];
  /** Each person's periods in the year, oldest first (the head's may be none: 擬制世帯主). */
  readonly periods: ReadonlyMap<string, readonly InsuredPeriod[]>;
  /** 特定同一世帯所属者: left NHI for 後期高齢者医療 at 75 and still in the household. */
  readonly specified: ReadonlySet<string>;
}

/**
 * Who the premium of a household for a fiscal year is about, or null when
 * nobody was insured under it in the year (nothing is levied):
 * - the members: everyone with a membership of the household that has a day
 *   in the year, with those periods (NHI cuts them at the 75th birthday);
 * - the head (世帯主) as the register now has it, a member or not: a head who
 *   is not insured is still assessed (擬制世帯主, 国保法 第76条);
 * - 特定同一世帯所属者: whose membership of the household ended at 75 (reason
 *   late_stage_elderly) before the year's end and who are in it now. They
 *   count in the reduction judgement (施行令 第29条の7第5項), not in the parts.
 * The household is taken as it stands now, not as it stood on the judgement
 * date (see the doc).
 */
export function householdComposition(input: {
  readonly fiscalYear: number;
  readonly householdId: string;
  readonly head: KnownPerson | null;
  readonly memberships: readonly HouseholdMembership[];
  readonly people: ReadonlyMap<string, KnownPerson>;
}): Composition | null {
  const { fiscalYear, householdId } = input;
  const periods = new Map<string, InsuredPeriod[]>();
  for (const m of [...input.memberships].sort((a, b) => (a.acquiredOn < b.acquiredOn ? -1 : a.acquiredOn > b.acquiredOn ? 1 : 0))) {
    if (!touchesFiscalYear(m, fiscalYear)) continue;
    const list = periods.get(m.residentId) ?? [];
    list.push({ from: m.acquiredOn, until: m.lostOn });
    periods.set(m.residentId, list);
  }
  if (periods.size === 0) return null;
  const specified = new Set<string>();
  for (const m of input.memberships) {
    const person = input.people.get(m.residentId);
    if (m.loseReason === 'late_stage_elderly' && m.lostOn !== null && m.lostOn < yearEnd(fiscalYear) && person?.current && person.householdId === householdId) {
      specified.add(m.residentId);
    }
  }
  const headId = input.head?.residentId ?? null;
  const others = [...new Set([...periods.keys(), ...specified])].filter((id) => id !== headId).sort();
  return { fiscalYear, headId, residentIds: headId ? [headId, ...others] : others, periods, specified };
}

// ---------------------------------------------------------------------------
// Income

/**
 * 給与所得者等 (施行令 第29条の7第5項第1号, the 7割 base's earner count): wage
 * income over 55万円, or public pensions over 60万円 (under 65) or 125万円
 * (65 and over), by gross amounts (収入金額) of the income year.
 */
export const EARNER_THRESHOLDS = { salary: 550_000, pensionUnder65: 600_000, pension65OrOver: 1_250_000 } as const;
/** For the reduction judgement, a pensioner of 65 or over has 15万円 less pension income (公的年金等特別控除). */
export const ELDERLY_PENSION_JUDGEMENT_DEDUCTION = 150_000;

/** What the residential tax holds of a person for the fiscal year (its latest run). */
export type IncomeEvidence =
  | {
      readonly outcome: 'assessed';
      readonly assessmentId: string;
      readonly runNumber: number;
      /** 総所得金額等 of the income year (the assessment's 合計所得金額). */
      readonly totalIncome: number;
      /** 公的年金等に係る雑所得. */
      readonly pensionIncome: number;
      /** Gross wages (給与等の収入金額) and gross public pensions (公的年金等の収入金額), from the income record the assessment used. */
      readonly grossSalary: number;
      readonly grossPension: number;
    }
  | { readonly outcome: 'unreported' | 'rejected'; readonly assessmentId: string; readonly runNumber: number };

export const INCOME_SOURCES = ['residential_tax', 'residential_tax_unreported', 'residential_tax_rejected', 'not_assessed_here', 'born_after_income_year'] as const;
export type IncomeSource = (typeof INCOME_SOURCES)[number];

export interface PersonIncome {
  readonly residentId: string;
  /** 総所得金額等 of the previous calendar year: the base of 所得割. */
  readonly income: number;
  /** The income the reductions are judged by. */
  readonly incomeForReduction: number;
  readonly earner: boolean;
  /** No income is known (未申告 or not assessed here): counted as 0, which the reduction then assumes. */
  readonly incomeUnreported: boolean;
  readonly source: IncomeSource;
  /** The residential tax run the figures (or their absence) come from. */
  readonly runNumber: number | null;
  /** The assessment row read, if any (for the audit). */
  readonly assessmentId: string | null;
}

/** Whether a person is 65 or over for the income rules of a fiscal year: by 1 January of its calendar year (the age is attained the day before the birthday). */
export function aged65ForFiscalYear(dateOfBirth: string, fiscalYear: number): boolean {
  return attainmentDate(dateOfBirth, 65) <= `${fiscalYear}-01-01`;
}

/**
 * A person's income for the premium of a fiscal year, from what the
 * residential tax assessed for that same year (whose income is the previous
 * calendar year's, as the premium's is). Someone born on or after 1 January of
 * the fiscal year had no income in the income year at all. Anyone else without
 * an assessment counts as 0 and is flagged `incomeUnreported`.
 */
export function personIncome(residentId: string, dateOfBirth: string, fiscalYear: number, evidence: IncomeEvidence | null): PersonIncome {
  const none = { residentId, income: 0, incomeForReduction: 0, earner: false, runNumber: evidence?.runNumber ?? null, assessmentId: evidence?.assessmentId ?? null };
  if (dateOfBirth >= `${fiscalYear}-01-01`) return { ...none, incomeUnreported: false, source: 'born_after_income_year' };
  if (!evidence) return { ...none, incomeUnreported: true, source: 'not_assessed_here' };
  if (evidence.outcome !== 'assessed') return { ...none, incomeUnreported: true, source: evidence.outcome === 'unreported' ? 'residential_tax_unreported' : 'residential_tax_rejected' };
  const elderly = aged65ForFiscalYear(dateOfBirth, fiscalYear);
  const earner =
    evidence.grossSalary > EARNER_THRESHOLDS.salary || evidence.grossPension > (elderly ? EARNER_THRESHOLDS.pension65OrOver : EARNER_THRESHOLDS.pensionUnder65);
  return {
    ...none,
    income: evidence.totalIncome,
    incomeForReduction: elderly ? evidence.totalIncome - Math.min(ELDERLY_PENSION_JUDGEMENT_DEDUCTION, evidence.pensionIncome) : evidence.totalIncome,
    earner,
    incomeUnreported: false,
    source: 'residential_tax',
  };
}

// ---------------------------------------------------------------------------
// The rules' input

/** Something the premium needs that NHI does not know (a field and a rule; never a value). */
export interface MissingFact {
  readonly field: string;
  readonly rule: 'unknown';
}

/**
 * What the premium needs that NHI does not know: the head, or a person's date
 * of birth (people no event has named since NHI started keeping them: see the
 * doc). Fields name people by resident id, never by a value.
 */
export function missingFacts(composition: Composition, people: ReadonlyMap<string, KnownPerson>): MissingFact[] {
  const missing: MissingFact[] = [];
  if (!composition.headId) missing.push({ field: 'household/head', rule: 'unknown' });
  const pathOf = (id: string) => (id === composition.headId ? 'household/head' : `household/members/${id}`);
  for (const id of composition.residentIds) if (!people.get(id)?.dateOfBirth) missing.push({ field: `${pathOf(id)}/dateOfBirth`, rule: 'unknown' });
  return missing;
}

/** The `Household` of premium.ts, or what is missing for it (`missingFacts`). */
export function householdInput(
  composition: Composition,
  people: ReadonlyMap<string, KnownPerson>,
  incomes: ReadonlyMap<string, PersonIncome>,
): { readonly household: Household; readonly missing: readonly [] } | { readonly household: null; readonly missing: readonly MissingFact[] } {
  const missing = missingFacts(composition, people);
  if (missing.length > 0) return { household: null, missing };

  const personOf = (id: string): HouseholdPerson => {
    const income = incomes.get(id);
    if (!income) throw new Error('an income is needed for everyone in the composition');
    return {
      id,
      dateOfBirth: people.get(id)!.dateOfBirth!,
      income: income.income,
      ...(income.incomeForReduction !== income.income ? { incomeForReduction: income.incomeForReduction } : {}),
      earner: income.earner,
      insured: composition.periods.get(id) ?? [],
      ...(composition.specified.has(id) ? { specifiedSameHouseholdMember: true } : {}),
    };
  };
  const [headId, ...others] = composition.residentIds;
  return { household: { head: personOf(headId!), members: others.map(personOf) }, missing: [] };
}

/**
 * A field of the rules' input as the API names it: a member by resident id
 * (`household/members/<id>/…`) rather than by its place in the list.
 */
export function apiField(field: string, composition: Composition): string {
  if (field === 'fiscalYear') return 'querystring/fiscalYear';
  const m = /^household\/members\/([0-9]+)(\/.*)?$/.exec(field);
  if (!m) return field;
  const id = composition.residentIds.filter((r) => r !== composition.headId)[Number(m[1])];
  return id ? `household/members/${id}${m[2] ?? ''}` : field;
}
