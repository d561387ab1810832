/**
 * Calendar days as the assessment modules use them: text YYYY-MM-DD, which
 * orders like the dates, so comparisons are string comparisons. A day is a
 * day in Japan (registrations, findings and certifications are dated by
 * Japanese bodies); when a day has to become an instant (OSCAL wants
 * date-times), it is 00:00 Japan Standard Time (UTC+9, no daylight saving).
 * Pure.
 */

const DAY_MS = 86_400_000;
const DAY_PATTERN = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

/** Whether the text is a calendar date written YYYY-MM-DD (2026-02-30 is not). */
export function isDay(text: unknown): text is string {
  if (typeof text !== 'string' || !DAY_PATTERN.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** The day `n` days after (or before, when negative) a day. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** The earliest of some days, nulls (no end known) left out; null for none. */
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
