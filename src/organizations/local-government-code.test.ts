import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDigitFor, codeProblem, isWellFormedCode, prefectureCodeOf, withCheckDigit } from './local-government-code.js';
import { DIGITAL_AGENCY_CODE } from './organization.js';

/** r = (6a + 5b + 4c + 3d + 2e) mod 11, written independently of the module. */
function residue(fiveDigits: string): number {
  const w = [6, 5, 4, 3, 2];
  return [...fiveDigits].reduce((s, d, i) => s + Number(d) * w[i]!, 0) % 11;
}

const fiveDigits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 5, maxLength: 5 });
const validCode = fiveDigits.map(withCheckDigit);

describe('checkDigitFor', () => {
  it.each([
    ['131016', '千代田区'],
    ['011002', '札幌市'],
    ['130001', '東京都'],
    ['012131', '苫小牧市'],
    ['012050', '室蘭市'],
    ['010006', '北海道'],
    ['221309', '浜松市'],
    ['471003', '那覇市'],
    ['470007', '沖縄県'],
  ])('gives the check digit of %s (%s)', (code) => {
    expect(checkDigitFor(code.slice(0, 5))).toBe(Number(code[5]));
    expect(withCheckDigit(code.slice(0, 5))).toBe(code);
    expect(codeProblem(code)).toBeNull();
    expect(isWellFormedCode(code)).toBe(true);
  });

  it('maps r = 0 to 1 (苫小牧市 01213)', () => {
    expect(residue('01213')).toBe(0);
    expect(checkDigitFor('01213')).toBe(1);
  });

  it('maps r = 1 to 0 (室蘭市 01205)', () => {
    expect(residue('01205')).toBe(1);
    expect(checkDigitFor('01205')).toBe(0);
  });

  it('maps r = 10 to 1 as well', () => {
    const withTen = Array.from({ length: 100000 }, (_, i) => String(i).padStart(5, '0')).find((s) => residue(s) === 10)!;
    expect(checkDigitFor(withTen)).toBe(1);
  });

  it('gives 000001 for the Digital Agency', () => {
    expect(withCheckDigit('00000')).toBe(DIGITAL_AGENCY_CODE);
    expect(isWellFormedCode(DIGITAL_AGENCY_CODE)).toBe(true);
  });

  it.each(['', '1234', '123456', 'abcde', '1310a', '１３１０１', ' 1310', '1310 ', '13.01', '-1310'])(
    'refuses %j as input',
    (input) => {
      expect(() => checkDigitFor(input)).toThrow(RangeError);
      expect(() => withCheckDigit(input)).toThrow(RangeError);
    },
  );

  it('agrees with the formula for every five-digit input (property)', () => {
    fc.assert(
      fc.property(fiveDigits, (s) => {
        expect(checkDigitFor(s)).toBe((11 - residue(s)) % 10);
      }),
    );
  });
});

describe('codeProblem', () => {
  it.each([
    '',
    '13101',
    '1310160',
    '13101a',
    'abcdef',
    '１３１０１６', // full-width digits are not folded here
    ' 131016',
    '131016 ',
    '131016\n',
    '13-1016',
    '+31016',
    '1.3101',
  ])('reports a format problem for %j', (code) => {
    expect(codeProblem(code)).toBe('format');
    expect(isWellFormedCode(code)).toBe(false);
  });

  it.each(['131017', '131010', '011001', '130000', '012130', '012051', '000000'])('reports a check-digit problem for %s', (code) => {
    expect(codeProblem(code)).toBe('check_digit');
    expect(isWellFormedCode(code)).toBe(false);
  });
});

describe('prefectureCodeOf', () => {
  it.each([
    ['131016', '130001'],
    ['011002', '010006'],
    ['010006', '010006'],
    ['221384', '220001'],
    ['472158', '470007'],
  ])('%s belongs to %s', (code, pref) => {
    expect(prefectureCodeOf(code)).toBe(pref);
    expect(isWellFormedCode(prefectureCodeOf(code))).toBe(true);
  });
});

describe('properties', () => {
  it('withCheckDigit always gives a well-formed six-digit code that starts with its input', () => {
    fc.assert(
      fc.property(fiveDigits, (s) => {
        const code = withCheckDigit(s);
        expect(code).toMatch(/^[0-9]{6}$/);
        expect(code.startsWith(s)).toBe(true);
        expect(codeProblem(code)).toBeNull();
      }),
    );
  });

  it('exactly one check digit is valid for each five-digit prefix', () => {
    fc.assert(
      fc.property(fiveDigits, (s) => {
        const valid = [...'0123456789'].filter((d) => isWellFormedCode(s + d));
        expect(valid).toEqual([String(checkDigitFor(s))]);
      }),
    );
  });

  it('changing the check digit alone always invalidates a valid code', () => {
    fc.assert(
      fc.property(validCode, fc.integer({ min: 1, max: 9 }), (code, delta) => {
        const changed = code.slice(0, 5) + String((Number(code[5]) + delta) % 10);
        expect(codeProblem(changed)).toBe('check_digit');
      }),
    );
  });

  it('changing one of the five leading digits invalidates, unless the residues are 0 and 10 (both give check digit 1)', () => {
    fc.assert(
      fc.property(validCode, fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 9 }), (code, pos, delta) => {
        const digit = (Number(code[pos]) + delta) % 10;
        const changed = code.slice(0, pos) + String(digit) + code.slice(pos + 1);
        // Weights 6..2 and a change of 1..9 are both units mod 11, so r always changes;
        // the check digit collides only between r = 0 and r = 10.
        const before = residue(code.slice(0, 5));
        const after = residue(changed.slice(0, 5));
        expect(after).not.toBe(before);
        const coincide = new Set([before, after]).size === 2 && [before, after].every((r) => r === 0 || r === 10);
        expect(isWellFormedCode(changed)).toBe(coincide);
      }),
      { numRuns: 2000 },
    );
  });

  it('the single-digit-change collision really happens (r 0 ↔ 10)', () => {
    // 苫小牧市 012131 has r = 0; find a one-digit change of 01213 with r = 10.
    const hits: string[] = [];
    for (let pos = 0; pos < 5; pos++) {
      for (let d = 0; d < 10; d++) {
        const s = '01213'.slice(0, pos) + String(d) + '01213'.slice(pos + 1);
        if (s !== '01213' && isWellFormedCode(`${s}1`)) hits.push(s);
      }
    }
    expect(hits.length).toBeGreaterThan(0);
    for (const s of hits) expect(residue(s)).toBe(10);
  });

  it('arbitrary strings are well-formed only when they are six digits with the right check digit', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), (s) => {
        const ok = /^[0-9]{6}$/.test(s) && withCheckDigit(s.slice(0, 5)) === s;
        expect(isWellFormedCode(s)).toBe(ok);
      }),
    );
  });
});
