/**
 * Proofs served from the stored tree. Any hash a proof needs is the MTH of a
 * range, which is a fold of perfect subtrees (merkle.ts); a perfect subtree's
 * hash is either stored (a leaf hash, or a node at level 8, 16, ...) or folded
 * from at most 128 stored hashes one tile-level below. Every request therefore
 * reads O(log n) tiles, never the log. Only sizes up to the latest checkpoint
 * are served: the stored nodes are written by the publisher as it signs.
 */
import {
  consistencyRanges,
  decompose,
  foldRight,
  inclusionRanges,
  perfectRoot,
  type Hash,
  type Range,
  type Subtree,
} from './merkle.js';
import { nodeKey, readLeafHashes, readNodes, type Queryable } from './store.js';

/** Stored node levels are multiples of this. */
export const TILE_HEIGHT = 8;

export class AuditIntegrityError extends Error {}

/** The stored hashes a subtree's hash is folded from: one stored subtree, or 2^k of one tile-level below. */
function sourcesOf(s: Subtree): Subtree[] {
  const base = s.level - (s.level % TILE_HEIGHT);
  const width = 2 ** (s.level - base);
  const first = s.index * width;
  return Array.from({ length: width }, (_, i) => ({ level: base, index: first + i }));
}

/** Hashes of perfect subtrees, in the order asked, in two queries. */
export async function subtreeHashes(db: Queryable, subtrees: readonly Subtree[]): Promise<Hash[]> {
  const plans = subtrees.map(sourcesOf);
  const leaves = new Set<number>();
  const nodes = new Map<string, Subtree>();
  for (const plan of plans) {
    for (const s of plan) {
      if (s.level === 0) leaves.add(s.index);
      else nodes.set(nodeKey(s.level, s.index), s);
    }
  }
  const [leafHashes, nodeHashes] = await Promise.all([readLeafHashes(db, [...leaves]), readNodes(db, [...nodes.values()])]);
  return plans.map((plan) =>
    perfectRoot(
      plan.map((s) => {
        const h = s.level === 0 ? leafHashes.get(s.index) : nodeHashes.get(nodeKey(s.level, s.index));
        if (!h) throw new AuditIntegrityError(`stored tree hash missing at level ${s.level}, index ${s.index}`);
        return h;
      }),
    ),
  );
}

/** MTH of each range (each a node of some RFC 9162 tree, or a prefix [0, n)). */
export async function rangeHashes(db: Queryable, ranges: readonly Range[]): Promise<Hash[]> {
  const parts = ranges.map((r) => decompose(r.start, r.end));
  const hashes = await subtreeHashes(db, parts.flat());
  let i = 0;
  return parts.map((p) => foldRight(p.map(() => hashes[i++]!)));
}

export async function inclusionProof(db: Queryable, index: number, treeSize: number): Promise<Hash[]> {
  return rangeHashes(db, inclusionRanges(index, treeSize));
}

export async function consistencyProof(db: Queryable, first: number, second: number): Promise<Hash[]> {
  return rangeHashes(db, consistencyRanges(first, second));
}

/** The hashes of the perfect subtrees covering [start, end), left to right (a "compact range"). */
export async function compactRange(db: Queryable, start: number, end: number): Promise<Hash[]> {
  return subtreeHashes(db, decompose(start, end));
}
