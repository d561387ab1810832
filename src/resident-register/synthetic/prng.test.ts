import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPrng, cumulativeWeights, deriveSeed, hashSeed, mix32 } from './prng.js';

const take = (seed: number | string, n: number) => {
  const p = createPrng(seed);
  return Array.from({ length: n }, () => p.next());
};

describe('createPrng', () => {
  it('is deterministic for a seed, and seeds differ', () => {
    expect(take(1, 100)).toEqual(take(1, 100));
    expect(take('千代田区', 100)).toEqual(take('千代田区', 100));
    expect(take(1, 100)).not.toEqual(take(2, 100));
    expect(take('a', 100)).not.toEqual(take('b', 100));
  });

  it('gives a fixed sequence (so synthetic data stays the same across versions and platforms)', () => {
    // If this changes, every synthetic population changes: only on purpose.
    expect(take(12345, 3).map((x) => x * 2 ** 32)).toEqual([1977310364, 4106765030, 1538400628]);
  });

  it('next() is in [0, 1) and roughly uniform', () => {
    const xs = take(7, 100_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const buckets = new Array<number>(10).fill(0);
    for (const x of xs) buckets[Math.floor(x * 10)]! += 1;
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });

  it('int(min, max) stays within both bounds and reaches them', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 20 }), (seed, min, width) => {
        const p = createPrng(seed);
        const seen = new Set<number>();
        for (let i = 0; i < 400; i++) {
          const v = p.int(min, min + width);
          expect(v).toBeGreaterThanOrEqual(min);
          expect(v).toBeLessThanOrEqual(min + width);
          seen.add(v);
        }
        if (width <= 5) expect(seen.size).toBe(width + 1);
      }),
      { numRuns: 50 },
    );
    expect(() => createPrng(1).int(3, 2)).toThrow(RangeError);
    expect(() => createPrng(1).int(0.5, 2)).toThrow(RangeError);
  });

  it('weightedIndex follows the weights', () => {
    const p = createPrng(3);
    const table = cumulativeWeights([1, 0, 3]);
    const counts = [0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[p.weightedIndex(table)]! += 1;
    expect(counts[1]).toBe(0);
    expect(counts[2]! / counts[0]!).toBeGreaterThan(2.8);
    expect(counts[2]! / counts[0]!).toBeLessThan(3.2);
    expect(() => p.weightedIndex([])).toThrow(RangeError);
    expect(() => cumulativeWeights([1, -1])).toThrow(RangeError);
  });

  it('pick and chance', () => {
    const p = createPrng(5);
    expect(() => p.pick([])).toThrow(RangeError);
    const picks = new Set(Array.from({ length: 200 }, () => p.pick(['a', 'b', 'c'])));
    expect(picks).toEqual(new Set(['a', 'b', 'c']));
    const hits = Array.from({ length: 10_000 }, () => p.chance(0.25)).filter(Boolean).length;
    expect(hits).toBeGreaterThan(2300);
    expect(hits).toBeLessThan(2700);
  });
});

describe('seeds', () => {
  it('hashSeed takes numbers modulo 2^32 and hashes strings', () => {
    expect(hashSeed(5)).toBe(5);
    expect(hashSeed(2 ** 32 + 5)).toBe(5);
    expect(hashSeed(-1)).toBe(2 ** 32 - 1);
    expect(hashSeed('x')).toBe(hashSeed('x'));
    expect(hashSeed('x')).not.toBe(hashSeed('y'));
    expect(() => hashSeed(Number.NaN)).toThrow(RangeError);
  });

  it('deriveSeed gives independent sub-streams', () => {
    expect(deriveSeed(1, 'a')).toBe(deriveSeed(1, 'a'));
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(1, 'b'));
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(2, 'a'));
  });

  it('mix32 is a bijection on a sample (no collisions)', () => {
    const out = new Set<number>();
    for (let i = 0; i < 100_000; i++) out.add(mix32(i));
    expect(out.size).toBe(100_000);
  });
});
