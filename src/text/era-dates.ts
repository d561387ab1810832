/**
 * Dates written in the Japanese era (和暦), as clerks and residents write them
 * on forms: 令和8年4月1日, 平成31年4月30日, 令和元年5月1日, or abbreviated R8.4.1,
 * H31/4/30. Pure.
 *
 * An era date names a day only inside its era: 平成31年5月1日 does not exist
 * (平成 ended on 30 April 2019; the day is 令和元年5月1日), nor does 昭和64年1月8日.
 * Such a date is refused rather than carried over into the next era, since it
 * usually means a slip of the pen that a clerk must look at.
 *
 * Days before 1873-01-01 are refused too: Japan used its lunisolar calendar
 * until 明治5年12月2日, so 明治1–5年 dates do not map onto Gregorian ones by
 * counting.
 */

/** The modern eras with their first days (Gregorian), newest first. */
export const MODERN_ERAS = [
  { name: '令和', letter: 'R', start: '2019-05-01' },
  { name: '平成', letter: 'H', start: '1989-01-08' },
  { name: '昭和', letter: 'S', start: '1926-12-25' },
  { name: '大正', letter: 'T', start: '1912-07-30' },
  { name: '明治', letter: 'M', start: '1868-10-23' },
] as const;
export type EraName = (typeof MODERN_ERAS)[number]['name'];

/** The first day Japan counted in the Gregorian calendar (明治5年12月3日 became 明治6年1月1日). */
export const GREGORIAN_ADOPTION = '1873-01-01';

const WRITTEN = /^(令和|平成|昭和|大正|明治)\s*(元|[0-9]{1,2})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日$/;
const ABBREVIATED = /^([RHSTMrhstm])\s*(元|[0-9]{1,2})[./-]([0-9]{1,2})[./-]([0-9]{1,2})$/;

export type EraDateParse =
  /** Not written as an era date at all (the caller tries other forms). */
  | { readonly kind: 'not_era' }
  | { readonly kind: 'date'; readonly iso: string }
  /** Written as an era date that does not exist: outside its era, or not a calendar day. */
  | { readonly kind: 'invalid'; readonly reason: 'outside_era' | 'not_a_day' | 'before_gregorian_adoption' };

/** Reads an era date (already NFKC-normalized: ASCII digits) into YYYY-MM-DD. */
export function parseEraDate(text: string): EraDateParse {
  const m = WRITTEN.exec(text) ?? ABBREVIATED.exec(text);
  if (!m) return { kind: 'not_era' };
  const eraIndex = MODERN_ERAS.findIndex((e) => e.name === m[1] || e.letter === m[1]!.toUpperCase());
  const era = MODERN_ERAS[eraIndex]!;
  const year = m[2] === '元' ? 1 : Number(m[2]);
  const [month, day] = [Number(m[3]), Number(m[4])];
  if (year < 1) return { kind: 'invalid', reason: 'outside_era' };
  const y = Number(era.start.slice(0, 4)) + year - 1;
  const instant = new Date(Date.UTC(y, month - 1, day));
  if (instant.getUTCFullYear() !== y || instant.getUTCMonth() !== month - 1 || instant.getUTCDate() !== day) return { kind: 'invalid', reason: 'not_a_day' };
  const iso = `${y}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const next = MODERN_ERAS[eraIndex - 1];
  if (iso < era.start || (next && iso >= next.start)) return { kind: 'invalid', reason: 'outside_era' };
  if (iso < GREGORIAN_ADOPTION) return { kind: 'invalid', reason: 'before_gregorian_adoption' };
  return { kind: 'date', iso };
}
