import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowanceForMonth,
  attainsAgeOn,
  ChildAllowanceError,
  firstMarch31OnOrAfter,
  lastMonthWithin,
  paymentMonthFor,
  paymentSchedule,
  ruleSetFor,
  type ChildAllowance,
  type ChildInput,
  type ClaimantIncome,
  type HouseholdInput,
  type MonthlyAllowance,
} from './eligibility.js';
import { CHILD_ALLOWANCE_RULE_SETS, type ChildAllowanceRuleSet } from './rules.js';

const household = (...children: ChildInput[]): HouseholdInput => ({ children });
const child = (residentId: string, dateOfBirth: string, supportedByClaimant?: boolean): ChildInput =>
  supportedByClaimant === undefined ? { residentId, dateOfBirth } : { residentId, dateOfBirth, supportedByClaimant };
const only = (a: MonthlyAllowance): ChildAllowance => {
  const [first, ...rest] = a.children;
  if (first === undefined || rest.length > 0) throw new Error(`expected one child, got ${a.children.length}`);
  return first;
};
const amounts = (a: MonthlyAllowance) => Object.fromEntries(a.children.map((c) => [c.residentId, c.monthlyAmount]));

function expectError(fn: () => unknown, field: string, rule: ChildAllowanceError['rule']): ChildAllowanceError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ChildAllowanceError);
    const error = e as ChildAllowanceError;
    expect({ field: error.field, rule: error.rule }).toEqual({ field, rule });
    expect(error.message).toContain(field);
    return error;
  }
  throw new Error('expected a ChildAllowanceError');
}

describe('ages (年齢計算ニ関スル法律, 民法 第143条)', () => {
  it('a person attains an age on the day before the birthday', () => {
    expect(attainsAgeOn('2007-04-02', 18)).toBe('2025-04-01');
    expect(attainsAgeOn('2007-04-01', 18)).toBe('2025-03-31');
    expect(attainsAgeOn('2023-05-15', 3)).toBe('2026-05-14');
    expect(attainsAgeOn('2023-01-01', 3)).toBe('2025-12-31');
    expect(attainsAgeOn('2023-03-01', 1)).toBe('2024-02-29');
    expect(attainsAgeOn('2024-03-01', 1)).toBe('2025-02-28');
  });

  it('someone born on 29 February attains an age on 28 February, in leap and common years', () => {
    expect(attainsAgeOn('2008-02-29', 18)).toBe('2026-02-28');
    expect(attainsAgeOn('2024-02-29', 4)).toBe('2028-02-28');
    expect(attainsAgeOn('2024-02-29', 3)).toBe('2027-02-28');
  });

  it('the school-year end is the first 31 March on or after a date', () => {
    expect(firstMarch31OnOrAfter('2025-03-31')).toBe('2025-03-31');
    expect(firstMarch31OnOrAfter('2025-04-01')).toBe('2026-03-31');
    expect(firstMarch31OnOrAfter('2025-01-15')).toBe('2025-03-31');
    expect(firstMarch31OnOrAfter('2025-12-31')).toBe('2026-03-31');
  });

  it('a child born on 1 April belongs to the earlier school year', () => {
    const highSchoolAge = { kind: 'school_year_end', age: 18 } as const;
    expect(lastMonthWithin(highSchoolAge, '2007-04-01')).toBe('2025-03');
    expect(lastMonthWithin(highSchoolAge, '2007-04-02')).toBe('2026-03');
    expect(lastMonthWithin(highSchoolAge, '2006-04-02')).toBe('2025-03');
    expect(lastMonthWithin(highSchoolAge, '2008-03-31')).toBe('2026-03');
  });

  it('"under 3" lasts through the month of the third birthday, also for a child born on the first of a month', () => {
    const under3 = { kind: 'under_age', age: 3, firstOfMonthBirthsCountFromBirthDate: true } as const;
    expect(lastMonthWithin(under3, '2023-05-15')).toBe('2026-05');
    expect(lastMonthWithin(under3, '2023-05-02')).toBe('2026-05');
    expect(lastMonthWithin(under3, '2023-05-31')).toBe('2026-05');
    expect(lastMonthWithin(under3, '2023-05-01')).toBe('2026-05');
    expect(lastMonthWithin(under3, '2023-01-01')).toBe('2026-01');
    // Without the first-of-month clause of 第6条, age alone would end it a month earlier for such a child.
    expect(lastMonthWithin({ ...under3, firstOfMonthBirthsCountFromBirthDate: false }, '2023-05-01')).toBe('2026-04');
    expect(lastMonthWithin({ ...under3, firstOfMonthBirthsCountFromBirthDate: false }, '2023-01-01')).toBe('2025-12');
  });
});

describe('ages, for every date of birth', () => {
  const dates = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2035, 11, 31) }).map((ms) => new Date(ms).toISOString().slice(0, 10));

  it('"under 3" ends with the month of the third birthday', () => {
    const under3 = { kind: 'under_age', age: 3, firstOfMonthBirthsCountFromBirthDate: true } as const;
    fc.assert(
      fc.property(dates, (dob) => {
        expect(lastMonthWithin(under3, dob)).toBe(`${Number(dob.slice(0, 4)) + 3}-${dob.slice(5, 7)}`);
      }),
    );
  });

  it('high-school age ends in the March of the school year of the cohort born 2 April – 1 April', () => {
    const highSchoolAge = { kind: 'school_year_end', age: 18 } as const;
    fc.assert(
      fc.property(dates, (dob) => {
        const [y, m, d] = dob.split('-').map(Number) as [number, number, number];
        const cohort = m > 4 || (m === 4 && d >= 2) ? y : y - 1; // the school year (April 2 – April 1 births) the child starts school with
        expect(lastMonthWithin(highSchoolAge, dob)).toBe(`${cohort + 19}-03`);
      }),
    );
  });
});

describe('ruleSetFor', () => {
  it('chooses the rule set in force on the date', () => {
    expect(ruleSetFor('2024-09-30').id).toBe('2022-06-upper-income-limit');
    expect(ruleSetFor('2024-10-01').id).toBe('2024-10-reform');
    expect(ruleSetFor('2031-01-01').id).toBe('2024-10-reform');
    expect(ruleSetFor('2022-06-01').id).toBe('2022-06-upper-income-limit');
  });

  it('refuses a date no rule set covers, and a malformed date', () => {
    const e = expectError(() => ruleSetFor('2022-05-31'), 'date', 'no_rule_set');
    expect(e.message).toContain('2022-06-01');
    expectError(() => ruleSetFor('2024-02-30'), 'date', 'date');
    expectError(() => ruleSetFor('2024-10'), 'date', 'date');
  });
});

describe('allowanceForMonth, from October 2024', () => {
  it('pays ¥15,000 under 3, ¥10,000 from 3 through high-school age, for the first and second child', () => {
    expect(only(allowanceForMonth(household(child('a', '2024-01-15')), '2025-10'))).toEqual({
      residentId: 'a',
      eligible: true,
      reason: 'paid',
      band: 'under_3',
      birthOrder: 1,
      monthlyAmount: 15_000,
    });
    expect(only(allowanceForMonth(household(child('b', '2020-06-10')), '2025-10'))).toMatchObject({ band: 'from_3_to_high_school_age', monthlyAmount: 10_000 });
    // A 16-year-old high-school student: paid since the reform.
    expect(only(allowanceForMonth(household(child('c', '2009-09-09')), '2025-10'))).toMatchObject({ band: 'from_3_to_high_school_age', monthlyAmount: 10_000 });
    const a = allowanceForMonth(household(child('a', '2024-01-15'), child('b', '2020-06-10')), '2025-10');
    expect(a).toMatchObject({ month: '2025-10', ruleSetId: '2024-10-reform', income: 'not_tested', total: 25_000 });
    expect(a.children.map((c) => c.birthOrder)).toEqual([2, 1]);
  });

  it('changes from ¥15,000 to ¥10,000 in the month after the month of the third birthday', () => {
    for (const dateOfBirth of ['2023-05-15', '2023-05-01', '2023-05-02', '2023-05-31']) {
      const h = household(child('a', dateOfBirth));
      expect(only(allowanceForMonth(h, '2026-05')).monthlyAmount, dateOfBirth).toBe(15_000);
      expect(only(allowanceForMonth(h, '2026-06')).monthlyAmount, dateOfBirth).toBe(10_000);
    }
    const april30 = household(child('a', '2023-04-30'));
    expect(only(allowanceForMonth(april30, '2026-04')).monthlyAmount).toBe(15_000);
    expect(only(allowanceForMonth(april30, '2026-05')).monthlyAmount).toBe(10_000);
  });

  it('starts the month after birth', () => {
    for (const dateOfBirth of ['2025-07-01', '2025-07-31']) {
      const h = household(child('a', dateOfBirth));
      expect(only(allowanceForMonth(h, '2025-07'))).toMatchObject({ eligible: false, reason: 'not_yet_entitled', birthOrder: null, monthlyAmount: 0 });
      expect(only(allowanceForMonth(h, '2025-08'))).toMatchObject({ eligible: true, reason: 'paid', monthlyAmount: 15_000 });
    }
    // A child not yet born in the month is neither paid nor counted.
    const a = allowanceForMonth(household(child('a', '2015-05-05'), child('b', '2018-06-06'), child('c', '2026-01-10')), '2025-10');
    expect(amounts(a)).toEqual({ a: 10_000, b: 10_000, c: 0 });
    expect(a.children[2]).toMatchObject({ reason: 'not_yet_entitled', birthOrder: null });
  });

  it('ends with the March of the school-year end after the 18th birthday; a child born on 1 April leaves a year earlier', () => {
    // The declaration is made once the child is past high-school age (here: not supported).
    const april1 = (supported?: boolean) => household(child('a', '2007-04-01', supported));
    expect(only(allowanceForMonth(april1(), '2025-03'))).toMatchObject({ reason: 'paid', monthlyAmount: 10_000 });
    expect(only(allowanceForMonth(april1(false), '2025-04'))).toMatchObject({ eligible: false, band: null, monthlyAmount: 0 });

    const april2 = (supported?: boolean) => household(child('a', '2007-04-02', supported));
    expect(only(allowanceForMonth(april2(), '2025-04'))).toMatchObject({ reason: 'paid', monthlyAmount: 10_000 });
    expect(only(allowanceForMonth(april2(), '2026-03'))).toMatchObject({ reason: 'paid', monthlyAmount: 10_000 });
    expect(only(allowanceForMonth(april2(false), '2026-04'))).toMatchObject({ eligible: false, monthlyAmount: 0 });

    // Past high-school age but supported: counted, not paid.
    expect(only(allowanceForMonth(household(child('a', '2007-04-01', true)), '2025-04'))).toMatchObject({
      eligible: false,
      reason: 'past_payment_age_counted',
      birthOrder: 1,
      monthlyAmount: 0,
    });
  });

  describe('third and later child (第3子以降)', () => {
    const student = '2005-06-10'; // 20 in 2025-11: past high-school age, within the school-year end after 22 (March 2028)
    const teen = '2010-08-01';
    const young = '2020-09-09';

    it('counts a 20-year-old university student whom the claimant supports, so the youngest is the third child', () => {
      const a = allowanceForMonth(household(child('u', student, true), child('h', teen), child('c', young)), '2025-11');
      expect(a.children).toEqual([
        { residentId: 'u', eligible: false, reason: 'past_payment_age_counted', band: null, birthOrder: 1, monthlyAmount: 0 },
        { residentId: 'h', eligible: true, reason: 'paid', band: 'from_3_to_high_school_age', birthOrder: 2, monthlyAmount: 10_000 },
        { residentId: 'c', eligible: true, reason: 'paid', band: 'from_3_to_high_school_age', birthOrder: 3, monthlyAmount: 30_000 },
      ]);
      expect(a.total).toBe(40_000);
    });

    it('does not count a 20-year-old whose living costs the claimant does not bear', () => {
      const a = allowanceForMonth(household(child('u', student, false), child('h', teen), child('c', young)), '2025-11');
      expect(a.children[0]).toMatchObject({ reason: 'not_supported_by_claimant', birthOrder: null, monthlyAmount: 0 });
      expect(a.children.map((c) => c.birthOrder)).toEqual([null, 1, 2]);
      expect(a.total).toBe(20_000);
    });

    it('requires the declaration for a child past high-school age still within the counting age', () => {
      const e = expectError(() => allowanceForMonth(household(child('u', student), child('h', teen), child('c', young)), '2025-11'), '/children/0/supportedByClaimant', 'required');
      expect(e.message).toContain('監護相当・生計費の負担');
    });

    it('pays ¥30,000 to a third child under 3, and to a fourth', () => {
      const a = allowanceForMonth(household(child('a', '2015-05-05'), child('b', '2018-06-06'), child('c', '2024-12-12'), child('d', '2025-09-01')), '2025-11');
      expect(amounts(a)).toEqual({ a: 10_000, b: 10_000, c: 30_000, d: 30_000 });
      expect(a.children.map((c) => c.band)).toEqual(['from_3_to_high_school_age', 'from_3_to_high_school_age', 'under_3', 'under_3']);
      expect(a.total).toBe(80_000);
    });

    it('stops counting at the school-year end after 22 (1 April births a year earlier)', () => {
      const withEldest = (dateOfBirth: string) => household(child('u', dateOfBirth, true), child('h', teen), child('c', young));
      expect(amounts(allowanceForMonth(withEldest('2003-04-01'), '2025-03'))).toEqual({ u: 0, h: 10_000, c: 30_000 });
      const after = allowanceForMonth(withEldest('2003-04-01'), '2025-04');
      expect(after.children[0]).toMatchObject({ reason: 'past_counting_age', birthOrder: null });
      expect(amounts(after)).toEqual({ u: 0, h: 10_000, c: 10_000 });
      expect(amounts(allowanceForMonth(withEldest('2003-04-02'), '2025-04'))).toEqual({ u: 0, h: 10_000, c: 30_000 });
      expect(amounts(allowanceForMonth(withEldest('2003-04-02'), '2026-04'))).toEqual({ u: 0, h: 10_000, c: 10_000 });
      // Past the counting age the declaration is not needed.
      expect(allowanceForMonth(household(child('u', '2003-04-01'), child('c', young)), '2025-04').total).toBe(10_000);
    });

    it('orders twins deterministically, one of them being the third child', () => {
      const a = allowanceForMonth(household(child('z-twin', '2022-02-02'), child('older', '2019-01-01'), child('a-twin', '2022-02-02')), '2025-11');
      expect(a.children.map((c) => [c.residentId, c.birthOrder, c.monthlyAmount])).toEqual([
        ['z-twin', 3, 30_000],
        ['older', 1, 10_000],
        ['a-twin', 2, 10_000],
      ]);
      expect(a.total).toBe(50_000);
    });

    it('leaves out a younger child the claimant does not look after', () => {
      const a = allowanceForMonth(household(child('a', '2015-05-05'), child('b', '2018-06-06', false), child('c', young)), '2025-11');
      expect(a.children[1]).toMatchObject({ eligible: false, reason: 'not_supported_by_claimant', birthOrder: null, monthlyAmount: 0 });
      expect(a.total).toBe(20_000);
    });
  });

  it('ignores the claimant’s income', () => {
    const rich: ClaimantIncome = { incomeYen: 50_000_000, dependents: 0, elderlyDependents: 0 };
    expect(allowanceForMonth({ children: [child('a', '2024-01-15')], claimantIncome: rich }, '2025-10').total).toBe(15_000);
  });
});

describe('allowanceForMonth, before and after the reform', () => {
  // Income test before the reform, for 3 dependants: 所得制限限度額 7,360,000; 所得上限限度額 9,720,000.
  const income = (incomeYen: number, elderlyDependents = 0): ClaimantIncome => ({ incomeYen, dependents: 3, elderlyDependents });
  const family = (claimantIncome: ClaimantIncome): HouseholdInput => ({
    children: [child('h', '2008-05-05'), child('p', '2014-03-03'), child('y', '2022-07-07')],
    claimantIncome,
  });

  it('September 2024: a 16-year-old counts but is not paid, the 2-year-old third child gets ¥15,000; October 2024: ¥10,000 + ¥10,000 + ¥30,000', () => {
    const september = allowanceForMonth(family(income(5_000_000)), '2024-09');
    expect(september).toMatchObject({ ruleSetId: '2022-06-upper-income-limit', income: 'below_restriction_limit', total: 25_000 });
    expect(september.children).toEqual([
      { residentId: 'h', eligible: false, reason: 'past_payment_age_counted', band: null, birthOrder: 1, monthlyAmount: 0 },
      { residentId: 'p', eligible: true, reason: 'paid', band: 'from_3_to_primary_school_end', birthOrder: 2, monthlyAmount: 10_000 },
      { residentId: 'y', eligible: true, reason: 'paid', band: 'under_3', birthOrder: 3, monthlyAmount: 15_000 },
    ]);
    const october = allowanceForMonth(family(income(5_000_000)), '2024-10');
    expect(october).toMatchObject({ ruleSetId: '2024-10-reform', income: 'not_tested', total: 50_000 });
    expect(amounts(october)).toEqual({ h: 10_000, p: 10_000, y: 30_000 });
  });

  it('before the reform: ¥15,000 for a third child from 3 to the end of primary school, ¥10,000 for a third child in junior high', () => {
    const primary = allowanceForMonth({ children: [child('h', '2008-05-05'), child('p', '2014-03-03'), child('z', '2020-01-20')], claimantIncome: income(0) }, '2024-09');
    expect(amounts(primary)).toEqual({ h: 0, p: 10_000, z: 15_000 });
    expect(primary.children[2]?.band).toBe('from_3_to_primary_school_end');

    const juniorHigh = allowanceForMonth({ children: [child('j1', '2006-05-05'), child('j2', '2009-05-05'), child('j3', '2011-06-06')], claimantIncome: income(0) }, '2024-09');
    expect(juniorHigh.children.map((c) => [c.band, c.birthOrder, c.monthlyAmount])).toEqual([
      [null, 1, 0],
      ['junior_high_school', 2, 10_000],
      ['junior_high_school', 3, 10_000],
    ]);
    // The 18-year-old stops counting after March 2025 — irrelevant then, since the reform counts to 22.
    expect(allowanceForMonth({ children: [child('j', '2011-06-06')], claimantIncome: income(0) }, '2024-03').children[0]?.band).toBe('from_3_to_primary_school_end');
  });

  it('before the reform: 特例給付 ¥5,000 per payable child at or above the 所得制限限度額, nothing at or above the 所得上限限度額', () => {
    expect(allowanceForMonth(family(income(7_359_999)), '2024-09')).toMatchObject({ income: 'below_restriction_limit', total: 25_000 });
    const special = allowanceForMonth(family(income(7_360_000)), '2024-09');
    expect(special.income).toBe('special_benefit');
    expect(special.children.map((c) => [c.reason, c.monthlyAmount])).toEqual([
      ['past_payment_age_counted', 0],
      ['special_benefit', 5_000],
      ['special_benefit', 5_000],
    ]);
    expect(special.total).toBe(10_000);
    expect(allowanceForMonth(family(income(9_719_999)), '2024-09').total).toBe(10_000);
    const none = allowanceForMonth(family(income(9_720_000)), '2024-09');
    expect(none).toMatchObject({ income: 'at_or_above_upper_limit', total: 0 });
    expect(none.children.map((c) => c.reason)).toEqual(['past_payment_age_counted', 'income_at_or_above_upper_limit', 'income_at_or_above_upper_limit']);
    // After the reform the same income is paid in full.
    expect(allowanceForMonth(family(income(20_000_000)), '2024-10').total).toBe(50_000);
  });

  it('before the reform: an elderly dependant raises the 所得制限限度額 by ¥60,000; the unconfirmed upper-limit addition is refused where it matters', () => {
    expect(allowanceForMonth(family(income(7_419_999, 1)), '2024-09').income).toBe('below_restriction_limit');
    expect(allowanceForMonth(family(income(7_420_000, 1)), '2024-09').income).toBe('special_benefit');
    expectError(() => allowanceForMonth(family(income(9_750_000, 1)), '2024-09'), '/claimantIncome/elderlyDependents', 'unconfirmed_figure');
  });

  it('before the reform the claimant’s income is required', () => {
    expectError(() => allowanceForMonth(household(child('a', '2020-01-01')), '2024-09'), '/claimantIncome', 'required');
    expect(allowanceForMonth(household(child('a', '2020-01-01')), '2024-10').total).toBe(10_000);
  });

  it('refuses a month for which no rule set is encoded', () => {
    expectError(() => allowanceForMonth(household(child('a', '2020-01-01')), '2022-05'), 'month', 'no_rule_set');
  });
});

describe('the logic reads the rule set in force', () => {
  it('follows a later rule set without a change of code', () => {
    const current = CHILD_ALLOWANCE_RULE_SETS[CHILD_ALLOWANCE_RULE_SETS.length - 1] as ChildAllowanceRuleSet;
    const source = { title: 'hypothetical', url: 'https://example.invalid/' };
    const hypothetical: readonly ChildAllowanceRuleSet[] = [
      { ...current, effectiveUntil: '2030-03-31' },
      {
        ...current,
        id: 'hypothetical-2030',
        effectiveFrom: '2030-04-01',
        effectiveUntil: null,
        bands: current.bands.map((b) => ({ ...b, firstAndSecondChild: { value: b.firstAndSecondChild.value + 1_000, source } })),
        birthOrder: { ...current.birthOrder, thirdChildOrdinal: { value: 2, source } },
        paymentMonths: { value: [3, 6, 9, 12], source },
      },
    ];
    const h = household(child('a', '2020-01-01'), child('b', '2022-01-01'));
    expect(allowanceForMonth(h, '2030-03', hypothetical).total).toBe(20_000);
    expect(allowanceForMonth(h, '2030-04', hypothetical)).toMatchObject({ ruleSetId: 'hypothetical-2030', total: 11_000 + 30_000 });
    expect(paymentMonthFor('2030-04', hypothetical)).toBe('2030-06');
  });
});

describe('payments', () => {
  it('pays each even month the two months before it (from October 2024)', () => {
    expect(paymentMonthFor('2025-12')).toBe('2026-02');
    expect(paymentMonthFor('2026-01')).toBe('2026-02');
    expect(paymentMonthFor('2026-02')).toBe('2026-04');
    expect(paymentMonthFor('2026-03')).toBe('2026-04');
    expect(paymentMonthFor('2025-11')).toBe('2025-12');
    expect(paymentMonthFor('2024-10')).toBe('2024-12');
  });

  it('paid in February, June and October the four months before (until September 2024)', () => {
    expect(paymentMonthFor('2023-10')).toBe('2024-02');
    expect(paymentMonthFor('2024-01')).toBe('2024-02');
    expect(paymentMonthFor('2024-02')).toBe('2024-06');
    expect(paymentMonthFor('2024-05')).toBe('2024-06');
    expect(paymentMonthFor('2024-06')).toBe('2024-10');
    expect(paymentMonthFor('2024-09')).toBe('2024-10');
  });

  it('groups monthly entitlements into payments, in any input order', () => {
    const h = household(child('a', '2020-06-10'));
    const months = ['2026-03', '2025-10', '2026-01', '2025-11', '2025-12', '2026-02'].map((m) => allowanceForMonth(h, m));
    expect(paymentSchedule(months)).toEqual([
      { paymentMonth: '2025-12', covers: ['2025-10', '2025-11'], amount: 20_000 },
      { paymentMonth: '2026-02', covers: ['2025-12', '2026-01'], amount: 20_000 },
      { paymentMonth: '2026-04', covers: ['2026-02', '2026-03'], amount: 20_000 },
    ]);
  });

  it('across the reform: June–September 2024 paid in October, October–November in December', () => {
    const entitlements = ['2024-06', '2024-07', '2024-08', '2024-09', '2024-10', '2024-11'].map((month) => ({ month, total: month < '2024-10' ? 25_000 : 50_000 }));
    expect(paymentSchedule(entitlements)).toEqual([
      { paymentMonth: '2024-10', covers: ['2024-06', '2024-07', '2024-08', '2024-09'], amount: 100_000 },
      { paymentMonth: '2024-12', covers: ['2024-10', '2024-11'], amount: 100_000 },
    ]);
  });

  it('leaves out months that pay nothing', () => {
    expect(paymentSchedule([{ month: '2025-10', total: 0 }, { month: '2025-11', total: 10_000 }, { month: '2025-12', total: 0 }, { month: '2026-01', total: 0 }])).toEqual([
      { paymentMonth: '2025-12', covers: ['2025-11'], amount: 10_000 },
    ]);
    expect(paymentSchedule([])).toEqual([]);
  });

  it('refuses a malformed or repeated month and a bad amount', () => {
    expectError(() => paymentSchedule([{ month: '2025-13', total: 1 }]), '/0/month', 'month');
    expectError(() => paymentSchedule([{ month: '2025-1', total: 1 }]), '/0/month', 'month');
    expectError(() => paymentSchedule([{ month: '2025-10', total: 1 }, { month: '2025-10', total: 1 }]), '/1/month', 'duplicate');
    expectError(() => paymentSchedule([{ month: '2025-10', total: -1 }]), '/0/total', 'range');
    expectError(() => paymentSchedule([{ month: '2025-10', total: 1.5 }]), '/0/total', 'range');
  });
});

describe('invalid input is refused with a clear error', () => {
  it('dates of birth that are not calendar dates', () => {
    expectError(() => allowanceForMonth(household(child('a', '2025-02-29')), '2025-10'), '/children/0/dateOfBirth', 'date');
    expectError(() => allowanceForMonth(household(child('a', '2020-01-01'), child('b', '2025/01/01')), '2025-10'), '/children/1/dateOfBirth', 'date');
    expectError(() => allowanceForMonth(household(child('a', '2020-13-01')), '2025-10'), '/children/0/dateOfBirth', 'date');
    expectError(() => allowanceForMonth(household(child('a', '')), '2025-10'), '/children/0/dateOfBirth', 'date');
    expectError(() => allowanceForMonth(household({ residentId: 'a', dateOfBirth: 20200101 } as unknown as ChildInput), '2025-10'), '/children/0/dateOfBirth', 'date');
    const e = expectError(() => allowanceForMonth(household(child('a', '2023-04-31')), '2025-10'), '/children/0/dateOfBirth', 'date');
    expect(e.message).toContain("'2023-04-31' is not a calendar date");
  });

  it('months that are not YYYY-MM', () => {
    for (const month of ['2025-1', '2025-00', '2025-13', '2025-10-01', '', 'October']) expectError(() => allowanceForMonth(household(child('a', '2020-01-01')), month), 'month', 'month');
  });

  it('a missing or repeated resident id, a non-boolean declaration, bad income figures', () => {
    expectError(() => allowanceForMonth(household(child('', '2020-01-01')), '2025-10'), '/children/0/residentId', 'required');
    expectError(() => allowanceForMonth(household(child('a', '2020-01-01'), child('a', '2021-01-01')), '2025-10'), '/children/1/residentId', 'duplicate');
    expectError(
      () => allowanceForMonth(household({ residentId: 'a', dateOfBirth: '2003-06-01', supportedByClaimant: 'yes' } as unknown as ChildInput), '2025-10'),
      '/children/0/supportedByClaimant',
      'type',
    );
    expectError(() => allowanceForMonth({ children: [], claimantIncome: { incomeYen: -1, dependents: 0, elderlyDependents: 0 } }, '2024-09'), '/claimantIncome/incomeYen', 'range');
    expectError(() => allowanceForMonth({ children: [], claimantIncome: { incomeYen: 1, dependents: 1, elderlyDependents: 2 } }, '2024-09'), '/claimantIncome/elderlyDependents', 'range');
    expectError(() => allowanceForMonth({ children: 'a' } as unknown as HouseholdInput, '2025-10'), '/children', 'type');
  });

  it('an empty household is entitled to nothing', () => {
    expect(allowanceForMonth(household(), '2025-10')).toEqual({ month: '2025-10', ruleSetId: '2024-10-reform', income: 'not_tested', children: [], total: 0 });
  });
});
