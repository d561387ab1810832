/**
 * `municloud audit export`: entries [from, to) of the log, as stored, to a
 * file of JSON lines (export-format.ts), with the signed checkpoints that fall
 * inside the range and the boundary hashes a range needs. Resumable: with
 * `resume`, an existing file is continued after its last complete leaf.
 */
import { existsSync } from 'node:fs';
import { open, stat, truncate } from 'node:fs/promises';
import { checkpointLine, headerLine } from './export-format.js';
import { readLeafTail } from './leaf.js';
import { compactRange } from './proofs.js';
import { checkpointsBetween, latestCheckpoint, readLeaves, type Queryable, type StoredCheckpoint } from './store.js';

export interface ExportOptions {
  readonly out: string;
  readonly from?: number;
  /** Exclusive; the latest checkpoint's tree size by default. */
  readonly to?: number;
  /** Continue an existing export file instead of refusing to touch it. */
  readonly resume?: boolean;
  readonly chunk?: number;
  readonly onProgress?: (written: number, total: number) => void;
}

export interface ExportResult {
  readonly from: number;
  readonly to: number;
  /** Entries written by this run (fewer than to − from when resuming). */
  readonly written: number;
  /** Entries of [from, to) the database did not have: nonzero means the log lost entries. */
  readonly missing: number;
  readonly checkpoint: StoredCheckpoint;
}

export class ExportInputError extends Error {}

const TAIL_BYTES = 1 << 20;

/** Where an export file stops: its first entry and the end of its last complete leaf line. */
async function resumePoint(path: string): Promise<{ start: number; next: number; keepBytes: number }> {
  const size = (await stat(path)).size;
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(size, 64 * 1024));
    await fh.read(head, 0, head.length, 0);
    const firstLine = head.subarray(0, Math.max(0, head.indexOf(10))).toString('utf8');
    let start = 0;
    let headerBytes = 0;
    if (firstLine.startsWith('{"left":')) {
      start = (JSON.parse(firstLine) as { start: number }).start;
      headerBytes = Buffer.byteLength(firstLine) + 1;
    } else if (firstLine.startsWith('{"entry":')) {
      start = readLeafTail(Buffer.from(firstLine))?.seq ?? -1;
    }
    const tailStart = Math.max(0, size - TAIL_BYTES);
    const tail = Buffer.alloc(size - tailStart);
    await fh.read(tail, 0, tail.length, tailStart);
    // The last complete line that is a leaf: everything after it (a trailer, a cut-off line) is rewritten.
    let end = tail.lastIndexOf(10);
    while (end >= 0) {
      const lineStart = tail.lastIndexOf(10, end - 1) + 1;
      const leaf = readLeafTail(tail, lineStart, end);
      if (leaf && (lineStart > 0 || tailStart === 0)) return { start, next: leaf.seq + 1, keepBytes: tailStart + end + 1 };
      if (lineStart === 0) break;
      end = lineStart - 1;
    }
    if (tailStart === 0) return { start, next: start, keepBytes: headerBytes };
    throw new ExportInputError('cannot find the last entry of the existing export; export to a new file');
  } finally {
    await fh.close();
  }
}

export async function exportAuditLog(db: Queryable, options: ExportOptions): Promise<ExportResult> {
  const checkpoint = await latestCheckpoint(db);
  if (!checkpoint) throw new ExportInputError('the log has no signed checkpoint yet');
  const from = options.from ?? 0;
  const to = options.to ?? checkpoint.treeSize;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from) throw new ExportInputError('--from and --to must be entry numbers with from ≤ to');
  if (to > checkpoint.treeSize) throw new ExportInputError(`entries from ${checkpoint.treeSize} on are not covered by a signed checkpoint yet; --to may be at most ${checkpoint.treeSize}`);

  let next = from;
  let fresh = true;
  if (existsSync(options.out)) {
    if (!options.resume) throw new ExportInputError(`${options.out} exists; use --resume to continue it, or choose another file`);
    const point = await resumePoint(options.out);
    if (point.start !== from) throw new ExportInputError(`${options.out} starts at entry ${point.start}, not ${from}`);
    if (point.next > to) throw new ExportInputError(`${options.out} already goes past entry ${to - 1}`);
    await truncate(options.out, point.keepBytes);
    next = point.next;
    fresh = point.keepBytes === 0;
  }

  const fh = await open(options.out, 'a', 0o600);
  const resumedAt = next;
  let missing = 0;
  let lastWritten = next - 1;
  try {
    // Buffered output; leaves go out as their stored bytes, whatever those are, so the file hashes as the log does.
    let parts: Buffer[] = [];
    let buffered = 0;
    const NEWLINE = Buffer.from('\n');
    const add = (part: Buffer | string) => {
      const b = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
      parts.push(b);
      buffered += b.length;
    };
    const write = async (force = false) => {
      if (buffered > 1 << 20 || (force && buffered > 0)) {
        await fh.write(Buffer.concat(parts, buffered));
        parts = [];
        buffered = 0;
      }
    };
    if (fresh && from > 0) add(headerLine(from, await compactRange(db, 0, from)));
    // A checkpoint at the very start of what this run writes can be checked from the boundary alone.
    if (next > 0) for (const c of await checkpointsBetween(db, next, next)) add(checkpointLine(c.note));
    const chunk = options.chunk ?? 10_000;
    while (next < to) {
      const end = Math.min(next + chunk, to);
      const [rows, checkpoints] = await Promise.all([readLeaves(db, next, end), checkpointsBetween(db, next + 1, end)]);
      // Rows go out as the database holds them, gaps and all: judging them is the verifier's job.
      missing += end - next - rows.length;
      lastWritten = rows.at(-1)?.seq ?? lastWritten;
      let c = 0;
      for (const row of rows) {
        add(row.leaf);
        add(NEWLINE);
        while (c < checkpoints.length && checkpoints[c]!.treeSize === row.seq + 1) add(checkpointLine(checkpoints[c++]!.note));
      }
      await write();
      next = end;
      options.onProgress?.(next - from, to - from);
    }
    if (to < checkpoint.treeSize) add(checkpointLine(checkpoint.note, await compactRange(db, to, checkpoint.treeSize)));
    // Entries missing at the end: the signed checkpoint says how many there should be, so the verifier can tell.
    else if (to > from && lastWritten !== to - 1) add(checkpointLine(checkpoint.note));
    await write(true);
  } finally {
    await fh.close();
  }
  return { from, to, written: to - resumedAt - missing, missing, checkpoint };
}
