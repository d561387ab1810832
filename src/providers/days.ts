/**
 * Calendar days as the provider modules count them: text YYYY-MM-DD (which
 * orders like the dates, so comparisons are string comparisons), each a day
 * in Japan, since registrations, findings and certifications are dated by
 * Japanese bodies. Periods of months and years end as the Civil Code (民法
 * 143 条) says; where a day has to become an instant (OSCAL wants
 * date-times), it is 00:00 Japan Standard Time (UTC+9, no daylight saving).
 * Pure.
 */

const DAY_MS = 86_400_000;
const DAY_PATTERN = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

/** Whether the text is a real calendar date written YYYY-MM-DD (2026-02-30 is not). */
export function isDay(text: unknown): text is string {
  if (typeof text !== 'string' || !DAY_PATTERN.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The last day of a period of `months` months whose first day is `firstDay`,
 * as the Civil Code counts it (民法 143 条): the period ends on the day before
 * the day that corresponds to the first day in the last month, and when that
 * month has no such day (a 31st, a 29 February), on the last day of that month.
 *
 *   periodEnd('2023-04-01', 16) = '2024-07-31'   (the day before 2024-08-01)
 *   periodEnd('2024-10-31', 16) = '2026-02-28'   (2026-02 has no 31st)
 *   periodEnd('2024-02-29', 12) = '2025-02-28'
 */
export function periodEnd(firstDay: string, months: number): string {
  const [y, m, d] = firstDay.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  if (d > daysInMonth(year, month)) return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(daysInMonth(year, month)).padStart(2, '0')}`;
  const corresponding = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return addDays(corresponding, -1);
}

/** Today in Japan (UTC+9, no daylight saving). */
export function todayInJapan(now: Date = new Date()): string {
  return new Date(now.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}

/** The earliest of some days; null for none. */
export function earliestDay(days: Iterable<string | null>): string | null {
  let earliest: string | null = null;
  for (const d of days) if (d !== null && (earliest === null || d < earliest)) earliest = d;
  return earliest;
}

/** The start of a day in Japan, as an OSCAL date-time with its offset: 2026-04-01T00:00:00+09:00. */
export function startOfDayInJapan(day: string): string {
  return `${day}T00:00:00+09:00`;
}

const DATE_TIME_PATTERN = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$/;

/**
 * Whether the text is a date-time with an explicit offset, as OSCAL requires
 * (DateTimeWithTimezoneDatatype). `Date.toISOString()` writes such text.
 */
export function isDateTime(text: unknown): text is string {
  return typeof text === 'string' && DATE_TIME_PATTERN.test(text) && !Number.isNaN(Date.parse(text));
}
