import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { myNumberCheckDigit } from '../security/keys/blind-index.js';
import {
  DEFAULT_RESIDENT_CODE_SCHEME,
  MUNICLOUD_MOD11_SCHEME,
  cryptoRandom,
  isValidMyNumber,
  isValidResidenceCardNumber,
  isValidResidentCode,
  myNumberFrom,
  newResidentCode,
  normalizeResidenceCardNumber,
  residentCodeFrom,
  type ResidentCodeScheme,
} from './identifiers.js';
import { createPrng } from './synthetic/prng.js';

const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });

describe('My Number', () => {
  it('accepts the documented example and rejects a wrong check digit', () => {
    expect(isValidMyNumber('123456789018')).toBe(true);
    for (let d = 0; d <= 9; d++) if (d !== 8) expect(isValidMyNumber(`12345678901${d}`)).toBe(false);
  });

  it('accepts only 12 ASCII digits', () => {
    for (const s of ['12345678901', '1234567890180', '１２３４５６７８９０１８', '1234-5678-9018', ' 123456789018', '', 'abcdefghijkl']) {
      expect(isValidMyNumber(s)).toBe(false);
    }
    expect(isValidMyNumber(123456789018 as unknown as string)).toBe(false);
  });

  it('myNumberFrom appends the check digit of blind-index.ts', () => {
    expect(myNumberFrom('12345678901')).toBe('123456789018');
    fc.assert(
      fc.property(digits(11), (first11) => {
        const n = myNumberFrom(first11);
        expect(n.slice(0, 11)).toBe(first11);
        expect(Number(n[11])).toBe(myNumberCheckDigit(first11));
        expect(isValidMyNumber(n)).toBe(true);
      }),
    );
  });

  it('myNumberFrom rejects anything but 11 ASCII digits', () => {
    for (const s of ['1234567890', '123456789012', '１２３４５６７８９０１', '1234567890a']) expect(() => myNumberFrom(s)).toThrow(RangeError);
  });
});

describe('resident code', () => {
  it('default scheme: mod 11 with the My Number weights (5 4 3 2 7 6 5 4 3 2)', () => {
    expect(DEFAULT_RESIDENT_CODE_SCHEME).toBe(MUNICLOUD_MOD11_SCHEME);
    // 1·5+2·4+3·3+4·2+5·7+6·6+7·5+8·4+9·3+0·2 = 195; 195 mod 11 = 8; 11 − 8 = 3
    expect(residentCodeFrom('1234567890')).toBe('12345678903');
    expect(isValidResidentCode('12345678903')).toBe(true);
    expect(isValidResidentCode('12345678904')).toBe(false);
    fc.assert(
      fc.property(digits(10), (first10) => {
        // The same weights as the My Number's last ten positions.
        expect(MUNICLOUD_MOD11_SCHEME.checkDigit(first10)).toBe(myNumberCheckDigit(`0${first10}`));
        expect(isValidResidentCode(residentCodeFrom(first10))).toBe(true);
      }),
    );
  });

  it('catches most single-digit errors', () => {
    let caught = 0;
    let total = 0;
    fc.assert(
      fc.property(digits(10), fc.nat(9), fc.integer({ min: 1, max: 9 }), (first10, at, delta) => {
        const code = residentCodeFrom(first10);
        const wrong = code.slice(0, at) + String((Number(code[at]) + delta) % 10) + code.slice(at + 1);
        total++;
        if (!isValidResidentCode(wrong)) caught++;
      }),
      { numRuns: 2000 },
    );
    expect(caught / total).toBeGreaterThan(0.85);
  });

  it('accepts only 11 ASCII digits', () => {
    for (const s of ['1234567890', '123456789030', '１２３４５６７８９０３', '1234567890a', '']) expect(isValidResidentCode(s)).toBe(false);
  });

  it('is pluggable', () => {
    const sumMod10: ResidentCodeScheme = {
      name: 'test-sum-mod10',
      checkDigit: (first10) => [...first10].reduce((a, c) => a + Number(c), 0) % 10,
    };
    expect(residentCodeFrom('1234567890', sumMod10)).toBe('12345678905');
    expect(isValidResidentCode('12345678905', sumMod10)).toBe(true);
    expect(isValidResidentCode('12345678905')).toBe(false);
    const broken: ResidentCodeScheme = { name: 'broken', checkDigit: () => 10 };
    expect(() => residentCodeFrom('1234567890', broken)).toThrow(RangeError);
  });

  it('newResidentCode draws ten digits from the random source (deterministic with a seeded PRNG)', () => {
    expect(newResidentCode(() => 0)).toBe(residentCodeFrom('0000000000'));
    expect(newResidentCode(() => 0.99999)).toBe(residentCodeFrom('9999999999'));
    const a = createPrng(42);
    const b = createPrng(42);
    const codes = Array.from({ length: 50 }, () => newResidentCode(() => a.next()));
    expect(Array.from({ length: 50 }, () => newResidentCode(() => b.next()))).toEqual(codes);
    for (const c of codes) expect(isValidResidentCode(c)).toBe(true);
    expect(new Set(codes).size).toBe(50);
  });

  it('newResidentCode rejects a random source outside [0, 1)', () => {
    for (const bad of [1, -0.1, Number.NaN, 7]) expect(() => newResidentCode(() => bad)).toThrow(RangeError);
  });

  it('cryptoRandom gives numbers in [0, 1) that drive newResidentCode', () => {
    const xs = Array.from({ length: 1000 }, cryptoRandom);
    for (const x of xs) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
    expect(new Set(xs).size).toBe(1000);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.4);
    expect(mean).toBeLessThan(0.6);
    expect(isValidResidentCode(newResidentCode(cryptoRandom))).toBe(true);
  });
});

describe('residence card number', () => {
  it('is two letters, eight digits, two letters', () => {
    expect(isValidResidenceCardNumber('AB12345678CD')).toBe(true);
    for (const s of ['AB1234567CD', 'AB123456789CD', 'A112345678CD', 'AB12345678C1', 'AB 12345678 CD', 'ÄB12345678CD', '', 'AB12345678CDE']) {
      expect(isValidResidenceCardNumber(s)).toBe(false);
    }
  });

  it('folds width and case (NFKC, then upper case)', () => {
    expect(normalizeResidenceCardNumber('ａｂ１２３４５６７８ｃｄ')).toBe('AB12345678CD');
    expect(normalizeResidenceCardNumber(' ab12345678cd ')).toBe('AB12345678CD');
    expect(isValidResidenceCardNumber('ＡＢ１２３４５６７８ＣＤ')).toBe(true);
    expect(normalizeResidenceCardNumber('AB-12345678-CD')).toBeNull();
  });
});
