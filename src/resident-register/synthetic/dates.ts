/**
 * Calendar dates as day numbers (days since 1970-01-01, proleptic Gregorian),
 * for fast, allocation-free date arithmetic in the generator. Pure.
 * Conversions after Howard Hinnant's `days_from_civil` / `civil_from_days`.
 */

/** Day number of y-m-d. A day past the month's end rolls over (2023-02-29 → 2023-03-01), which is what "the same date n years later" needs for 29 February. */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): { y: number; m: number; d: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d };
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

export function formatDay(days: number): string {
  const { y, m, d } = civilFromDays(days);
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
}

/** The day number of a `YYYY-MM-DD` calendar date; throws RangeError for anything else (including 2023-02-29). */
export function parseDay(date: string): number {
  const m = typeof date === 'string' ? /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(date) : null;
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${String(date)}`);
  const days = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
  if (formatDay(days) !== date) throw new RangeError(`not a calendar date: ${date}`);
  return days;
}

/** The same calendar date `years` later (earlier if negative); 29 February rolls to 1 March in a common year. */
export function addYears(days: number, years: number): number {
  const { y, m, d } = civilFromDays(days);
  return daysFromCivil(y + years, m, d);
}

/**
 * Completed years from `fromDay` to `toDay` (age in the everyday sense: one
 * more on each birthday; someone born on 29 February gets older on 1 March in
 * a common year). Negative when toDay is before fromDay.
 */
export function completedYears(fromDay: number, toDay: number): number {
  const a = civilFromDays(fromDay);
  const b = civilFromDays(toDay);
  let years = b.y - a.y;
  if (b.m * 100 + b.d < a.m * 100 + a.d) years--;
  return years;
}
