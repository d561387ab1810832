import { describe, expect, it } from 'vitest';
import { EraDateError, formatEraDate, kanjiNumber, MODERN_ERAS, toEraDate } from './era.js';

describe('formatEraDate', () => {
  it.each([
    ['2026-11-21', '令和8年11月21日'],
    ['2019-05-01', '令和元年5月1日'],
    ['2019-04-30', '平成31年4月30日'],
    ['2020-01-01', '令和2年1月1日'],
    ['1989-01-07', '昭和64年1月7日'],
    ['1989-01-08', '平成元年1月8日'],
    ['1926-12-24', '大正15年12月24日'],
    ['1926-12-25', '昭和元年12月25日'],
    ['1912-07-29', '明治45年7月29日'],
    ['1912-07-30', '大正元年7月30日'],
    ['1873-01-01', '明治6年1月1日'],
    ['2000-02-29', '平成12年2月29日'],
  ])('%s → %s', (iso, expected) => {
    expect(formatEraDate(iso)).toBe(expected);
  });

  it.each([
    ['2026-11-21', '令和八年十一月二十一日'],
    ['2019-05-01', '令和元年五月一日'],
    ['1989-01-07', '昭和六十四年一月七日'],
    ['2030-10-10', '令和十二年十月十日'],
  ])('writes %s in kanji as %s', (iso, expected) => {
    expect(formatEraDate(iso, { digits: 'kanji' })).toBe(expected);
  });

  it.each(['1872-12-31', '1868-10-23', '1868-01-01', '1600-01-01', '0001-01-01'])('refuses %s (before the Gregorian calendar in Japan, so before any era date it can print)', (iso) => {
    expect(() => formatEraDate(iso)).toThrow(expect.objectContaining({ code: 'before_gregorian_adoption' }));
  });

  it.each(['2026-02-29', '2026-13-01', '2026-1-1', '20261121', '', '2026-11-21T00:00:00Z'])('refuses the malformed date %j', (iso) => {
    expect(() => formatEraDate(iso)).toThrow(EraDateError);
    expect(() => formatEraDate(iso)).toThrow(expect.objectContaining({ code: 'invalid_date' }));
  });

  it("agrees with this runtime's ICU on every day from 1873 to 2040: the era changes exactly on the eras' first days", () => {
    const starts = new Set<string>(MODERN_ERAS.map((e) => e.start));
    let previous = toEraDate('1873-01-01');
    for (let t = Date.UTC(1873, 0, 2); t <= Date.UTC(2040, 11, 31); t += 86_400_000) {
      const iso = new Date(t).toISOString().slice(0, 10);
      const current = toEraDate(iso); // throws if ICU and the era table disagree
      if (current.era !== previous.era) {
        expect(starts.has(iso), `era changed on ${iso}`).toBe(true);
        expect(current.year).toBe(1);
      }
      previous = current;
    }
    expect(previous.era).toBe('令和');
  });
});

describe('kanjiNumber', () => {
  it.each([
    [1, '一'],
    [8, '八'],
    [10, '十'],
    [11, '十一'],
    [20, '二十'],
    [21, '二十一'],
    [64, '六十四'],
    [99, '九十九'],
  ])('%i → %s', (n, expected) => {
    expect(kanjiNumber(n)).toBe(expected);
  });

  it.each([0, 100, 1.5])('refuses %d', (n) => {
    expect(() => kanjiNumber(n)).toThrow(RangeError);
  });
});
