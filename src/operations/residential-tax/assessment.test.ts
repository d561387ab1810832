import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assess,
  installments,
  pensionIncome,
  rateSetFor,
  ResidentialTaxError,
  salaryIncome,
  taxingMunicipality,
  type AssessmentContext,
  type Taxpayer,
} from './assessment.js';

/** A municipality in 1級地, not a designated city, for the fiscal year. */
const city = (fiscalYear: number, over: Partial<AssessmentContext> = {}): AssessmentContext => ({
  fiscalYear,
  designatedCity: false,
  livingCostClass: 1,
  ...over,
});

function expectError(fn: () => unknown, field: string, rule: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ResidentialTaxError);
    expect((e as ResidentialTaxError).field).toBe(field);
    expect((e as ResidentialTaxError).rule).toBe(rule);
    return;
  }
  throw new Error(`expected a ResidentialTaxError on ${field} (${rule})`);
}

describe('a salaried single person, salary ¥4,000,000 (FY2026, 2025 income)', () => {
  // Salary 4,000,000, social insurance 612,345, no family, 1級地, ordinary city.
  //  1. 給与所得: 4,000,000 is a row of 別表第五 (a multiple of 4,000);
  //     deduction 20% + 440,000 = 1,240,000 → 給与所得 2,760,000.
  //  2. Deductions: 基礎控除 430,000 + 社会保険料控除 612,345 = 1,042,345.
  //  3. 2,760,000 − 1,042,345 = 1,717,655 → truncated to ¥1,000: 1,717,000.
  //  4. 算出所得割: 6% → 103,020; 4% → 68,680.
  //  5. 調整控除: 人的控除差 = 基礎 50,000; taxable ≤ 2,000,000 → min(50,000, 1,717,000)
  //     = 50,000; × 3% = 1,500, × 2% = 1,000.
  //  6. 103,020 − 1,500 = 101,520 → ¥100: 101,500; 68,680 − 1,000 = 67,680 → 67,600.
  //  7. 均等割 3,000 + 1,000, 森林環境税 1,000.
  //  8. 市町村民税 104,500; 道府県民税 68,600; total 174,100.
  const taxpayer: Taxpayer = { birthDate: '1990-04-01', income: { salary: 4_000_000 }, deductions: { socialInsurance: 612_345 } };

  it('itemises each step', () => {
    const a = assess(taxpayer, city(2026));
    expect(a.incomeYear).toBe(2025);
    expect(a.rateSet).toEqual({ fromFiscalYear: 2026, untilFiscalYear: null });
    expect(a.income).toEqual({ salary: 2_760_000, salaryAdjustment: 0, publicPension: 0, other: 0, total: 2_760_000 });
    expect(a.deductions.basic).toBe(430_000);
    expect(a.deductions.socialInsurance).toBe(612_345);
    expect(a.deductions.total).toBe(1_042_345);
    expect(a.taxableIncome).toBe(1_717_000);
    expect(a.incomeLevy.rates).toEqual({ municipal: 6, prefectural: 4 });
    expect(a.incomeLevy.beforeCredits).toEqual({ municipal: 103_020, prefectural: 68_680 });
    expect(a.incomeLevy.personalDeductionDifference).toBe(50_000);
    expect(a.incomeLevy.adjustmentCredit).toEqual({ municipal: 1_500, prefectural: 1_000 });
    expect(a.incomeLevy.lineAdjustment).toEqual({ municipal: 0, prefectural: 0 });
    expect(a.incomeLevy.flatCredit).toEqual({ municipal: 0, prefectural: 0 });
    expect(a.incomeLevy.due).toEqual({ municipal: 101_500, prefectural: 67_600 });
    expect(a.perCapita).toEqual({ municipal: 3_000, prefectural: 1_000 });
    expect(a.reconstructionSurcharge).toEqual({ municipal: 0, prefectural: 0 });
    expect(a.forestEnvironmentTax).toBe(1_000);
    expect(a.municipalTax).toBe(104_500);
    expect(a.prefecturalTax).toBe(68_600);
    expect(a.totalTax).toBe(174_100);
    expect(a.nonTaxable).toBeNull();
  });

  it('in a designated city: 8% + 2% with the credit at 4% + 1%, the same total', () => {
    // 1,717,000 × 8% = 137,360; × 2% = 34,340. Credit 50,000 × 4% = 2,000; × 1% = 500.
    // 137,360 − 2,000 = 135,360 → 135,300; 34,340 − 500 = 33,840 → 33,800.
    // Total 135,300 + 3,000 + 33,800 + 1,000 + 1,000 = 174,100 (both split 10%).
    const a = assess(taxpayer, city(2026, { designatedCity: true }));
    expect(a.incomeLevy.rates).toEqual({ municipal: 8, prefectural: 2 });
    expect(a.incomeLevy.beforeCredits).toEqual({ municipal: 137_360, prefectural: 34_340 });
    expect(a.incomeLevy.adjustmentCredit).toEqual({ municipal: 2_000, prefectural: 500 });
    expect(a.incomeLevy.due).toEqual({ municipal: 135_300, prefectural: 33_800 });
    expect(a.municipalTax).toBe(138_300);
    expect(a.prefecturalTax).toBe(34_800);
    expect(a.totalTax).toBe(174_100);
  });

  it('splits the tax into installments that sum to it', () => {
    // 普通徴収, ¥1,000 units: 174,100 / 4 = 43,525 → 43,000; first = 174,100 − 3 × 43,000 = 45,100.
    expect(installments(174_100, 'ordinary')).toEqual([
      { number: 1, month: 6, followingCalendarYear: false, amount: 45_100 },
      { number: 2, month: 8, followingCalendarYear: false, amount: 43_000 },
      { number: 3, month: 10, followingCalendarYear: false, amount: 43_000 },
      { number: 4, month: 1, followingCalendarYear: true, amount: 43_000 },
    ]);
    // A municipality whose 条例 uses ¥100 units: 43,500 × 3 = 130,500; first 43,600.
    expect(installments(174_100, 'ordinary', { unit: 100 }).map((i) => i.amount)).toEqual([43_600, 43_500, 43_500, 43_500]);
    // 特別徴収: 174,100 / 12 = 14,508.3 → 14,500; June = 174,100 − 11 × 14,500 = 14,600.
    const special = installments(174_100, 'special');
    expect(special.map((i) => i.month)).toEqual([6, 7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5]);
    expect(special[0]!.amount).toBe(14_600);
    expect(special.slice(1).every((i) => i.amount === 14_500)).toBe(true);
    expect(special.reduce((s, i) => s + i.amount, 0)).toBe(174_100);
  });
});

describe('a pensioner over 65 around the non-taxable line (FY2026, single, 1級地)', () => {
  // Born 1950-06-15: 75 on 31 December 2025, so the 65+ 公的年金等控除 applies:
  // pension ≤ 3,300,000 → deduction 1,100,000. The 均等割 line and the 所得割
  // line are both 350,000 × 1 + 100,000 = 450,000 for a single person.
  const pensioner = (publicPension: number): Taxpayer => ({
    birthDate: '1950-06-15',
    income: { publicPension },
    deductions: { socialInsurance: 8_000 },
  });

  it('just under: pension 1,550,000 → income 450,000 ≤ 450,000: nothing due', () => {
    const a = assess(pensioner(1_550_000), city(2026));
    expect(a.income.publicPension).toBe(450_000);
    expect(a.totalTax).toBe(0);
    expect(a.perCapita).toEqual({ municipal: 0, prefectural: 0 });
    expect(a.forestEnvironmentTax).toBe(0);
    expect(a.nonTaxable).toMatchObject({ scope: 'all', reason: 'per_capita_income_limit', threshold: 450_000 });
  });

  it('just over: pension 1,551,000 → income 451,000: both levies, ¥5,500 in all', () => {
    // Taxable 451,000 − 430,000 − 8,000 = 13,000. 算出 780 / 520.
    // 調整控除: min(50,000, 13,000) = 13,000 → 390 / 260 → 390 / 260 left.
    // Line check: 451,000 − 650 = 450,350 ≥ 450,000, no line adjustment.
    // ¥100 truncation: 300 / 200. Total 300 + 3,000 + 200 + 1,000 + 1,000 = 5,500.
    const a = assess(pensioner(1_551_000), city(2026));
    expect(a.income.total).toBe(451_000);
    expect(a.taxableIncome).toBe(13_000);
    expect(a.incomeLevy.beforeCredits).toEqual({ municipal: 780, prefectural: 520 });
    expect(a.incomeLevy.adjustmentCredit).toEqual({ municipal: 390, prefectural: 260 });
    expect(a.incomeLevy.lineAdjustment).toEqual({ municipal: 0, prefectural: 0 });
    expect(a.incomeLevy.due).toEqual({ municipal: 300, prefectural: 200 });
    expect(a.totalTax).toBe(5_500);
    expect(a.nonTaxable).toBeNull();
  });

  it('65 is reached on 31 December for those born on 1 January (年齢計算ニ関スル法律)', () => {
    // Born 1961-01-01: 65 at the end of 31 December 2025 → 65+ table: 1,550,000 − 1,100,000 = 450,000.
    // Born 1961-01-02: still 64 → under-65 table: 25% + 275,000 = 662,500 → 887,500.
    const at65 = assess({ birthDate: '1961-01-01', income: { publicPension: 1_550_000 } }, city(2026));
    const at64 = assess({ birthDate: '1961-01-02', income: { publicPension: 1_550_000 } }, city(2026));
    expect(at65.income.publicPension).toBe(450_000);
    expect(at64.income.publicPension).toBe(887_500);
  });

  it('salary and pension together get the 所得金額調整控除', () => {
    // Salary 1,000,000 → 給与所得 350,000 (FY2026 minimum 650,000); pension 2,000,000 → 900,000.
    // Adjustment min(350,000, 100,000) + min(900,000, 100,000) − 100,000 = 100,000 → 給与所得 250,000.
    const a = assess({ birthDate: '1950-06-15', income: { salary: 1_000_000, publicPension: 2_000_000 } }, city(2026));
    expect(a.income).toEqual({ salary: 250_000, salaryAdjustment: 100_000, publicPension: 900_000, other: 0, total: 1_150_000 });
  });
});

describe('a family: spouse without income, a child of 12 and a child of 20 (FY2026)', () => {
  // Salary 6,000,000, social insurance 900,000.
  //  給与所得: 6,000,000 × 80% − 440,000 = 4,360,000.
  //  Deductions: 基礎 430,000 + 社会保険 900,000 + 配偶者 330,000 + 特定扶養 (20) 450,000
  //  + 年少扶養 (12) 0 = 2,110,000. Taxable 2,250,000.
  //  算出: 135,000 / 90,000.
  //  人的控除差: 基礎 50,000 + 配偶者 50,000 + 特定扶養 180,000 = 280,000; taxable > 2,000,000:
  //  280,000 − (2,250,000 − 2,000,000) = 30,000 < 50,000 → 50,000 → 1,500 / 1,000.
  //  Due 133,500 / 89,000; total 133,500 + 3,000 + 89,000 + 1,000 + 1,000 = 227,500.
  const family: Taxpayer = {
    birthDate: '1980-09-09',
    income: { salary: 6_000_000 },
    deductions: { socialInsurance: 900_000 },
    spouse: { totalIncome: 0, aged70OrOver: false },
    dependants: { under16: 1, specified: 1 },
  };

  it('applies the spouse and dependant deductions and the minimum adjustment credit', () => {
    const a = assess(family, city(2026));
    expect(a.income.salary).toBe(4_360_000);
    expect(a.deductions).toMatchObject({ spouse: 330_000, spouseSpecial: 0, dependants: 450_000, total: 2_110_000 });
    expect(a.dependantsCounted).toBe(3);
    expect(a.taxableIncome).toBe(2_250_000);
    expect(a.incomeLevy.beforeCredits).toEqual({ municipal: 135_000, prefectural: 90_000 });
    expect(a.incomeLevy.personalDeductionDifference).toBe(280_000);
    expect(a.incomeLevy.adjustmentCredit).toEqual({ municipal: 1_500, prefectural: 1_000 });
    expect(a.incomeLevy.due).toEqual({ municipal: 133_500, prefectural: 89_000 });
    expect(a.totalTax).toBe(227_500);
  });

  it('in FY2024 takes the 定額減税 of ¥10,000 a person and collects July–May', () => {
    // 2023 income under the old salary table gives the same 4,360,000 at 6,000,000.
    // Persons: taxpayer + 控除対象配偶者 + 2 扶養親族 (the child under 16 counts) = 4.
    // 定額減税 6,000 × 4 = 24,000 / 4,000 × 4 = 16,000.
    // Due 133,500 − 24,000 = 109,500; 89,000 − 16,000 = 73,000.
    // Total 109,500 + 3,000 + 73,000 + 1,000 + 1,000 = 187,500.
    const a = assess(family, city(2024));
    expect(a.incomeLevy.flatCredit).toEqual({ municipal: 24_000, prefectural: 16_000 });
    expect(a.incomeLevy.due).toEqual({ municipal: 109_500, prefectural: 73_000 });
    expect(a.totalTax).toBe(187_500);
    // FY2024 特別徴収: 11 installments July–May; 187,500 / 11 = 17,045 → 17,000; July 17,500.
    const plan = installments(a.totalTax, 'special', { fiscalYear: 2024 });
    expect(plan.map((i) => i.month)).toEqual([7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5]);
    expect(plan[0]!.amount).toBe(17_500);
    expect(plan.reduce((s, i) => s + i.amount, 0)).toBe(187_500);
  });

  it('gives 配偶者特別控除 instead when the spouse earns above the dependant limit', () => {
    // Spouse income 1,000,000 (> 580,000): 配偶者特別控除 330,000 (taxpayer ≤ 9,000,000), and
    // the spouse no longer counts for the non-taxable lines. 人的控除差 for the spouse: 0 (above 649,999).
    const a = assess({ ...family, spouse: { totalIncome: 1_000_000, aged70OrOver: false } }, city(2026));
    expect(a.deductions.spouse).toBe(0);
    expect(a.deductions.spouseSpecial).toBe(330_000);
    expect(a.dependantsCounted).toBe(2);
    expect(a.incomeLevy.personalDeductionDifference).toBe(230_000);
  });
});

describe('a low-income family just above the 所得割 line (附則3条の3 adjustment)', () => {
  // Business income 1,830,000; spouse without income; two children under 16 (n = 3).
  //  所得割 line: 350,000 × 4 + 100,000 + 320,000 = 1,820,000. 均等割 line: 350,000 × 4 + 100,000 + 210,000 = 1,710,000.
  //  Deductions: 430,000 + 330,000 = 760,000 → taxable 1,070,000 → 64,200 / 42,800.
  //  調整控除: 人的控除差 100,000 (基礎 + 配偶者) ≤ taxable → 3,000 / 2,000 → 61,200 / 40,800 (sum 102,000).
  //  Shortfall: 1,820,000 − (1,830,000 − 102,000) = 92,000, split in proportion:
  //  prefectural 92,000 × 40,800 / 102,000 = 36,800; municipal 55,200. Left: 6,000 / 4,000,
  //  so the income after 所得割 is exactly the line. Total 6,000 + 3,000 + 4,000 + 1,000 + 1,000 = 15,000.
  const household = (other: number): Taxpayer => ({
    birthDate: '1988-03-03',
    income: { other },
    spouse: { totalIncome: 0, aged70OrOver: false },
    dependants: { under16: 2 },
  });

  it('reduces the 所得割 so that income after it does not fall below the line', () => {
    const a = assess(household(1_830_000), city(2026));
    expect(a.incomeLevy.beforeCredits).toEqual({ municipal: 64_200, prefectural: 42_800 });
    expect(a.incomeLevy.adjustmentCredit).toEqual({ municipal: 3_000, prefectural: 2_000 });
    expect(a.incomeLevy.lineAdjustment).toEqual({ municipal: 55_200, prefectural: 36_800 });
    expect(a.incomeLevy.due).toEqual({ municipal: 6_000, prefectural: 4_000 });
    expect(a.totalTax).toBe(15_000);
  });

  it('at the line itself: 均等割 and 森林環境税 only', () => {
    const a = assess(household(1_820_000), city(2026));
    expect(a.incomeLevy.due).toEqual({ municipal: 0, prefectural: 0 });
    expect(a.totalTax).toBe(5_000);
    expect(a.nonTaxable).toMatchObject({ scope: 'income_levy', reason: 'income_levy_income_limit', threshold: 1_820_000 });
  });
});

describe('fiscal-year switch: the reconstruction surcharge gives way to the 森林環境税', () => {
  // Salary 3,000,000, social insurance 450,000, single. 給与所得 3,000,000 × 70% − 80,000 = 2,020,000
  // under both salary tables; taxable 1,140,000; 算出 68,400 / 45,600; credit 1,500 / 1,000 → 66,900 / 44,600.
  const worker: Taxpayer = { birthDate: '1985-01-01', income: { salary: 3_000_000 }, deductions: { socialInsurance: 450_000 } };

  it('FY2023: 均等割 3,500 + 1,500 (surcharges of 500 each), no 森林環境税 → 116,500', () => {
    const a = assess(worker, city(2023));
    expect(a.incomeLevy.due).toEqual({ municipal: 66_900, prefectural: 44_600 });
    expect(a.perCapita).toEqual({ municipal: 3_500, prefectural: 1_500 });
    expect(a.reconstructionSurcharge).toEqual({ municipal: 500, prefectural: 500 });
    expect(a.forestEnvironmentTax).toBe(0);
    expect(a.totalTax).toBe(116_500);
  });

  it('FY2024: 均等割 3,000 + 1,000, 森林環境税 1,000, 定額減税 10,000 → 106,500', () => {
    const a = assess(worker, city(2024));
    expect(a.perCapita).toEqual({ municipal: 3_000, prefectural: 1_000 });
    expect(a.forestEnvironmentTax).toBe(1_000);
    expect(a.incomeLevy.flatCredit).toEqual({ municipal: 6_000, prefectural: 4_000 });
    expect(a.totalTax).toBe(106_500);
  });

  it('FY2025: as FY2024 without the 定額減税 → 116,500', () => {
    const a = assess(worker, city(2025));
    expect(a.incomeLevy.flatCredit).toEqual({ municipal: 0, prefectural: 0 });
    expect(a.totalTax).toBe(116_500);
  });

  it('a 均等割-only person in 2級地 pays 5,000 in both years, made up differently', () => {
    // Pension (65+) 1,530,000 → income 430,000. 2級地 均等割 line: 315,000 + 100,000 = 415,000 < 430,000;
    // 所得割 line 450,000 ≥ 430,000. In 1級地 (line 450,000) nothing is due; in 3級地 (380,000) the 均等割 is.
    const pensioner: Taxpayer = { birthDate: '1950-06-15', income: { publicPension: 1_530_000 } };
    const fy2023 = assess(pensioner, city(2023, { livingCostClass: 2 }));
    const fy2024 = assess(pensioner, city(2024, { livingCostClass: 2 }));
    expect([fy2023.perCapita, fy2023.forestEnvironmentTax, fy2023.totalTax]).toEqual([{ municipal: 3_500, prefectural: 1_500 }, 0, 5_000]);
    expect([fy2024.perCapita, fy2024.forestEnvironmentTax, fy2024.totalTax]).toEqual([{ municipal: 3_000, prefectural: 1_000 }, 1_000, 5_000]);
    expect(fy2024.nonTaxable).toMatchObject({ scope: 'income_levy', threshold: 450_000 });
    expect(assess(pensioner, city(2024, { livingCostClass: 1 })).nonTaxable).toMatchObject({ scope: 'all', threshold: 450_000 });
    expect(assess(pensioner, city(2024, { livingCostClass: 3 })).totalTax).toBe(5_000);
  });

  it('the dependant 均等割 line scales with the 級地 (1級地 1,010,000, 2級地 919,000, 3級地 828,000 with one dependant)', () => {
    // 350,000 × 2 + 100,000 + 210,000; 315,000 × 2 + 100,000 + 189,000; 280,000 × 2 + 100,000 + 168,000.
    const parent = (cls: 1 | 2 | 3) =>
      assess({ birthDate: '1990-01-01', income: { other: 700_000 }, dependants: { under16: 1 } }, city(2026, { livingCostClass: cls })).nonTaxable;
    expect(parent(1)).toMatchObject({ reason: 'per_capita_income_limit', threshold: 1_010_000 });
    expect(parent(2)).toMatchObject({ reason: 'per_capita_income_limit', threshold: 919_000 });
    expect(parent(3)).toMatchObject({ reason: 'per_capita_income_limit', threshold: 828_000 });
  });
});

describe('minors, disabled persons, widows and single parents (合計所得金額 ≤ 1,350,000)', () => {
  // Salary 2,000,000 (FY2026): 2,000,000 × 70% − 80,000 = 1,320,000 ≤ 1,350,000.
  it('a minor on 1 January pays nothing; one who turned 18 on that day pays', () => {
    // Born 2008-01-03: turns 18 at the end of 2026-01-01 → still 17 on the 賦課期日.
    const minor = assess({ birthDate: '2008-01-03', income: { salary: 2_000_000 } }, city(2026));
    expect(minor.nonTaxable).toMatchObject({ scope: 'all', reason: 'special_status_income_limit', threshold: 1_350_000 });
    expect(minor.totalTax).toBe(0);
    // Born 2008-01-02: 18 on 2026-01-01. Taxable 1,320,000 − 430,000 = 890,000 → 53,400 / 35,600,
    // credit 1,500 / 1,000 → 51,900 / 34,600; total 51,900 + 3,000 + 34,600 + 1,000 + 1,000 = 91,500.
    const adult = assess({ birthDate: '2008-01-02', income: { salary: 2_000_000 } }, city(2026));
    expect(adult.nonTaxable).toBeNull();
    expect(adult.totalTax).toBe(91_500);
  });

  it('a widow at 1,350,000 pays nothing, at 1,351,000 pays with her 寡婦控除', () => {
    const at = assess({ birthDate: '1960-05-05', income: { other: 1_350_000 }, status: { widow: true } }, city(2026));
    expect(at.nonTaxable).toMatchObject({ reason: 'special_status_income_limit' });
    // 1,351,000 − 430,000 − 260,000 = 661,000 → 39,660 / 26,440; 人的控除差 50,000 + 10,000 = 60,000
    // → 1,800 / 1,200 → 37,860 / 25,240 → 37,800 / 25,200.
    const over = assess({ birthDate: '1960-05-05', income: { other: 1_351_000 }, status: { widow: true } }, city(2026));
    expect(over.deductions.widowOrSingleParent).toBe(260_000);
    expect(over.incomeLevy.personalDeductionDifference).toBe(60_000);
    expect(over.incomeLevy.due).toEqual({ municipal: 37_800, prefectural: 25_200 });
  });

  it('a single father gets 300,000 with a 人的控除差 of 10,000; a single mother 50,000', () => {
    const father = assess({ birthDate: '1985-05-05', income: { other: 3_000_000 }, dependants: { under16: 1 }, status: { singleParent: 'father' } }, city(2026));
    const mother = assess({ birthDate: '1985-05-05', income: { other: 3_000_000 }, dependants: { under16: 1 }, status: { singleParent: 'mother' } }, city(2026));
    expect(father.deductions.widowOrSingleParent).toBe(300_000);
    expect(father.incomeLevy.personalDeductionDifference).toBe(60_000);
    expect(mother.incomeLevy.personalDeductionDifference).toBe(100_000);
  });

  it('生活扶助 recipients pay nothing whatever their income', () => {
    const a = assess({ birthDate: '1970-01-01', income: { other: 2_000_000 }, status: { livelihoodAssistance: true } }, city(2026));
    expect(a.nonTaxable).toMatchObject({ scope: 'all', reason: 'livelihood_assistance', threshold: null });
    expect(a.totalTax).toBe(0);
  });
});

describe('income rules', () => {
  it('reads the 2020–2024 salary table row by row (別表第五)', () => {
    const fy2025 = rateSetFor(2025);
    expect(salaryIncome(550_999, fy2025)).toBe(0);
    expect(salaryIncome(1_000_500, fy2025)).toBe(450_000); // the 1,000-yen row, not 450,500
    expect(salaryIncome(1_030_000, fy2025)).toBe(480_000); // the "103万円" line
    expect(salaryIncome(1_619_500, fy2025)).toBe(1_069_000);
    expect(salaryIncome(1_621_999, fy2025)).toBe(1_070_000);
    expect(salaryIncome(1_623_000, fy2025)).toBe(1_072_000);
    expect(salaryIncome(1_627_999, fy2025)).toBe(1_074_000);
    expect(salaryIncome(1_628_000, fy2025)).toBe(1_076_800); // 1,628,000 × 60% + 100,000
    expect(salaryIncome(6_599_999, fy2025)).toBe(4_836_800); // row 6,596,000 × 80% − 440,000
    expect(salaryIncome(6_600_000, fy2025)).toBe(4_840_000);
    expect(salaryIncome(7_000_005, fy2025)).toBe(5_200_004); // ⌊7,000,005 × 90%⌋ − 1,100,000
    expect(salaryIncome(10_000_000, fy2025)).toBe(8_050_000);
  });

  it('applies the 65万 minimum from FY2026 (2025 income)', () => {
    const fy2026 = rateSetFor(2026);
    expect(salaryIncome(1_100_000, fy2026)).toBe(450_000); // the "110万円" non-taxable line of a single earner
    expect(salaryIncome(1_230_000, fy2026)).toBe(580_000); // the "123万円" dependant line
    expect(salaryIncome(1_234_567, fy2026)).toBe(584_000);
    expect(salaryIncome(1_900_000, fy2026)).toBe(1_250_000);
    expect(salaryIncome(1_903_999, fy2026)).toBe(1_250_000);
    expect(salaryIncome(1_904_000, fy2026)).toBe(1_252_800);
  });

  it('lowers the pension deduction when other income exceeds 10 million', () => {
    const fy2026 = rateSetFor(2026);
    expect(pensionIncome(2_000_000, true, 0, fy2026)).toBe(900_000);
    expect(pensionIncome(2_000_000, true, 10_000_001, fy2026)).toBe(1_000_000);
    expect(pensionIncome(2_000_000, true, 20_000_001, fy2026)).toBe(1_100_000);
    expect(pensionIncome(500_000, false, 0, fy2026)).toBe(0);
  });

  it('rounds the high-salary 所得金額調整控除 up', () => {
    // 9,000,001 − 1,950,000 = 7,050,001; adjustment ⌈(9,000,001 − 8,500,000) × 10%⌉ = 50,001.
    const a = assess({ birthDate: '1980-01-01', income: { salary: 9_000_001, highSalaryAdjustmentEligible: true } }, city(2026));
    expect(a.income.salaryAdjustment).toBe(50_001);
    expect(a.income.salary).toBe(7_000_000);
  });

  it('takes no spouse deduction and no 調整控除 at the top of the scale', () => {
    // Income 25,000,001: no 基礎控除, no 配偶者控除 (taxpayer over 10 million), no 調整控除.
    const a = assess(
      { birthDate: '1970-01-01', income: { other: 25_000_001 }, spouse: { totalIncome: 0, aged70OrOver: false } },
      city(2026),
    );
    expect(a.deductions.basic).toBe(0);
    expect(a.deductions.spouse).toBe(0);
    expect(a.dependantsCounted).toBe(1); // still a 同一生計配偶者
    expect(a.incomeLevy.adjustmentCredit).toEqual({ municipal: 0, prefectural: 0 });
    expect(a.incomeLevy.due).toEqual({ municipal: 1_500_000, prefectural: 1_000_000 });
  });

  it('gives the 特定親族特別控除 from FY2026 by the relative’s income', () => {
    const a = assess({ birthDate: '1975-01-01', income: { salary: 5_000_000 }, specifiedRelativeIncomes: [900_000, 1_000_000, 1_230_000] }, city(2026));
    expect(a.deductions.specifiedRelatives).toBe(450_000 + 410_000 + 30_000);
    expect(a.dependantsCounted).toBe(0);
  });
});

describe('taxingMunicipality: the municipality of 1 January (賦課期日)', () => {
  const CHIYODA = '131016';
  const SAPPORO = '011002';
  const moveOn = (day: string, lastDayInChiyoda: string) => [
    { municipalityCode: CHIYODA, from: '2015-04-01', until: lastDayInChiyoda },
    { municipalityCode: SAPPORO, from: day, until: null },
  ];

  it('a move on 2025-12-31: Sapporo taxes FY2026', () => {
    expect(taxingMunicipality(moveOn('2025-12-31', '2025-12-30'), 2026)).toBe(SAPPORO);
  });

  it('a move on 2026-01-01: resident in Sapporo that very day, so Sapporo taxes FY2026', () => {
    expect(taxingMunicipality(moveOn('2026-01-01', '2025-12-31'), 2026)).toBe(SAPPORO);
  });

  it('a move on 2026-01-02: still in Chiyoda on 1 January, so Chiyoda taxes FY2026 (and Sapporo FY2027)', () => {
    const residencies = moveOn('2026-01-02', '2026-01-01');
    expect(taxingMunicipality(residencies, 2026)).toBe(CHIYODA);
    expect(taxingMunicipality(residencies, 2027)).toBe(SAPPORO);
  });

  it('nobody taxes a person resident nowhere on 1 January', () => {
    expect(taxingMunicipality([{ municipalityCode: CHIYODA, from: '2015-04-01', until: '2025-12-20' }], 2026)).toBeNull();
    expect(taxingMunicipality([], 2026)).toBeNull();
  });

  it('rejects overlapping intervals, malformed codes and reversed dates', () => {
    expectError(() => taxingMunicipality(moveOn('2025-12-31', '2025-12-31'), 2026), 'residencies', 'overlap');
    expectError(
      () => taxingMunicipality([{ municipalityCode: '131017', from: '2020-01-01', until: null }], 2026),
      'residencies.0.municipalityCode',
      'code',
    );
    expectError(
      () => taxingMunicipality([{ municipalityCode: CHIYODA, from: '2020-01-01', until: '2019-12-31' }], 2026),
      'residencies.0.until',
      'before_from',
    );
    expectError(() => taxingMunicipality([{ municipalityCode: CHIYODA, from: '2020-02-30', until: null }], 2026), 'residencies.0.from', 'date');
  });
});

describe('installments', () => {
  it('always sum to the annual tax, the first carrying the remainder', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50_000_000 }), fc.constantFrom('ordinary' as const, 'special' as const), (tax, method) => {
        const plan = installments(tax, method);
        expect(plan.reduce((s, i) => s + i.amount, 0)).toBe(tax);
        const unit = method === 'ordinary' ? 1_000 : 100;
        for (const i of plan.slice(1)) {
          expect(i.amount % unit).toBe(0);
          expect(i.amount).toBe(plan[1]!.amount);
        }
        expect(plan[0]!.amount).toBeGreaterThanOrEqual(plan[1]!.amount);
        expect(plan[0]!.amount - plan[1]!.amount).toBeLessThan(unit * plan.length);
      }),
    );
  });

  it('puts a tax smaller than the installments all in the first one', () => {
    expect(installments(3_500, 'ordinary').map((i) => i.amount)).toEqual([3_500, 0, 0, 0]);
    expect(installments(5_000, 'ordinary').map((i) => i.amount)).toEqual([2_000, 1_000, 1_000, 1_000]);
  });
});

describe('invalid input is rejected with the field and the rule', () => {
  const ok: Taxpayer = { birthDate: '1990-04-01', income: { salary: 4_000_000 } };

  it.each([
    ['income.salary', 'yen', { ...ok, income: { salary: -1 } }],
    ['income.salary', 'yen', { ...ok, income: { salary: 1_000.5 } }],
    ['income.publicPension', 'yen', { ...ok, income: { publicPension: Number.NaN } }],
    ['deductions.socialInsurance', 'yen', { ...ok, deductions: { socialInsurance: -100 } }],
    ['birthDate', 'date', { ...ok, birthDate: '1990-02-30' }],
    ['birthDate', 'date', { ...ok, birthDate: '1990/04/01' }],
    ['birthDate', 'after_assessment_date', { ...ok, birthDate: '2026-01-02' }],
    ['dependants.general', 'count', { ...ok, dependants: { general: 1.5 } }],
    ['status', 'widow_and_single_parent', { ...ok, status: { widow: true, singleParent: 'mother' } }],
    ['disabledFamilyMembers', 'more_than_family', { ...ok, disabledFamilyMembers: { ordinary: 1 } }],
    ['specifiedRelativeIncomes.0', 'is_dependant', { ...ok, specifiedRelativeIncomes: [500_000] }],
  ] as [string, string, Taxpayer][])('%s (%s)', (field, rule, taxpayer) => {
    expectError(() => assess(taxpayer, city(2026)), field, rule);
  });

  it('rejects a fiscal year without a rate set, a bad 級地 and a rule not yet in force', () => {
    expectError(() => assess(ok, city(2022)), 'fiscalYear', 'no_rate_set');
    expectError(() => assess(ok, city(2026.5)), 'fiscalYear', 'year');
    expectError(() => assess(ok, city(2026, { livingCostClass: 4 as 1 })), 'livingCostClass', 'class');
    expectError(() => assess({ ...ok, specifiedRelativeIncomes: [900_000] }, city(2025)), 'specifiedRelativeIncomes', 'not_in_force');
  });

  it('rejects a negative or fractional annual tax and an unknown collection method', () => {
    expectError(() => installments(-1, 'ordinary'), 'annualTax', 'yen');
    expectError(() => installments(100.5, 'special'), 'annualTax', 'yen');
    expectError(() => installments(100, 'monthly' as 'special'), 'method', 'kind');
  });

  it('says which field and rule in its message, never the value', () => {
    try {
      assess({ ...ok, income: { salary: -123_456 } }, city(2026));
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toBe('income.salary: must be a non-negative integer number of yen');
      expect((e as Error).message).not.toContain('123');
    }
  });
});
