/**
 * The household premium of NHI (国民健康保険料, or 国民健康保険税 where the
 * municipality levies it as a tax) for one fiscal year (年度, April–March).
 * Pure; documented in docs/national-health-insurance.md.
 *
 * - Assessed on the head of household (世帯主), even when the head is not
 *   insured (擬制世帯主): 国民健康保険法 第76条; 地方税法 第703条の4 for the tax.
 *   The head is then not counted as a member and their income bears no
 *   所得割, but it does count when judging the low-income reductions.
 * - Three parts, each with its own municipal rates and national cap
 *   (賦課限度額): 基礎賦課額 (medical), 後期高齢者支援金等賦課額 (support) and
 *   介護納付金賦課額 (care, members who are 介護保険 第2号被保険者: aged 40–64).
 * - Each part = 所得割 (rate × the members' previous-year total income less the
 *   basic deduction, floored at 0) + 均等割 (per member) + 平等割 (per
 *   household, possibly none); 資産割 is not supported (see the doc).
 * - 7割・5割・2割軽減 of 均等割 and 平等割 by household income; 未就学児 均等割
 *   halved (from FY2022). Caps apply after the reductions.
 * - Months: a member counts for each month from the month of acquisition to
 *   the month before the month of loss (地方税法 第706条 for the tax; the same
 *   rule in municipal 保険料 条例); the care part for the months from the month
 *   age 40 is attained to the month before the month age 65 is attained.
 *
 * Money is integer yen; rates are integer basis points (1 bp = 0.01 %), and
 * every product is computed exactly with BigInt before it is floored.
 */
import {
  NhiInputError,
  attainmentDate,
  careSecondCategoryPeriod,
  checkDate,
  fiscalYearMonths,
  lateStageElderlyStartDate,
} from './eligibility.js';

export const PARTS = ['medical', 'support', 'care'] as const;
export type Part = (typeof PARTS)[number];

export const PART_NAMES: Readonly<Record<Part, { readonly ja: string; readonly en: string }>> = {
  medical: { ja: '基礎賦課額（医療分）', en: 'Medical (basic) part' },
  support: { ja: '後期高齢者支援金等賦課額（支援金分）', en: 'Support for late-stage elderly medical care' },
  care: { ja: '介護納付金賦課額（介護分）', en: 'Long-term care part (members aged 40–64)' },
};

// ---------------------------------------------------------------------------
// National figures (政令で定める額): data by fiscal year

export interface NationalFigures {
  readonly fiscalYear: number;
  /** 賦課限度額 of each part (国民健康保険法施行令 第29条の7; 地方税法 第703条の4 for the tax). */
  readonly caps: Readonly<Record<Part, number>>;
  /**
   * Thresholds of the reductions (軽減判定所得の基準, 施行令 第29条の7第5項):
   * 7割: base + perExtraEarner × (earners − 1);
   * 5割: that + fiveTenthsPerMember × members; 2割: that + twoTenthsPerMember × members.
   */
  readonly reduction: {
    readonly base: number;
    readonly perExtraEarner: number;
    readonly fiveTenthsPerMember: number;
    readonly twoTenthsPerMember: number;
  };
  /** 未就学児の均等割額 halved (from FY2022). */
  readonly preschoolReduction: boolean;
  readonly sources: readonly string[];
}

const SHARED_SOURCES = [
  '国民健康保険法施行令 第29条の7（賦課限度額・軽減）; 保険税は地方税法 第703条の4・同施行令 第56条の88の2',
  '厚生労働省「国民健康保険の保険料（税）の賦課（課税）限度額及び軽減判定所得の見直し」（各年度の政令改正）',
];

/**
 * The national figures this module knows. A fiscal year missing here is
 * refused rather than guessed: add it when the 政令 for that year is out.
 */
export const NATIONAL_FIGURES: Readonly<Record<number, NationalFigures>> = {
  2024: {
    fiscalYear: 2024,
    caps: { medical: 650_000, support: 240_000, care: 170_000 },
    reduction: { base: 430_000, perExtraEarner: 100_000, fiveTenthsPerMember: 295_000, twoTenthsPerMember: 545_000 },
    preschoolReduction: true,
    sources: [...SHARED_SOURCES, '令和6年度: 限度額 65万・24万・17万円（計106万円）; 5割 29.5万円、2割 54.5万円'],
  },
  2025: {
    fiscalYear: 2025,
    caps: { medical: 660_000, support: 260_000, care: 170_000 },
    reduction: { base: 430_000, perExtraEarner: 100_000, fiveTenthsPerMember: 305_000, twoTenthsPerMember: 560_000 },
    preschoolReduction: true,
    sources: [...SHARED_SOURCES, '令和7年度: 限度額 66万・26万・17万円（計109万円）; 5割 30.5万円、2割 56万円'],
  },
};

/**
 * 基礎控除 deducted from each member's income for 所得割 (旧ただし書き方式):
 * the residence tax's basic deduction, 地方税法 第314条の2第2項 (from FY2021):
 * 43万円 up to 2,400万円 of 合計所得金額, then 29万, 15万, and none above 2,500万円.
 * The tiers are keyed here on the income given (総所得金額等), which equals
 * 合計所得金額 for nearly everyone.
 */
export function basicDeduction(income: number): number {
  if (income <= 24_000_000) return 430_000;
  if (income <= 24_500_000) return 290_000;
  if (income <= 25_000_000) return 150_000;
  return 0;
}

// ---------------------------------------------------------------------------
// Municipal rates: configuration data per municipality, with effective years

export interface PartRates {
  /** 所得割率 in basis points: 7.00 % = 700. */
  readonly incomeRateBp: number;
  /** 均等割額 per member, yen a year. */
  readonly perCapita: number;
  /** 平等割額 per household, yen a year; 0 where the municipality levies none. */
  readonly perHousehold: number;
}

export interface RateEntry {
  /** First fiscal year these rates apply to. */
  readonly fromFiscalYear: number;
  /** Last fiscal year they apply to; null while in force. */
  readonly untilFiscalYear: number | null;
  readonly medical: PartRates;
  readonly support: PartRates;
  readonly care: PartRates;
  /**
   * Truncation to ¥100: of each part ('each_part', usual for 保険料 条例) or of
   * the total only ('total', the tax's 確定金額, 地方税法 第20条の4の2第3項).
   */
  readonly rounding: 'each_part' | 'total';
}

export interface MunicipalRateTable {
  /** 6-digit local public body code. */
  readonly municipalityCode: string;
  readonly name: string;
  /** 保険料 (国民健康保険法 第76条) or 保険税 (地方税法 第703条の4): the same arithmetic here. */
  readonly levy: 'premium' | 'tax';
  readonly entries: readonly RateEntry[];
}

/**
 * AN EXAMPLE, NOT ANY REAL MUNICIPALITY'S RATES. Round figures chosen so that
 * the worked examples in the tests and the doc can be checked by hand. The code
 * 999997 is well-formed (check digit 7) but no prefecture 99 exists.
 */
export const EXAMPLE_RATE_TABLE: MunicipalRateTable = {
  municipalityCode: '999997',
  name: '例示市（架空・例示用）',
  levy: 'premium',
  entries: [
    {
      fromFiscalYear: 2024,
      untilFiscalYear: 2024,
      medical: { incomeRateBp: 700, perCapita: 30_000, perHousehold: 25_000 },
      support: { incomeRateBp: 250, perCapita: 10_000, perHousehold: 8_000 },
      care: { incomeRateBp: 200, perCapita: 12_000, perHousehold: 0 },
      rounding: 'each_part',
    },
    {
      fromFiscalYear: 2025,
      untilFiscalYear: null,
      medical: { incomeRateBp: 720, perCapita: 31_000, perHousehold: 25_000 },
      support: { incomeRateBp: 260, perCapita: 10_000, perHousehold: 8_000 },
      care: { incomeRateBp: 200, perCapita: 12_000, perHousehold: 0 },
      rounding: 'each_part',
    },
  ],
};

function checkFiscalYear(fiscalYear: number): void {
  if (!Number.isSafeInteger(fiscalYear) || fiscalYear < 1958 || fiscalYear > 9998) throw new NhiInputError('fiscalYear', 'integer', 'must be a fiscal year such as 2024');
}

function checkYen(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new NhiInputError(field, 'yen', 'must be a whole, non-negative number of yen');
}

/** The rates in force for a fiscal year; throws when none or several entries cover it. */
export function ratesFor(table: MunicipalRateTable, fiscalYear: number): RateEntry {
  checkFiscalYear(fiscalYear);
  const matches = table.entries.filter((e) => e.fromFiscalYear <= fiscalYear && (e.untilFiscalYear === null || fiscalYear <= e.untilFiscalYear));
  if (matches.length === 0) throw new NhiInputError('rates', 'no_entry', `the rate table has no entry for fiscal year ${fiscalYear}`);
  if (matches.length > 1) throw new NhiInputError('rates', 'overlap', `the rate table has overlapping entries for fiscal year ${fiscalYear}`);
  const entry = matches[0]!;
  for (const part of PARTS) {
    const r = entry[part];
    if (!Number.isSafeInteger(r.incomeRateBp) || r.incomeRateBp < 0 || r.incomeRateBp > 10_000) {
      throw new NhiInputError(`rates/${part}/incomeRateBp`, 'basis_points', 'must be a whole number of basis points between 0 and 10000');
    }
    checkYen(r.perCapita, `rates/${part}/perCapita`);
    checkYen(r.perHousehold, `rates/${part}/perHousehold`);
  }
  if (entry.rounding !== 'each_part' && entry.rounding !== 'total') throw new NhiInputError('rates/rounding', 'enum', 'must be each_part or total');
  return entry;
}

export function nationalFiguresFor(fiscalYear: number): NationalFigures {
  checkFiscalYear(fiscalYear);
  const n = NATIONAL_FIGURES[fiscalYear];
  if (!n) throw new NhiInputError('fiscalYear', 'no_national_figures', `no national caps and reduction thresholds are known for fiscal year ${fiscalYear}`);
  return n;
}

// ---------------------------------------------------------------------------
// The household

/** An NHI period: 資格取得日 `from` (inclusive) to 資格喪失日 `until` (exclusive; null while insured). */
export interface InsuredPeriod {
  readonly from: string;
  readonly until: string | null;
}

export interface HouseholdPerson {
  /** Any id unique within the household (the register's person id). */
  readonly id: string;
  readonly dateOfBirth: string;
  /** 総所得金額等 of the previous calendar year (yen, ≥ 0): the base of 所得割 and of the reduction judgement. */
  readonly income: number;
  /**
   * The income to judge the reductions by, when it differs: for 65+ public
   * pensions 15万円 less (公的年金等特別控除), special deductions on land
   * sales added back, 専従者控除 undone. Defaults to `income`.
   */
  readonly incomeForReduction?: number;
  /** 給与所得者等: wage income over 55万円 or public pension above its threshold (counts in the 7割 base). */
  readonly earner: boolean;
  /** NHI periods that touch the fiscal year; empty for someone not insured (e.g. a 擬制世帯主). Cut at the 75th birthday. */
  readonly insured: readonly InsuredPeriod[];
  /** 特定同一世帯所属者 on the judgement date: moved from NHI to 後期高齢者医療 and still in the same household under the same head. */
  readonly specifiedSameHouseholdMember?: boolean;
  /** Exempt from 介護保険 (e.g. 適用除外施設 residents, 介護保険法施行法 第11条): no care part. */
  readonly careExempt?: boolean;
}

export interface Household {
  /** 世帯主: the person assessed, insured or not. */
  readonly head: HouseholdPerson;
  /** Everyone else in the household who is or was insured in the year, or is a 特定同一世帯所属者. */
  readonly members: readonly HouseholdPerson[];
}

// ---------------------------------------------------------------------------
// Results

export type ReductionTenths = 0 | 2 | 5 | 7;

export interface ReductionJudgement {
  /** 軽減判定の基準日: 1 April, or the first day of insurance in the year for a household that joins later (賦課期日・納付義務発生日). */
  readonly date: string;
  /** Head + members insured on that date + 特定同一世帯所属者. */
  readonly income: number;
  /** Members insured on that date + 特定同一世帯所属者 (the head only if one of those). */
  readonly members: number;
  /** 給与所得者等 among the head, those members and 特定同一世帯所属者. */
  readonly earners: number;
  readonly thresholds: { readonly sevenTenths: number; readonly fiveTenths: number; readonly twoTenths: number };
  /** 7, 5, 2 (割 reduced) or 0. */
  readonly tenths: ReductionTenths;
}

export interface MemberMonths {
  readonly id: string;
  readonly isHead: boolean;
  /** Months of the year counted as insured (April = 1st). */
  readonly insuredMonths: readonly string[];
  /** Months counted for the care part. */
  readonly careMonths: readonly string[];
  /** 未就学児 for the whole year (the status ends on a 31 March, so it never changes within a year). */
  readonly preschool: boolean;
}

/**
 * One part, itemised. Every figure is for the year: the sum over its months
 * of the annual-rate amount for that month's members, divided by 12 and
 * floored. For a household unchanged all year they are exact and add up; after
 * a mid-year change each is floored on its own, so they may miss `beforeCap`
 * by a yen or two — `beforeCap`, `afterCap` and `amount` are computed from the
 * exact sums, never from the rounded items.
 */
export interface PartAssessment {
  readonly part: Part;
  readonly ja: string;
  /** Months in which the part was levied (some member subject to it). */
  readonly months: number;
  /** 所得割 */
  readonly incomeLevy: number;
  /** 均等割, before reductions */
  readonly perCapitaLevy: number;
  /** 平等割, before reductions */
  readonly perHouseholdLevy: number;
  /** 7割・5割・2割軽減 of 均等割 */
  readonly perCapitaReduction: number;
  /** 未就学児 reduction of 均等割 (half of what remains after the 軽減) */
  readonly preschoolReduction: number;
  /** 7割・5割・2割軽減 of 平等割 */
  readonly perHouseholdReduction: number;
  /** After reductions, before the cap. */
  readonly beforeCap: number;
  /** The cap, prorated by months (the annual cap for a full year). */
  readonly cap: number;
  /** After the cap, before truncation to ¥100. */
  readonly afterCap: number;
  /** The part's premium: truncated to ¥100 when rounding is 'each_part', else equal to afterCap. */
  readonly amount: number;
}

export interface HouseholdPremium {
  readonly fiscalYear: number;
  readonly municipalityCode: string;
  /** 納付義務者: the head's id. */
  readonly assessee: string;
  /** 擬制世帯主: the head was never insured in the year while someone in the household was. */
  readonly deemedHead: boolean;
  /** null when nobody was insured in the year (nothing is levied). */
  readonly reduction: ReductionJudgement | null;
  readonly members: readonly MemberMonths[];
  readonly parts: Readonly<Record<Part, PartAssessment>>;
  /** The year's premium (truncated to ¥100). */
  readonly total: number;
  readonly rates: RateEntry;
  readonly national: NationalFigures;
}

// ---------------------------------------------------------------------------
// Rules

/** Whether a child is 未就学児 in a fiscal year: still on or before the first 31 March after attaining age 6 (so the whole year). */
export function isPreschoolChild(dateOfBirth: string, fiscalYear: number): boolean {
  // "6歳に達する日以後の最初の3月31日以前": that 31 March ends fiscal year Y when age 6 is attained within Y.
  return attainmentDate(dateOfBirth, 6) >= `${fiscalYear}-04-01`;
}

/** The reduction thresholds (軽減判定所得の基準) for a household. */
export function reductionThresholds(national: NationalFigures, members: number, earners: number): ReductionJudgement['thresholds'] {
  const r = national.reduction;
  const sevenTenths = r.base + r.perExtraEarner * Math.max(0, earners - 1);
  return {
    sevenTenths,
    fiveTenths: sevenTenths + r.fiveTenthsPerMember * members,
    twoTenths: sevenTenths + r.twoTenthsPerMember * members,
  };
}

/** The reduction for a judged income: "以下" — an income equal to a threshold qualifies. */
export function reductionTenths(income: number, thresholds: ReductionJudgement['thresholds']): ReductionTenths {
  if (income <= thresholds.sevenTenths) return 7;
  if (income <= thresholds.fiveTenths) return 5;
  if (income <= thresholds.twoTenths) return 2;
  return 0;
}

/**
 * The months of a fiscal year a period counts for: from the month of `from`
 * to the month before the month of `until`. A period that starts and ends in
 * the same month counts for none here (see the doc on 同月得喪).
 */
export function countedMonths(period: InsuredPeriod, fiscalYear: number): string[] {
  const first = period.from.slice(0, 7);
  const end = period.until === null ? null : period.until.slice(0, 7);
  return fiscalYearMonths(fiscalYear).filter((m) => m >= first && (end === null || m < end));
}

function covers(period: InsuredPeriod, date: string): boolean {
  return period.from <= date && (period.until === null || date < period.until);
}

/** yen × bp / 10000, floored, exactly. */
function applyRate(base: number, bp: number): number {
  return Number((BigInt(base) * BigInt(bp)) / 10_000n);
}

/** What remains of an amount after a reduction of `tenths`, floored to the yen (in the payer's favour). */
function remaining(amount: number, tenths: ReductionTenths): number {
  return Math.floor((amount * (10 - tenths)) / 10);
}

const truncate100 = (yen: number) => Math.floor(yen / 100) * 100;

interface Prepared {
  readonly person: HouseholdPerson;
  readonly isHead: boolean;
  readonly periods: readonly InsuredPeriod[];
  readonly insuredMonths: ReadonlySet<string>;
  readonly careMonths: ReadonlySet<string>;
  readonly preschool: boolean;
}

function preparePerson(p: HouseholdPerson, path: string, isHead: boolean, fiscalYear: number): Prepared {
  if (typeof p.id !== 'string' || p.id === '') throw new NhiInputError(`${path}/id`, 'required', 'must be a non-empty id');
  checkDate(p.dateOfBirth, `${path}/dateOfBirth`);
  checkYen(p.income, `${path}/income`);
  if (p.incomeForReduction !== undefined) checkYen(p.incomeForReduction, `${path}/incomeForReduction`);
  if (typeof p.earner !== 'boolean') throw new NhiInputError(`${path}/earner`, 'boolean', 'must be true or false');
  if (!Array.isArray(p.insured)) throw new NhiInputError(`${path}/insured`, 'array', 'must be a list of periods (empty when not insured)');

  // NHI cannot run on or after the 75th birthday (第6条第8号): an open period is
  // cut there, so callers may pass the period as the register knows it.
  const lateStage = lateStageElderlyStartDate(p.dateOfBirth);
  const periods: InsuredPeriod[] = [];
  for (const [i, period] of p.insured.entries()) {
    const at = `${path}/insured/${i}`;
    checkDate(period.from, `${at}/from`);
    if (period.until !== null) {
      checkDate(period.until, `${at}/until`);
      if (period.until <= period.from) throw new NhiInputError(`${at}/until`, 'after_from', 'the loss date must be after the acquisition date');
    }
    if (period.from < p.dateOfBirth) throw new NhiInputError(`${at}/from`, 'after_birth', 'the acquisition date must not be before the date of birth');
    if (period.from >= lateStage) throw new NhiInputError(`${at}/from`, 'before_75', 'NHI cannot start on or after the 75th birthday (後期高齢者医療)');
    periods.push({ from: period.from, until: period.until === null || period.until > lateStage ? lateStage : period.until });
  }
  const sorted = [...periods].sort((a, b) => (a.from < b.from ? -1 : 1));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i - 1]!.until! > sorted[i]!.from) throw new NhiInputError(`${path}/insured`, 'overlap', 'insured periods must not overlap');
  }

  const insuredMonths = new Set(sorted.flatMap((period) => countedMonths(period, fiscalYear)));
  const care = careSecondCategoryPeriod(p.dateOfBirth);
  const careFirst = care.from.slice(0, 7);
  const careEnd = care.until.slice(0, 7);
  const careMonths = new Set(p.careExempt ? [] : [...insuredMonths].filter((m) => m >= careFirst && m < careEnd));
  return { person: p, isHead, periods: sorted, insuredMonths, careMonths, preschool: isPreschoolChild(p.dateOfBirth, fiscalYear) };
}

function judgeReduction(people: readonly Prepared[], fiscalYear: number, national: NationalFigures): ReductionJudgement | null {
  const start = `${fiscalYear}-04-01`;
  const next = `${fiscalYear + 1}-04-01`;
  const counted = people.filter((p) => p.insuredMonths.size > 0);
  if (counted.length === 0) return null;
  // 賦課期日 is 1 April; a household whose liability starts later is judged on that day
  // (施行令 第29条の7第5項). Later changes of membership do not re-open the judgement.
  const anyOnFirst = people.some((p) => p.periods.some((period) => covers(period, start)));
  const date = anyOnFirst
    ? start
    : people
        .flatMap((p) => p.periods.filter((period) => period.from >= start && period.from < next && countedMonths(period, fiscalYear).length > 0).map((period) => period.from))
        .sort()[0]!;
  const judged = people.filter((p) => p.periods.some((period) => covers(period, date)) || p.person.specifiedSameHouseholdMember === true);
  const included = new Set<Prepared>([...judged, ...people.filter((p) => p.isHead)]);
  const income = [...included].reduce((sum, p) => sum + (p.person.incomeForReduction ?? p.person.income), 0);
  const earners = [...included].filter((p) => p.person.earner).length;
  const thresholds = reductionThresholds(national, judged.length, earners);
  return { date, income, members: judged.length, earners, thresholds, tenths: reductionTenths(income, thresholds) };
}

function assessPart(part: Part, people: readonly Prepared[], fiscalYear: number, rates: PartRates, cap: number, tenths: ReductionTenths, preschoolApplies: boolean) {
  // Sums over the 12 months of annual-rate amounts (yen × months); /12 at the end.
  let months = 0;
  let incomeLevy = 0;
  let perCapitaLevy = 0;
  let perHouseholdLevy = 0;
  let perCapitaReduction = 0;
  let preschoolReduction = 0;
  let perHouseholdReduction = 0;
  let beforeCap = 0;
  let capSum = 0;
  let afterCap = 0;
  for (const month of fiscalYearMonths(fiscalYear)) {
    const subjects = people.filter((p) => (part === 'care' ? p.careMonths : p.insuredMonths).has(month));
    if (subjects.length === 0) continue;
    months++;
    const base = subjects.reduce((sum, p) => sum + Math.max(0, p.person.income - basicDeduction(p.person.income)), 0);
    const m = {
      incomeLevy: applyRate(base, rates.incomeRateBp),
      perCapitaLevy: rates.perCapita * subjects.length,
      perHouseholdLevy: rates.perHousehold,
      perCapitaReduction: 0,
      preschoolReduction: 0,
      perHouseholdReduction: rates.perHousehold - remaining(rates.perHousehold, tenths),
    };
    for (const p of subjects) {
      const left = remaining(rates.perCapita, tenths);
      m.perCapitaReduction += rates.perCapita - left;
      // 未就学児: half of the 均等割 left after the 軽減 (so 7割軽減 + 未就学児 = 8.5割), the payer keeping the odd yen.
      if (preschoolApplies && part !== 'care' && p.preschool) m.preschoolReduction += left - Math.floor(left / 2);
    }
    const net = m.incomeLevy + m.perCapitaLevy - m.perCapitaReduction - m.preschoolReduction + m.perHouseholdLevy - m.perHouseholdReduction;
    incomeLevy += m.incomeLevy;
    perCapitaLevy += m.perCapitaLevy;
    perHouseholdLevy += m.perHouseholdLevy;
    perCapitaReduction += m.perCapitaReduction;
    preschoolReduction += m.preschoolReduction;
    perHouseholdReduction += m.perHouseholdReduction;
    beforeCap += net;
    capSum += cap;
    // The cap bounds the annual amount after the reductions; a month's share of it is cap/12.
    afterCap += Math.min(cap, net);
  }
  const y = (sum: number) => Math.floor(sum / 12);
  return {
    part,
    ja: PART_NAMES[part].ja,
    months,
    incomeLevy: y(incomeLevy),
    perCapitaLevy: y(perCapitaLevy),
    perHouseholdLevy: y(perHouseholdLevy),
    perCapitaReduction: y(perCapitaReduction),
    preschoolReduction: y(preschoolReduction),
    perHouseholdReduction: y(perHouseholdReduction),
    beforeCap: y(beforeCap),
    cap: y(capSum),
    afterCap: y(afterCap),
  };
}

/**
 * The household's NHI premium for a fiscal year under a municipality's rate
 * table (the entry in force that year) and the year's national figures.
 * Throws NhiInputError, naming the field, for input it cannot assess.
 */
export function householdPremium(household: Household, fiscalYear: number, table: MunicipalRateTable, national: NationalFigures = nationalFiguresFor(fiscalYear)): HouseholdPremium {
  checkFiscalYear(fiscalYear);
  if (national.fiscalYear !== fiscalYear) throw new NhiInputError('national', 'fiscal_year', 'the national figures are for another fiscal year');
  for (const part of PARTS) checkYen(national.caps[part], `national/caps/${part}`);
  const rates = ratesFor(table, fiscalYear);
  if (!household || typeof household !== 'object' || !household.head) throw new NhiInputError('household/head', 'required', 'the head of household (世帯主) is required');
  if (!Array.isArray(household.members)) throw new NhiInputError('household/members', 'array', 'must be a list (empty for a one-person household)');

  const people = [preparePerson(household.head, 'household/head', true, fiscalYear), ...household.members.map((m, i) => preparePerson(m, `household/members/${i}`, false, fiscalYear))];
  const ids = new Set<string>();
  for (const [i, p] of people.entries()) {
    if (ids.has(p.person.id)) throw new NhiInputError(i === 0 ? 'household/head/id' : `household/members/${i - 1}/id`, 'unique', 'ids must be unique within the household');
    ids.add(p.person.id);
  }

  const reduction = judgeReduction(people, fiscalYear, national);
  const tenths = reduction?.tenths ?? 0;
  const assessed = PARTS.map((part) => assessPart(part, people, fiscalYear, rates[part], national.caps[part], tenths, national.preschoolReduction));
  const parts = Object.fromEntries(
    assessed.map((a) => [a.part, { ...a, amount: rates.rounding === 'each_part' ? truncate100(a.afterCap) : a.afterCap }]),
  ) as unknown as Record<Part, PartAssessment>;
  const total = rates.rounding === 'each_part' ? PARTS.reduce((sum, p) => sum + parts[p].amount, 0) : truncate100(PARTS.reduce((sum, p) => sum + parts[p].afterCap, 0));

  const head = people[0]!;
  return {
    fiscalYear,
    municipalityCode: table.municipalityCode,
    assessee: head.person.id,
    deemedHead: head.insuredMonths.size === 0 && people.some((p) => p.insuredMonths.size > 0),
    reduction,
    members: people.map((p) => ({
      id: p.person.id,
      isHead: p.isHead,
      insuredMonths: [...p.insuredMonths].sort(),
      careMonths: [...p.careMonths].sort(),
      preschool: p.preschool,
    })),
    parts,
    total,
    rates,
    national,
  };
}
