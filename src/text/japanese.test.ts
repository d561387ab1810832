import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeKanaReading, normalizeText, toKatakana } from './japanese.js';

describe('normalizeText', () => {
  it.each([
    ['ﾁﾖﾀﾞｸ', 'チヨダク'], // half-width katakana, voiced mark composed
    ['ﾊﾟｽﾎﾟｰﾄ', 'パスポート'],
    ['ＡＢＣ１２３', 'ABC123'], // full-width Latin and digits
    ['ａｂｃ', 'abc'],
    ['千代田区１丁目', '千代田区1丁目'],
    ['（株）', '(株)'],
    ['１０２－００７１', '102-0071'],
    ['㈱', '(株)'],
    ['千代田区', '千代田区'], // kanji unchanged
    ['ちよだ', 'ちよだ'], // hiragana unchanged
  ])('folds %j to %j', (input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });

  it('composes decomposed kana (NFKC includes canonical composition)', () => {
    expect(normalizeText('\u304b\u3099')).toBe('が');
    expect(normalizeText('\u30cf\u309a')).toBe('パ');
  });

  it.each([
    ['  千代田区  ', '千代田区'],
    ['千代田区\u3000千代田', '千代田区 千代田'], // ideographic space
    ['a \t\n b', 'a b'],
    ['a\u00a0\u00a0b', 'a b'],
    ['\u3000\u3000', ''],
    ['', ''],
  ])('collapses and trims whitespace in %j', (input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });

  it('is idempotent (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const once = normalizeText(s);
        expect(normalizeText(once)).toBe(once);
        expect(once).toBe(once.trim());
        expect(once).not.toMatch(/\s{2}/);
      }),
    );
  });
});

describe('toKatakana', () => {
  it('converts every hiragana letter to its katakana', () => {
    expect(toKatakana('ぁあぃいぅうゔゕゖ')).toBe('ァアィイゥウヴヵヶ');
    expect(toKatakana('ちよだく')).toBe('チヨダク');
    expect(toKatakana('ゝゞ')).toBe('ヽヾ');
    // All of U+3041..U+3096 map to U+30A1..U+30F6.
    for (let c = 0x3041; c <= 0x3096; c++) {
      expect(toKatakana(String.fromCharCode(c))).toBe(String.fromCharCode(c + 0x60));
    }
  });

  it('leaves katakana, the long-vowel mark, kanji, Latin and digits alone', () => {
    expect(toKatakana('カタカナー漢字abc123')).toBe('カタカナー漢字abc123');
  });

  it('leaves the voiced-mark code points U+3099..U+309C alone', () => {
    expect(toKatakana('\u3099\u309a\u309b\u309c')).toBe('\u3099\u309a\u309b\u309c');
  });
});

describe('normalizeKanaReading', () => {
  it.each([
    ['チヨダク', 'チヨダク'],
    ['ちよだく', 'チヨダク'],
    ['ﾁﾖﾀﾞｸ', 'チヨダク'],
    ['ﾄｳｷｮｳﾄ', 'トウキョウト'],
    ['とうきょうと', 'トウキョウト'],
    ['ちゅうおうく', 'チュウオウク'],
    ['デジタルちょう', 'デジタルチョウ'],
    ['コーポ', 'コーポ'],
    ['ｺｰﾎﾟ', 'コーポ'],
    ['ゔぁいおりん', 'ヴァイオリン'],
    ['いすゞ', 'イスヾ'],
    ['\u304b\u3099', 'ガ'], // decomposed が
  ])('accepts %j as %j', (input, expected) => {
    expect(normalizeKanaReading(input)).toBe(expected);
  });

  it('stores spaces as ideographic spaces, collapsing runs and trimming', () => {
    expect(normalizeKanaReading('やまだ たろう')).toBe('ヤマダ\u3000タロウ');
    expect(normalizeKanaReading('ヤマダ\u3000\u3000タロウ')).toBe('ヤマダ\u3000タロウ');
    expect(normalizeKanaReading('  ﾔﾏﾀﾞ ﾀﾛｳ  ')).toBe('ヤマダ\u3000タロウ');
  });

  it('trims a trailing line break like other whitespace', () => {
    expect(normalizeKanaReading('チヨダ\n')).toBe('チヨダ');
  });

  it.each([
    ['千代田区', 'kanji'],
    ['ちよだ区', 'mixed kanji'],
    ['chiyoda', 'Latin'],
    ['ＣＨＩＹＯＤＡ', 'full-width Latin'],
    ['チヨダ1', 'digit'],
    ['チヨダ・ク', 'middle dot'],
    ['チヨダ-ク', 'hyphen'],
    ['チヨダ\u200b', 'zero-width space'],
    ['', 'empty'],
    ['   ', 'blank'],
    ['\u3000', 'ideographic space only'],
    ['ﾞ', 'lone half-width voiced mark'],
    ['\ue000', 'private use'],
    ['😀', 'emoji'],
  ])('rejects %j (%s)', (input) => {
    expect(normalizeKanaReading(input)).toBeNull();
  });

  it('returns only full-width katakana, long-vowel marks and ideographic spaces (property)', () => {
    const kanaUnit = fc.constantFrom(...'あいうえおかがきぎゃゅょっアイウエオカガキギャュョッーｱｲｳｰ ', 'ｶﾞ', 'ﾊﾟ', '\u304b\u3099', '\u3000');
    fc.assert(
      fc.property(fc.string({ unit: kanaUnit, minLength: 1, maxLength: 20 }), (s) => {
        const r = normalizeKanaReading(s);
        if (s.trim() === '') expect(r).toBeNull();
        else {
          expect(r).not.toBeNull();
          expect(r).toMatch(/^[\u30a1-\u30fa\u30fc\u30fd\u30fe]+(\u3000[\u30a1-\u30fa\u30fc\u30fd\u30fe]+)*$/);
          expect(normalizeKanaReading(r!)).toBe(r);
        }
      }),
    );
  });

  it('rejects any reading holding a CJK ideograph (property)', () => {
    const kana = fc.string({ unit: fc.constantFrom(...'あいうアイウ'), maxLength: 5 });
    const kanji = fc.integer({ min: 0x4e00, max: 0x9fff }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(kana, kanji, kana, (a, k, b) => {
        expect(normalizeKanaReading(a + k + b)).toBeNull();
      }),
    );
  });
});
