/**
 * The linkage daily file (issue 5: a daily file for systems that only take
 * files): a subscription's events of one day as CSV, UTF-8, with documented
 * columns (daily-file-columns.ts), served to the subscription's consumer like
 * its feed (docs/linkage.md, "Daily file").
 *
 * A day's file is a slice of the feed between two recorded horizons (cell
 * migration 0013), not the events created on that day: consecutive files
 * partition the feed, so a receiver that loads every file receives every event
 * once, even one whose transaction was open across midnight (it is in the next
 * day's file).
 *
 * The rows are built by the feed itself (deliveredEvents) in pages of 500
 * events, so the fields, their values as of each change and the `restricted`
 * flag are exactly those of the feed, and each page is recorded in the audit
 * log as an export before it is sent.
 */
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { inTenantTransaction } from '../platform/database.js';
import { Problem, type Message } from '../platform/errors.js';
import type { Platform, TenantContext } from '../platform/http/server.js';
import { csvRecord } from '../security/exports/csv.js';
import { dailyFileHeader, dailyFileRows } from './daily-file-columns.js';
import { dailyFileName, daysDue, lastEndedDay } from './day-boundaries.js';
import { deliveredEvents, recordFeedExport } from './feed.js';
import { FEED_START, type FeedPosition } from './feed-position.js';
import { municipalitiesIn, type PassScope } from './pass-scope.js';
import {
  countDayEvents,
  dayEventsAfter,
  dayRange,
  insertDayBoundaries,
  latestDayBoundary,
  lockDayBoundaries,
  subscriptionById,
  type DayRange,
  type Subscription,
} from './store.js';

/** Events read, enriched and audited at a time. */
export const DAILY_FILE_PAGE = 500;

// ---------------------------------------------------------------------------
// Closing days (the worker)

/**
 * The last day each municipality is known to have a boundary for, per
 * platform (so per process): a sweep then skips every municipality whose
 * latest day is already closed without asking its cell. Boundaries are never
 * removed, so the note can only be behind the database, never ahead of it.
 */
const closedUpTo = new WeakMap<Platform, Map<string, string>>();

/**
 * Closes the days that have ended in every placed municipality (on sweeps
 * only: the news of one municipality's outbox changes nothing here). Safe in
 * several processes at once: one recorder per municipality at a time (an
 * advisory lock), and a day recorded once is never recorded again. A cell that
 * fails is tried again on the next sweep; the others go on.
 */
export async function recordDayBoundaries(
  platform: Platform,
  options: { scope?: PassScope; now?: () => Date; concurrency?: number } = {},
): Promise<{ recorded: number }> {
  if (options.scope !== undefined && options.scope !== 'all') return { recorded: 0 };
  const now = (options.now ?? (() => new Date()))();
  const ended = lastEndedDay(now);
  let note = closedUpTo.get(platform);
  if (!note) closedUpTo.set(platform, (note = new Map()));
  const known = note;
  const queue = (await municipalitiesIn(platform, 'all')).filter((code) => (known.get(code) ?? '') < ended);
  let recorded = 0;
  const workers = Array.from({ length: Math.min(options.concurrency ?? 4, queue.length) }, async () => {
    for (let code = queue.shift(); code; code = queue.shift()) {
      try {
        const pool = await platform.cells.poolFor(code);
        const closed = await inTenantTransaction(pool, code, (db) => closeDays(db, now));
        recorded += closed.added;
        known.set(code, closed.latest);
      } catch (err) {
        platform.log.warn({ err: { name: (err as Error).name, code: (err as { code?: string }).code }, municipality: code }, 'linkage day not closed yet');
      }
    }
  });
  await Promise.all(workers);
  return { recorded };
}

/** Closes the municipality's ended days in its tenant transaction; answers the rows added and the latest day closed. */
export async function closeDays(db: pg.ClientBase, now: Date): Promise<{ added: number; latest: string }> {
  await lockDayBoundaries(db);
  const last = await latestDayBoundary(db);
  const { missed, closing } = daysDue(now, last?.day ?? null);
  if (closing === null) return { added: 0, latest: last!.day };
  return { added: await insertDayBoundaries(db, missed, closing), latest: closing };
}

// ---------------------------------------------------------------------------
// Serving a day's file

const NOT_CLOSED: Message = {
  ja: 'この日はまだ締められていません。日本時間の午前0時過ぎに締められ、その後ファイルを取得できます。',
  en: 'This day has not been closed yet: days close just after midnight, Japan time, and their file is available from then on.',
};
const BEFORE_FIRST: Message = {
  ja: 'この日はファイルの提供開始前です。最初の日のファイルにそれまでのすべてのイベントが含まれます。',
  en: 'This day is before the first day with a file; the first file holds every event before it.',
};

export interface DailyFile {
  readonly fileName: string;
  /** How many events and rows the file holds (counted before it is sent): a receiver checks it got them all. */
  readonly events: number;
  readonly rows: number;
  /** When the day was closed: the file holds what was final then. */
  readonly closedAt: string;
  /** The CSV, page by page. An error after the first page ends it (the caller destroys the transfer). */
  readonly body: AsyncGenerator<Buffer>;
}

interface FilePage {
  readonly text: string;
  readonly events: number;
  readonly rows: number;
}

/**
 * Opens a day's file of a subscription: counts it, and reads, enriches and
 * audits its first page, so that a day not closed, a revoked subscription or
 * an audit log that cannot record is still an ordinary problem answer. The
 * rest is read as the body is consumed. `sub` is the consumer's live
 * subscription (consumersSubscription), its zone already admitted.
 */
export async function openDailyFile(
  platform: Platform,
  request: FastifyRequest,
  tenant: TenantContext,
  sub: Subscription,
  day: string,
  options: { pageSize?: number } = {},
): Promise<DailyFile> {
  const { range, counts } = await tenant.run(async (db) => {
    const range = await dayRange(db, day);
    if (range === 'not_closed') throw new Problem('daily_file_unavailable', [], NOT_CLOSED);
    if (range === 'before_first') throw new Problem('daily_file_unavailable', [], BEFORE_FIRST);
    return { range, counts: await countDayEvents(db, range, sub.topics) };
  });
  const pages = filePages(platform, request, tenant, sub, range, options.pageSize ?? DAILY_FILE_PAGE);
  const first = await pages.next();
  const header = csvRecord(dailyFileHeader(sub.fields));
  async function* body(): AsyncGenerator<Buffer> {
    let events = 0;
    let rows = 0;
    try {
      if (first.done) {
        yield Buffer.from(header, 'utf8');
      } else {
        events += first.value.events;
        rows += first.value.rows;
        yield Buffer.from(header + first.value.text, 'utf8');
      }
      for await (const page of pages) {
        events += page.events;
        rows += page.rows;
        yield Buffer.from(page.text, 'utf8');
      }
      // The range is final and the outbox is append-only, so this holds; if it did not, the receiver must not get a
      // file that looks complete.
      if (events !== counts.events || rows !== counts.rows) throw new Error('the file does not hold what was counted');
    } catch (err) {
      // Logged by name and code only (an error may quote data); the transfer is then cut off, never ended cleanly.
      platform.log.error({ err: { name: (err as Error).name, code: (err as { code?: string }).code }, subscription: sub.id, day }, 'linkage daily file interrupted');
      throw new Error('linkage daily file interrupted');
    }
  }
  return { fileName: dailyFileName(tenant.municipalityCode, sub.id, day), events: counts.events, rows: counts.rows, closedAt: range.closedAt, body: body() };
}

/** The file's records, a page of events at a time, each page read and audited in a tenant transaction of its own. */
async function* filePages(platform: Platform, request: FastifyRequest, tenant: TenantContext, sub: Subscription, range: DayRange, pageSize: number): AsyncGenerator<FilePage> {
  let after: FeedPosition = FEED_START;
  for (;;) {
    const page = await tenant.run(async (db) => {
      // Revoked while the file is being sent: what was not sent yet is not sent.
      const live = await subscriptionById(db, sub.id);
      if (!live || live.revokedAt) throw new Problem('subscription_revoked');
      const stored = await dayEventsAfter(db, range, after, sub.topics, pageSize);
      if (stored.length === 0) return null;
      const delivered = await deliveredEvents(db, platform, tenant.municipalityCode, sub, stored);
      await recordFeedExport(platform, request, sub, stored, [{ resource: 'linkage_daily_files', ids: [range.day] }]);
      return { delivered, last: stored.at(-1)!.position, count: stored.length };
    });
    if (!page) return;
    const records = page.delivered.flatMap((e) => dailyFileRows(e, sub.fields));
    yield { text: records.map(csvRecord).join(''), events: page.delivered.length, rows: records.length };
    if (page.count < pageSize) return;
    after = page.last;
  }
}
