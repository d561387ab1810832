/**
 * A small seeded pseudo-random generator for synthetic data: sfc32 (Chris
 * Doty-Humphrey's Small Fast Counting generator, 128-bit state, period at
 * least 2^32 and about 2^127 on average; passes PractRand), seeded through
 * splitmix32 so that nearby seeds give unrelated streams. Pure and
 * deterministic: the same seed always gives the same sequence, on every
 * platform (32-bit integer arithmetic only). NOT for secrets: use
 * `cryptoRandom` in ../identifiers.ts for anything an attacker must not guess.
 */

export type Seed = number | string;

export interface Prng {
  /** Uniform in [0, 1), 32 bits of randomness. */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** An index chosen with probability proportional to `cumulative[i] - cumulative[i-1]` (see `cumulativeWeights`). */
  weightedIndex(cumulative: readonly number[]): number;
}

/** A 32-bit hash of a seed: numbers are taken modulo 2^32 (after truncation), strings are hashed (FNV-1a over UTF-16 units, then mixed). */
export function hashSeed(seed: Seed): number {
  if (typeof seed === 'number') {
    if (!Number.isFinite(seed)) throw new RangeError('seed must be a finite number or a string');
    return Math.trunc(seed) >>> 0;
  }
  if (typeof seed !== 'string') throw new RangeError('seed must be a finite number or a string');
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h >>> 0);
}

/** The splitmix32 / murmur3 finalizer: a bijection on 32-bit integers that spreads every input bit over the output. */
export function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Derives an independent 32-bit seed for a named sub-stream. */
export function deriveSeed(seed: Seed, label: string): number {
  return hashSeed(`${hashSeed(seed)}/${label}`);
}

export function createPrng(seed: Seed): Prng {
  // splitmix32 expands the 32-bit seed into sfc32's four words.
  let s = hashSeed(seed);
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    return mix32(s);
  };
  let a = split();
  let b = split();
  let c = split();
  let d = 1; // the counter word, as in the reference seeding
  const nextU32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs, which are correlated with the seed.
  for (let i = 0; i < 12; i++) nextU32();

  const next = (): number => nextU32() / 4294967296;
  return {
    next,
    int(min, max) {
      if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) throw new RangeError(`int(${min}, ${max}): need integers with min ≤ max`);
      return min + Math.floor(next() * (max - min + 1));
    },
    chance(p) {
      return next() < p;
    },
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('pick from an empty array');
      return items[Math.floor(next() * items.length)] as T;
    },
    weightedIndex(cumulative) {
      const total = cumulative[cumulative.length - 1];
      if (total === undefined || !(total > 0)) throw new RangeError('weightedIndex: empty or zero weights');
      const x = next() * total;
      // Binary search for the first cumulative weight above x.
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((cumulative[mid] as number) > x) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    },
  };
}

/** Running sums of non-negative weights, for `Prng.weightedIndex`. */
export function cumulativeWeights(weights: readonly number[]): number[] {
  let sum = 0;
  return weights.map((w) => {
    if (!(w >= 0)) throw new RangeError('weights must be non-negative numbers');
    sum += w;
    return sum;
  });
}
