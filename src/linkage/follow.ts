/**
 * A receiving system's side of a pull feed, for systems that take files:
 * `municloud linkage follow` appends each event of a subscription's feed to a
 * JSON Lines file, one event per line, exactly once.
 *
 * The file is its own cursor: every line holds its event's cursor, so a run
 * resumes after the last complete line. A run stopped at any moment (Ctrl-C,
 * a crash, SIGKILL) leaves at most a partial last line, which the next run cuts
 * off before it reads on; so every event is in the file once, in feed order.
 * Each page is written and flushed to disk before the next is asked for.
 */
import { closeSync, existsSync, fsyncSync, openSync, readSync, fstatSync, ftruncateSync, writeSync } from 'node:fs';
import { parsePosition } from './feed-position.js';

export interface FollowOptions {
  /** The API's base URL, e.g. https://municloud.example.lg.jp */
  readonly api: string;
  readonly subscription: string;
  /** The receiving system's API token (never on the command line: from the environment). */
  readonly token: string;
  readonly out: string;
  /** Stop when the feed has nothing new instead of waiting for more. */
  readonly once: boolean;
  readonly pollMs: number;
  readonly limit: number;
}

export interface FollowIo {
  fetch(url: string, init: { headers: Record<string, string>; signal?: AbortSignal }): Promise<{ status: number; json(): Promise<unknown> }>;
  progress(line: string): void;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export class FollowError extends Error {}

/**
 * The cursor after the last complete line of the file (null when it has none),
 * cutting off a partial last line left by an interrupted run.
 */
export function resumeFrom(path: string): string | null {
  if (!existsSync(path)) return null;
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    // Read backwards until the last complete line, and the newline before it, are in hand.
    for (let chunk = 64 * 1024; ; chunk *= 2) {
      const start = Math.max(0, size - chunk);
      const tail = Buffer.alloc(size - start);
      readSync(fd, tail, 0, tail.length, start);
      const lastNewline = tail.lastIndexOf(0x0a);
      const previousNewline = lastNewline > 0 ? tail.lastIndexOf(0x0a, lastNewline - 1) : -1;
      if (start > 0 && (lastNewline < 0 || previousNewline < 0)) continue;
      const end = lastNewline >= 0 ? start + lastNewline + 1 : 0;
      if (end < size) {
        ftruncateSync(fd, end);
        fsyncSync(fd);
      }
      if (lastNewline < 0) return null;
      const line = tail.subarray(previousNewline + 1, lastNewline).toString('utf8');
      let cursor: unknown;
      try {
        cursor = (JSON.parse(line) as { cursor?: unknown }).cursor;
      } catch {
        throw new FollowError(`${path}: the last line is not an event written by this command`);
      }
      if (typeof cursor !== 'string' || !parsePosition(cursor)) throw new FollowError(`${path}: the last line holds no feed cursor`);
      return cursor;
    }
  } finally {
    closeSync(fd);
  }
}

interface FeedPageBody {
  items: { id: string; cursor: string }[];
  nextCursor: string;
}

/** Follows the feed until it is caught up (with `once`) or the signal aborts; returns how many events it wrote. */
export async function follow(options: FollowOptions, io: FollowIo, signal: AbortSignal): Promise<number> {
  let cursor = resumeFrom(options.out);
  io.progress(cursor ? `resuming after ${cursor}` : 'starting from the first event');
  const fd = openSync(options.out, 'a', 0o600);
  let written = 0;
  try {
    while (!signal.aborted) {
      const url = new URL(`/v1/linkage/feeds/${encodeURIComponent(options.subscription)}`, options.api);
      url.searchParams.set('limit', String(options.limit));
      if (cursor) url.searchParams.set('after', cursor);
      let res;
      try {
        res = await io.fetch(url.toString(), { headers: { authorization: `Bearer ${options.token}` }, signal });
      } catch (err) {
        if (signal.aborted) break;
        throw new FollowError(`cannot reach ${options.api}: ${(err as Error).message}`);
      }
      const body = (await res.json()) as FeedPageBody & { code?: string; message?: { en?: string } };
      if (res.status !== 200) throw new FollowError(`the feed answered ${res.status} ${body.code ?? ''}: ${body.message?.en ?? ''}`.trim());
      if (body.items.length > 0) {
        // The page goes to disk before the cursor moves on: a crash after this keeps it, before it asks again.
        writeSync(fd, body.items.map((e) => `${JSON.stringify(e)}\n`).join(''));
        fsyncSync(fd);
        written += body.items.length;
        cursor = body.items.at(-1)!.cursor;
        io.progress(`${written} events written, at ${cursor}`);
        continue;
      }
      if (options.once) break;
      await io.sleep(options.pollMs, signal);
    }
  } finally {
    closeSync(fd);
  }
  return written;
}
