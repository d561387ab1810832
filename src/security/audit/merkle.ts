/**
 * The audit log's Merkle tree, exactly as RFC 9162 §2.1 defines it. Pure.
 *
 *   leaf hash  SHA-256(0x00 || leaf)
 *   node hash  SHA-256(0x01 || left || right)
 *   MTH({})    SHA-256()
 *   MTH(D[n])  HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k the largest power of two smaller than n
 *
 * Indices and sizes are plain numbers (exact up to 2^53, some 5,700 years of
 * entries at 50,000 a second). JavaScript's bitwise operators work on 32 bits
 * only, so nothing here uses them on an index: a log passes 2^31 entries in
 * half a day at full speed.
 *
 * Proofs are described as lists of *ranges* [start, end) of leaves whose MTH
 * the proof carries; the caller resolves each range to a hash from wherever it
 * keeps them (memory, or the stored subtree hashes). That keeps the RFC's
 * recursive definitions here, testable against a naive reference, and the I/O
 * elsewhere.
 */
import { hash as oneShotHash } from 'node:crypto';

export const HASH_SIZE = 32;
export type Hash = Buffer;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

function sha256(data: Uint8Array): Buffer {
  // crypto.hash (Node 20.12+) skips the Hash object: about 1.5× the rate of createHash for short inputs.
  return oneShotHash('sha256', data, 'buffer') as unknown as Buffer;
}

/** MTH of the empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT: Hash = sha256(new Uint8Array(0));

export function leafHash(leaf: Uint8Array): Hash {
  const buf = Buffer.allocUnsafe(leaf.length + 1);
  buf[0] = LEAF_PREFIX;
  buf.set(leaf, 1);
  return sha256(buf);
}

/** One scratch buffer for node hashes: hashing is synchronous, so it is never shared between two calls. */
const nodeScratch = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeScratch[0] = NODE_PREFIX;

export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) throw new TypeError('node children must be 32-byte hashes');
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 1 + HASH_SIZE);
  return sha256(nodeScratch);
}

// ---------------------------------------------------------------------------
// Index arithmetic (no 32-bit bitwise operators)

function assertSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative safe integer`);
}

/** The largest power of two strictly smaller than n (n ≥ 2): RFC 9162's split point k. */
export function splitPoint(n: number): number {
  if (!Number.isSafeInteger(n) || n < 2) throw new RangeError('split point needs n ≥ 2');
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

/** How many times 2 divides n (n ≥ 1). */
export function trailingZeros(n: number): number {
  let z = 0;
  while (n > 0 && n % 2 === 0) {
    n /= 2;
    z++;
  }
  return z;
}

/** A perfect subtree: 2^level leaves starting at index × 2^level. */
export interface Subtree {
  readonly level: number;
  readonly index: number;
}

export const subtreeStart = (s: Subtree) => s.index * 2 ** s.level;
export const subtreeEnd = (s: Subtree) => (s.index + 1) * 2 ** s.level;

/**
 * The range [start, end) as maximal aligned perfect subtrees, left to right.
 * For the ranges RFC 9162 builds trees over (a node of the tree of some size,
 * or [0, n)), folding their hashes right to left gives the range's MTH.
 */
export function decompose(start: number, end: number): Subtree[] {
  assertSize(start, 'start');
  assertSize(end, 'end');
  if (end < start) throw new RangeError('range end before start');
  const out: Subtree[] = [];
  let p = start;
  while (p < end) {
    // Largest level whose subtree is aligned at p and fits before end.
    let level = p === 0 ? 53 : trailingZeros(p);
    while (2 ** level > end - p) level--;
    out.push({ level, index: p / 2 ** level });
    p += 2 ** level;
  }
  return out;
}

/** The MTH of a range from the hashes of its decomposition (left to right). */
export function foldRight(hashes: readonly Hash[]): Hash {
  if (hashes.length === 0) return EMPTY_ROOT;
  let acc = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i]!, acc);
  return acc;
}

/** The MTH of a perfect subtree from all 2^k hashes of one lower level (k ≥ 0). */
export function perfectRoot(hashes: readonly Hash[]): Hash {
  if (!isPowerOfTwo(hashes.length)) throw new RangeError('a perfect subtree has a power-of-two number of children');
  let level = [...hashes];
  while (level.length > 1) {
    const next: Hash[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    level = next;
  }
  return level[0]!;
}

/** MTH of a list of leaf hashes (in memory). */
export function rootOf(leafHashes: readonly Hash[]): Hash {
  const f = new Frontier();
  for (const h of leafHashes) f.push(h);
  return f.root();
}

// ---------------------------------------------------------------------------
// The frontier ("compact range" from 0): the perfect subtrees covering [0, n).

/**
 * The hashes of the maximal perfect subtrees covering [0, size), largest first:
 * one per set bit of size. It is all a log needs to keep to extend its tree and
 * compute each new root without reading old entries again; a checkpoint stores it.
 */
export class Frontier {
  // Two parallel stacks rather than an array of objects: a verifier pushes every leaf of the log here.
  private readonly levels: number[] = [];
  private readonly nodes: Hash[] = [];
  private count = 0;

  static from(size: number, hashes: readonly Hash[]): Frontier {
    assertSize(size, 'size');
    const levels = decompose(0, size).map((s) => s.level);
    if (levels.length !== hashes.length) throw new RangeError(`a frontier of size ${size} has ${levels.length} hashes, not ${hashes.length}`);
    const f = new Frontier();
    levels.forEach((level, i) => {
      if (hashes[i]!.length !== HASH_SIZE) throw new RangeError('frontier hashes must be 32 bytes');
      f.levels.push(level);
      f.nodes.push(hashes[i]!);
    });
    f.count = size;
    return f;
  }

  get size(): number {
    return this.count;
  }

  /** Largest first, as stored with a checkpoint. */
  hashes(): Hash[] {
    return [...this.nodes];
  }

  /**
   * Appends a leaf hash. `onComplete` sees every perfect subtree the append
   * completes (level ≥ 1), so a store can keep the ones it wants.
   */
  push(leafHash: Hash, onComplete?: (subtree: Subtree, hash: Hash) => void): void {
    this.pushSubtree(0, leafHash, onComplete);
  }

  /** Appends a whole perfect subtree of 2^level leaves; it must start at a multiple of its size. */
  pushSubtree(level: number, hash: Hash, onComplete?: (subtree: Subtree, hash: Hash) => void): void {
    const n = this.levels.length;
    if (level > 0 && this.count % 2 ** level !== 0) throw new RangeError('subtree is not aligned at the frontier');
    if (n > 0 && this.levels[n - 1]! < level) throw new RangeError('subtree is larger than the frontier allows');
    this.count += 2 ** level;
    let node = hash;
    let nodeLevel = level;
    // Equal neighbours merge, like a carry in binary addition.
    while (this.levels.length > 0 && this.levels[this.levels.length - 1] === nodeLevel) {
      this.levels.pop();
      node = nodeHash(this.nodes.pop()!, node);
      nodeLevel++;
      if (onComplete) onComplete({ level: nodeLevel, index: this.count / 2 ** nodeLevel - 1 }, node);
    }
    this.levels.push(nodeLevel);
    this.nodes.push(node);
  }

  root(): Hash {
    return foldRight(this.nodes);
  }

  clone(): Frontier {
    const f = new Frontier();
    f.levels.push(...this.levels);
    f.nodes.push(...this.nodes);
    f.count = this.count;
    return f;
  }
}

// ---------------------------------------------------------------------------
// Proofs (RFC 9162 §2.1.3.1 and §2.1.4.1) as the ranges whose MTH they carry.

export interface Range {
  readonly start: number;
  readonly end: number;
}

/** PATH(m, D[start:end]): the audit path of leaf m (absolute index), deepest first. */
export function inclusionRanges(index: number, size: number): Range[] {
  assertSize(index, 'index');
  assertSize(size, 'tree size');
  if (index >= size) throw new RangeError('leaf index must be smaller than the tree size');
  const out: Range[] = [];
  const path = (m: number, start: number, end: number): void => {
    const n = end - start;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      path(m, start, start + k);
      out.push({ start: start + k, end });
    } else {
      path(m - k, start + k, end);
      out.push({ start, end: start + k });
    }
  };
  path(index, 0, size);
  return out;
}

/** PROOF(m, D[n]) via SUBPROOF: the consistency proof from size m to size n (0 < m < n). */
export function consistencyRanges(first: number, second: number): Range[] {
  assertSize(first, 'first size');
  assertSize(second, 'second size');
  if (first > second) throw new RangeError('first tree size must not exceed the second');
  if (first === 0 || first === second) return [];
  const out: Range[] = [];
  const subproof = (m: number, start: number, end: number, b: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!b) out.push({ start, end });
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      subproof(m, start, start + k, b);
      out.push({ start: start + k, end });
    } else {
      subproof(m - k, start + k, end, false);
      out.push({ start, end: start + k });
    }
  };
  subproof(first, 0, second, true);
  return out;
}

// ---------------------------------------------------------------------------
// Verification (RFC 9162 §2.1.3.2 and §2.1.4.2), step for step.

const isHash = (h: unknown): h is Uint8Array => h instanceof Uint8Array && h.length === HASH_SIZE;
const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0;
const odd = (x: number) => x % 2 === 1;
const half = (x: number) => Math.floor(x / 2);

/** Whether `proof` shows the leaf with this leaf hash at `index` in the tree of `size` with `root`. */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!isHash(leaf) || !isHash(root) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0) return false;
  // 1. leaf_index must be smaller than tree_size.
  if (index >= size) return false;
  // 2.–3.
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  // 4.
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // 5.
  return sn === 0 && equal(r, root);
}

/** Whether `proof` shows the tree of size `second` (root2) extends the tree of size `first` (root1). */
export function verifyConsistency(first: number, second: number, root1: Uint8Array, root2: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!isHash(root1) || !isHash(root2) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) return false;
  // The RFC's algorithm covers 0 < first < second; the two trivial cases carry no proof.
  if (first === second) return proof.length === 0 && equal(root1, root2);
  if (first === 0) return proof.length === 0 && equal(root1, EMPTY_ROOT);
  // 1.
  if (proof.length === 0) return false;
  // 2.
  const path = isPowerOfTwo(first) ? [root1, ...proof] : [...proof];
  // 3.
  let fn = first - 1;
  let sn = second - 1;
  // 4.
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 5.
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  // 6.
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // 7.
  return equal(fr, root1) && equal(sr, root2) && sn === 0;
}
