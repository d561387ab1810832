/**
 * Writing audit entries.
 *
 * AuditAppender batches: `append` resolves only once the batch holding the
 * entry has committed, and rejects if that batch could not be written, so a
 * request that awaits its entry fails closed. A batch goes out when `maxBatch`
 * entries wait or `flushMs` has passed since the first of them, two at most in
 * flight (below); entries arriving during a write ride the next batch (group
 * commit). When no batch is in flight, an entry goes out at once. One batch
 * is one transaction and one multi-row INSERT.
 *
 * appendInTransaction writes in the caller's transaction instead, for when the
 * entry must commit or roll back with the caller's own change in the control
 * database (an account created, a token revoked). It holds the log's append
 * lock until that transaction ends, delaying every other audit write, so call
 * it last, just before COMMIT. Tenant data lives in other databases (cells);
 * there, append with the batched appender inside the tenant transaction and
 * await it before that transaction commits: a failed audit write rolls the
 * change back; a commit that fails after the entry was written leaves an entry
 * for a change that did not happen, which errs on the side of over-reporting.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { normalizeEntry, type AuditEntryInput } from './entry.js';
import { entryJson } from './leaf.js';
import type { Hash } from './merkle.js';
import { appendEntries, buildBatch, type BuiltBatch, type PreparedEntry } from './store.js';

export interface AppenderOptions {
  /** Most entries per batch (default 5,000). */
  readonly maxBatch?: number;
  /** Longest an entry waits for companions while a batch is in flight (default 2 ms). */
  readonly flushMs?: number;
  /** Most entries waiting; beyond it appends are refused at once rather than queued without bound (default 200,000). */
  readonly maxQueue?: number;
  readonly log?: Logger;
}

/** The entry was not written; the operation it records must not go ahead. */
export class AuditUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

interface Pending extends PreparedEntry {
  resolve(result: { seq: number }): void;
  reject(err: Error): void;
}

interface Batch {
  readonly items: Pending[];
  /** Built ahead, on the guess that the log will end where the batch before this one ends. */
  prebuilt?: BuiltBatch;
  /** Settles once this batch's INSERT is on the wire (or the batch failed). */
  readonly sent: Promise<void>;
  markSent(): void;
}

export function prepareEntry(input: AuditEntryInput): PreparedEntry {
  const entry = normalizeEntry(input);
  // Entries are ASCII (entry.ts), so latin1 is their UTF-8, converted at the cheapest rate.
  return { entryBytes: Buffer.from(entryJson(entry), 'latin1'), municipality: entry.municipality };
}

/**
 * Two batches may be in flight, each on its own connection: while one holds
 * the lock and inserts, the next waits for the lock inside PostgreSQL, its
 * leaves already numbered and chained on the guess that the log will end where
 * the batch before it ends. In one process that guess is right, so building
 * leaves (a hash each) leaves the critical section; when another process
 * appended in between, the batch is rebuilt under the lock.
 *
 * A committed batch resolves its callers only once the next batch's INSERT is
 * on the wire (or after a few milliseconds): the callers then run their own
 * code, often appending again, and that work overlaps with the next insert
 * instead of delaying it.
 */
const MAX_IN_FLIGHT = 2;
const HAND_OVER_MS = 5;

export class AuditAppender {
  private readonly maxBatch: number;
  private readonly flushMs: number;
  private readonly maxQueue: number;
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** Batches formed and not yet settled, oldest first. */
  private flight: Batch[] = [];
  private idle: (() => void)[] = [];
  /** Where the log will end once every batch in flight commits, when known. */
  private tail: { next: number; prev: Hash } | null = null;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: AppenderOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 5000;
    this.flushMs = options.flushMs ?? 2;
    this.maxQueue = options.maxQueue ?? 200_000;
  }

  /** Resolves with the entry's leaf index once it is committed. */
  append(input: AuditEntryInput): Promise<{ seq: number }> {
    if (this.closed) return Promise.reject(new AuditUnavailableError('the audit appender is closed'));
    if (this.queue.length >= this.maxQueue) return Promise.reject(new AuditUnavailableError('too many audit entries are waiting to be written'));
    let prepared: PreparedEntry;
    try {
      prepared = prepareEntry(input);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ entryBytes: prepared.entryBytes, municipality: prepared.municipality, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when everything appended so far has been written or refused. */
  async flush(): Promise<void> {
    while (this.flight.length > 0 || this.queue.length > 0) {
      if (this.queue.length > 0 && this.flight.length < MAX_IN_FLIGHT) this.start();
      await new Promise<void>((resolve) => this.idle.push(resolve));
    }
  }

  /** Refuses new entries, writes the waiting ones, and leaves no timer behind. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.flight.length >= MAX_IN_FLIGHT || this.queue.length === 0) return; // a finishing batch picks the queue up
    // Nothing in flight: no companion is coming sooner than this entry could be written, so waiting
    // for them only adds latency (2 ms of a 10 ms read). Under load, batches form while one is written.
    if (this.queue.length >= this.maxBatch || this.flight.length === 0) return this.start();
    this.timer ??= setTimeout(() => this.start(), this.flushMs);
  }

  /** Forms batches from the queue while there is room in flight. */
  private start(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.flight.length < MAX_IN_FLIGHT && this.queue.length > 0) {
      let markSent = () => undefined as void;
      const sent = new Promise<void>((resolve) => (markSent = resolve));
      const batch: Batch = { items: this.queue.splice(0, this.maxBatch), sent, markSent };
      if (this.tail) this.prebuild(batch, this.tail);
      this.flight.push(batch);
      void this.write(batch).finally(() => {
        batch.markSent();
        this.flight.splice(this.flight.indexOf(batch), 1);
        if (this.queue.length >= this.maxBatch || (this.flight.length === 0 && this.queue.length > 0)) this.start();
        else this.schedule();
        for (const resolve of this.idle.splice(0)) resolve();
      });
      // A second batch goes out at once only if it is full; a partial one waits for more entries.
      if (this.queue.length < this.maxBatch) break;
    }
    this.schedule();
  }

  private prebuild(batch: Batch, from: { next: number; prev: Hash }): void {
    batch.prebuilt = buildBatch(batch.items, from.next, from.prev);
    this.tail = { next: from.next + batch.items.length, prev: batch.prebuilt.last };
  }

  /** A batch learnt where it starts and ends: the batch after it, if not built yet, can be. */
  private numbered(batch: Batch, first: number, last: Hash): void {
    const end = { next: first + batch.items.length, prev: last };
    const after = this.flight[this.flight.indexOf(batch) + 1];
    if (!after) this.tail = end;
    else if (!after.prebuilt || after.prebuilt.first !== end.next || !after.prebuilt.prev.equals(end.prev)) this.prebuild(after, end);
  }

  private async write(batch: Batch): Promise<void> {
    let client: pg.PoolClient | undefined;
    let broken: Error | undefined;
    try {
      client = await this.pool.connect();
      const { first } = await appendEntries(client, batch.items, {
        begin: true,
        prebuilt: () => batch.prebuilt,
        onNumbered: (first, last) => this.numbered(batch, first, last),
        onInsertSent: () => batch.markSent(),
      });
      await client.query('COMMIT');
      const next = this.flight[this.flight.indexOf(batch) + 1];
      if (next) await settledOrAfter(next.sent, HAND_OVER_MS);
      batch.items.forEach((p, i) => p.resolve({ seq: first + i }));
    } catch (err) {
      broken = err as Error;
      this.tail = null;
      await client?.query('ROLLBACK').catch(() => undefined);
      // The log line says what failed, never what the entries hold.
      this.options.log?.error({ err: { name: broken.name, code: (broken as { code?: string }).code }, entries: batch.items.length }, 'audit batch could not be written');
      const failure = new AuditUnavailableError('the audit log could not be written', { cause: err });
      for (const p of batch.items) p.reject(failure);
    } finally {
      // A client whose batch failed may be in an unknown state: drop it rather than pool it.
      client?.release(broken);
    }
  }
}

/** Waits for p, but no longer than ms; leaves no timer behind. */
async function settledOrAfter(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Appends entries within the caller's transaction on the control database (see above). */
export async function appendInTransaction(client: pg.ClientBase, inputs: AuditEntryInput | readonly AuditEntryInput[]): Promise<{ seq: number }[]> {
  const list = Array.isArray(inputs) ? (inputs as readonly AuditEntryInput[]) : [inputs as AuditEntryInput];
  const prepared = list.map(prepareEntry);
  const { first } = await appendEntries(client, prepared);
  return prepared.map((_, i) => ({ seq: first + i }));
}
