/**
 * Unique synthetic My Numbers and resident codes without remembering the ones
 * already issued. Pure.
 *
 * The n-th person of a run gets the image of a counter under a keyed
 * pseudo-random permutation of the identifier's base digits (10^11 for My
 * Numbers, 10^10 for resident codes): a 4-round Feistel network with modular
 * addition on two halves of the digits. A permutation never maps two counters
 * to one value, so a million people get a million distinct numbers in constant
 * memory, and they still look random (not cryptographically: 4 rounds of a
 * 32-bit mix are plenty for test data and nothing more).
 *
 * Counters are blocks of MAX_PEOPLE_PER_BLOCK per municipality: the My Number
 * counter starts at (5-digit city code) × 10^6, the resident code counter at
 * (the municipality's ordinal in the organization catalogue) × 10^6. The key
 * comes from the seed only, so runs with the SAME seed for different
 * municipalities never share a number either; runs with different seeds may
 * (by chance: about n1·n2 / 10^11 expected shared My Numbers).
 *
 * The numbers are valid but synthetic: any valid number may belong to a real
 * person, so synthetic data must never leave test and demo environments
 * mixed with real data.
 */
import { myNumberFrom, residentCodeFrom, type ResidentCodeScheme } from '../identifiers.js';
import { deriveSeed, mix32, type Seed } from './prng.js';

export const MAX_PEOPLE_PER_BLOCK = 1_000_000;

/**
 * A keyed bijection of [0, a·b): a 4-round Feistel network on the pair
 * (x div b, x mod b) with modular addition, each half in its own radix, so the
 * permutation covers exactly the domain (no cycle walking).
 */
export function keyedPermutation(a: number, b: number, key: number): (x: number) => number {
  for (const r of [a, b]) if (!Number.isInteger(r) || r < 2 || r > 2 ** 31) throw new RangeError('radixes must be integers in [2, 2^31]');
  const domain = a * b;
  if (!Number.isSafeInteger(domain)) throw new RangeError('domain too large');
  const [k0, k1, k2, k3] = [1, 2, 3, 4].map((r) => mix32((key ^ Math.imul(r, 0x9e3779b9)) >>> 0)) as [number, number, number, number];
  return (x: number): number => {
    if (!Number.isInteger(x) || x < 0 || x >= domain) throw new RangeError(`permutation input outside [0, ${domain})`);
    let l = Math.floor(x / b);
    let r = x - l * b;
    // (l, r) → (l + F(r) mod a, r) → (l, r + F(l) mod b) → … ; each step is invertible.
    l = (l + (mix32(r ^ k0) % a)) % a;
    r = (r + (mix32(l ^ k1) % b)) % b;
    l = (l + (mix32(r ^ k2) % a)) % a;
    r = (r + (mix32(l ^ k3) % b)) % b;
    return l * b + r;
  };
}

export interface SyntheticIdSource {
  /** The My Number of the person with this index in the run (0 ≤ index < MAX_PEOPLE_PER_BLOCK). */
  myNumber(index: number): string;
  /** The resident code of the person with this index in the run. */
  residentCode(index: number): string;
}

export function syntheticIds(options: {
  seed: Seed;
  /** The municipality's 5-digit code (the 6-digit code without its check digit). */
  cityCode5: string;
  /** A number below 10^4 that no other municipality of the same run uses. */
  ordinal: number;
  scheme: ResidentCodeScheme;
}): SyntheticIdSource {
  const { cityCode5, ordinal, scheme } = options;
  if (!/^[0-9]{5}$/.test(cityCode5)) throw new RangeError('cityCode5 must be 5 digits');
  if (!Number.isInteger(ordinal) || ordinal < 0 || ordinal >= 10_000) throw new RangeError('ordinal must be in [0, 10000)');
  const myNumberPerm = keyedPermutation(100_000, 1_000_000, deriveSeed(options.seed, 'my-number'));
  const residentCodePerm = keyedPermutation(100_000, 100_000, deriveSeed(options.seed, 'resident-code'));
  const myNumberBase = Number(cityCode5) * MAX_PEOPLE_PER_BLOCK;
  const residentCodeBase = ordinal * MAX_PEOPLE_PER_BLOCK;
  const check = (index: number) => {
    if (!Number.isInteger(index) || index < 0 || index >= MAX_PEOPLE_PER_BLOCK) throw new RangeError(`person index must be in [0, ${MAX_PEOPLE_PER_BLOCK})`);
  };
  return {
    myNumber(index) {
      check(index);
      return myNumberFrom(String(myNumberPerm(myNumberBase + index)).padStart(11, '0'));
    },
    residentCode(index) {
      check(index);
      return residentCodeFrom(String(residentCodePerm(residentCodeBase + index)).padStart(10, '0'), scheme);
    },
  };
}
