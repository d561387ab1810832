import { describe, expect, it } from 'vitest';
import { DEFAULT_RESIDENT_CODE_SCHEME, isValidMyNumber, isValidResidentCode, type ResidentCodeScheme } from '../identifiers.js';
import { keyedPermutation, MAX_PEOPLE_PER_BLOCK, syntheticIds } from './ids.js';

describe('keyedPermutation', () => {
  it('is a bijection of [0, a·b) (exhaustive on small domains)', () => {
    for (const [a, b, key] of [
      [2, 2, 1],
      [37, 101, 7],
      [100, 100, 0xdeadbeef],
      [1000, 7, 42],
    ] as const) {
      const p = keyedPermutation(a, b, key);
      const seen = new Uint8Array(a * b);
      for (let x = 0; x < a * b; x++) {
        const y = p(x);
        expect(Number.isInteger(y) && y >= 0 && y < a * b).toBe(true);
        seen[y] = 1;
      }
      expect(seen.every((v) => v === 1)).toBe(true);
    }
  });

  it('depends on the key and scatters consecutive inputs', () => {
    const p = keyedPermutation(100_000, 1_000_000, 1);
    const q = keyedPermutation(100_000, 1_000_000, 2);
    const ps = Array.from({ length: 100 }, (_, i) => p(i));
    expect(ps).not.toEqual(Array.from({ length: 100 }, (_, i) => q(i)));
    // Not a sequence: consecutive counters land far apart.
    const gaps = ps.slice(1).map((y, i) => Math.abs(y - (ps[i] as number)));
    expect(gaps.filter((g) => g < 1_000_000).length).toBeLessThan(5);
  });

  it('rejects inputs outside the domain', () => {
    const p = keyedPermutation(10, 10, 1);
    for (const x of [-1, 100, 1.5, Number.NaN]) expect(() => p(x)).toThrow(RangeError);
  });
});

describe('syntheticIds', () => {
  const ids = (seed: number, cityCode5: string, ordinal: number, scheme: ResidentCodeScheme = DEFAULT_RESIDENT_CODE_SCHEME) =>
    syntheticIds({ seed, cityCode5, ordinal, scheme });

  it('gives valid, unique numbers for a whole block', () => {
    const s = ids(1, '13101', 5);
    const myNumbers = new Set<string>();
    const codes = new Set<string>();
    let invalid = 0;
    for (let i = 0; i < 100_000; i++) {
      const n = s.myNumber(i);
      const c = s.residentCode(i);
      if (!isValidMyNumber(n) || !isValidResidentCode(c)) invalid++;
      myNumbers.add(n);
      codes.add(c);
    }
    expect(invalid).toBe(0);
    expect(myNumbers.size).toBe(100_000);
    expect(codes.size).toBe(100_000);
    // The last index of a block works too.
    expect(isValidMyNumber(s.myNumber(MAX_PEOPLE_PER_BLOCK - 1))).toBe(true);
    expect(() => s.myNumber(MAX_PEOPLE_PER_BLOCK)).toThrow(RangeError);
    expect(() => s.residentCode(-1)).toThrow(RangeError);
  });

  it('keeps municipalities of one seed apart', () => {
    const a = ids(9, '13101', 1000);
    const b = ids(9, '01101', 10);
    const fromA = new Set(Array.from({ length: 20_000 }, (_, i) => a.myNumber(i)));
    const codesA = new Set(Array.from({ length: 20_000 }, (_, i) => a.residentCode(i)));
    let shared = 0;
    for (let i = 0; i < 20_000; i++) if (fromA.has(b.myNumber(i)) || codesA.has(b.residentCode(i))) shared++;
    expect(shared).toBe(0);
  });

  it('uses the given resident code scheme', () => {
    const sumMod10: ResidentCodeScheme = { name: 'sum', checkDigit: (d) => [...d].reduce((x, c) => x + Number(c), 0) % 10 };
    const c = ids(1, '13101', 1, sumMod10).residentCode(0);
    expect(isValidResidentCode(c, sumMod10)).toBe(true);
  });

  it('validates its options', () => {
    expect(() => ids(1, '1310', 1)).toThrow(RangeError);
    expect(() => ids(1, '13101', 10_000)).toThrow(RangeError);
  });
});
