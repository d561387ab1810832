import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  consistencyRanges,
  decompose,
  EMPTY_ROOT,
  foldRight,
  Frontier,
  inclusionRanges,
  leafHash,
  nodeHash,
  perfectRoot,
  rootOf,
  splitPoint,
  subtreeEnd,
  subtreeStart,
  verifyConsistency,
  verifyInclusion,
  type Hash,
  type Range,
} from './merkle.js';

// ---------------------------------------------------------------------------
// A naive reference: RFC 9162 §2.1 transcribed literally, with its own hashing.

const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const refLeaf = (d: Uint8Array) => sha(Buffer.from([0]), d);
const refNode = (l: Uint8Array, r: Uint8Array) => sha(Buffer.from([1]), l, r);
const refK = (n: number) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};
function refMth(d: readonly Buffer[]): Buffer {
  if (d.length === 0) return sha();
  if (d.length === 1) return d[0]!;
  const k = refK(d.length);
  return refNode(refMth(d.slice(0, k)), refMth(d.slice(k)));
}
function refPath(m: number, d: readonly Buffer[]): Buffer[] {
  if (d.length === 1) return [];
  const k = refK(d.length);
  return m < k ? [...refPath(m, d.slice(0, k)), refMth(d.slice(k))] : [...refPath(m - k, d.slice(k)), refMth(d.slice(0, k))];
}
function refSubproof(m: number, d: readonly Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [refMth(d)];
  const k = refK(d.length);
  return m <= k
    ? [...refSubproof(m, d.slice(0, k), b), refMth(d.slice(k))]
    : [...refSubproof(m - k, d.slice(k), false), refMth(d.slice(0, k))];
}

const leaves = (n: number, seed = 0) => Array.from({ length: n }, (_, i) => refLeaf(Buffer.from(`leaf ${seed}:${i}`)));
const resolve = (hashes: readonly Buffer[]) => (r: Range) => refMth(hashes.slice(r.start, r.end));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => Buffer.from(s, 'hex');

// ---------------------------------------------------------------------------
// Known answers: the Certificate Transparency reference leaves and tree heads
// (RFC 6962 test data, as published with transparency-dev/merkle).

const CT_DATA = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(unhex);
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const CT_INCLUSION = [
  { index: 0, size: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { index: 5, size: 8, proof: ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
];
const CT_CONSISTENCY = [
  { first: 2, second: 8, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { first: 6, second: 8, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { first: 2, second: 5, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
];

describe('RFC 6962/9162 known answers', () => {
  const ctLeaves = CT_DATA.map(leafHash);

  it('hashes leaves and nodes with the 0x00 and 0x01 prefixes', () => {
    expect(hex(EMPTY_ROOT)).toBe(CT_ROOTS[0]);
    expect(hex(leafHash(new Uint8Array(0)))).toBe(CT_ROOTS[1]);
    expect(hex(nodeHash(ctLeaves[0]!, ctLeaves[1]!))).toBe(CT_ROOTS[2]);
  });

  it('gives the published root for every size 0..8', () => {
    for (let n = 0; n <= 8; n++) expect(hex(rootOf(ctLeaves.slice(0, n))), `size ${n}`).toBe(CT_ROOTS[n]);
  });

  it('builds and verifies the published inclusion proofs', () => {
    for (const v of CT_INCLUSION) {
      const proof = inclusionRanges(v.index, v.size).map((r) => rootOf(ctLeaves.slice(r.start, r.end)));
      expect(proof.map(hex)).toEqual(v.proof);
      expect(verifyInclusion(ctLeaves[v.index]!, v.index, v.size, v.proof.map(unhex), unhex(CT_ROOTS[v.size]!))).toBe(true);
    }
  });

  it('builds and verifies the published consistency proofs', () => {
    for (const v of CT_CONSISTENCY) {
      const proof = consistencyRanges(v.first, v.second).map((r) => rootOf(ctLeaves.slice(r.start, r.end)));
      expect(proof.map(hex)).toEqual(v.proof);
      expect(verifyConsistency(v.first, v.second, unhex(CT_ROOTS[v.first]!), unhex(CT_ROOTS[v.second]!), v.proof.map(unhex))).toBe(true);
    }
  });
});

describe('tree hashes against the reference', () => {
  it('root and frontier agree with the recursive MTH for every size up to 300', () => {
    const all = leaves(300);
    const f = new Frontier();
    expect(hex(f.root())).toBe(hex(refMth([])));
    for (let n = 1; n <= all.length; n++) {
      f.push(all[n - 1]!);
      expect(hex(f.root()), `size ${n}`).toBe(hex(refMth(all.slice(0, n))));
    }
  });

  it('a frontier rebuilt from its stored hashes continues the same tree', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 200 }), (a, b) => {
        const all = leaves(a + b, 7);
        const f = new Frontier();
        for (const h of all.slice(0, a)) f.push(h);
        const g = Frontier.from(a, f.hashes());
        for (const h of all.slice(a)) g.push(h);
        expect(hex(g.root())).toBe(hex(refMth(all)));
      }),
    );
  });

  it('reports every completed perfect subtree with its true position and hash', () => {
    const all = leaves(100, 3);
    const f = new Frontier();
    const seen: { level: number; index: number; hash: Hash }[] = [];
    for (const h of all) f.push(h, (s, hash) => seen.push({ ...s, hash }));
    expect(seen).toHaveLength(100 - 3); // 100 = 64 + 32 + 4: (64 − 1) + (32 − 1) + (4 − 1) complete internal nodes
    for (const s of seen) expect(hex(s.hash)).toBe(hex(refMth(all.slice(subtreeStart(s), subtreeEnd(s)))));
  });

  it('pushing whole subtrees equals pushing their leaves', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 150 }), fc.integer({ min: 0, max: 150 }), (start, extra) => {
        const all = leaves(start + extra, 11);
        const f = new Frontier();
        for (const h of all.slice(0, start)) f.push(h);
        for (const s of decompose(start, start + extra)) f.pushSubtree(s.level, refMth(all.slice(subtreeStart(s), subtreeEnd(s))));
        expect(hex(f.root())).toBe(hex(refMth(all)));
      }),
    );
  });

  it('perfectRoot and foldRight compose the MTH of tree nodes', () => {
    const all = leaves(64, 5);
    expect(hex(perfectRoot(all))).toBe(hex(refMth(all)));
    for (const n of [1, 5, 13, 33, 64]) {
      const parts = decompose(0, n).map((s) => refMth(all.slice(subtreeStart(s), subtreeEnd(s))));
      expect(hex(foldRight(parts))).toBe(hex(refMth(all.slice(0, n))));
    }
  });
});

describe('index arithmetic beyond 32 bits', () => {
  it('decomposes any range into aligned perfect subtrees that tile it exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 52 }), fc.integer({ min: 0, max: 2 ** 40 }), (start, length) => {
        const parts = decompose(start, start + length);
        let p = start;
        for (const s of parts) {
          expect(subtreeStart(s)).toBe(p);
          expect(subtreeStart(s) % 2 ** s.level).toBe(0);
          p = subtreeEnd(s);
        }
        expect(p).toBe(start + length);
      }),
    );
  });

  it('split points are the largest power of two below n', () => {
    expect(splitPoint(2)).toBe(1);
    expect(splitPoint(3)).toBe(2);
    expect(splitPoint(2 ** 31 + 1)).toBe(2 ** 31);
    expect(splitPoint(2 ** 33)).toBe(2 ** 32);
    expect(() => splitPoint(1)).toThrow(RangeError);
  });

  it('proof shapes are right for trees larger than 2^32', () => {
    const size = 2 ** 33 + 12_345;
    const index = 2 ** 32 + 7;
    const ranges = inclusionRanges(index, size);
    // Each range is a sibling: disjoint from the leaf and from each other, and together with the leaf they cover the tree.
    const covered = ranges.reduce((sum, r) => sum + (r.end - r.start), 1);
    expect(covered).toBe(size);
    expect(ranges.every((r) => index < r.start || index >= r.end)).toBe(true);
  });
});

describe('inclusion proofs against the reference', () => {
  const all = leaves(260, 1);

  it('every leaf of every size up to 70 has the reference path, and it verifies', () => {
    for (let n = 1; n <= 70; n++) {
      const tree = all.slice(0, n);
      const root = refMth(tree);
      for (let m = 0; m < n; m++) {
        const proof = inclusionRanges(m, n).map(resolve(tree));
        expect(proof.map(hex)).toEqual(refPath(m, tree).map(hex));
        expect(verifyInclusion(tree[m]!, m, n, proof, root)).toBe(true);
      }
    }
  });

  // Not the tree size alone: a path's shape need not pin it (leaf 0 of 65 and of 66 leaves have
  // paths of the same shape). The signed checkpoint binds size and root together.
  it('refuses a proof with any change: leaf, index, root, a flipped bit, a missing, extra or swapped hash', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 260 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }))), fc.nat(), ([n, m], pick) => {
        const tree = all.slice(0, n);
        const root = refMth(tree);
        const proof = refPath(m, tree);
        expect(verifyInclusion(tree[m]!, m, n, proof, root)).toBe(true);
        expect(verifyInclusion(refLeaf(Buffer.from('other')), m, n, proof, root)).toBe(false);
        if (n > 1) expect(verifyInclusion(tree[m]!, (m + 1) % n, n, proof, root)).toBe(false);
        expect(verifyInclusion(tree[m]!, m, m, proof, root)).toBe(false);
        expect(verifyInclusion(tree[m]!, m, n, proof, refMth(tree.slice(0, n - 1)))).toBe(false);
        expect(verifyInclusion(tree[m]!, m, n, [...proof, refLeaf(Buffer.from('x'))], root)).toBe(false);
        if (proof.length > 0) {
          const flipped = proof.map((p) => Buffer.from(p));
          const i = pick % proof.length;
          const target = flipped[i]!;
          target[pick % 32] = target[pick % 32]! ^ (1 << pick % 8);
          expect(verifyInclusion(tree[m]!, m, n, flipped, root)).toBe(false);
          expect(verifyInclusion(tree[m]!, m, n, proof.slice(0, -1), root)).toBe(false);
          if (proof.length > 1 && !proof[0]!.equals(proof[1]!)) {
            expect(verifyInclusion(tree[m]!, m, n, [proof[1]!, proof[0]!, ...proof.slice(2)], root)).toBe(false);
          }
          expect(verifyInclusion(tree[m]!, m, n, [Buffer.alloc(31), ...proof.slice(1)], root)).toBe(false);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('consistency proofs against the reference', () => {
  const all = leaves(260, 2);

  it('every pair of sizes up to 64 has the reference proof, and it verifies', () => {
    for (let n = 1; n <= 64; n++) {
      const tree = all.slice(0, n);
      for (let m = 1; m < n; m++) {
        const proof = consistencyRanges(m, n).map(resolve(tree));
        expect(proof.map(hex), `${m}→${n}`).toEqual(refSubproof(m, tree, true).map(hex));
        expect(verifyConsistency(m, n, refMth(tree.slice(0, m)), refMth(tree), proof)).toBe(true);
      }
    }
  });

  it('handles the trivial cases: equal sizes and the empty first tree', () => {
    const r5 = refMth(all.slice(0, 5));
    expect(consistencyRanges(5, 5)).toEqual([]);
    expect(verifyConsistency(5, 5, r5, r5, [])).toBe(true);
    expect(verifyConsistency(5, 5, r5, refMth(all.slice(0, 6)), [])).toBe(false);
    expect(verifyConsistency(5, 5, r5, r5, [r5])).toBe(false);
    expect(verifyConsistency(0, 5, EMPTY_ROOT, r5, [])).toBe(true);
    expect(verifyConsistency(0, 5, r5, r5, [])).toBe(false);
    expect(verifyConsistency(6, 5, r5, r5, [])).toBe(false);
    expect(verifyConsistency(3, 5, refMth(all.slice(0, 3)), r5, [])).toBe(false);
  });

  it('refuses a proof with any change: roots, first size, a flipped bit, a missing, extra or swapped hash', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 260 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: n - 1 }))), fc.nat(), ([n, m], pick) => {
        const tree = all.slice(0, n);
        const r1 = refMth(tree.slice(0, m));
        const r2 = refMth(tree);
        const proof = refSubproof(m, tree, true);
        expect(verifyConsistency(m, n, r1, r2, proof)).toBe(true);
        expect(verifyConsistency(m, n, r2, r2, proof)).toBe(false);
        expect(verifyConsistency(m, n, r1, r1, proof)).toBe(false);
        if (m > 1) expect(verifyConsistency(m - 1, n, refMth(tree.slice(0, m - 1)), r2, proof)).toBe(false);
        expect(verifyConsistency(m, n, r1, r2, [...proof, r1])).toBe(false);
        expect(verifyConsistency(m, n, r1, r2, proof.slice(0, -1))).toBe(false);
        const flipped = proof.map((p) => Buffer.from(p));
        const target = flipped[pick % proof.length]!;
        target[pick % 32] = target[pick % 32]! ^ (1 << pick % 8);
        expect(verifyConsistency(m, n, r1, r2, flipped)).toBe(false);
        if (proof.length > 1 && !proof[0]!.equals(proof[1]!)) {
          expect(verifyConsistency(m, n, r1, r2, [proof[1]!, proof[0]!, ...proof.slice(2)])).toBe(false);
        }
      }),
      { numRuns: 400 },
    );
  });
});
