import { describe, expect, it } from 'vitest';
import { lastMonthWithin } from './eligibility.js';
import { CHILD_ALLOWANCE_RULE_SETS, type ChildAllowanceRuleSet } from './rules.js';

const dayAfter = (date: string): string => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** Every { value, source } in a rule set, with its path. */
function sourcedFigures(node: unknown, path = ''): { path: string; value: unknown; source: { title: unknown; url: unknown } }[] {
  if (typeof node !== 'object' || node === null) return [];
  if ('value' in node && 'source' in node) return [{ path, value: node.value, source: node.source as { title: unknown; url: unknown } }];
  return Object.entries(node).flatMap(([k, v]) => sourcedFigures(v, `${path}/${k}`));
}

/** Every number in a rule set that is not inside a sourced figure: there must be none. */
function bareNumbers(node: unknown, path = ''): string[] {
  if (typeof node === 'number') return [path];
  if (typeof node !== 'object' || node === null) return [];
  if ('value' in node && 'source' in node) return [];
  return Object.entries(node).flatMap(([k, v]) => bareNumbers(v, `${path}/${k}`));
}

describe('child-allowance rule sets', () => {
  it('are ordered, contiguous, month-aligned, and only the last is open-ended', () => {
    const sets = CHILD_ALLOWANCE_RULE_SETS;
    expect(sets.length).toBeGreaterThan(0);
    sets.forEach((r, i) => {
      expect(r.effectiveFrom).toMatch(/^\d{4}-\d{2}-01$/);
      if (r.effectiveUntil !== null) {
        expect(r.effectiveUntil > r.effectiveFrom).toBe(true);
        // The last day of a month: the next day is a first.
        expect(dayAfter(r.effectiveUntil).endsWith('-01')).toBe(true);
      }
      const next = sets[i + 1];
      if (next) expect(r.effectiveUntil && dayAfter(r.effectiveUntil)).toBe(next.effectiveFrom);
      else expect(r.effectiveUntil).toBeNull();
    });
    expect(new Set(sets.map((r) => r.id)).size).toBe(sets.length);
  });

  it('give every figure a public source, and hold no figure without one', () => {
    for (const r of CHILD_ALLOWANCE_RULE_SETS) {
      const figures = sourcedFigures(r);
      expect(figures.length).toBeGreaterThanOrEqual(10);
      for (const f of figures) {
        expect(typeof f.source.title === 'string' && f.source.title.length > 0, `${r.id}${f.path}`).toBe(true);
        expect(String(f.source.url), `${r.id}${f.path}`).toMatch(/^https:\/\/(www\.cfa\.go\.jp|laws\.e-gov\.go\.jp|www8\.cao\.go\.jp)\//);
      }
      expect(bareNumbers(r), r.id).toEqual([]);
    }
  });

  it('have integer amounts, increasing age bands, a counting age at least the payment age, and valid payment months', () => {
    const sample = '2010-07-15';
    for (const r of CHILD_ALLOWANCE_RULE_SETS) {
      const amounts = r.bands.flatMap((b) => [b.firstAndSecondChild.value, b.thirdAndLaterChild.value]);
      if (r.incomeTest) amounts.push(r.incomeTest.specialBenefitMonthly.value);
      for (const a of amounts) expect(Number.isSafeInteger(a) && a > 0).toBe(true);
      const ends = r.bands.map((b) => lastMonthWithin(b.through.value, sample));
      expect([...ends].sort()).toEqual(ends);
      expect(new Set(ends).size).toBe(ends.length);
      const lastBand = r.bands[r.bands.length - 1] as ChildAllowanceRuleSet['bands'][number];
      expect(lastMonthWithin(r.birthOrder.countedThrough.value, sample) >= lastMonthWithin(lastBand.through.value, sample)).toBe(true);
      expect(lastMonthWithin(r.childDefinition.value, sample) >= lastMonthWithin(lastBand.through.value, sample)).toBe(true);
      const months = r.paymentMonths.value;
      expect([...months].sort((a, b) => a - b)).toEqual(months);
      for (const m of months) expect(Number.isInteger(m) && m >= 1 && m <= 12).toBe(true);
      expect(new Set(months).size).toBe(months.length);
    }
  });

  it('encode the October 2024 reform as the public pages state it', () => {
    const reform = CHILD_ALLOWANCE_RULE_SETS.find((r) => r.effectiveFrom === '2024-10-01');
    expect(reform).toBeDefined();
    if (!reform) return;
    expect(reform.effectiveUntil).toBeNull();
    expect(reform.incomeTest).toBeNull();
    expect(reform.bands.map((b) => [b.through.value, b.firstAndSecondChild.value, b.thirdAndLaterChild.value])).toEqual([
      [{ kind: 'under_age', age: 3, firstOfMonthBirthsCountFromBirthDate: true }, 15_000, 30_000],
      [{ kind: 'school_year_end', age: 18 }, 10_000, 30_000],
    ]);
    expect(reform.birthOrder.countedThrough.value).toEqual({ kind: 'school_year_end', age: 22 });
    expect(reform.birthOrder.thirdChildOrdinal.value).toBe(3);
    expect(reform.paymentMonths.value).toEqual([2, 4, 6, 8, 10, 12]);
  });

  it('encode the rules before the reform: through junior high, income limits, 特例給付, three payments', () => {
    const before = CHILD_ALLOWANCE_RULE_SETS.find((r) => r.effectiveUntil === '2024-09-30');
    expect(before).toBeDefined();
    if (!before) return;
    expect(before.bands.map((b) => [b.through.value, b.firstAndSecondChild.value, b.thirdAndLaterChild.value])).toEqual([
      [{ kind: 'under_age', age: 3, firstOfMonthBirthsCountFromBirthDate: true }, 15_000, 15_000],
      [{ kind: 'school_year_end', age: 12 }, 10_000, 15_000],
      [{ kind: 'school_year_end', age: 15 }, 10_000, 10_000],
    ]);
    expect(before.birthOrder.countedThrough.value).toEqual({ kind: 'school_year_end', age: 18 });
    expect(before.incomeTest?.restrictionLimit.base.value).toBe(6_220_000);
    expect(before.incomeTest?.upperLimit?.base.value).toBe(8_580_000);
    expect(before.incomeTest?.specialBenefitMonthly.value).toBe(5_000);
    expect(before.paymentMonths.value).toEqual([2, 6, 10]);
  });
});
