/**
 * A receiving system's side of the daily file: `municloud linkage daily-file`
 * downloads a subscription's file of one day, or lists the days available.
 *
 * A download never leaves a file that looks complete but is not: it is written
 * to a temporary file beside the target (mode 0600), checked, flushed to disk
 * and only then renamed to its name. The check: the transfer ended cleanly,
 * the last record is whole, and the rows and events received are what the
 * server counted before it sent them (municloud-row-count,
 * municloud-event-count). Anything else removes the temporary file and fails.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { isDay } from './day-boundaries.js';
import { FollowError } from './follow.js';

export class DailyFileError extends FollowError {}

/**
 * Counts the records of CSV as written by csvRecord (RFC 4180, CRLF), chunk by
 * chunk, and the events among them: rows of one event follow each other and
 * start with its id, so each change of the first field is a new event. Pure.
 */
export class CsvTally {
  private records = 0;
  private eventCount = 0;
  private quoted = false;
  private pendingCr = false;
  private inFirstField = true;
  private firstField = '';
  private lastEvent: string | null = null;
  private atRecordStart = true;
  private headerStart: string | null = null;

  push(text: string): void {
    for (const c of text) {
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c !== '\n') throw new DailyFileError('the file is not CSV as the platform writes it (a lone carriage return)');
        this.endRecord();
        continue;
      }
      this.atRecordStart = false;
      if (this.quoted) {
        if (c === '"') this.quoted = false;
        else if (this.inFirstField) this.firstField += c;
        continue;
      }
      if (c === '"') this.quoted = true;
      else if (c === '\r') this.pendingCr = true;
      else if (c === ',') {
        if (this.inFirstField) this.closeFirstField();
      } else if (c === '\n') throw new DailyFileError('the file is not CSV as the platform writes it (a bare line feed)');
      else if (this.inFirstField) this.firstField += c;
    }
  }

  private closeFirstField(): void {
    this.inFirstField = false;
    if (this.records === 0) this.headerStart = this.firstField;
    else if (this.firstField !== this.lastEvent) {
      this.eventCount++;
      this.lastEvent = this.firstField;
    }
    this.firstField = '';
  }

  private endRecord(): void {
    if (this.inFirstField) this.closeFirstField();
    this.records++;
    this.inFirstField = true;
    this.atRecordStart = true;
  }

  /** What was counted: rows (records after the header), events, and whether the text ended with a whole record. */
  result(): { rows: number; events: number; complete: boolean; header: string | null } {
    return {
      rows: Math.max(0, this.records - 1),
      events: this.eventCount,
      complete: this.records >= 1 && this.atRecordStart && !this.quoted && !this.pendingCr,
      header: this.headerStart,
    };
  }
}

export interface DailyFileClientOptions {
  /** The API's base URL, e.g. https://municloud.example.lg.jp */
  readonly api: string;
  readonly subscription: string;
  /** The receiving system's API token (never on the command line: from the environment). */
  readonly token: string;
}

export interface DailyFileIo {
  fetch(url: string, init: { headers: Record<string, string> }): Promise<Response>;
  progress(line: string): void;
}

async function get(options: DailyFileClientOptions, io: DailyFileIo, url: URL, what: string): Promise<Response> {
  let res: Response;
  try {
    res = await io.fetch(url.toString(), { headers: { authorization: `Bearer ${options.token}` } });
  } catch (err) {
    throw new DailyFileError(`cannot reach ${options.api}: ${(err as Error).message}`);
  }
  if (res.status !== 200) {
    const body = (await res.json().catch(() => ({}))) as { code?: string; message?: { en?: string } };
    throw new DailyFileError(`${what} answered ${res.status} ${body.code ?? ''}: ${body.message?.en ?? ''}`.trim());
  }
  return res;
}

const feedUrl = (options: DailyFileClientOptions, rest: string) => new URL(`/v1/linkage/feeds/${encodeURIComponent(options.subscription)}/daily-files${rest}`, options.api);

export interface DaySummary {
  readonly day: string;
  readonly events: number;
  readonly closedAt: string;
}

/** The newest `limit` days whose file is available, newest first. */
export async function listDailyFiles(options: DailyFileClientOptions & { limit: number }, io: DailyFileIo): Promise<DaySummary[]> {
  const days: DaySummary[] = [];
  let before: string | null = null;
  while (days.length < options.limit) {
    const url = feedUrl(options, '');
    url.searchParams.set('limit', String(Math.min(366, options.limit - days.length)));
    if (before) url.searchParams.set('before', before);
    const page = (await (await get(options, io, url, 'the list of daily files')).json()) as { items: DaySummary[]; nextBefore: string | null };
    days.push(...page.items);
    if (!page.nextBefore) break;
    before = page.nextBefore;
  }
  return days;
}

/** A file name the server suggests, if it is a plain one (no directory, nothing odd). */
function suggestedName(disposition: string | null): string | null {
  const m = disposition ? /filename="([A-Za-z0-9._-]+)"/.exec(disposition) : null;
  return m && !m[1]!.startsWith('.') ? m[1]! : null;
}

const count = (res: Response, header: string): number => {
  const text = res.headers.get(header);
  if (text === null || !/^[0-9]+$/.test(text)) throw new DailyFileError(`the answer has no ${header} header: is the API a municloud server?`);
  return Number(text);
};

/**
 * Downloads a day's file to `out` (default: the name the server suggests, in
 * the current directory); answers where it is and what it holds.
 */
export async function downloadDailyFile(
  options: DailyFileClientOptions & { day: string; out?: string },
  io: DailyFileIo,
): Promise<{ path: string; events: number; rows: number }> {
  if (!isDay(options.day)) throw new DailyFileError('--day must be a date written YYYY-MM-DD');
  const res = await get(options, io, feedUrl(options, `/${options.day}`), `the daily file of ${options.day}`);
  const expected = { events: count(res, 'municloud-event-count'), rows: count(res, 'municloud-row-count') };
  const out = options.out ?? suggestedName(res.headers.get('content-disposition')) ?? `municloud-${options.day}.csv`;
  // Beside the target (a rename does not cross file systems), hidden, unique: a second run does not write into it.
  const temporary = path.join(path.dirname(out), `.${path.basename(out)}.${randomBytes(6).toString('hex')}.partial`);
  const fd = openSync(temporary, 'wx', 0o600);
  let done = false;
  try {
    const tally = new CsvTally();
    const decoder = new TextDecoder('utf-8', { fatal: true });
    if (!res.body) throw new DailyFileError('the answer has no body');
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        writeSync(fd, chunk);
        tally.push(decoder.decode(chunk, { stream: true }));
      }
      tally.push(decoder.decode());
    } catch (err) {
      if (err instanceof DailyFileError) throw err;
      if (err instanceof TypeError && /encoded data|utf-?8/i.test(err.message)) throw new DailyFileError('the file is not UTF-8');
      throw new DailyFileError(`the transfer was cut off (${(err as Error).message}): nothing was written; try again`);
    }
    const got = tally.result();
    if (!got.complete) throw new DailyFileError('the file ended in the middle of a record: nothing was written; try again');
    if (got.header !== 'event_id') throw new DailyFileError('the file does not start with the daily file header');
    if (got.rows !== expected.rows || got.events !== expected.events) {
      throw new DailyFileError(`received ${got.events} events in ${got.rows} rows, the server counted ${expected.events} in ${expected.rows}: nothing was written; try again`);
    }
    fsyncSync(fd);
    closeSync(fd);
    done = true;
    renameSync(temporary, out);
    // The rename itself reaches the disk with the directory.
    const dir = openSync(path.dirname(out), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    return { path: out, events: got.events, rows: got.rows };
  } catch (err) {
    if (!done) closeSync(fd);
    rmSync(temporary, { force: true });
    throw err;
  }
}
