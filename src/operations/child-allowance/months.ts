/**
 * Month arithmetic for claims: months are 'YYYY-MM' strings, which compare in
 * calendar order as text, and dates 'YYYY-MM-DD'. Pure; the callers have
 * checked the formats (the API's schemas, the register's own dates).
 */

const MONTH = /^([0-9]{4})-(0[1-9]|1[0-2])$/;

export const isMonth = (value: string): boolean => MONTH.test(value);

/** The month n months after (or before, n < 0) the given one. */
export function addMonths(month: string, n: number): string {
  const m = MONTH.exec(month);
  if (!m) throw new RangeError('expected a month YYYY-MM');
  const index = Number(m[1]) * 12 + (Number(m[2]) - 1) + n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The month a date falls in. */
export const monthOf = (date: string): string => date.slice(0, 7);

/**
 * The month after the one a date falls in: where a change on that day takes
 * effect (児童手当法 第8条第2項 payment from the month after the claim; 第9条
 * a revision from the month after the event).
 */
export const monthAfter = (date: string): string => addMonths(monthOf(date), 1);

export const maxMonth = (a: string, b: string): string => (a > b ? a : b);
export const minMonth = (a: string, b: string): string => (a < b ? a : b);

/** Every month from `from` to `to`, both included (empty when to < from). */
export function monthRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to; m = addMonths(m, 1)) out.push(m);
  return out;
}

const indexOf = (month: string): number => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7));

/** How many months from `from` to `to`, both included (0 or less when to < from). */
export const monthsBetween = (from: string, to: string): number => indexOf(to) - indexOf(from) + 1;

/** The fiscal year (年度, April to March) a day falls in, as its first and last month. */
export function fiscalYearOf(date: string): { from: string; to: string } {
  const y = Number(date.slice(0, 4));
  const first = Number(date.slice(5, 7)) >= 4 ? y : y - 1;
  return { from: `${first}-04`, to: `${first + 1}-03` };
}
