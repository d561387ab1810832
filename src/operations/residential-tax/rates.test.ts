import { describe, expect, it } from 'vitest';
import { rateSetFor } from './assessment.js';
import { RATE_SETS, type FigureKey } from './rates.js';

/** Every number reachable in a value, with its path. */
function numbers(value: unknown, path = ''): [string, number][] {
  if (typeof value === 'number') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbers(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numbers(v, path ? `${path}.${k}` : k));
  return [];
}

describe('RATE_SETS', () => {
  it('are ordered, contiguous and end with one open-ended set', () => {
    for (let i = 1; i < RATE_SETS.length; i++) {
      const prev = RATE_SETS[i - 1]!;
      expect(prev.untilFiscalYear).not.toBeNull();
      expect(RATE_SETS[i]!.fromFiscalYear).toBe(prev.untilFiscalYear! + 1);
    }
    expect(RATE_SETS.at(-1)!.untilFiscalYear).toBeNull();
    for (const s of RATE_SETS) if (s.untilFiscalYear !== null) expect(s.untilFiscalYear).toBeGreaterThanOrEqual(s.fromFiscalYear);
  });

  it('hold integer figures only (money in yen, rates in percent)', () => {
    for (const s of RATE_SETS) {
      for (const [path, n] of numbers({ ...s, sources: undefined })) {
        expect(Number.isSafeInteger(n), `${s.fromFiscalYear} ${path}`).toBe(true);
      }
    }
  });

  it('give every figure group at least one source with a title and an https address', () => {
    const keys: FigureKey[] = [
      'perCapita', 'reconstructionSurcharge', 'forestEnvironmentTax', 'incomeLevyRates', 'rounding', 'ages', 'salaryIncome',
      'pensionIncome', 'incomeAdjustment', 'basicDeduction', 'spouseDeductions', 'dependantDeductions', 'otherPersonalDeductions',
      'specifiedRelativeDeduction', 'livelihoodAssistanceExemption', 'specialStatusExemption', 'perCapitaExemption',
      'incomeLevyExemption', 'adjustmentCredit', 'flatCredit', 'collection',
    ];
    for (const s of RATE_SETS) {
      expect(Object.keys(s.sources).sort()).toEqual([...keys].sort());
      for (const k of keys) {
        expect(s.sources[k].length, `${s.fromFiscalYear} ${k}`).toBeGreaterThan(0);
        for (const src of s.sources[k]) {
          expect(src.title.length).toBeGreaterThan(0);
          expect(src.url).toMatch(/^https:\/\/[a-z0-9.-]+\//);
        }
      }
    }
  });

  it('bracket tables end with an open bracket where the rules need one', () => {
    for (const s of RATE_SETS) {
      expect(s.salaryIncome.deduction.at(-1)!.upTo).toBeNull();
      expect(s.pensionIncome.underAge.at(-1)!.upTo).toBeNull();
      expect(s.pensionIncome.ageOrOver.at(-1)!.upTo).toBeNull();
      expect(s.pensionIncome.otherIncomeTiers.at(-1)!.upTo).toBeNull();
      expect(s.basicDeduction.at(-1)!.upTo).toBeNull();
      // One amount per taxpayer column of the spouse deductions.
      const columns = s.spouseDeductions.taxpayerColumns.length;
      for (const row of s.spouseDeductions.special) expect(row.value).toHaveLength(columns);
      for (const row of s.adjustmentCredit.differences.spouseSpecial) expect(row.value).toHaveLength(columns);
      expect(s.adjustmentCredit.differences.spouse).toHaveLength(columns);
    }
  });

  it('salary and pension tables are continuous at each bound (no jump in the deduction)', () => {
    for (const s of RATE_SETS) {
      for (const table of [s.salaryIncome.deduction, s.pensionIncome.underAge, s.pensionIncome.ageOrOver]) {
        for (let i = 0; i + 1 < table.length; i++) {
          const bound = table[i]!.upTo!;
          const at = (row: (typeof table)[number]) => (bound * row.value.percent) / 100 + row.value.addend;
          expect(at(table[i + 1]!), `${s.fromFiscalYear} bound ${bound}`).toBe(at(table[i]!));
        }
      }
    }
  });
});

describe('rateSetFor', () => {
  it('finds the set of each year and the figures that changed', () => {
    expect(rateSetFor(2023).reconstructionSurcharge).toEqual({ municipal: 500, prefectural: 500 });
    expect(rateSetFor(2023).forestEnvironmentTax).toBe(0);
    expect(rateSetFor(2024).reconstructionSurcharge).toEqual({ municipal: 0, prefectural: 0 });
    expect(rateSetFor(2024).forestEnvironmentTax).toBe(1_000);
    expect(rateSetFor(2024).flatCredit).not.toBeNull();
    expect(rateSetFor(2025).flatCredit).toBeNull();
    expect(rateSetFor(2025).dependantIncomeLimit).toBe(480_000);
    expect(rateSetFor(2026).dependantIncomeLimit).toBe(580_000);
    expect(rateSetFor(2030).fromFiscalYear).toBe(2026);
    for (const y of [2023, 2024, 2025, 2026]) {
      const s = rateSetFor(y);
      expect(s.perCapita).toEqual({ municipal: 3_000, prefectural: 1_000 });
      expect(s.incomeLevyRates).toEqual({ standard: { municipal: 6, prefectural: 4 }, designatedCity: { municipal: 8, prefectural: 2 } });
      expect(s.basicDeduction.map((b) => b.value)).toEqual([430_000, 290_000, 150_000, 0]);
    }
  });

  it('accepts rate sets of its caller (e.g. a municipality’s 超過課税) and refuses uncovered years', () => {
    const custom = [{ ...rateSetFor(2026), perCapita: { municipal: 3_900, prefectural: 1_000 } }];
    expect(rateSetFor(2026, custom).perCapita.municipal).toBe(3_900);
    expect(() => rateSetFor(2022)).toThrow(/no rate set covers fiscal year 2022/);
  });
});
