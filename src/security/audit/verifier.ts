/**
 * Verifying an exported log with nothing but its leaves, signed checkpoints and
 * the log's public key. Pure: the caller feeds lines (verify-file.ts reads
 * them from a file) and gets a verdict that names the first bad entry.
 *
 * What is checked, for every leaf, in order:
 * - it is a leaf envelope at all (else: malformed);
 * - its `seq` is its position (else: out of place, i.e. removed or reordered
 *   before it; or, when it repeats the previous index and links to the same
 *   predecessor, the entry before it was inserted);
 * - its `prev` is the hash of the leaf before it (else: that leaf was altered).
 * And for the tree: the running Merkle root equals the signed root of every
 * checkpoint whose size the export reaches, the trusted one included. If the
 * roots differ while every link holds, the entries were rewritten together
 * with their links, and the verdict names the range between the last matching
 * and the first differing checkpoint (a single entry when only the last one
 * before that checkpoint can be it).
 *
 * Per leaf that is two SHA-256 calls (its hash and, on average, one node) and
 * a look at the leaf's last 60-odd bytes; the entry JSON is not parsed. The
 * publisher validated every entry before signing, so a leaf that hashes into
 * a signed root is one the log vouched for.
 */
import { hash as oneShotHash } from 'node:crypto';
import { readLeafTail } from './leaf.js';
import { decompose, Frontier, HASH_SIZE, type Hash } from './merkle.js';
import { NoteError, openCheckpoint, type Checkpoint, type VerifierKey } from './note.js';

export type FailureReason =
  | 'malformed' // a line that is not a leaf, checkpoint or header where one was expected
  | 'out_of_place' // a leaf whose index is not its position
  | 'inserted' // a leaf the log never wrote, placed before a real one
  | 'missing' // the export stops before a tree size the log signed
  | 'altered' // a leaf whose hash no longer matches what its successor recorded
  | 'root_mismatch' // links intact, but the tree differs from a signed checkpoint
  | 'checkpoint_signature'; // a checkpoint in the export that the key did not sign

export interface VerifyFailure {
  readonly reason: FailureReason;
  /** The first bad entry, when the evidence pins it down to one. */
  readonly index: number | null;
  /** The entries it may be among, when it does not. */
  readonly range?: readonly [number, number];
  readonly line?: number;
  readonly message: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  /** The leaves the export holds: [start, end). */
  readonly start: number;
  readonly end: number;
  /** The trusted checkpoint, or null when it was refused. */
  readonly checkpoint: Checkpoint | null;
  /** Signed checkpoints whose roots were compared, the trusted one included. */
  readonly checkpointsChecked: number;
  readonly failure?: VerifyFailure;
}

/** The export or the arguments cannot be checked at all (exit code 2, not 1). */
export class VerifyInputError extends Error {}

interface PendingCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly trusted: boolean;
  readonly line?: number;
}

export class LogVerifier {
  private frontier = new Frontier();
  private start = 0;
  private begun = false;
  private prevHash: Hash | null = null;
  /** The previous leaf's `prev`, decoded, for telling an inserted leaf from a misplaced one. */
  private prevLink = Buffer.alloc(HASH_SIZE);
  private linkSpare = Buffer.alloc(HASH_SIZE);
  private prevLinkReadable = false;
  /** A root mismatch waiting for the next leaf, which may name the bad entry exactly. */
  private held: VerifyFailure | undefined;
  private pending: PendingCheckpoint[] = [];
  private rightBoundaries: { checkpoint: Checkpoint; right: Hash[] }[] = [];
  private lastGood = 0;
  private checked = 0;
  private trustedChecked = false;
  private failure: VerifyFailure | undefined;
  private scratch = Buffer.alloc(1024);

  /** `trusted` is an already opened (signature-checked) checkpoint: the anchor. */
  constructor(
    private readonly key: VerifierKey,
    private readonly trusted: Checkpoint,
  ) {
    this.pending.push({ checkpoint: trusted, trusted: true });
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  get size(): number {
    return this.frontier.size;
  }

  /** A range export begins with the frontier of the entries before it. */
  header(start: number, left: readonly Hash[], line?: number): void {
    if (this.failure) return;
    if (this.begun) return this.fail({ reason: 'malformed', index: this.size, line, message: `line ${line}: a range header may only come first` });
    this.begun = true;
    try {
      this.frontier = Frontier.from(start, left);
    } catch {
      return this.fail({ reason: 'malformed', index: start, line, message: `line ${line}: the range header's boundary hashes do not fit its start` });
    }
    this.start = start;
    this.lastGood = start;
    this.checkReached();
  }

  /** The leaf in bytes[start, end): the hot path. */
  leaf(bytes: Buffer, start: number, end: number, line?: number, precomputedHash?: Hash): void {
    if (this.failure) return;
    if (!this.begun) {
      this.begun = true;
      this.checkReached();
    }
    const problem = this.examine(bytes, start, end, line);
    if (this.held) {
      // A root that just differed says something at or before the last entry is bad; a broken
      // link right after it names which, so it wins when it agrees with the range.
      const [first, last] = this.held.range!;
      return this.fail(problem && problem.index !== null && problem.index >= first && problem.index <= last ? problem : this.held);
    }
    if (problem) return this.fail(problem);
    const h = precomputedHash ?? this.hashLeaf(bytes, start, end);
    this.frontier.push(h);
    this.prevHash = h;
    if (this.pending.length > 0 && this.pending[0]!.checkpoint.treeSize <= this.frontier.size) this.checkReached();
  }

  /** The per-leaf checks: envelope, position, link. */
  private examine(bytes: Buffer, start: number, end: number, line?: number): VerifyFailure | null {
    const p = this.frontier.size;
    const tail = readLeafTail(bytes, start, end);
    if (!tail) return { reason: 'malformed', index: p, line, message: `entry ${p} (line ${line}) is not an audit leaf` };
    // Two link buffers, swapped each leaf: the previous leaf's link stays readable without copying.
    const link = this.linkSpare;
    this.linkSpare = this.prevLink;
    this.prevLink = link;
    const readable = decodeLink(bytes, tail.prevStart, link);
    if (tail.seq !== p) {
      if (tail.seq === p - 1 && readable && this.prevLinkReadable && link.equals(this.linkSpare)) {
        return { reason: 'inserted', index: p - 1, line, message: `entry ${p - 1} is not one the log wrote: the next leaf is the real entry ${p - 1} and links to the entry before it` };
      }
      return { reason: 'out_of_place', index: p, line, message: `position ${p} holds entry ${tail.seq}: entry ${p} was removed, or entries were reordered or inserted` };
    }
    this.prevLinkReadable = readable;
    if (this.prevHash && (!readable || !link.equals(this.prevHash))) {
      return { reason: 'altered', index: p - 1, line, message: `entry ${p - 1} was altered: its hash is not the one entry ${p} recorded` };
    }
    return null;
  }

  /** A line that is none of leaf, checkpoint or header. */
  badLine(line: number): void {
    if (this.failure) return;
    const p = this.frontier.size;
    this.fail(this.held ?? { reason: 'malformed', index: p, line, message: `line ${line} (where entry ${p} belongs) is not a leaf, a checkpoint or a range header` });
  }

  /** A signed checkpoint found in the export; `right` covers [end of export, its size) for the last one. */
  checkpointNote(note: string, right: readonly Hash[] | undefined, line?: number): void {
    if (this.failure) return;
    let checkpoint: Checkpoint;
    try {
      checkpoint = openCheckpoint(note, this.key, this.trusted.origin);
    } catch (err) {
      const why = err instanceof NoteError ? err.message : 'unreadable';
      return this.fail({ reason: 'checkpoint_signature', index: null, line, message: `the checkpoint on line ${line} is refused: ${why}` });
    }
    if (right) this.rightBoundaries.push({ checkpoint, right: [...right] });
    else if (checkpoint.treeSize >= this.frontier.size) {
      this.pending.push({ checkpoint, trusted: false, line });
      this.pending.sort((a, b) => a.checkpoint.treeSize - b.checkpoint.treeSize);
      if (this.begun) this.checkReached();
    }
  }

  /** The verdict, once every line was fed. */
  finish(): VerifyResult {
    if (!this.begun) {
      this.begun = true;
      this.checkReached();
    }
    if (this.held) this.fail(this.held);
    if (!this.failure && !this.trustedChecked) this.checkWithRightBoundary();
    if (this.held) this.fail(this.held);
    if (!this.failure && !this.trustedChecked) {
      // A checkpoint in the export past its last leaf, without boundary hashes, is the size the export was made to reach.
      const target = this.pending.find((p) => !p.trusted && p.checkpoint.treeSize > this.frontier.size);
      if (target) {
        const p = this.frontier.size;
        this.fail({ reason: 'missing', index: p, line: target.line, message: `entries from ${p} on are missing: the log was signed at tree size ${target.checkpoint.treeSize}` });
      }
    }
    if (!this.failure && !this.trustedChecked) {
      throw new VerifyInputError(
        this.trusted.treeSize < this.start
          ? `the checkpoint (tree size ${this.trusted.treeSize}) ends before the export starts (entry ${this.start})`
          : `the export holds entries ${this.start} to ${this.frontier.size - 1} and no boundary for tree size ${this.trusted.treeSize}: export up to the checkpoint, or use the checkpoint the export was written with`,
      );
    }
    return {
      ok: !this.failure,
      start: this.start,
      end: this.frontier.size,
      checkpoint: this.trusted,
      checkpointsChecked: this.checked,
      ...(this.failure ? { failure: this.failure } : {}),
    };
  }

  private hashLeaf(bytes: Buffer, start: number, end: number): Hash {
    const n = end - start;
    if (this.scratch.length < n + 1) this.scratch = Buffer.alloc(2 * (n + 1));
    this.scratch[0] = 0x00;
    bytes.copy(this.scratch, 1, start, end);
    return oneShotHash('sha256', this.scratch.subarray(0, n + 1), 'buffer') as unknown as Hash;
  }

  /** Compares every pending checkpoint the tree has reached. */
  private checkReached(): void {
    while (!this.failure && !this.held && this.pending.length > 0 && this.pending[0]!.checkpoint.treeSize <= this.frontier.size) {
      const { checkpoint, trusted, line } = this.pending.shift()!;
      if (checkpoint.treeSize < this.frontier.size) continue; // before the export started: nothing to compare against
      this.compare(checkpoint, this.frontier.root(), trusted, line);
    }
  }

  private checkWithRightBoundary(): void {
    const match = this.rightBoundaries.find((b) => b.checkpoint.treeSize === this.trusted.treeSize && b.checkpoint.rootHash.equals(this.trusted.rootHash));
    if (!match || this.trusted.treeSize < this.frontier.size) return;
    const f = this.frontier.clone();
    const parts = decompose(f.size, this.trusted.treeSize);
    if (parts.length !== match.right.length || match.right.some((h) => h.length !== HASH_SIZE)) {
      return this.fail({ reason: 'malformed', index: null, message: "the export's boundary hashes do not fit the checkpoint's tree size" });
    }
    parts.forEach((s, i) => f.pushSubtree(s.level, match.right[i]!));
    this.compare(this.trusted, f.root(), true);
  }

  private compare(checkpoint: Checkpoint, root: Hash, trusted: boolean, line?: number): void {
    this.checked++;
    if (trusted) this.trustedChecked = true;
    if (root.equals(checkpoint.rootHash)) {
      this.lastGood = Math.max(this.lastGood, Math.min(checkpoint.treeSize, this.frontier.size));
      return;
    }
    const last = Math.min(checkpoint.treeSize, this.frontier.size) - 1;
    const first = Math.min(this.lastGood, last);
    const where = first === last ? `entry ${last} was altered` : `the first bad entry is among entries ${first} to ${last}`;
    this.held ??= {
      reason: 'root_mismatch',
      index: first === last ? last : null,
      range: [Math.max(first, 0), last],
      ...(line ? { line } : {}),
      message: `the log does not match the signed checkpoint at tree size ${checkpoint.treeSize}, though every entry links to the one before it: ${where} (the entries after it were re-linked, or the boundary hashes differ)`,
    };
  }

  private fail(failure: VerifyFailure): void {
    if (!this.failure) this.failure = failure;
  }
}

const LEAF_PREFIX = Buffer.from('{"entry":');

function startsWithLeafPrefix(buf: Buffer, start: number, end: number): boolean {
  if (end - start < LEAF_PREFIX.length) return false;
  for (let i = 0; i < LEAF_PREFIX.length; i++) if (buf[start + i] !== LEAF_PREFIX[i]) return false;
  return true;
}

const BASE64 = new Int16Array(256).fill(-1);
[...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].forEach((c, i) => (BASE64[c.charCodeAt(0)] = i));

/**
 * Decodes the 44 base64 characters of a leaf's `prev` into out (32 bytes),
 * without making a string: this runs once per leaf of the log. False when
 * they are not canonical base64 of 32 bytes.
 */
function decodeLink(bytes: Buffer, at: number, out: Buffer): boolean {
  let o = 0;
  for (let i = 0; i < 40; i += 4) {
    const a = BASE64[bytes[at + i]!]!;
    const b = BASE64[bytes[at + i + 1]!]!;
    const c = BASE64[bytes[at + i + 2]!]!;
    const d = BASE64[bytes[at + i + 3]!]!;
    if ((a | b | c | d) < 0) return false;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >>> 16;
    out[o++] = (v >>> 8) & 0xff;
    out[o++] = v & 0xff;
  }
  const a = BASE64[bytes[at + 40]!]!;
  const b = BASE64[bytes[at + 41]!]!;
  const c = BASE64[bytes[at + 42]!]!;
  if ((a | b | c) < 0 || bytes[at + 43] !== 0x3d /* = */ || (c & 0x03) !== 0) return false;
  const v = (a << 18) | (b << 12) | (c << 6);
  out[o++] = v >>> 16;
  out[o] = (v >>> 8) & 0xff;
  return true;
}

/** Hands one line of an export file (export-format.ts) to the verifier as what it is. */
export function feedLine(verifier: LogVerifier, buf: Buffer, start: number, end: number, line: number, leafHash?: Hash): void {
  if (end > start && buf[end - 1] === 0x0d) return verifier.badLine(line); // CRLF: the file was rewritten
  if (startsWithLeafPrefix(buf, start, end)) {
    return verifier.leaf(buf, start, end, line, leafHash);
  }
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8', start, end));
  } catch {
    return verifier.badLine(line);
  }
  const v = (value ?? {}) as { start?: unknown; left?: unknown; checkpoint?: unknown; right?: unknown };
  const hashes = (x: unknown) => (Array.isArray(x) && x.every((h) => typeof h === 'string') ? x.map((h: string) => Buffer.from(h, 'base64')) : null);
  if (typeof v.checkpoint === 'string') {
    const right = v.right === undefined ? undefined : hashes(v.right);
    if (right === null) return verifier.badLine(line);
    return verifier.checkpointNote(v.checkpoint, right, line);
  }
  if (Number.isSafeInteger(v.start) && line === 1) {
    const left = hashes(v.left);
    if (!left) return verifier.badLine(line);
    return verifier.header(v.start as number, left, line);
  }
  verifier.badLine(line);
}
