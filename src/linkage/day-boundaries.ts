/**
 * When a day's linkage file closes (docs/linkage.md, "Daily file"). A day is
 * the municipality's calendar day, in Japan Standard Time (UTC+9, no daylight
 * saving): day D has ended at 00:00 JST of D+1, and from then on its boundary
 * is due. Pure.
 *
 * Closing a day records where the feed stands (cell migration 0013). The
 * worker does it on its sweeps, normally within seconds after midnight. When
 * no process ran for a while, the days missed are closed together, later: the
 * days in between get the previous boundary's horizon (their files are empty)
 * and the last day that ended gets the current horizon, so its file holds
 * everything that became final since the previous file closed. A file closes
 * at its recording time; nothing is lost or doubled either way.
 */
import { todayInJapan } from '../resident-register/changes.js';

const DAY_MS = 86_400_000;
const DAY_PATTERN = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

/** Whether the text is a calendar date written YYYY-MM-DD (2026-02-30 is not). */
export function isDay(text: string): boolean {
  const m = DAY_PATTERN.exec(text);
  if (!m) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** The day `n` days after (or before, when negative) a day. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The last day that has ended in Japan at this instant: yesterday, JST. */
export function lastEndedDay(now: Date): string {
  return addDays(todayInJapan(now), -1);
}

export interface DaysDue {
  /** Days that ended while nobody recorded them: they get the previous boundary's horizon (empty files). */
  readonly missed: readonly string[];
  /** The last day that ended, which gets the current horizon; null when it is recorded already. */
  readonly closing: string | null;
}

/**
 * Which days to close now, given the last day the municipality has a
 * boundary for (null before its first). The very first boundary is that of
 * the day just ended: its file holds the feed from the start. Days are
 * compared as YYYY-MM-DD text, which orders like the dates.
 */
export function daysDue(now: Date, lastRecorded: string | null): DaysDue {
  const ended = lastEndedDay(now);
  if (lastRecorded === null) return { missed: [], closing: ended };
  if (lastRecorded >= ended) return { missed: [], closing: null };
  const missed: string[] = [];
  for (let day = addDays(lastRecorded, 1); day < ended; day = addDays(day, 1)) missed.push(day);
  return { missed, closing: ended };
}

/**
 * The file's name as offered for download: the municipality, the start of the
 * subscription's id (enough to tell a system's subscriptions apart) and the day.
 */
export function dailyFileName(municipalityCode: string, subscriptionId: string, day: string): string {
  return `municloud-${municipalityCode}-${subscriptionId.slice(0, 8)}-${day}.csv`;
}
