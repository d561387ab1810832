import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addYears, civilFromDays, completedYears, daysFromCivil, formatDay, parseDay } from './dates.js';

describe('day numbers', () => {
  it('agree with Date.UTC', () => {
    fc.assert(
      fc.property(fc.integer({ min: -80_000, max: 80_000 }), (days) => {
        const d = new Date(days * 86_400_000);
        expect(civilFromDays(days)).toEqual({ y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() });
        expect(daysFromCivil(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())).toBe(days);
        expect(formatDay(days)).toBe(d.toISOString().slice(0, 10));
        expect(parseDay(formatDay(days))).toBe(days);
      }),
      { numRuns: 2000 },
    );
  });

  it('parseDay accepts only calendar dates', () => {
    expect(parseDay('1970-01-01')).toBe(0);
    expect(parseDay('2024-02-29')).toBe(daysFromCivil(2024, 2, 29));
    for (const bad of ['2023-02-29', '2024-13-01', '2024-1-01', '20240101', '', '2024-04-31']) expect(() => parseDay(bad)).toThrow(RangeError);
  });

  it('addYears keeps the date and rolls 29 February to 1 March', () => {
    expect(formatDay(addYears(parseDay('2000-05-17'), 25))).toBe('2025-05-17');
    expect(formatDay(addYears(parseDay('2000-02-29'), 1))).toBe('2001-03-01');
    expect(formatDay(addYears(parseDay('2000-02-29'), 4))).toBe('2004-02-29');
  });

  it('completedYears counts birthdays', () => {
    const age = (from: string, to: string) => completedYears(parseDay(from), parseDay(to));
    expect(age('2000-04-01', '2025-03-31')).toBe(24);
    expect(age('2000-04-01', '2025-04-01')).toBe(25);
    expect(age('2000-02-29', '2025-02-28')).toBe(24);
    expect(age('2000-02-29', '2025-03-01')).toBe(25);
    expect(age('2025-01-02', '2025-01-01')).toBe(-1);
  });
});
