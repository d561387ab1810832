import { createSecretKey, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BLIND_INDEX_KINDS,
  BLIND_INDEX_LENGTH,
  canonicalInput,
  computeBlindIndex,
  myNumberCheckDigit,
  normalizeAddressForIndex,
  normalizeDate,
  normalizeKanaForIndex,
  normalizeMyNumber,
  normalizeNameForIndex,
  normalizeResidentCode,
  type BlindIndexInputs,
  type BlindIndexKind,
} from './blind-index.js';
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
    expect(rule(() => normalizeKanaForIndex('ア'.repeat(101)))).toBe('kana');
    expect(normalizeKanaForIndex('ア'.repeat(100))).toHaveLength(100);
  });

  it('folds small kana, ヴ, ヂヅ, ヰヱヲ and the long-vowel mark (src/text/search-folding.ts)', () => {
    expect(normalizeKanaForIndex('キョウコ')).toBe('キヨウコ');
    expect(normalizeKanaForIndex('ヴィクトリア')).toBe(normalizeKanaForIndex('ビクトリア'));
    expect(normalizeKanaForIndex('ジョーンズ')).toBe(normalizeKanaForIndex('ジョンズ'));
    expect(normalizeKanaForIndex('カヲル')).toBe(normalizeKanaForIndex('カオル'));
  });
});

describe('names as written and addresses', () => {
  it('folds old kanji forms, spaces and variation selectors', () => {
    expect(normalizeNameForIndex('齋藤 太郎')).toBe('斎藤太郎');
    expect(normalizeNameForIndex('渡邉\u{e0100}')).toBe('渡辺');
    expect(normalizeNameForIndex('smith john')).toBe('SMITHJOHN');
  });

  it('refuses names that are empty, too long, or not letters', () => {
    expect(rule(() => normalizeNameForIndex(' \u3000'))).toBe('name');
    expect(rule(() => normalizeNameForIndex('山田1'))).toBe('name');
    expect(rule(() => normalizeNameForIndex('山〓'))).toBe('name');
    expect(rule(() => normalizeNameForIndex('山\u0007'))).toBe('name');
    expect(rule(() => normalizeNameForIndex('山'.repeat(101)))).toBe('name');
    expect(rule(() => normalizeNameForIndex(42 as unknown as string))).toBe('type');
  });

  it('folds addresses and refuses empty ones', () => {
    expect(normalizeAddressForIndex('千代田一丁目1番1号')).toBe('千代田1-1-1');
    expect(rule(() => normalizeAddressForIndex('  '))).toBe('address');
    expect(rule(() => normalizeAddressForIndex('千代田\u0000'))).toBe('address');
    expect(rule(() => normalizeAddressForIndex('あ'.repeat(201)))).toBe('address');
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

  it('indexes every kind, and no two kinds give the same index for the same bytes', () => {
    const samples: { [K in BlindIndexKind]: BlindIndexInputs[K] } = {
      my_number: validMyNumber('12345678901'),
      resident_code: '12345678901',
      kana_name_dob: person,
      kana_name: 'やまだ たろう',
      kana_family_name: 'やまだ',
      kanji_name: '山田 太郎',
      kanji_family_name: '山田',
      date_of_birth: '1980-02-29',
      address_town: { town: '千代田一丁目' },
      address_block: { town: '千代田一丁目', block: '1番1号' },
    };
    expect(Object.keys(samples).sort()).toEqual([...BLIND_INDEX_KINDS].sort());
    const seen = new Set<string>();
    for (const kind of BLIND_INDEX_KINDS) {
      const index = computeBlindIndex(key, kind, samples[kind] as never);
      expect(index.length).toBe(BLIND_INDEX_LENGTH);
      seen.add(index.toString('hex'));
    }
    expect(seen.size).toBe(BLIND_INDEX_KINDS.length);
    // Same canonical bytes, different kinds: the kind inside the MAC keeps them apart.
    expect(canonicalInput('kana_name', 'ヤマダ').equals(canonicalInput('kana_family_name', 'ヤマダ'))).toBe(true);
    expect(computeBlindIndex(key, 'kana_name', 'ヤマダ').equals(computeBlindIndex(key, 'kana_family_name', 'ヤマダ'))).toBe(false);
    expect(computeBlindIndex(key, 'address_town', { town: '千代田1-1' }).equals(computeBlindIndex(key, 'address_block', { town: '千代田1', block: '1' }))).toBe(false);
  });

  it('matches readings, names and dates the way a counter types them', () => {
    const same = <K extends BlindIndexKind>(kind: K, a: BlindIndexInputs[K], b: BlindIndexInputs[K]) => computeBlindIndex(key, kind, a).equals(computeBlindIndex(key, kind, b));
    expect(same('kana_name', 'ヴィクトリア スミス', 'ビクトリア・スミス')).toBe(true);
    expect(same('kana_name', 'ｻｲﾄｳ ｷｮｳｺ', 'さいとう きようこ')).toBe(true);
    expect(same('kana_name', 'サイトウ', 'サイトオ')).toBe(false);
    expect(same('kana_family_name', 'ツヅキ', 'つずき')).toBe(true);
    expect(same('kanji_name', '齋藤 京子', '斉藤京子')).toBe(true);
    expect(same('kanji_name', '髙橋 一郎', '高橋　一郎')).toBe(true);
    expect(same('kanji_family_name', '渡邊', '渡辺')).toBe(true);
    expect(same('kanji_family_name', '佐藤', '加藤')).toBe(false);
    expect(same('date_of_birth', '１９８０/０２/２９', '19800229')).toBe(true);
    expect(same('kana_name_dob', { kana: 'キョウコ', dateOfBirth: '1980-02-29' }, { kana: 'きようこ', dateOfBirth: '1980/02/29' })).toBe(true);
    expect(rule(() => computeBlindIndex(key, 'date_of_birth', '1981-02-29'))).toBe('date');
    expect(rule(() => computeBlindIndex(key, 'kana_family_name', '山田'))).toBe('kana');
    expect(rule(() => computeBlindIndex(key, 'kanji_name', ''))).toBe('name');
  });

  it('indexes addresses at the town and at the block level', () => {
    const town = (t: string) => computeBlindIndex(key, 'address_town', { town: t });
    const block = (t: string, b: string) => computeBlindIndex(key, 'address_block', { town: t, block: b });
    expect(town('千代田一丁目').equals(town('千代田１丁目'))).toBe(true);
    expect(town('千代田一丁目').equals(town('千代田二丁目'))).toBe(false);
    const b = block('千代田一丁目', '1番1号');
    expect(block('千代田1丁目', '1-1').equals(b)).toBe(true);
    expect(block('千代田', '一丁目1番1号').equals(b)).toBe(true); // 丁目 on either side of the split
    expect(block('千代田１丁目', '１－１').equals(b)).toBe(true);
    expect(block('', '千代田1-1-1').equals(b)).toBe(true); // one free-text field
    expect(block('千代田1', '1').equals(block('千代田', '11'))).toBe(false); // the split never runs numbers together
    expect(block('千代田一丁目', '1番2号').equals(b)).toBe(false);
    // An Address record can be passed as it is.
    const address = { postalCode: '100-0001', prefecture: '東京都', municipality: '千代田区', town: '千代田一丁目', block: '1番1号', building: null };
    expect(computeBlindIndex(key, 'address_block', address).equals(b)).toBe(true);
    expect(computeBlindIndex(key, 'address_town', address).equals(town('千代田一丁目'))).toBe(true);
    expect(rule(() => block('千代田一丁目', ' '))).toBe('address');
    expect(rule(() => town(''))).toBe('address');
    expect(rule(() => computeBlindIndex(key, 'address_block', { town: '千代田' } as never))).toBe('type');
    expect(rule(() => computeBlindIndex(key, 'address_town', '千代田' as never))).toBe('type');
  });

  it('different values give different indexes (no collisions among many)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(computeBlindIndex(key, 'resident_code', String(10_000_000_000 + i)).toString('hex'));
    expect(seen.size).toBe(5000);
  });
});
