import { createSecretKey, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLIND_INDEX_LENGTH, computeBlindIndex, myNumberCheckDigit, normalizeDate, normalizeKanaForIndex, normalizeMyNumber, normalizeResidentCode } from './blind-index.js';
import { KeyError } from './errors.js';

const key = createSecretKey(randomBytes(32));
const validMyNumber = (first11: string) => first11 + String(myNumberCheckDigit(first11));
const toFullWidth = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

function rule(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KeyError);
    expect((err as KeyError).code).toBe('blind_index_input_invalid');
    return (err as KeyError).rule;
  }
  throw new Error('expected a refusal');
}

describe('My Number', () => {
  it('computes the check digit of the published example 123456789018', () => {
    expect(myNumberCheckDigit('12345678901')).toBe(8);
    expect(normalizeMyNumber('1234 5678 9018')).toBe('123456789018');
  });

  it('accepts full-width digits, spaces and hyphens as the same number', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{11}$/), (first11) => {
        const n = validMyNumber(first11);
        const spaced = `${n.slice(0, 4)}-${n.slice(4, 8)} ${n.slice(8)}`;
        expect(computeBlindIndex(key, 'my_number', toFullWidth(spaced)).equals(computeBlindIndex(key, 'my_number', n))).toBe(true);
      }),
    );
  });

  it('refuses wrong lengths, letters and bad check digits, naming the rule and not the value', () => {
    expect(rule(() => normalizeMyNumber('12345678901'))).toBe('digits');
    expect(rule(() => normalizeMyNumber('12345678901a'))).toBe('digits');
    expect(rule(() => normalizeMyNumber('123456789017'))).toBe('check_digit');
    try {
      normalizeMyNumber('123456789017');
    } catch (err) {
      expect((err as Error).message).not.toContain('1234');
    }
  });
});

describe('resident code and dates', () => {
  it('normalizes resident codes to 11 ASCII digits', () => {
    expect(normalizeResidentCode('１２３４５-６７８９０１')).toBe('12345678901');
    expect(rule(() => normalizeResidentCode('1234567890'))).toBe('digits');
  });

  it('normalizes dates and refuses impossible ones', () => {
    expect(normalizeDate('1980-02-29')).toBe('1980-02-29');
    expect(normalizeDate('１９８０/０２/２９')).toBe('1980-02-29');
    expect(normalizeDate('19800229')).toBe('1980-02-29');
    expect(rule(() => normalizeDate('1981-02-29'))).toBe('date');
    expect(rule(() => normalizeDate('1981-13-01'))).toBe('date');
    expect(rule(() => normalizeDate('昭和55年'))).toBe('date');
  });
});

describe('kana readings', () => {
  it('folds hiragana, half-width katakana and spaces', () => {
    for (const v of ['やまだ たろう', 'ﾔﾏﾀﾞ ﾀﾛｳ', 'ヤマダ　タロウ', 'ヤマダタロウ', ' ヤマダ  タロウ ']) expect(normalizeKanaForIndex(v)).toBe('ヤマダタロウ');
  });

  it('refuses kanji and Latin letters', () => {
    expect(rule(() => normalizeKanaForIndex('山田太郎'))).toBe('kana');
    expect(rule(() => normalizeKanaForIndex('Yamada'))).toBe('kana');
    expect(rule(() => normalizeKanaForIndex('   '))).toBe('kana');
  });
});

describe('computeBlindIndex', () => {
  const person = { kana: 'やまだ たろう', dateOfBirth: '1980-02-29' };

  it('is 16 bytes, deterministic under one key and different under another', () => {
    const a = computeBlindIndex(key, 'kana_name_dob', person);
    expect(a.length).toBe(BLIND_INDEX_LENGTH);
    expect(computeBlindIndex(key, 'kana_name_dob', { kana: 'ﾔﾏﾀﾞﾀﾛｳ', dateOfBirth: '19800229' }).equals(a)).toBe(true);
    expect(computeBlindIndex(createSecretKey(randomBytes(32)), 'kana_name_dob', person).equals(a)).toBe(false);
  });

  it('separates kinds, and readings from dates', () => {
    // Same digits as a resident code and inside a My Number: different kinds never match.
    const mn = validMyNumber('12345678901');
    expect(computeBlindIndex(key, 'my_number', mn).equals(computeBlindIndex(key, 'resident_code', mn.slice(0, 11)))).toBe(false);
    expect(computeBlindIndex(key, 'kana_name_dob', person).equals(computeBlindIndex(key, 'kana_name_dob', { ...person, dateOfBirth: '1980-03-01' }))).toBe(false);
  });

  it('different values give different indexes (no collisions among many)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(computeBlindIndex(key, 'resident_code', String(10_000_000_000 + i)).toString('hex'));
    expect(seen.size).toBe(5000);
  });
});
