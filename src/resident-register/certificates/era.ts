/**
 * Japanese-era dates (和暦) for what people read on a certificate:
 * '2026-11-21' → '令和8年11月21日', and 元年 for an era's first year
 * ('2019-05-01' → '令和元年5月1日'). Pure.
 *
 * The era and the year within it come from ICU's Japanese calendar
 * (`Intl.DateTimeFormat('ja-JP-u-ca-japanese')`), which knows 令和 from
 * 2019-05-01 on. Its output is checked: a Node built without Japanese locale
 * data, or an ICU older than 令和, would give something else (a Latin era name,
 * 平成31年 for May 2019), and a certificate must not print that; the check
 * throws instead (see MODERN_ERAS).
 *
 * Dates before 1873-01-01 (明治6年1月1日) are refused: Japan used its
 * lunisolar calendar until then, so a Gregorian day before it has no month
 * and day that a Japanese reader would recognise (and no resident alive today
 * was born before it). That also refuses every date before 明治.
 */

import { GREGORIAN_ADOPTION, MODERN_ERAS, type EraName } from '../../text/era-dates.js';

export class EraDateError extends Error {
  constructor(
    readonly code: 'invalid_date' | 'before_gregorian_adoption' | 'icu_unsupported',
    message: string,
  ) {
    super(message);
    this.name = 'EraDateError';
  }
}

export { GREGORIAN_ADOPTION, MODERN_ERAS, type EraName } from '../../text/era-dates.js';

export interface EraDate {
  readonly era: EraName;
  /** Year within the era, 1 for 元年. */
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** How numbers are written: ASCII digits (令和8年11月21日) or kanji (令和八年十一月二十一日). */
export type EraDigits = 'ascii' | 'kanji';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const formatter = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', {
  era: 'long',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  timeZone: 'UTC',
});

/** Parses a calendar date `YYYY-MM-DD` into its Japanese era, year, month and day. */
export function toEraDate(isoDate: string): EraDate {
  const m = ISO_DATE.exec(isoDate);
  if (!m) throw new EraDateError('invalid_date', `not a YYYY-MM-DD date: ${JSON.stringify(isoDate)}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const instant = new Date(0);
  instant.setUTCFullYear(y, mo - 1, d); // not Date.UTC, which reads years 0–99 as 1900–1999
  if (instant.getUTCFullYear() !== y || instant.getUTCMonth() !== mo - 1 || instant.getUTCDate() !== d) {
    throw new EraDateError('invalid_date', `no such calendar date: ${isoDate}`);
  }
  if (isoDate < GREGORIAN_ADOPTION) {
    throw new EraDateError('before_gregorian_adoption', `${isoDate} is before Japan adopted the Gregorian calendar (${GREGORIAN_ADOPTION}); it has no Japanese-era form`);
  }
  const parts = formatter.formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value;
  const era = part('era');
  const year = Number(part('year'));
  const expected = MODERN_ERAS.find((e) => isoDate >= e.start);
  if (!expected || era !== expected.name || !Number.isInteger(year) || year < 1) {
    throw new EraDateError('icu_unsupported', `this runtime's ICU formats ${isoDate} as era ${JSON.stringify(era)} year ${JSON.stringify(part('year'))}, expected ${expected?.name ?? '?'}; Node needs full ICU with Japanese calendar data`);
  }
  // The era's year from its own start: a cross-check of ICU's arithmetic (era years begin on 1 January after the first year).
  const startYear = Number(expected.start.slice(0, 4));
  if (year !== y - startYear + 1) {
    throw new EraDateError('icu_unsupported', `ICU gives ${era}${year} for ${isoDate}, expected ${era}${y - startYear + 1}`);
  }
  return { era: expected.name, year, month: mo, day: d };
}

const KANJI_DIGITS = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'] as const;

/** 1–99 in kanji numerals, as dates and addresses (丁目) write them: 八, 十, 十一, 二十一, 六十四. */
export function kanjiNumber(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new RangeError(`kanjiNumber: ${n} is outside 1–99`);
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return (tens === 0 ? '' : (tens === 1 ? '' : KANJI_DIGITS[tens]) + '十') + (ones === 0 ? '' : KANJI_DIGITS[ones]);
}

/** Writes an EraDate: 令和8年11月21日, 令和元年5月1日, or in kanji 令和八年十一月二十一日. */
export function writeEraDate(date: EraDate, digits: EraDigits = 'ascii'): string {
  const num = (n: number) => (digits === 'kanji' ? kanjiNumber(n) : String(n));
  const year = date.year === 1 ? '元' : num(date.year);
  return `${date.era}${year}年${num(date.month)}月${num(date.day)}日`;
}

/** '2026-11-21' → '令和8年11月21日'. Throws EraDateError for a malformed date, one before 1873, or a runtime whose ICU lacks the eras. */
export function formatEraDate(isoDate: string, options: { digits?: EraDigits } = {}): string {
  return writeEraDate(toEraDate(isoDate), options.digits ?? 'ascii');
}
