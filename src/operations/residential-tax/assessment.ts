/**
 * 個人住民税 (individual residential tax) assessment: the pure rules.
 *
 * One taxpayer's 市町村民税 and 道府県民税 (所得割 and 均等割) and the national
 * 森林環境税 collected with them, for a fiscal year, from the previous calendar
 * year's income; the municipality that taxes a person (the one of 1 January);
 * and the installments of 普通徴収 and 特別徴収. No database, no clock: every
 * figure comes from the rate set of the fiscal year (rates.ts), so the same
 * input always gives the same itemised answer. docs/residential-tax.md
 * describes the rules, their sources and what is not modelled.
 */
import { isWellFormedCode } from '../../organizations/local-government-code.js';
import {
  RATE_SETS,
  STANDARD_COLLECTION,
  type Bracket,
  type CollectionSchedule,
  type DependantCategory,
  type ExemptionLine,
  type FamilyDisability,
  type LinearDeduction,
  type LivingCostClass,
  type RateSet,
  type Split,
} from './rates.js';

// ─── Errors ─────────────────────────────────────────────────────────────────

/** Input the rules cannot assess; names the field and the rule, never the value (it may be personal data). */
export class ResidentialTaxError extends Error {
  constructor(
    readonly field: string,
    readonly rule: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ResidentialTaxError';
  }
}

// ─── Input and output types ─────────────────────────────────────────────────

export interface TaxpayerIncome {
  /** 給与等の収入金額: gross salary and bonuses of the income year. */
  readonly salary?: number;
  /** 公的年金等の収入金額: gross public pensions of the income year. */
  readonly publicPension?: number;
  /** Other income as 所得 (after its own expenses): business, real estate, other 雑所得. Not negative: losses are not modelled. */
  readonly other?: number;
  /**
   * The taxpayer (or a 同一生計配偶者 or 扶養親族) is a 特別障害者, or the
   * taxpayer has a 扶養親族 under 23: a salary over 8,500,000 then gets the
   * 所得金額調整控除 for high salaries.
   */
  readonly highSalaryAdjustmentEligible?: boolean;
}

export interface TaxpayerDeductions {
  /** 社会保険料控除: premiums paid in the income year (deducted in full). */
  readonly socialInsurance?: number;
  /**
   * Other 所得控除 already computed under residential-tax rules (生命保険料控除,
   * 地震保険料控除, 医療費控除, 小規模企業共済等掛金控除 …). They carry no
   * 人的控除差 for the 調整控除.
   */
  readonly other?: number;
}

export interface Spouse {
  /** The spouse's 合計所得金額 of the income year. */
  readonly totalIncome: number;
  /** 70 or over on 31 December of the income year (老人控除対象配偶者). */
  readonly aged70OrOver: boolean;
}

export interface TaxpayerStatus {
  /** 障害者 or 特別障害者. */
  readonly disability?: 'ordinary' | 'special';
  /** 寡婦 (as defined, except the income limit, which the rules check). */
  readonly widow?: boolean;
  /** ひとり親; the 調整控除 difference depends on whether the parent is the mother or the father. */
  readonly singleParent?: 'mother' | 'father';
  /** Receives 生活扶助 under the Public Assistance Act on 1 January of the fiscal year. */
  readonly livelihoodAssistance?: boolean;
}

export interface Taxpayer {
  /** 'YYYY-MM-DD'. Decides minority on 1 January of the fiscal year and the pension age on 31 December of the income year. */
  readonly birthDate: string;
  readonly income: TaxpayerIncome;
  readonly deductions?: TaxpayerDeductions;
  /** A spouse living on the same household budget (生計を一にする), if any. */
  readonly spouse?: Spouse;
  /** 扶養親族 by category (the caller classifies them by age and checks their income against the year's limit). */
  readonly dependants?: Partial<Readonly<Record<DependantCategory, number>>>;
  /** 特定親族 (19–22, income above the dependant limit): each one's 合計所得金額. FY2026 on only. */
  readonly specifiedRelativeIncomes?: readonly number[];
  /** Disabilities among the 同一生計配偶者 and 扶養親族 (including those under 16). */
  readonly disabledFamilyMembers?: Partial<Readonly<Record<FamilyDisability, number>>>;
  readonly status?: TaxpayerStatus;
}

export interface AssessmentContext {
  readonly fiscalYear: number;
  /** The taxing municipality is a 指定都市 (designated city): 8% + 2% instead of 6% + 4%. */
  readonly designatedCity: boolean;
  /** 級地 of the municipality (生活保護の級地区分 on 31 December of the income year), for the 均等割 non-taxable line. */
  readonly livingCostClass: LivingCostClass;
}

export type NonTaxableReason =
  /** 生活扶助 recipient: no 均等割, no 所得割 (地方税法 295条1項1号). */
  | 'livelihood_assistance'
  /** Minor, disabled, widow or single parent with 合計所得金額 ≤ the special limit (295条1項2号). */
  | 'special_status_income_limit'
  /** 合計所得金額 ≤ the 均等割 line of the municipality's 級地 (295条3項): no 均等割, no 所得割. */
  | 'per_capita_income_limit'
  /** 総所得金額等 ≤ the 所得割 line (附則3条の3): 均等割 and 森林環境税 only. */
  | 'income_levy_income_limit';

export interface NonTaxable {
  /** 'all': nothing is due; 'income_levy': only the 所得割 is not imposed. */
  readonly scope: 'all' | 'income_levy';
  readonly reason: NonTaxableReason;
  /** The line the income was compared with (yen), or null when no income line applies (生活扶助). */
  readonly threshold: number | null;
  readonly explanation: string;
}

export interface Assessment {
  readonly fiscalYear: number;
  /** The calendar year whose income is taxed. */
  readonly incomeYear: number;
  readonly rateSet: { readonly fromFiscalYear: number; readonly untilFiscalYear: number | null };
  readonly income: {
    /** 給与所得 after the 所得金額調整控除. */
    readonly salary: number;
    /** 所得金額調整控除 subtracted from the 給与所得. */
    readonly salaryAdjustment: number;
    /** 公的年金等に係る雑所得. */
    readonly publicPension: number;
    readonly other: number;
    /** 合計所得金額 (here also the 総所得金額等: no losses or separately taxed income are modelled). */
    readonly total: number;
  };
  readonly deductions: {
    readonly basic: number;
    readonly socialInsurance: number;
    readonly spouse: number;
    readonly spouseSpecial: number;
    readonly dependants: number;
    readonly specifiedRelatives: number;
    readonly disability: number;
    readonly widowOrSingleParent: number;
    readonly other: number;
    readonly total: number;
  };
  /** 課税総所得金額: total income less deductions, truncated to the rate set's unit (¥1,000). */
  readonly taxableIncome: number;
  /** Number of 同一生計配偶者 and 扶養親族 (incl. under 16) counted for the non-taxable lines. */
  readonly dependantsCounted: number;
  readonly incomeLevy: {
    readonly rates: Split;
    /** 算出所得割: taxable income × rate, exact yen (no truncation before the credits). */
    readonly beforeCredits: Split;
    /** 人的控除差調整額: the sum of the personal-deduction differences. */
    readonly personalDeductionDifference: number;
    readonly adjustmentCredit: Split;
    /** Reduction for income just above the 所得割 line (附則3条の3). */
    readonly lineAdjustment: Split;
    /** FY2024 定額減税 actually credited. */
    readonly flatCredit: Split;
    /** 所得割 due, each truncated to ¥100. */
    readonly due: Split;
  };
  /** 均等割 due, reconstruction surcharge included. */
  readonly perCapita: Split;
  /** Of which the 東日本大震災 reconstruction surcharge. */
  readonly reconstructionSurcharge: Split;
  readonly forestEnvironmentTax: number;
  /** 市町村民税 = 所得割 + 均等割, 道府県民税 likewise. */
  readonly municipalTax: number;
  readonly prefecturalTax: number;
  /** Annual amount to collect: 市町村民税 + 道府県民税 + 森林環境税. */
  readonly totalTax: number;
  /** Why (part of) the tax is zero, or null when both levies are imposed. */
  readonly nonTaxable: NonTaxable | null;
}

// ─── Rate sets ──────────────────────────────────────────────────────────────

/** The rate set in force for a fiscal year; throws when none covers it. */
export function rateSetFor(fiscalYear: number, rateSets: readonly RateSet[] = RATE_SETS): RateSet {
  requireYear('fiscalYear', fiscalYear);
  const found = rateSets.find((s) => s.fromFiscalYear <= fiscalYear && (s.untilFiscalYear === null || fiscalYear <= s.untilFiscalYear));
  if (!found) throw new ResidentialTaxError('fiscalYear', 'no_rate_set', `no rate set covers fiscal year ${fiscalYear}`);
  return found;
}

// ─── Small pure helpers ─────────────────────────────────────────────────────

function requireYear(field: string, year: number): void {
  if (!Number.isInteger(year) || year < 1900 || year > 9999) {
    throw new ResidentialTaxError(field, 'year', 'must be an integer year between 1900 and 9999');
  }
}

function requireYen(field: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ResidentialTaxError(field, 'yen', 'must be a non-negative integer number of yen');
  }
  return value;
}

function requireCount(field: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 99) {
    throw new ResidentialTaxError(field, 'count', 'must be an integer from 0 to 99');
  }
  return value;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses a real calendar date 'YYYY-MM-DD' to [year, month, day]. */
function parseDate(field: string, value: string): [number, number, number] {
  const m = typeof value === 'string' ? DATE.exec(value) : null;
  if (!m) throw new ResidentialTaxError(field, 'date', "must be a date 'YYYY-MM-DD'");
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new ResidentialTaxError(field, 'date', "must be a real calendar date 'YYYY-MM-DD'");
  }
  return [y, mo, d];
}

/**
 * Age on a day under the 年齢計算ニ関スル法律: a person gains a year at the end
 * of the day before the birthday, so the legal age on day D is the ordinary
 * age on D + 1. (Born 1 January 1961: 65 on 31 December 2025.)
 */
function legalAgeOn(birth: [number, number, number], on: [number, number, number]): number {
  const next = new Date(Date.UTC(on[0], on[1] - 1, on[2] + 1));
  const [y, m, d] = [next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()];
  const hadBirthday = m > birth[1] || (m === birth[1] && d >= birth[2]);
  return y - birth[0] - (hadBirthday ? 0 : 1);
}

function bracketFor<T>(brackets: readonly Bracket<T>[], amount: number): Bracket<T> | undefined {
  return brackets.find((b) => b.upTo === null || amount <= b.upTo);
}

/** amount − (amount × percent / 100 + addend), rounded down, never below 0: integer arithmetic only. */
function afterLinearDeduction(amount: number, d: LinearDeduction): number {
  const remaining = Math.floor((amount * (100 - d.percent)) / 100) - d.addend;
  return Math.max(0, remaining);
}

function truncate(amount: number, unit: number): number {
  return Math.floor(amount / unit) * unit;
}

const ZERO: Split = { municipal: 0, prefectural: 0 };

// ─── Income ─────────────────────────────────────────────────────────────────

/**
 * 給与所得 (before 所得金額調整控除). Below the table bound the salary is first
 * brought down to its 別表第五 row, as the law reads the table, not the formula.
 */
export function salaryIncome(salary: number, rates: RateSet): number {
  const table = rates.salaryIncome;
  let base = salary;
  if (salary < table.tableBelow) {
    const row = [...table.tableRows].reverse().find((r) => salary >= r.from);
    if (row) base = row.from + truncate(salary - row.from, row.step);
  }
  const bracket = bracketFor(table.deduction, base);
  if (!bracket) throw new ResidentialTaxError('rateSet.salaryIncome', 'table', 'the salary table has no open last bracket');
  return afterLinearDeduction(base, bracket.value);
}

/**
 * 公的年金等に係る雑所得. The tier for other income (from 2020 income) lowers
 * the deduction itself, the minimum included (65+: 1,100,000 → 1,000,000).
 */
export function pensionIncome(pension: number, elderly: boolean, otherIncome: number, rates: RateSet): number {
  const table = rates.pensionIncome;
  const bracket = bracketFor(elderly ? table.ageOrOver : table.underAge, pension);
  const tier = bracketFor(table.otherIncomeTiers, otherIncome);
  if (!bracket || !tier) throw new ResidentialTaxError('rateSet.pensionIncome', 'table', 'the pension table has no open last bracket');
  return afterLinearDeduction(pension, { percent: bracket.value.percent, addend: bracket.value.addend - tier.value });
}

// ─── Assessment ─────────────────────────────────────────────────────────────

interface Validated {
  birth: [number, number, number];
  salary: number;
  pension: number;
  other: number;
  socialInsurance: number;
  otherDeductions: number;
  spouse: Spouse | null;
  dependants: Record<DependantCategory, number>;
  familyDisabilities: Record<FamilyDisability, number>;
  specifiedRelativeIncomes: number[];
  status: TaxpayerStatus;
}

const DEPENDANT_CATEGORIES: readonly DependantCategory[] = ['under16', 'general', 'specified', 'elderly', 'elderlyCohabitingParent'];
const FAMILY_DISABILITIES: readonly FamilyDisability[] = ['ordinary', 'special', 'specialCohabiting'];

function validate(taxpayer: Taxpayer, context: AssessmentContext, rates: RateSet): Validated {
  if (taxpayer === null || typeof taxpayer !== 'object') throw new ResidentialTaxError('taxpayer', 'required', 'is required');
  if (taxpayer.income === null || typeof taxpayer.income !== 'object') throw new ResidentialTaxError('income', 'required', 'is required');
  if (typeof context.designatedCity !== 'boolean') throw new ResidentialTaxError('designatedCity', 'boolean', 'must be true or false');
  if (![1, 2, 3].includes(context.livingCostClass)) throw new ResidentialTaxError('livingCostClass', 'class', 'must be 1, 2 or 3 (1級地, 2級地, 3級地)');

  const birth = parseDate('birthDate', taxpayer.birthDate);
  if (taxpayer.birthDate > `${context.fiscalYear}-01-01`) {
    throw new ResidentialTaxError('birthDate', 'after_assessment_date', `must be on or before the assessment date ${context.fiscalYear}-01-01`);
  }

  const spouse = taxpayer.spouse ?? null;
  if (spouse !== null) {
    requireYen('spouse.totalIncome', spouse.totalIncome);
    if (typeof spouse.aged70OrOver !== 'boolean') throw new ResidentialTaxError('spouse.aged70OrOver', 'boolean', 'must be true or false');
  }

  const dependants = {} as Record<DependantCategory, number>;
  for (const c of DEPENDANT_CATEGORIES) dependants[c] = requireCount(`dependants.${c}`, taxpayer.dependants?.[c]);
  for (const k of Object.keys(taxpayer.dependants ?? {})) {
    if (!DEPENDANT_CATEGORIES.includes(k as DependantCategory)) throw new ResidentialTaxError(`dependants.${k}`, 'unknown', 'is not a dependant category');
  }
  const familyDisabilities = {} as Record<FamilyDisability, number>;
  for (const c of FAMILY_DISABILITIES) familyDisabilities[c] = requireCount(`disabledFamilyMembers.${c}`, taxpayer.disabledFamilyMembers?.[c]);
  const familySize = (spouse !== null && spouse.totalIncome <= rates.dependantIncomeLimit ? 1 : 0) + DEPENDANT_CATEGORIES.reduce((s, c) => s + dependants[c], 0);
  if (FAMILY_DISABILITIES.reduce((s, c) => s + familyDisabilities[c], 0) > familySize) {
    throw new ResidentialTaxError('disabledFamilyMembers', 'more_than_family', 'counts more disabled persons than there are 同一生計配偶者 and 扶養親族');
  }

  if (taxpayer.specifiedRelativeIncomes !== undefined && !Array.isArray(taxpayer.specifiedRelativeIncomes)) {
    throw new ResidentialTaxError('specifiedRelativeIncomes', 'array', 'must be an array of yen amounts');
  }
  const specifiedRelativeIncomes = [...(taxpayer.specifiedRelativeIncomes ?? [])];
  if (specifiedRelativeIncomes.length > 0 && rates.specifiedRelativeDeduction === null) {
    throw new ResidentialTaxError('specifiedRelativeIncomes', 'not_in_force', `特定親族特別控除 does not exist in fiscal year ${context.fiscalYear}`);
  }
  specifiedRelativeIncomes.forEach((v, i) => {
    requireYen(`specifiedRelativeIncomes.${i}`, v);
    if (v <= rates.dependantIncomeLimit) {
      throw new ResidentialTaxError(`specifiedRelativeIncomes.${i}`, 'is_dependant', 'a relative within the dependant income limit is a 扶養親族 (count them under dependants.specified)');
    }
  });

  const status = taxpayer.status ?? {};
  if (status.disability !== undefined && status.disability !== 'ordinary' && status.disability !== 'special') {
    throw new ResidentialTaxError('status.disability', 'kind', "must be 'ordinary' or 'special'");
  }
  if (status.singleParent !== undefined && status.singleParent !== 'mother' && status.singleParent !== 'father') {
    throw new ResidentialTaxError('status.singleParent', 'kind', "must be 'mother' or 'father'");
  }
  if (status.widow === true && status.singleParent !== undefined) {
    // Exclusive by definition (所得税法 2条1項30号・31号): a 寡婦 is a woman who is not a ひとり親.
    throw new ResidentialTaxError('status', 'widow_and_single_parent', 'a person is either a 寡婦 or a ひとり親, not both');
  }

  return {
    birth,
    salary: requireYen('income.salary', taxpayer.income.salary),
    pension: requireYen('income.publicPension', taxpayer.income.publicPension),
    other: requireYen('income.other', taxpayer.income.other),
    socialInsurance: requireYen('deductions.socialInsurance', taxpayer.deductions?.socialInsurance),
    otherDeductions: requireYen('deductions.other', taxpayer.deductions?.other),
    spouse,
    dependants,
    familyDisabilities,
    specifiedRelativeIncomes,
    status,
  };
}

/** The line of 35万 × (1 + n) + 10万 (+ addition with dependants), scaled by percent (1級地 100). */
function exemptionLine(line: ExemptionLine, dependantsCounted: number, percent: number): number {
  const perPerson = Math.floor((line.perPerson * percent) / 100);
  const addition = dependantsCounted > 0 ? Math.floor((line.dependantAddition * percent) / 100) : 0;
  return perPerson * (1 + dependantsCounted) + line.fixedAddition + addition;
}

/**
 * Assesses one taxpayer for a fiscal year. Pure: the rate set comes from
 * rateSets (the published figures by default), nothing else is read.
 */
export function assess(taxpayer: Taxpayer, context: AssessmentContext, rateSets: readonly RateSet[] = RATE_SETS): Assessment {
  if (context === null || typeof context !== 'object') throw new ResidentialTaxError('context', 'required', 'is required');
  const rates = rateSetFor(context.fiscalYear, rateSets);
  const v = validate(taxpayer, context, rates);
  const fiscalYear = context.fiscalYear;
  const incomeYear = fiscalYear - 1;

  // Ages: the pension deduction looks at 31 December of the income year; minority at the 賦課期日.
  const elderlyForPension = legalAgeOn(v.birth, [incomeYear, 12, 31]) >= rates.ages.pensionElderly;
  const minor = legalAgeOn(v.birth, [fiscalYear, 1, 1]) < rates.ages.majority;

  // ── Income (所得) ──
  const salaryBeforeAdjustment = salaryIncome(v.salary, rates);
  const adj = rates.incomeAdjustment;
  // The high-salary 所得金額調整控除 is rounded up to the yen (in the taxpayer's favour): NTA's
  // guidance says 1円未満切上げ (from knowledge, not re-checked: see docs/residential-tax.md).
  const highSalaryAdjustment =
    taxpayer.income.highSalaryAdjustmentEligible === true && v.salary > adj.highSalary.floor
      ? Math.ceil(((Math.min(v.salary, adj.highSalary.cap) - adj.highSalary.floor) * adj.highSalary.percent) / 100)
      : 0;
  const salaryAfterHigh = Math.max(0, salaryBeforeAdjustment - highSalaryAdjustment);
  // The pension deduction's tier reads the 合計所得金額 other than pension income.
  const pension = pensionIncome(v.pension, elderlyForPension, salaryAfterHigh + v.other, rates);
  const sp = adj.salaryAndPension;
  const bothAdjustment = Math.max(0, Math.min(salaryAfterHigh, sp.salaryCap) + Math.min(pension, sp.pensionCap) - sp.threshold);
  const salary = Math.max(0, salaryAfterHigh - bothAdjustment);
  const totalIncome = salary + pension + v.other;

  // ── Family counted for the lines: 同一生計配偶者 + every 扶養親族 (those under 16 too) ──
  const spouseIsDependant = v.spouse !== null && v.spouse.totalIncome <= rates.dependantIncomeLimit;
  const dependantsCounted = (spouseIsDependant ? 1 : 0) + DEPENDANT_CATEGORIES.reduce((s, c) => s + v.dependants[c], 0);

  // ── Deductions (所得控除) ──
  const basicBracket = bracketFor(rates.basicDeduction, totalIncome);
  const basic = basicBracket?.value ?? 0;
  const columnIndex = rates.spouseDeductions.taxpayerColumns.findIndex((b) => b.upTo === null || totalIncome <= b.upTo);
  const column = columnIndex >= 0 ? rates.spouseDeductions.taxpayerColumns[columnIndex] : undefined;
  let spouseDeduction = 0;
  let spouseSpecialDeduction = 0;
  if (v.spouse !== null && column) {
    if (spouseIsDependant) {
      spouseDeduction = v.spouse.aged70OrOver ? column.value.elderly : column.value.general;
    } else {
      const row = bracketFor(rates.spouseDeductions.special, v.spouse.totalIncome);
      spouseSpecialDeduction = row ? (row.value[columnIndex] ?? 0) : 0;
    }
  }
  const dependantDeduction = DEPENDANT_CATEGORIES.reduce((s, c) => s + v.dependants[c] * rates.dependantDeductions[c], 0);
  const specifiedRelativeDeduction = v.specifiedRelativeIncomes.reduce((s, income) => {
    const row = rates.specifiedRelativeDeduction ? bracketFor(rates.specifiedRelativeDeduction, income) : undefined;
    return s + (row?.value ?? 0);
  }, 0);
  const other = rates.otherPersonalDeductions;
  const selfDisability = v.status.disability === undefined ? 0 : other.disability[v.status.disability];
  const familyDisability = FAMILY_DISABILITIES.reduce((s, c) => s + v.familyDisabilities[c] * other.disability[c], 0);
  // 寡婦 and ひとり親 exist only up to their income limit.
  const withinStatusLimit = totalIncome <= other.widowAndSingleParentIncomeLimit;
  const widow = v.status.widow === true && withinStatusLimit;
  const singleParent = v.status.singleParent !== undefined && withinStatusLimit ? v.status.singleParent : undefined;
  const widowOrSingleParent = singleParent !== undefined ? other.singleParent : widow ? other.widow : 0;
  const deductions = {
    basic,
    socialInsurance: v.socialInsurance,
    spouse: spouseDeduction,
    spouseSpecial: spouseSpecialDeduction,
    dependants: dependantDeduction,
    specifiedRelatives: specifiedRelativeDeduction,
    disability: selfDisability + familyDisability,
    widowOrSingleParent,
    other: v.otherDeductions,
    total: 0,
  };
  deductions.total =
    deductions.basic +
    deductions.socialInsurance +
    deductions.spouse +
    deductions.spouseSpecial +
    deductions.dependants +
    deductions.specifiedRelatives +
    deductions.disability +
    deductions.widowOrSingleParent +
    deductions.other;
  const taxableIncome = truncate(Math.max(0, totalIncome - deductions.total), rates.rounding.taxableIncomeUnit);

  const base = {
    fiscalYear,
    incomeYear,
    rateSet: { fromFiscalYear: rates.fromFiscalYear, untilFiscalYear: rates.untilFiscalYear },
    income: { salary, salaryAdjustment: highSalaryAdjustment + bothAdjustment, publicPension: pension, other: v.other, total: totalIncome },
    deductions,
    taxableIncome,
    dependantsCounted,
  };
  const levyRates = context.designatedCity ? rates.incomeLevyRates.designatedCity : rates.incomeLevyRates.standard;
  const nothingDue = (reason: NonTaxableReason, threshold: number | null, explanation: string): Assessment => ({
    ...base,
    incomeLevy: {
      rates: levyRates,
      beforeCredits: ZERO,
      personalDeductionDifference: 0,
      adjustmentCredit: ZERO,
      lineAdjustment: ZERO,
      flatCredit: ZERO,
      due: ZERO,
    },
    perCapita: ZERO,
    reconstructionSurcharge: ZERO,
    forestEnvironmentTax: 0,
    municipalTax: 0,
    prefecturalTax: 0,
    totalTax: 0,
    nonTaxable: { scope: 'all', reason, threshold, explanation },
  });

  // ── Non-taxable persons (地方税法 295条, 24条の5) ──
  if (v.status.livelihoodAssistance === true) {
    return nothingDue('livelihood_assistance', null, 'Receives 生活扶助 under the Public Assistance Act: no 均等割 and no 所得割 (地方税法 295条1項1号).');
  }
  const specialStatus = minor || v.status.disability !== undefined || widow || singleParent !== undefined;
  if (specialStatus && totalIncome <= rates.specialStatusIncomeLimit) {
    return nothingDue(
      'special_status_income_limit',
      rates.specialStatusIncomeLimit,
      `Minor, disabled person, widow or single parent with 合計所得金額 ${totalIncome} ≤ ${rates.specialStatusIncomeLimit} (地方税法 295条1項2号).`,
    );
  }
  const perCapitaLine = exemptionLine(rates.perCapitaExemption, dependantsCounted, rates.perCapitaExemption.livingCostPercent[context.livingCostClass]);
  if (totalIncome <= perCapitaLine) {
    return nothingDue(
      'per_capita_income_limit',
      perCapitaLine,
      `合計所得金額 ${totalIncome} ≤ the 均等割 line ${perCapitaLine} for ${dependantsCounted} dependant(s) in ${context.livingCostClass}級地 (地方税法 295条3項, 施行令 47条の3): no 均等割 and no 所得割.`,
    );
  }

  // ── 均等割 and 森林環境税: due from here on ──
  const surcharge = rates.reconstructionSurcharge;
  const perCapita: Split = {
    municipal: rates.perCapita.municipal + surcharge.municipal,
    prefectural: rates.perCapita.prefectural + surcharge.prefectural,
  };
  const forest = rates.forestEnvironmentTax;

  // ── 所得割 ──
  const incomeLevyLine = exemptionLine(rates.incomeLevyExemption, dependantsCounted, 100);
  let levy: Assessment['incomeLevy'];
  let nonTaxable: NonTaxable | null = null;
  if (totalIncome <= incomeLevyLine) {
    levy = {
      rates: levyRates,
      beforeCredits: ZERO,
      personalDeductionDifference: 0,
      adjustmentCredit: ZERO,
      lineAdjustment: ZERO,
      flatCredit: ZERO,
      due: ZERO,
    };
    nonTaxable = {
      scope: 'income_levy',
      reason: 'income_levy_income_limit',
      threshold: incomeLevyLine,
      explanation: `総所得金額等 ${totalIncome} ≤ the 所得割 line ${incomeLevyLine} for ${dependantsCounted} dependant(s) (地方税法 附則3条の3): 均等割 and 森林環境税 only.`,
    };
  } else {
    levy = incomeLevy(v, rates, context, {
      taxableIncome,
      totalIncome,
      incomeLevyLine,
      columnIndex,
      spouseIsDependant,
      widow,
      singleParent,
      dependantsCounted,
    });
  }

  const municipalTax = levy.due.municipal + perCapita.municipal;
  const prefecturalTax = levy.due.prefectural + perCapita.prefectural;
  return {
    ...base,
    incomeLevy: levy,
    perCapita,
    reconstructionSurcharge: surcharge,
    forestEnvironmentTax: forest,
    municipalTax,
    prefecturalTax,
    totalTax: municipalTax + prefecturalTax + forest,
    nonTaxable,
  };
}

interface LevyFacts {
  taxableIncome: number;
  totalIncome: number;
  incomeLevyLine: number;
  columnIndex: number;
  spouseIsDependant: boolean;
  widow: boolean;
  singleParent: 'mother' | 'father' | undefined;
  dependantsCounted: number;
}

/** 所得割 from the taxable income: rates, 調整控除, the line adjustment, the FY2024 定額減税, truncation. */
function incomeLevy(v: Validated, rates: RateSet, context: AssessmentContext, f: LevyFacts): Assessment['incomeLevy'] {
  const levyRates = context.designatedCity ? rates.incomeLevyRates.designatedCity : rates.incomeLevyRates.standard;
  // Taxable income is a multiple of ¥1,000, so these products are whole yen.
  const beforeCredits: Split = {
    municipal: Math.floor((f.taxableIncome * levyRates.municipal) / 100),
    prefectural: Math.floor((f.taxableIncome * levyRates.prefectural) / 100),
  };

  // 調整控除 (地方税法 314条の6, 37条).
  const ac = rates.adjustmentCredit;
  const diff = ac.differences;
  let difference = 0;
  let credit: Split = ZERO;
  if (f.totalIncome <= ac.totalIncomeCeiling && f.taxableIncome > 0) {
    difference += diff.basic;
    if (v.spouse !== null && f.columnIndex >= 0) {
      if (f.spouseIsDependant) {
        const col = diff.spouse[f.columnIndex];
        difference += col ? (v.spouse.aged70OrOver ? col.elderly : col.general) : 0;
      } else {
        const row = bracketFor(diff.spouseSpecial, v.spouse.totalIncome);
        difference += row ? (row.value[f.columnIndex] ?? 0) : 0;
      }
    }
    for (const c of DEPENDANT_CATEGORIES) difference += v.dependants[c] * diff.dependants[c];
    difference += v.specifiedRelativeIncomes.length * diff.specifiedRelative;
    if (v.status.disability !== undefined) difference += diff.disability[v.status.disability];
    for (const c of FAMILY_DISABILITIES) difference += v.familyDisabilities[c] * diff.disability[c];
    if (f.singleParent === 'mother') difference += diff.singleParentMother;
    else if (f.singleParent === 'father') difference += diff.singleParentFather;
    else if (f.widow) difference += diff.widow;

    const creditBase =
      f.taxableIncome <= ac.taxableThreshold
        ? Math.min(difference, f.taxableIncome)
        : Math.max(difference - (f.taxableIncome - ac.taxableThreshold), ac.minimumBase);
    const creditRates = context.designatedCity ? ac.rates.designatedCity : ac.rates.standard;
    // A credit never exceeds the levy it is credited against.
    credit = {
      municipal: Math.min(beforeCredits.municipal, Math.floor((creditBase * creditRates.municipal) / 100)),
      prefectural: Math.min(beforeCredits.prefectural, Math.floor((creditBase * creditRates.prefectural) / 100)),
    };
  }
  const afterCredit: Split = {
    municipal: beforeCredits.municipal - credit.municipal,
    prefectural: beforeCredits.prefectural - credit.prefectural,
  };

  // 附則3条の3 ②⑤: income just above the 所得割 line must not fall below the
  // line after tax; the shortfall is taken off both levies in proportion to them.
  const levyTotal = afterCredit.municipal + afterCredit.prefectural;
  const shortfall = f.incomeLevyLine - (f.totalIncome - levyTotal);
  let lineAdjustment: Split = ZERO;
  if (shortfall > 0 && levyTotal > 0) {
    // UNCONFIRMED rounding of the split: the prefectural share is rounded down, the municipal share takes the rest.
    const prefectural = Math.floor((Math.min(shortfall, levyTotal) * afterCredit.prefectural) / levyTotal);
    lineAdjustment = { municipal: Math.min(shortfall, levyTotal) - prefectural, prefectural };
  }
  const afterLine: Split = {
    municipal: afterCredit.municipal - lineAdjustment.municipal,
    prefectural: afterCredit.prefectural - lineAdjustment.prefectural,
  };

  // FY2024 定額減税: per person (the taxpayer, the 控除対象配偶者 and every 扶養親族), after every other credit.
  let flatCredit: Split = ZERO;
  const fc = rates.flatCredit;
  if (fc !== null && f.totalIncome <= fc.totalIncomeLimit) {
    // The spouse counts only as a 控除対象配偶者 (taxpayer within the spouse deduction's income columns).
    const persons = 1 + (f.spouseIsDependant && f.columnIndex >= 0 ? 1 : 0) + DEPENDANT_CATEGORIES.reduce((s, c) => s + v.dependants[c], 0);
    const per = context.designatedCity ? fc.perPerson.designatedCity : fc.perPerson.standard;
    flatCredit = {
      municipal: Math.min(afterLine.municipal, per.municipal * persons),
      prefectural: Math.min(afterLine.prefectural, per.prefectural * persons),
    };
  }

  const unit = rates.rounding.taxUnit;
  return {
    rates: levyRates,
    beforeCredits,
    personalDeductionDifference: difference,
    adjustmentCredit: credit,
    lineAdjustment,
    flatCredit,
    due: {
      municipal: truncate(afterLine.municipal - flatCredit.municipal, unit),
      prefectural: truncate(afterLine.prefectural - flatCredit.prefectural, unit),
    },
  };
}

// ─── Taxing municipality ────────────────────────────────────────────────────

export interface Residency {
  /** Local public body code (6 digits with check digit) of the municipality (or ward) of residence. */
  readonly municipalityCode: string;
  /** First day resident there (the 異動日 of the move in), 'YYYY-MM-DD'. */
  readonly from: string;
  /** Last day resident there, inclusive ('YYYY-MM-DD'), or null while still resident. */
  readonly until: string | null;
}

/**
 * The municipality that taxes a person for a fiscal year: where the person
 * was resident on the 賦課期日, 1 January of that fiscal year (地方税法 294条,
 * 318条), or null when resident nowhere that day. A person who moves on
 * 1 January is resident at the new address that day (the day of a move is the
 * new residency's `from`), so the new municipality taxes them.
 */
export function taxingMunicipality(residencies: readonly Residency[], fiscalYear: number): string | null {
  requireYear('fiscalYear', fiscalYear);
  if (!Array.isArray(residencies)) throw new ResidentialTaxError('residencies', 'array', 'must be an array');
  residencies.forEach((r, i) => {
    if (typeof r.municipalityCode !== 'string' || !isWellFormedCode(r.municipalityCode)) {
      throw new ResidentialTaxError(`residencies.${i}.municipalityCode`, 'code', 'must be a six-digit local public body code with a valid check digit');
    }
    parseDate(`residencies.${i}.from`, r.from);
    if (r.until !== null) {
      parseDate(`residencies.${i}.until`, r.until);
      if (r.until < r.from) throw new ResidentialTaxError(`residencies.${i}.until`, 'before_from', 'must not be before from');
    }
  });
  // A person has one 住所 at a time: overlapping intervals are a data error, not a choice to make here.
  const sorted = [...residencies].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (prev.until === null || prev.until >= cur.from) {
      throw new ResidentialTaxError('residencies', 'overlap', 'residency intervals overlap: a person is resident in one place at a time');
    }
  }
  const day = `${String(fiscalYear).padStart(4, '0')}-01-01`;
  const found = sorted.find((r) => r.from <= day && (r.until === null || day <= r.until));
  return found ? found.municipalityCode : null;
}

// ─── Installments ───────────────────────────────────────────────────────────

export type CollectionMethod = 'ordinary' | 'special';

export interface Installment {
  /** 1-based order (第1期 …). */
  readonly number: number;
  /** Calendar month, 1–12. */
  readonly month: number;
  /** True for January–May: the calendar year after the one that names the fiscal year. */
  readonly followingCalendarYear: boolean;
  readonly amount: number;
}

export interface InstallmentOptions {
  /** Use this fiscal year's schedule (FY2024 special collection ran July–May); else the statutory standard. */
  readonly fiscalYear?: number;
  /** Override the rounding unit where a municipality's 条例 says so (地方税法 20条の4の2⑥ ただし書). */
  readonly unit?: number;
  readonly rateSets?: readonly RateSet[];
}

/**
 * Splits an annual tax into installments. Each installment is annual ÷ count
 * rounded down to the unit; everything left over goes to the first one, so the
 * installments always sum to the annual tax. Statutory units: 普通徴収 ¥1,000
 * (地方税法 20条の4の2⑥), 特別徴収 ¥100 (321条の5①).
 */
export function installments(annualTax: number, method: CollectionMethod, options: InstallmentOptions = {}): Installment[] {
  requireYen('annualTax', annualTax);
  if (method !== 'ordinary' && method !== 'special') throw new ResidentialTaxError('method', 'kind', "must be 'ordinary' or 'special'");
  const collection = options.fiscalYear === undefined ? STANDARD_COLLECTION : rateSetFor(options.fiscalYear, options.rateSets ?? RATE_SETS).collection;
  const schedule: CollectionSchedule = collection[method];
  const unit = options.unit ?? schedule.unit;
  if (!Number.isSafeInteger(unit) || unit < 1) throw new ResidentialTaxError('unit', 'positive', 'must be a positive integer number of yen');
  const count = schedule.months.length;
  const each = truncate(Math.floor(annualTax / count), unit);
  const first = annualTax - each * (count - 1);
  const firstMonth = schedule.months[0] ?? 1;
  return schedule.months.map((month, i) => ({
    number: i + 1,
    month,
    // Schedules start in June or July; a month before the first falls in the next calendar year.
    followingCalendarYear: month < firstMonth,
    amount: i === 0 ? first : each,
  }));
}
