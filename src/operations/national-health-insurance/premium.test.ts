/**
 * Worked examples of the household premium, computed by hand in the comments.
 * Rates: EXAMPLE_RATE_TABLE (not a real municipality), FY2024 entry unless said:
 *   medical 7.00 %, 均等割 ¥30,000, 平等割 ¥25,000, cap ¥650,000
 *   support 2.50 %, 均等割 ¥10,000, 平等割 ¥8,000,  cap ¥240,000
 *   care    2.00 %, 均等割 ¥12,000, 平等割 none,    cap ¥170,000
 * FY2024 reduction thresholds: 7割 430,000 + 100,000 × (earners − 1);
 *   5割 that + 295,000 × members; 2割 that + 545,000 × members.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NhiInputError } from './eligibility.js';
import {
  EXAMPLE_RATE_TABLE,
  NATIONAL_FIGURES,
  basicDeduction,
  countedMonths,
  householdPremium,
  isPreschoolChild,
  ratesFor,
  reductionTenths,
  reductionThresholds,
  type Household,
  type HouseholdPerson,
  type MunicipalRateTable,
  PARTS,
} from './premium.js';

const FY = 2024;
/** Insured since before the year (or since birth), with no end: all year unless the 75th birthday cuts it. */
function person(id: string, dateOfBirth: string, income: number, extra: Partial<HouseholdPerson> = {}): HouseholdPerson {
  const from = dateOfBirth > '2020-04-01' ? dateOfBirth : '2020-04-01';
  return { id, dateOfBirth, income, earner: income > 0, insured: [{ from, until: null }], ...extra };
}

function premium(household: Household, fiscalYear = FY, table: MunicipalRateTable = EXAMPLE_RATE_TABLE) {
  return householdPremium(household, fiscalYear, table);
}

describe('national figures and small rules', () => {
  it('caps and thresholds FY2024 and FY2025', () => {
    expect(NATIONAL_FIGURES[2024]!.caps).toEqual({ medical: 650_000, support: 240_000, care: 170_000 });
    expect(NATIONAL_FIGURES[2025]!.caps).toEqual({ medical: 660_000, support: 260_000, care: 170_000 });
    // 2 members, 2 earners: 7割 430,000 + 100,000 = 530,000; 5割 + 2 × 295,000; 2割 + 2 × 545,000.
    expect(reductionThresholds(NATIONAL_FIGURES[2024]!, 2, 2)).toEqual({ sevenTenths: 530_000, fiveTenths: 1_120_000, twoTenths: 1_620_000 });
    // FY2025: 5割 305,000 and 2割 560,000 a member.
    expect(reductionThresholds(NATIONAL_FIGURES[2025]!, 2, 2)).toEqual({ sevenTenths: 530_000, fiveTenths: 1_140_000, twoTenths: 1_650_000 });
    // No earner at all: the 7割 base is not lowered.
    expect(reductionThresholds(NATIONAL_FIGURES[2024]!, 1, 0).sevenTenths).toBe(430_000);
  });

  it('thresholds are inclusive (以下)', () => {
    const t = reductionThresholds(NATIONAL_FIGURES[2024]!, 1, 1); // 430,000 / 725,000 / 975,000
    expect([430_000, 430_001, 725_000, 725_001, 975_000, 975_001].map((i) => reductionTenths(i, t))).toEqual([7, 5, 5, 2, 2, 0]);
  });

  it('basic deduction tiers (地方税法 第314条の2第2項)', () => {
    expect([0, 24_000_000, 24_000_001, 24_500_000, 24_500_001, 25_000_000, 25_000_001].map(basicDeduction)).toEqual([430_000, 430_000, 290_000, 290_000, 150_000, 150_000, 0]);
  });

  it('未就学児: until the first 31 March after attaining age 6', () => {
    // Born 2018-04-01: age 6 attained 2024-03-31 → school from April 2024.
    expect(isPreschoolChild('2018-04-01', 2023)).toBe(true);
    expect(isPreschoolChild('2018-04-01', 2024)).toBe(false);
    // Born 2018-04-02: age 6 attained 2024-04-01 → preschool all of FY2024.
    expect(isPreschoolChild('2018-04-02', 2024)).toBe(true);
    expect(isPreschoolChild('2018-04-02', 2025)).toBe(false);
  });

  it('months: the acquisition month counts, the loss month does not', () => {
    expect(countedMonths({ from: '2024-10-15', until: null }, FY)).toEqual(['2024-10', '2024-11', '2024-12', '2025-01', '2025-02', '2025-03']);
    expect(countedMonths({ from: '2020-01-01', until: '2024-11-01' }, FY)).toHaveLength(7); // Apr–Oct
    expect(countedMonths({ from: '2020-01-01', until: '2024-10-31' }, FY)).toHaveLength(6); // Apr–Sep
    expect(countedMonths({ from: '2024-06-05', until: '2024-06-20' }, FY)).toEqual([]); // 同月得喪: none here
  });

  it('rate table: the entry in force for the year', () => {
    expect(ratesFor(EXAMPLE_RATE_TABLE, 2024).medical.incomeRateBp).toBe(700);
    expect(ratesFor(EXAMPLE_RATE_TABLE, 2030).medical.incomeRateBp).toBe(720);
  });
});

describe('householdPremium: worked examples (FY2024)', () => {
  it('a single insured earner', () => {
    // Age 35, income ¥3,000,000, insured all year; no care part.
    // Reduction: 1 member, 1 earner → 430,000 / 725,000 / 975,000; 3,000,000 is above all: none.
    // 所得割 base 3,000,000 − 430,000 = 2,570,000.
    // medical: 2,570,000 × 7 % = 179,900 + 30,000 + 25,000 = 234,900
    // support: 2,570,000 × 2.5 % = 64,250 + 10,000 + 8,000 = 82,250 → ¥100: 82,200
    // total 317,100
    const r = premium({ head: person('h', '1989-06-15', 3_000_000), members: [] });
    expect(r.reduction).toMatchObject({ date: '2024-04-01', members: 1, earners: 1, income: 3_000_000, tenths: 0 });
    expect(r.parts.medical).toMatchObject({ months: 12, incomeLevy: 179_900, perCapitaLevy: 30_000, perHouseholdLevy: 25_000, beforeCap: 234_900, cap: 650_000, afterCap: 234_900, amount: 234_900 });
    expect(r.parts.support).toMatchObject({ incomeLevy: 64_250, beforeCap: 82_250, afterCap: 82_250, amount: 82_200 });
    expect(r.parts.care).toMatchObject({ months: 0, amount: 0 });
    expect(r.total).toBe(317_100);
    expect(r.deemedHead).toBe(false);
    expect(r.assessee).toBe('h');
  });

  it('a family of four with a preschool child (2割軽減 + 未就学児)', () => {
    // Head 38 (¥2,000,000, earner), spouse 36 (0), child 8 (0), child 3 (0, preschool).
    // Reduction: 4 members, 1 earner: 5割 430,000 + 4 × 295,000 = 1,610,000; 2割 430,000 + 4 × 545,000 = 2,610,000.
    //   2,000,000 is above 5割, within 2割 → 2割.
    // base 2,000,000 − 430,000 = 1,570,000 (the others have 0 income: floored at 0).
    // medical: 所得割 1,570,000 × 7 % = 109,900
    //   均等割 4 × 30,000 = 120,000; 2割 reduction 4 × 6,000 = 24,000; preschool: (30,000 − 6,000) / 2 = 12,000
    //   平等割 25,000; 2割 reduction 5,000
    //   109,900 + 120,000 − 24,000 − 12,000 + 25,000 − 5,000 = 213,900
    // support: 1,570,000 × 2.5 % = 39,250; 均等割 40,000 − 8,000 − (10,000 − 2,000) / 2 = 4,000; 平等割 8,000 − 1,600
    //   39,250 + 40,000 − 8,000 − 4,000 + 8,000 − 1,600 = 73,650 → 73,600
    // total 287,500
    const r = premium({
      head: person('h', '1986-05-10', 2_000_000),
      members: [person('s', '1988-02-03', 0), person('c1', '2016-05-05', 0), person('c2', '2021-01-10', 0)],
    });
    expect(r.reduction).toMatchObject({ members: 4, earners: 1, thresholds: { fiveTenths: 1_610_000, twoTenths: 2_610_000 }, tenths: 2 });
    expect(r.members.map((m) => m.preschool)).toEqual([false, false, false, true]);
    expect(r.parts.medical).toMatchObject({
      incomeLevy: 109_900,
      perCapitaLevy: 120_000,
      perCapitaReduction: 24_000,
      preschoolReduction: 12_000,
      perHouseholdLevy: 25_000,
      perHouseholdReduction: 5_000,
      beforeCap: 213_900,
      amount: 213_900,
    });
    expect(r.parts.support).toMatchObject({ incomeLevy: 39_250, perCapitaReduction: 8_000, preschoolReduction: 4_000, perHouseholdReduction: 1_600, afterCap: 73_650, amount: 73_600 });
    expect(r.total).toBe(287_500);
  });

  it('7割軽減 at the threshold exactly, 5割 at ¥1 over', () => {
    // Single pensioner aged 68 (earner), FY2024: 7割 threshold 430,000.
    // At 430,000: 7割. base 0 → no 所得割.
    //   medical 30,000 × 0.3 = 9,000 + 25,000 × 0.3 = 7,500 → 16,500
    //   support 10,000 × 0.3 = 3,000 + 8,000 × 0.3 = 2,400 → 5,400; total 21,900
    const at = premium({ head: person('h', '1956-01-20', 430_000), members: [] });
    expect(at.reduction).toMatchObject({ income: 430_000, tenths: 7 });
    expect(at.parts.medical).toMatchObject({ incomeLevy: 0, perCapitaReduction: 21_000, perHouseholdReduction: 17_500, amount: 16_500 });
    expect(at.parts.support.amount).toBe(5_400);
    expect(at.total).toBe(21_900);
    // At 430,001: above 7割, within 5割 (725,000). base 1 → 所得割 floor(0.07) = 0.
    //   medical 15,000 + 12,500 = 27,500; support 5,000 + 4,000 = 9,000; total 36,500
    const over = premium({ head: person('h', '1956-01-20', 430_001), members: [] });
    expect(over.reduction).toMatchObject({ income: 430_001, tenths: 5 });
    expect(over.parts.medical).toMatchObject({ incomeLevy: 0, amount: 27_500 });
    expect(over.total).toBe(36_500);
  });

  it('the judgement uses incomeForReduction (e.g. 65+ pension less 150,000) while 所得割 uses income', () => {
    // Income 500,000, judged at 350,000 → 7割; 所得割 on 500,000 − 430,000 = 70,000: medical 4,900, support 1,750.
    // medical 4,900 + 9,000 + 7,500 = 21,400; support 1,750 + 3,000 + 2,400 = 7,150 → 7,100; total 28,500
    const r = premium({ head: person('h', '1956-01-20', 500_000, { incomeForReduction: 350_000 }), members: [] });
    expect(r.reduction?.tenths).toBe(7);
    expect(r.parts.medical.amount).toBe(21_400);
    expect(r.total).toBe(28_500);
  });

  it('a high income hits each cap (FY2024, then FY2025 with its own caps and rates)', () => {
    // Age 50 (care part), income ¥20,000,000; base 19,570,000.
    // medical: 1,369,900 + 30,000 + 25,000 = 1,424,900 → cap 650,000
    // support: 489,250 + 10,000 + 8,000 = 507,250 → cap 240,000
    // care: 391,400 + 12,000 = 403,400 → cap 170,000; total 1,060,000
    const h: Household = { head: person('h', '1974-07-07', 20_000_000), members: [] };
    const r = premium(h);
    expect(r.parts.medical).toMatchObject({ beforeCap: 1_424_900, cap: 650_000, afterCap: 650_000, amount: 650_000 });
    expect(r.parts.support).toMatchObject({ beforeCap: 507_250, afterCap: 240_000 });
    expect(r.parts.care).toMatchObject({ months: 12, incomeLevy: 391_400, perHouseholdLevy: 0, beforeCap: 403_400, afterCap: 170_000 });
    expect(r.total).toBe(1_060_000);
    // FY2025 (example rates 7.2 % / 2.6 % / 2.0 %, still far above): 660,000 + 260,000 + 170,000.
    const r25 = premium(h, 2025);
    expect(r25.rates.medical.incomeRateBp).toBe(720);
    expect([r25.parts.medical.amount, r25.parts.support.amount, r25.parts.care.amount]).toEqual([660_000, 260_000, 170_000]);
    expect(r25.total).toBe(1_090_000);
  });

  it('a member joining mid-year (moved in on 15 October → October to March, 6 months)', () => {
    // Head as in the single-earner case (234,900 medical, 82,250 support a year) plus a spouse aged 33,
    // income 0, insured from 2024-10-15. The judgement stays that of 1 April (1 member: no reduction).
    // medical: 234,900 + 30,000 × 6/12 = 249,900
    //   (by months: 6 × 234,900 + 6 × 264,900 = 2,998,800; / 12 = 249,900)
    // support: 82,250 + 10,000 × 6/12 = 87,250 → 87,200; total 337,100
    const r = premium({
      head: person('h', '1989-06-15', 3_000_000),
      members: [person('s', '1991-03-03', 0, { insured: [{ from: '2024-10-15', until: null }] })],
    });
    expect(r.members[1]!.insuredMonths).toEqual(['2024-10', '2024-11', '2024-12', '2025-01', '2025-02', '2025-03']);
    expect(r.reduction).toMatchObject({ date: '2024-04-01', members: 1 });
    expect(r.parts.medical).toMatchObject({ perCapitaLevy: 45_000, afterCap: 249_900, amount: 249_900 });
    expect(r.parts.support.amount).toBe(87_200);
    expect(r.total).toBe(337_100);
  });

  it('a whole household moving in mid-year is judged on its first day, and its cap is prorated', () => {
    // The high earner of the cap case, moved in 2024-10-01: 6 months.
    // medical 650,000 × 6/12 = 325,000; support 120,000; care 85,000; total 530,000.
    const r = premium({ head: person('h', '1974-07-07', 20_000_000, { insured: [{ from: '2024-10-01', until: null }] }), members: [] });
    expect(r.reduction?.date).toBe('2024-10-01');
    expect(r.parts.medical).toMatchObject({ months: 6, cap: 325_000, afterCap: 325_000 });
    expect(r.total).toBe(530_000);
  });

  it('care part: a member attaining 40 and one attaining 65 in the year', () => {
    // Head born 1984-10-01: 40 attained 2024-09-30 → care from September: Sep–Mar, 7 months.
    // Spouse born 1959-10-02: 65 attained 2024-10-01 → 第1号 from October: care Apr–Sep, 6 months.
    // Incomes 2,430,000 (base 2,000,000) and 1,000,000 (base 570,000), both earners.
    // Reduction: 2 members, 2 earners: 2割 threshold 1,620,000 < 3,430,000 → none.
    // care by month: Apr–Aug spouse only: 570,000 × 2 % = 11,400 + 12,000 = 23,400 (× 5)
    //   September both: 2,570,000 × 2 % = 51,400 + 24,000 = 75,400
    //   Oct–Mar head only: 40,000 + 12,000 = 52,000 (× 6)
    //   (117,000 + 75,400 + 312,000) / 12 = 42,033.33 → 42,033 → 42,000
    //   (by member: 52,000 × 7/12 = 30,333.33 + 23,400 × 6/12 = 11,700)
    // medical: 2,570,000 × 7 % = 179,900 + 60,000 + 25,000 = 264,900
    // support: 64,250 + 20,000 + 8,000 = 92,250 → 92,200; total 399,100
    const r = premium({ head: person('h', '1984-10-01', 2_430_000), members: [person('s', '1959-10-02', 1_000_000)] });
    expect(r.members[0]!.careMonths).toEqual(['2024-09', '2024-10', '2024-11', '2024-12', '2025-01', '2025-02', '2025-03']);
    expect(r.members[1]!.careMonths).toEqual(['2024-04', '2024-05', '2024-06', '2024-07', '2024-08', '2024-09']);
    expect(r.parts.care).toMatchObject({ months: 12, afterCap: 42_033, amount: 42_000 });
    expect(r.parts.medical.amount).toBe(264_900);
    expect(r.total).toBe(399_100);
  });

  it('care part boundaries: a birthday on the 1st moves the month', () => {
    // Born 1984-10-02: 40 attained 2024-10-01 → Oct–Mar, 6 months.
    // Born 1959-10-01: 65 attained 2024-09-30 → 第1号 from September: Apr–Aug, 5 months.
    const r = premium({ head: person('h', '1984-10-02', 0), members: [person('s', '1959-10-01', 0)] });
    expect(r.members[0]!.careMonths).toHaveLength(6);
    expect(r.members[0]!.careMonths[0]).toBe('2024-10');
    expect(r.members[1]!.careMonths).toEqual(['2024-04', '2024-05', '2024-06', '2024-07', '2024-08']);
  });

  it('turning 75 mid-year: leaves NHI on the birthday, and stays the assessee (擬制世帯主)', () => {
    // Head born 1949-10-15: 75th birthday 2024-10-15 → NHI Apr–Sep (6 months), even with an open period.
    // Spouse born 1952-06-01 (72), all year. Incomes 1,500,000 and 500,000, both earners.
    // Judged on 1 April (both insured): 2 members, 2 earners, 2割 threshold 1,620,000 < 2,000,000 → none.
    // medical: Apr–Sep base 1,070,000 + 70,000 = 1,140,000 → 79,800 + 60,000 + 25,000 = 164,800 (× 6)
    //          Oct–Mar base 70,000 → 4,900 + 30,000 + 25,000 = 59,900 (× 6)
    //          (988,800 + 359,400) / 12 = 112,350 → 112,300
    // support: Apr–Sep 28,500 + 20,000 + 8,000 = 56,500; Oct–Mar 1,750 + 10,000 + 8,000 = 19,750
    //          (339,000 + 118,500) / 12 = 38,125 → 38,100; total 150,400
    const r = premium({
      head: person('h', '1949-10-15', 1_500_000, { insured: [{ from: '2009-04-01', until: null }] }),
      members: [person('s', '1952-06-01', 500_000)],
    });
    expect(r.members[0]!.insuredMonths).toEqual(['2024-04', '2024-05', '2024-06', '2024-07', '2024-08', '2024-09']);
    expect(r.assessee).toBe('h');
    expect(r.deemedHead).toBe(false); // insured for part of the year
    expect(r.parts.medical).toMatchObject({ afterCap: 112_350, amount: 112_300 });
    expect(r.parts.support).toMatchObject({ afterCap: 38_125, amount: 38_100 });
    expect(r.total).toBe(150_400);
  });

  it('turning 75: the month of a birthday on the 1st, or the last day, is not counted', () => {
    const months = (dob: string) => premium({ head: person('h', dob, 0), members: [] }).members[0]!.insuredMonths.length;
    expect(months('1949-10-01')).toBe(6); // lost 2024-10-01: Apr–Sep
    expect(months('1949-09-30')).toBe(5); // lost 2024-09-30: Apr–Aug
    expect(months('1949-04-01')).toBe(0); // lost 2024-04-01: nothing in FY2024
    expect(months('1949-04-02')).toBe(0); // lost 2024-04-02: April is the loss month, not counted
    expect(months('1949-05-01')).toBe(1); // lost 2024-05-01: April only
  });

  it('擬制世帯主: the head is not insured, is not counted, bears no 所得割, but is assessed and judged', () => {
    // Head 50 on 健康保険 (no NHI), income 5,000,000; spouse 45 and child 20 on NHI with no income.
    // Judgement: head + 2 members, 1 earner; 2割 threshold 430,000 + 2 × 545,000 = 1,520,000 < 5,000,000 → none
    //   (without the head's income the household would get 7割).
    // medical: 所得割 0 + 2 × 30,000 + 25,000 = 85,000
    // support: 0 + 20,000 + 8,000 = 28,000
    // care: spouse only: 12,000 (no 平等割); total 125,000
    const r = premium({
      head: person('h', '1974-05-05', 5_000_000, { insured: [] }),
      members: [person('s', '1979-08-08', 0), person('c', '2004-04-04', 0)],
    });
    expect(r.deemedHead).toBe(true);
    expect(r.assessee).toBe('h');
    expect(r.reduction).toMatchObject({ members: 2, earners: 1, income: 5_000_000, tenths: 0 });
    expect(r.members[0]!.insuredMonths).toEqual([]);
    expect(r.parts.medical).toMatchObject({ incomeLevy: 0, perCapitaLevy: 60_000, amount: 85_000 });
    expect(r.parts.support.amount).toBe(28_000);
    expect(r.parts.care).toMatchObject({ perCapitaLevy: 12_000, amount: 12_000 });
    expect(r.total).toBe(125_000);
  });

  it('特定同一世帯所属者 count in the judgement but pay nothing', () => {
    // Head 76 on 後期高齢者医療 (特定同一世帯所属者), pension income 600,000 judged at 450,000; wife 70 on NHI, income 0.
    // Judged: 2 members (wife + head as 特定同一世帯所属者), 1 earner: 7割 430,000, 5割 1,020,000 → 450,000: 5割.
    // medical 15,000 + 12,500 = 27,500; support 5,000 + 4,000 = 9,000; total 36,500
    const r = premium({
      head: person('h', '1948-01-10', 600_000, { incomeForReduction: 450_000, insured: [], specifiedSameHouseholdMember: true }),
      members: [person('w', '1954-03-03', 0)],
    });
    expect(r.reduction).toMatchObject({ members: 2, earners: 1, income: 450_000, tenths: 5 });
    expect(r.deemedHead).toBe(true);
    expect(r.total).toBe(36_500);
  });

  it('nobody insured in the year: nothing is levied', () => {
    const r = premium({ head: person('h', '1980-01-01', 1_000_000, { insured: [] }), members: [] });
    expect(r.reduction).toBeNull();
    expect(r.total).toBe(0);
    expect(r.deemedHead).toBe(false);
  });

  it("rounding 'total' truncates only the sum (as a 保険税's 確定金額)", () => {
    // Single earner: 234,900 + 82,250 = 317,150 → 317,100 either way; check the parts stay unrounded.
    const table: MunicipalRateTable = { ...EXAMPLE_RATE_TABLE, levy: 'tax', entries: EXAMPLE_RATE_TABLE.entries.map((e) => ({ ...e, rounding: 'total' })) };
    const r = premium({ head: person('h', '1989-06-15', 3_000_000), members: [] }, FY, table);
    expect(r.parts.support.amount).toBe(82_250);
    expect(r.total).toBe(317_100);
  });
});

describe('householdPremium: invalid input is rejected with the field named', () => {
  const ok: Household = { head: person('h', '1989-06-15', 3_000_000), members: [] };
  const cases: [string, () => unknown, RegExp][] = [
    ['a date that does not exist', () => premium({ ...ok, head: person('h', '1989-02-30', 0) }), /household\/head\/dateOfBirth: is not a calendar date/],
    ['a negative income', () => premium({ ...ok, head: person('h', '1989-06-15', -1) }), /household\/head\/income: must be a whole, non-negative number of yen/],
    ['a fractional income', () => premium({ ...ok, head: person('h', '1989-06-15', 1000.5) }), /income/],
    ['a loss date not after the acquisition', () => premium({ ...ok, head: person('h', '1989-06-15', 0, { insured: [{ from: '2024-10-01', until: '2024-10-01' }] }) }), /insured\/0\/until/],
    ['insured before birth', () => premium({ ...ok, head: person('h', '1989-06-15', 0, { insured: [{ from: '1989-06-14', until: null }] }) }), /insured\/0\/from/],
    ['insured from the 75th birthday', () => premium({ ...ok, head: person('h', '1949-06-15', 0, { insured: [{ from: '2024-06-15', until: null }] }) }), /before_75|75th birthday/],
    [
      'overlapping periods',
      () => premium({ ...ok, head: person('h', '1989-06-15', 0, { insured: [{ from: '2024-04-01', until: '2024-09-01' }, { from: '2024-08-01', until: null }] }) }),
      /must not overlap/,
    ],
    ['duplicate ids', () => premium({ head: person('h', '1989-06-15', 0), members: [person('h', '1990-01-01', 0)] }), /household\/members\/0\/id: ids must be unique/],
    ['no head', () => premium({ members: [] } as unknown as Household), /household\/head: the head of household/],
    ['a fiscal year with no national figures', () => premium(ok, 2019), /fiscalYear: no national caps/],
    ['a fiscal year the rate table does not cover', () => premium(ok, 2024, { ...EXAMPLE_RATE_TABLE, entries: EXAMPLE_RATE_TABLE.entries.slice(1) }), /rates: the rate table has no entry for fiscal year 2024/],
    [
      'a rate that is not whole basis points',
      () => premium(ok, 2024, { ...EXAMPLE_RATE_TABLE, entries: [{ ...EXAMPLE_RATE_TABLE.entries[0]!, medical: { incomeRateBp: 7.5, perCapita: 30_000, perHousehold: 25_000 } }] }),
      /rates\/medical\/incomeRateBp/,
    ],
    ['a fiscal year that is not a year', () => premium(ok, 2024.5), /fiscalYear: must be a fiscal year/],
  ];
  for (const [what, run, message] of cases) {
    it(what, () => {
      expect(run).toThrow(NhiInputError);
      expect(run).toThrow(message);
    });
  }
});

describe('householdPremium: properties of households insured all year', () => {
  const member = fc.record({
    dateOfBirth: fc.date({ min: new Date('1950-04-02T00:00:00Z'), max: new Date('2024-03-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    income: fc.integer({ min: 0, max: 30_000_000 }),
    earner: fc.boolean(),
  });
  const household = fc.array(member, { minLength: 1, maxLength: 6 }).map(
    (ms): Household => {
      const people = ms.map((m, i) => ({ id: `p${i}`, ...m, insured: [{ from: m.dateOfBirth < '2024-04-01' ? '2024-04-01' : m.dateOfBirth, until: null }] }));
      return { head: people[0]!, members: people.slice(1) };
    },
  );

  it('items add up, caps hold, truncation loses less than ¥100 a part', () => {
    fc.assert(
      fc.property(household, (h) => {
        const r = premium(h);
        for (const part of PARTS) {
          const p = r.parts[part];
          // The care part's subjects change within the year when a member turns 40 or 65: each month is
          // capped at the annual cap on its own (月割), so the year's items may miss by a yen and the
          // capped total may be below min(beforeCap, cap). The other parts' subjects are the same all year.
          const items = p.incomeLevy + p.perCapitaLevy - p.perCapitaReduction - p.preschoolReduction + p.perHouseholdLevy - p.perHouseholdReduction;
          if (part === 'care') {
            expect(Math.abs(p.beforeCap - items)).toBeLessThanOrEqual(2);
            expect(p.afterCap).toBeLessThanOrEqual(Math.min(p.beforeCap, p.cap));
          } else {
            expect(p.beforeCap).toBe(items);
            expect(p.afterCap).toBe(Math.min(p.beforeCap, p.cap));
          }
          expect(p.afterCap - p.amount).toBeGreaterThanOrEqual(0);
          expect(p.afterCap - p.amount).toBeLessThan(100);
          expect(p.amount % 100).toBe(0);
        }
        expect(r.total).toBeLessThanOrEqual(1_060_000);
        expect(r.total).toBe(PARTS.reduce((sum, part) => sum + r.parts[part].amount, 0));
      }),
    );
  });

  it('more income never lowers the premium', () => {
    fc.assert(
      fc.property(household, fc.integer({ min: 1, max: 5_000_000 }), (h, extra) => {
        const richer: Household = { ...h, head: { ...h.head, income: h.head.income + extra } };
        expect(premium(richer).total).toBeGreaterThanOrEqual(premium(h).total);
      }),
    );
  });
});
