import { describe, expect, it } from 'vitest';
import { childInputs, claimMonth, isEntitled, revisionOf, type ClaimState, type CountedChild } from './claim-months.js';
import { addMonths, fiscalYearOf, monthAfter, monthRange, monthsBetween } from './months.js';

const child = (childId: string, dateOfBirth: string, fromMonth: string, untilMonth: string | null = null, supported: boolean | null = null): CountedChild => ({
  childId,
  dateOfBirth,
  supported,
  fromMonth,
  untilMonth,
});
const claim = (children: readonly CountedChild[], endedMonth: string | null = null): ClaimState => ({ period: { startMonth: '2026-05', endedMonth }, children });

describe('months', () => {
  it('add, count and list months across years', () => {
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-05', -17)).toBe('2024-12');
    expect(monthAfter('2026-12-31')).toBe('2027-01');
    expect(monthRange('2026-11', '2027-02')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
    expect(monthRange('2026-11', '2026-10')).toEqual([]);
    expect(monthsBetween('2026-04', '2027-03')).toBe(12);
    expect(monthsBetween('2026-04', '2026-03')).toBe(0);
  });

  it('names the fiscal year (April to March) a day falls in', () => {
    expect(fiscalYearOf('2026-11-21')).toEqual({ from: '2026-04', to: '2027-03' });
    expect(fiscalYearOf('2027-03-31')).toEqual({ from: '2026-04', to: '2027-03' });
    expect(fiscalYearOf('2027-04-01')).toEqual({ from: '2027-04', to: '2028-03' });
  });
});

describe('a claim by month', () => {
  it('pays from the start month through the month it ended, nothing outside', () => {
    const state = claim([child('a', '2018-06-15', '2026-05')], '2026-11');
    expect(isEntitled(state.period, '2026-04')).toBe(false);
    expect(claimMonth(state, '2026-04')).toBeNull();
    expect(claimMonth(state, '2026-05')!.total).toBe(10_000);
    expect(claimMonth(state, '2026-11')!.total).toBe(10_000);
    expect(claimMonth(state, '2026-12')).toBeNull();
  });

  it('counts each child over its months only, and reads ages from the date of birth (no event at 3)', () => {
    const state = claim([child('a', '2018-06-15', '2026-05', '2026-10'), child('b', '2026-06-10', '2026-07')]);
    // b: born 10 June 2026, paid from July; 15,000 through the month of the third birthday (June 2029), 10,000 after.
    expect(claimMonth(state, '2026-06')!.total).toBe(10_000);
    expect(claimMonth(state, '2026-07')!.total).toBe(25_000);
    expect(claimMonth(state, '2026-11')!.total).toBe(15_000);
    expect(claimMonth(state, '2029-06')!.total).toBe(15_000);
    expect(claimMonth(state, '2029-07')!.total).toBe(10_000);
  });

  it('counts a child past high-school age only when declared supported', () => {
    // Born 2005-05-01: past high-school age after March 2024, within the counting age through March 2028.
    const older = child('o', '2005-05-01', '2026-05');
    const young = [child('a', '2018-06-15', '2026-05'), child('b', '2020-06-15', '2026-05')];
    expect(childInputs([older], '2026-05')).toEqual([{ residentId: 'o', dateOfBirth: '2005-05-01', supportedByClaimant: false }]);
    expect(claimMonth(claim([older, ...young]), '2026-05')!.total).toBe(20_000);
    expect(claimMonth(claim([{ ...older, supported: true }, ...young]), '2026-05')!.total).toBe(10_000 + 30_000);
  });
});

describe('revisions', () => {
  it('finds the first month whose amount changed, with both amounts and the children after', () => {
    const before = claim([child('a', '2018-06-15', '2026-05'), child('b', '2026-06-10', '2026-07')]);
    const after = claim([...before.children, child('c', '2026-08-20', '2026-09')]);
    expect(revisionOf(before, after, '2026-09')).toEqual({ effectiveMonth: '2026-09', amountBefore: 25_000, amountAfter: 55_000, childrenPaid: 3, childrenCounted: 3 });
  });

  it('records the end of a claim and its restoring, and nothing when no amount changed', () => {
    const open = claim([child('a', '2018-06-15', '2026-05')]);
    const ended = claim(open.children, '2026-11');
    expect(revisionOf(open, ended, '2026-12')).toEqual({ effectiveMonth: '2026-12', amountBefore: 10_000, amountAfter: 0, childrenPaid: 0, childrenCounted: 0 });
    expect(revisionOf(ended, open, '2026-12')).toMatchObject({ effectiveMonth: '2026-12', amountBefore: 0, amountAfter: 10_000 });
    // A child of 25 joining the claim's rows changes no amount.
    expect(revisionOf(open, claim([...open.children, child('x', '2001-01-01', '2026-08')]), '2026-08')).toBeNull();
  });

  it('finds a change that only shows later (a child counted for birth order once the older one passes high-school age)', () => {
    const base = [child('a', '2008-06-15', '2026-05'), child('b', '2012-06-15', '2026-05'), child('c', '2016-06-15', '2026-05')];
    const undeclared = claim(base);
    const declared = claim([{ ...base[0]!, supported: true }, ...base.slice(1)]);
    // Until March 2027 a is a 児童 and counted either way; from April 2027 only the declaration keeps c the third child.
    expect(revisionOf(undeclared, declared, '2026-05')).toEqual({ effectiveMonth: '2027-04', amountBefore: 20_000, amountAfter: 40_000, childrenPaid: 2, childrenCounted: 3 });
  });
});
