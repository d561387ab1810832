/**
 * The household a premium is assessed on, from what NHI keeps (pure): who is
 * in it for a fiscal year, the head (擬制世帯主 too), 特定同一世帯所属者, each
 * person's income from the residential tax's assessment, and what is missing.
 * Rate-table checks (premium-rates.ts) at the end.
 */
import { describe, expect, it } from 'vitest';
import {
  aged65ForFiscalYear,
  apiField,
  householdComposition,
  householdInput,
  personIncome,
  touchesFiscalYear,
  type HouseholdMembership,
  type IncomeEvidence,
  type KnownPerson,
  type PersonIncome,
} from './premium-household.js';
import { rateTableProblems, type RateTableBody } from './premium-rates.js';
import { EXAMPLE_RATE_TABLE } from './premium.js';

const H = 'h0000000-0000-4000-8000-000000000000';
const FY = 2025;
const known = (residentId: string, dateOfBirth: string | null, extra: Partial<KnownPerson> = {}): KnownPerson => ({
  residentId,
  householdId: H,
  dateOfBirth,
  head: false,
  current: true,
  ...extra,
});
const member = (residentId: string, acquiredOn: string, lostOn: string | null = null, loseReason: string | null = lostOn ? 'move_out' : null): HouseholdMembership => ({
  residentId,
  acquiredOn,
  lostOn,
  loseReason,
});
const peopleOf = (...people: KnownPerson[]) => new Map(people.map((p) => [p.residentId, p]));

describe('who the premium of a year is about', () => {
  it('a membership counts when it has a day in the fiscal year (April to March)', () => {
    expect(touchesFiscalYear({ acquiredOn: '2020-01-01', lostOn: null }, FY)).toBe(true);
    expect(touchesFiscalYear({ acquiredOn: '2026-03-31', lostOn: null }, FY)).toBe(true);
    expect(touchesFiscalYear({ acquiredOn: '2026-04-01', lostOn: null }, FY)).toBe(false);
    // Lost on 1 April: the last insured day was 31 March, the year before.
    expect(touchesFiscalYear({ acquiredOn: '2020-01-01', lostOn: '2025-04-01' }, FY)).toBe(false);
    expect(touchesFiscalYear({ acquiredOn: '2020-01-01', lostOn: '2025-04-02' }, FY)).toBe(true);
    // A membership of no day (moved in and out the same day) has none in any year.
    expect(touchesFiscalYear({ acquiredOn: '2025-06-01', lostOn: '2025-06-01' }, FY)).toBe(false);
  });

  it('the head first (insured or not), then the members in resident order; nobody insured that year: null', () => {
    const head = known('a', '1970-01-01', { head: true });
    const people = peopleOf(head, known('c', '1980-01-01'), known('b', '2010-01-01'));
    const c = householdComposition({ fiscalYear: FY, householdId: H, head, memberships: [member('c', '2020-01-01'), member('b', '2025-10-15')], people })!;
    expect(c.headId).toBe('a');
    expect(c.residentIds).toEqual(['a', 'b', 'c']);
    expect(c.periods.get('a')).toBeUndefined();
    expect(c.periods.get('b')).toEqual([{ from: '2025-10-15', until: null }]);
    expect(householdComposition({ fiscalYear: FY, householdId: H, head, memberships: [member('c', '2026-04-01')], people })).toBeNull();
    expect(householdComposition({ fiscalYear: FY, householdId: H, head, memberships: [], people })).toBeNull();
  });

  it('someone who left NHI at 75 and still lives in the household counts as 特定同一世帯所属者', () => {
    const head = known('a', '1949-05-01', { head: true });
    const people = peopleOf(head, known('b', '1960-01-01'), known('gone', '1948-01-01', { current: false }));
    const memberships = [member('a', '2010-01-01', '2024-05-01', 'late_stage_elderly'), member('b', '2010-01-01'), member('gone', '2010-01-01', '2023-01-01', 'late_stage_elderly')];
    const c = householdComposition({ fiscalYear: FY, householdId: H, head, memberships, people })!;
    expect([...c.specified]).toEqual(['a']);
    expect(c.residentIds).toEqual(['a', 'b']);
  });

  it('no head known: the composition says so, and the input names what is missing', () => {
    const people = peopleOf(known('b', null));
    const c = householdComposition({ fiscalYear: FY, householdId: H, head: null, memberships: [member('b', '2020-01-01')], people })!;
    expect(householdInput(c, people, new Map()).missing).toEqual([
      { field: 'household/head', rule: 'unknown' },
      { field: 'household/members/b/dateOfBirth', rule: 'unknown' },
    ]);
  });

  it('builds the rules’ input, members named by resident id in the API’s fields', () => {
    const head = known('a', '1970-01-01', { head: true });
    const people = peopleOf(head, known('b', '1972-01-01'));
    const c = householdComposition({ fiscalYear: FY, householdId: H, head, memberships: [member('a', '2020-01-01'), member('b', '2020-01-01', '2025-09-01')], people })!;
    const incomes = new Map<string, PersonIncome>([
      ['a', personIncome('a', '1970-01-01', FY, null)],
      ['b', personIncome('b', '1972-01-01', FY, null)],
    ]);
    const { household } = householdInput(c, people, incomes);
    expect(household).toEqual({
      head: { id: 'a', dateOfBirth: '1970-01-01', income: 0, earner: false, insured: [{ from: '2020-01-01', until: null }] },
      members: [{ id: 'b', dateOfBirth: '1972-01-01', income: 0, earner: false, insured: [{ from: '2020-01-01', until: '2025-09-01' }] }],
    });
    expect(apiField('household/members/0/insured/0/until', c)).toBe('household/members/b/insured/0/until');
    expect(apiField('household/head/dateOfBirth', c)).toBe('household/head/dateOfBirth');
    expect(apiField('fiscalYear', c)).toBe('querystring/fiscalYear');
  });
});

describe('income for the premium', () => {
  const assessed = (over: Partial<Extract<IncomeEvidence, { outcome: 'assessed' }>> = {}): IncomeEvidence => ({
    outcome: 'assessed',
    assessmentId: 'x',
    runNumber: 2,
    totalIncome: 2_000_000,
    pensionIncome: 0,
    grossSalary: 3_000_000,
    grossPension: 0,
    ...over,
  });

  it('takes 総所得金額等 from the assessment; an earner earns wages over 55万円', () => {
    expect(personIncome('p', '1980-01-01', FY, assessed())).toEqual({
      residentId: 'p',
      income: 2_000_000,
      incomeForReduction: 2_000_000,
      earner: true,
      incomeUnreported: false,
      source: 'residential_tax',
      runNumber: 2,
      assessmentId: 'x',
    });
    expect(personIncome('p', '1980-01-01', FY, assessed({ grossSalary: 550_000, totalIncome: 0 })).earner).toBe(false);
    expect(personIncome('p', '1980-01-01', FY, assessed({ grossSalary: 550_001, totalIncome: 1 })).earner).toBe(true);
  });

  it('public pensions: over 60万円 under 65, over 125万円 at 65 or more, who also have 15万円 less income for the judgement', () => {
    // 65 is attained the day before the 65th birthday: born 1960-01-02 → 2025-01-01, 65 by 1 January 2025.
    expect(aged65ForFiscalYear('1960-01-02', FY)).toBe(true);
    expect(aged65ForFiscalYear('1960-01-03', FY)).toBe(false);
    const young = { grossSalary: 0, totalIncome: 100_000, pensionIncome: 100_000 };
    expect(personIncome('p', '1965-01-01', FY, assessed({ ...young, grossPension: 600_000 })).earner).toBe(false);
    expect(personIncome('p', '1965-01-01', FY, assessed({ ...young, grossPension: 600_001 })).earner).toBe(true);
    expect(personIncome('p', '1965-01-01', FY, assessed({ ...young, grossPension: 700_000 })).incomeForReduction).toBe(100_000);
    const old = { grossSalary: 0, totalIncome: 1_000_000, pensionIncome: 900_000 };
    expect(personIncome('p', '1950-01-01', FY, assessed({ ...old, grossPension: 1_250_000 })).earner).toBe(false);
    const elder = personIncome('p', '1950-01-01', FY, assessed({ ...old, grossPension: 1_250_001 }));
    expect(elder).toMatchObject({ earner: true, income: 1_000_000, incomeForReduction: 850_000 });
    // Less pension income than 15万円: only that much comes off.
    expect(personIncome('p', '1950-01-01', FY, assessed({ totalIncome: 500_000, pensionIncome: 100_000, grossPension: 1_200_000 })).incomeForReduction).toBe(400_000);
  });

  it('without an assessment: 0 and flagged, unless born after the income year', () => {
    expect(personIncome('p', '1980-01-01', FY, null)).toMatchObject({ income: 0, incomeUnreported: true, source: 'not_assessed_here', runNumber: null });
    expect(personIncome('p', '1980-01-01', FY, { outcome: 'unreported', assessmentId: 'u', runNumber: 1 })).toMatchObject({
      income: 0,
      incomeUnreported: true,
      source: 'residential_tax_unreported',
      runNumber: 1,
    });
    expect(personIncome('p', '1980-01-01', FY, { outcome: 'rejected', assessmentId: 'r', runNumber: 1 })).toMatchObject({ incomeUnreported: true, source: 'residential_tax_rejected' });
    // Born in 2025: no income in 2024, nothing to declare.
    expect(personIncome('p', '2025-01-01', FY, null)).toMatchObject({ income: 0, incomeUnreported: false, source: 'born_after_income_year' });
    expect(personIncome('p', '2024-12-31', FY, null)).toMatchObject({ incomeUnreported: true });
  });
});

describe('rate tables', () => {
  const entry = EXAMPLE_RATE_TABLE.entries[0]!;
  const body = (entries: RateTableBody['entries']): RateTableBody => ({ levy: 'premium', entries });

  it('the example table is fine', () => {
    expect(rateTableProblems('131016', body(EXAMPLE_RATE_TABLE.entries.map((e) => ({ ...e }))))).toEqual([]);
  });

  it('refuses a range that runs backwards and overlapping entries, naming the entry', () => {
    expect(rateTableProblems('131016', body([{ ...entry, fromFiscalYear: 2025, untilFiscalYear: 2024 }]))).toEqual([
      expect.objectContaining({ field: 'body/entries/0/untilFiscalYear', rule: 'until_before_from' }),
    ]);
    const overlapping = rateTableProblems('131016', body([{ ...entry, fromFiscalYear: 2024, untilFiscalYear: null }, { ...entry, fromFiscalYear: 2026, untilFiscalYear: 2026 }]));
    expect(overlapping).toEqual([expect.objectContaining({ field: 'body/entries/1', rule: 'overlap' })]);
    expect(overlapping[0]!.message.en).toContain('entries/0');
    expect(rateTableProblems('131016', body([{ ...entry, fromFiscalYear: 2024, untilFiscalYear: 2024 }, { ...entry, fromFiscalYear: 2024, untilFiscalYear: 2025 }]))).toHaveLength(1);
    // Adjacent years do not overlap.
    expect(rateTableProblems('131016', body([{ ...entry, fromFiscalYear: 2024, untilFiscalYear: 2024 }, { ...entry, fromFiscalYear: 2025, untilFiscalYear: null }]))).toEqual([]);
  });

  it('runs ratesFor over every year an entry covers, naming the field', () => {
    const bad = { ...entry, medical: { ...entry.medical, incomeRateBp: 10_001 } };
    expect(rateTableProblems('131016', body([bad]))).toEqual([expect.objectContaining({ field: 'body/entries/0/medical/incomeRateBp', rule: 'basis_points' })]);
  });
});
