import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KANJI_VARIANT_GROUPS, KANJI_VARIANTS } from './kanji-variants.js';
import { foldAddress, foldKana, foldKanjiName, foldKanjiVariants, kanjiNumeralToDigits } from './search-folding.js';

// ---- helpers ---------------------------------------------------------------

/** Full-width katakana → half-width (ｶﾞ for ガ), built from Unicode's own half-width block. */
const HALF_WIDTH = (() => {
  const map = new Map<string, string>();
  for (let c = 0xff66; c <= 0xff9d; c++) {
    const half = String.fromCharCode(c);
    map.set(half.normalize('NFKC'), half);
    for (const mark of ['\uff9e', '\uff9f']) {
      const full = (half + mark).normalize('NFKC');
      if ([...full].length === 1) map.set(full, half + mark);
    }
  }
  return map;
})();
const toHalfWidth = (s: string) => Array.from(s, (ch) => HALF_WIDTH.get(ch) ?? ch).join('');
const toHiragana = (s: string) => s.replace(/[\u30a1-\u30f6]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0x60));
const toFullWidthAscii = (s: string) => s.replace(/[!-~]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));

const isPrivateUse = (cp: number) => (cp >= 0xe000 && cp <= 0xf8ff) || (cp >= 0xf0000 && cp <= 0xffffd) || (cp >= 0x100000 && cp <= 0x10fffd);

/** 1..9999 in kanji, the way addresses write them (二十三, 百一). */
function kanjiNumber(n: number): string {
  const digits = '〇一二三四五六七八九';
  let out = '';
  for (const [unit, name] of [[1000, '千'], [100, '百'], [10, '十']] as const) {
    const d = Math.floor(n / unit) % 10;
    if (d > 0) out += (d === 1 ? '' : digits[d]) + name;
  }
  return out + (n % 10 > 0 ? digits[n % 10] : '');
}

const katakanaUnit = fc.constantFrom(...'アイウエオカガキギクグケゲコゴサザシジスズセゼソゾタダチヂツヅテデトドナニヌネノハバパヒビピフブプヘベペホボポマミムメモヤユヨラリルレロワヰヱヲンヴァィゥェォッャュョヮヵヶー');
const katakana = fc.string({ unit: katakanaUnit, minLength: 1, maxLength: 16 });
const FOLDED = /^[アイウエオカ-ヂツ-モヤユヨ-ロワン]+$/u;

// ---- foldKana --------------------------------------------------------------

describe('foldKana', () => {
  it.each([
    ['やまだ たろう', 'ヤマダタロウ'],
    ['ﾔﾏﾀﾞ ﾀﾛｳ', 'ヤマダタロウ'],
    ['ヤマダ\u3000タロウ', 'ヤマダタロウ'],
    ['  ヤマダ\u00a0 タロウ\n', 'ヤマダタロウ'],
    ['キョウコ', 'キヨウコ'], // small kana fold: キョウコ = キヨウコ
    ['キヨウコ', 'キヨウコ'],
    ['ハットリ', 'ハツトリ'],
    ['ㇰㇱㇲ', 'クシス'], // small Ainu katakana
    ['ヵヶ', 'カケ'],
    ['ゕゖ', 'カケ'],
    ['ヴィクトリア', 'ビクトリア'],
    ['ビクトリア', 'ビクトリア'],
    ['ヴァイオリン', 'バイオリン'],
    ['ゔぁいおりん', 'バイオリン'],
    ['ヴェルディ', 'ベルデイ'],
    ['ヴォルフ', 'ボルフ'],
    ['ヴ', 'ブ'],
    ['ヷヸヹヺ', 'バビベボ'],
    ['ジョーンズ', 'ジヨンズ'], // the long-vowel mark is dropped
    ['ジョンズ', 'ジヨンズ'],
    ['ジョ－ンズ', 'ジヨンズ'], // full-width hyphen typed for ー
    ['ｼﾞｮｰﾝｽﾞ', 'ジヨンズ'],
    ['ジョ―ンズ', 'ジヨンズ'], // U+2015
    ['ジャン＝ポール・サルトル', 'ジヤンポルサルトル'],
    ['ジャン゠ポール', 'ジヤンポル'],
    ['スミス,ジョン', 'スミスジヨン'],
    ['カヲル', 'カオル'],
    ['ヱミ', 'エミ'],
    ['ヰ', 'イ'],
    ['ツヅキ', 'ツズキ'],
    ['ちぢみ', 'チジミ'],
    ['いすゞ', 'イスズ'], // iteration marks
    ['イスヾ', 'イスズ'],
    ['ささき', 'ササキ'],
    ['サヽキ', 'ササキ'],
    ['ハ゛ナナ', 'バナナ'], // stand-alone voiced mark
    ['ﾊﾟﾝ', 'パン'],
    ['\u304b\u3099', 'ガ'],
    ['チヨダ\u200b', 'チヨダ'], // zero-width space
    ['ゟ', 'ヨリ'], // NFKC
  ])('folds %j to %j', (input, expected) => {
    expect(foldKana(input)).toBe(expected);
  });

  it('keeps voiced and semi-voiced kana apart', () => {
    expect(foldKana('ヤマサキ')).not.toBe(foldKana('ヤマザキ'));
    expect(foldKana('ハン')).not.toBe(foldKana('パン'));
  });

  it.each([
    ['山田', 'kanji'],
    ['やまだ太郎', 'mixed kanji'],
    ['Yamada', 'Latin'],
    ['ヤマダ1', 'digit'],
    ['', 'empty'],
    ['   ', 'blank'],
    ['・ー', 'separators only'],
    ['ヽ', 'iteration mark with nothing to repeat'],
    ['ﾞ', 'lone voiced mark'],
    ['\ue000', 'private use'],
    ['😀', 'emoji'],
  ])('rejects %j (%s)', (input) => {
    expect(foldKana(input)).toBeNull();
  });

  it.each([
    ['ッ゛', 'ズ'],
    ['ゥ゛', 'ブ'],
  ])('folds a small kana that a voiced mark then composes with, %j, in one pass', (input, folded) => {
    expect(foldKana(input)).toBe(folded);
    expect(foldKana(folded)).toBe(folded);
  });

  it('returns only large full-width katakana, and is idempotent (property)', () => {
    const unit = fc.oneof(katakanaUnit, fc.constantFrom(' ', '\u3000', '・', 'ｶﾞ', 'ﾊﾟ', 'ゃ', 'ぢ', 'ゝ', 'ヾ', '゛', '－'));
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 20 }), (s) => {
        const r = foldKana(s);
        if (r !== null) {
          expect(r).toMatch(FOLDED);
          expect(foldKana(r)).toBe(r);
        }
      }),
    );
  });

  it('is idempotent on any input (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const r = foldKana(s);
        if (r !== null) expect(foldKana(r)).toBe(r);
      }),
    );
  });

  it('does not depend on width, script (hiragana) or separators (property)', () => {
    const sep = fc.constantFrom(' ', '\u3000', '・', '･', '  ');
    fc.assert(
      fc.property(katakana, fc.array(fc.tuple(fc.nat(), sep), { maxLength: 3 }), (s, seps) => {
        const r = foldKana(s);
        expect(foldKana(toHalfWidth(s))).toBe(r);
        expect(foldKana(toHiragana(s))).toBe(r);
        let spaced = s;
        for (const [at, x] of seps) {
          const i = at % (spaced.length + 1);
          spaced = spaced.slice(0, i) + x + spaced.slice(i);
        }
        expect(foldKana(spaced)).toBe(r);
      }),
    );
  });

  it('rejects any reading holding a CJK ideograph or an ASCII letter or digit (property)', () => {
    const intruder = fc.oneof(
      fc.integer({ min: 0x4e00, max: 0x9fff }).map((c) => String.fromCharCode(c)),
      fc.constantFrom(...'AZaz09Ａ１'),
    );
    fc.assert(
      fc.property(katakana, intruder, katakana, (a, x, b) => {
        expect(foldKana(a + x + b)).toBeNull();
      }),
    );
  });
});

// ---- the kanji variant table ----------------------------------------------

describe('kanji variant table', () => {
  const entries = [...KANJI_VARIANTS];

  it('holds at least 300 pairs, one code point each, no key twice', () => {
    expect(entries.length).toBeGreaterThanOrEqual(300);
    const keys = KANJI_VARIANT_GROUPS.flatMap(([, variants]) => [...variants]);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(entries.length);
    for (const [k, v] of entries) {
      expect([...k], k).toHaveLength(1);
      expect([...v], v).toHaveLength(1);
      expect(k).not.toBe(v);
    }
  });

  it('never maps from or to a private-use code point', () => {
    for (const [k, v] of entries) {
      expect(isPrivateUse(k.codePointAt(0)!), `key ${k}`).toBe(false);
      expect(isPrivateUse(v.codePointAt(0)!), `value ${v}`).toBe(false);
    }
  });

  it('has no chains: no value is itself a key, so folding is idempotent', () => {
    for (const [k, v] of entries) {
      expect(KANJI_VARIANTS.has(v), `${k} → ${v}`).toBe(false);
      expect(foldKanjiVariants(foldKanjiVariants(k))).toBe(foldKanjiVariants(k));
    }
  });

  it('holds only ideographs that NFKC leaves alone (NFKC runs first, so others could never be looked up)', () => {
    for (const [k, v] of entries) {
      expect(k.normalize('NFKC'), `key ${k}`).toBe(k);
      expect(v.normalize('NFKC'), `value ${v}`).toBe(v);
      expect(k).toMatch(/^\p{Script=Han}$/u);
      expect(v).toMatch(/^\p{Script=Han}$/u);
    }
  });
});

// ---- foldKanjiName --------------------------------------------------------

describe('foldKanjiName', () => {
  it.each([
    ['齋藤', '斎藤'],
    ['齊藤', '斎藤'],
    ['斉藤', '斎藤'],
    ['斎藤', '斎藤'],
    ['髙橋', '高橋'],
    ['髙槗', '高橋'],
    ['山﨑', '山崎'], // U+FA11, which NFKC leaves alone
    ['山嵜', '山崎'],
    ['渡邊', '渡辺'],
    ['渡邉', '渡辺'],
    ['渡邉\u{e0100}', '渡辺'], // an ideographic variation sequence
    ['澤田', '沢田'],
    ['濱田', '浜田'],
    ['濵田', '浜田'],
    ['廣瀬', '広瀬'],
    ['廣瀨', '広瀬'],
    ['國分', '国分'],
    ['櫻井', '桜井'],
    ['關', '関'],
    ['眞理子', '真理子'],
    ['德川', '徳川'],
    ['惠子', '恵子'],
    ['大嶋', '大島'],
    ['大嶌', '大島'],
    ['冨田', '富田'],
    ['藤原', '藤原'],
    ['篭橋', '籠橋'],
    ['龍之介', '竜之介'],
    ['𠮷田', '吉田'],
    ['曾根', '曽根'],
    ['瀧本', '滝本'],
    ['峯岸', '峰岸'],
    ['薗田', '園田'],
    ['內田', '内田'],
    ['戶田', '戸田'],
    ['佐々木', '佐佐木'],
    ['佐佐木', '佐佐木'],
    ['三ヶ島', '三ケ島'],
    ['三ケ島', '三ケ島'],
    ['山田 太郎', '山田太郎'],
    ['山田\u3000太郎', '山田太郎'],
    ['SMITH, John', 'SMITHJOHN'],
    ['ｓｍｉｔｈ　ｊｏｈｎ', 'SMITHJOHN'],
    ["O'Brien Mary-Jane", 'OBRIENMARYJANE'],
    ['ジョン・スミス', 'ジョンスミス'],
    ['ｻｸﾗ', 'サクラ'],
    ['さくら', 'さくら'], // kana as written stay as they are
    ['\ufa45', '海'], // compatibility ideograph: NFKC
    ['\u8fbb\ufe00', '辻'], // standardized variation selector
  ])('folds %j to %j', (input, expected) => {
    expect(foldKanjiName(input)).toBe(expected);
  });

  it('folds every variant in the table to its modern form', () => {
    for (const [k, v] of KANJI_VARIANTS) expect(foldKanjiName(`山${k}`), k).toBe(`山${v}`);
  });

  it('leaves private-use characters (外字) alone, and never produces one from other input', () => {
    expect(foldKanjiName('山\ue000')).toBe('山\ue000');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        for (const ch of foldKanjiName(s)) if (isPrivateUse(ch.codePointAt(0)!)) expect(s).toContain(ch);
      }),
    );
  });

  const nameUnit = fc.oneof(
    fc.constantFrom(...KANJI_VARIANTS.keys(), ...KANJI_VARIANTS.values()),
    fc.constantFrom('々', ' ', '\u3000', '・', '\ufe00', '\u{e0100}', '\u200b', 'ヶ', 'ｶﾞ', '゛', 'a', 'Ｚ', '-', "'", '山', '田'),
  );

  it('composes a voiced mark with the ケ that ヶ becomes, in one pass', () => {
    expect(foldKanjiName('ヶ゛')).toBe('ゲ');
    expect(foldKanjiName('ゲ')).toBe('ゲ');
    expect(foldKanjiName('ト々\u3099')).toBe('トド');
  });

  it('is idempotent (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: nameUnit, maxLength: 12 }), fc.string({ unit: 'grapheme' })), (s) => {
        const once = foldKanjiName(s);
        expect(foldKanjiName(once)).toBe(once);
      }),
    );
  });

  it('ignores spaces, variation selectors and width (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: nameUnit, minLength: 1, maxLength: 8 }), (s) => {
        const r = foldKanjiName(s);
        expect(foldKanjiName(Array.from(s).join(' '))).toBe(r);
        expect(foldKanjiName(toFullWidthAscii(s))).toBe(r);
        expect(foldKanjiName(s.replace(/\p{Script=Han}/gu, (c) => `${c}\u{e0101}`))).toBe(r);
      }),
    );
  });
});

// ---- foldAddress ----------------------------------------------------------

describe('kanjiNumeralToDigits', () => {
  it.each([
    ['一', '1'],
    ['十', '10'],
    ['十一', '11'],
    ['二十', '20'],
    ['二十三', '23'],
    ['百', '100'],
    ['百一', '101'],
    ['三百五', '305'],
    ['千二百三十四', '1234'],
    ['一二三', '123'],
    ['一〇', '10'],
    ['二○五', '205'],
  ])('reads %j as %j', (run, digits) => {
    expect(kanjiNumeralToDigits(run)).toBe(digits);
  });

  it.each(['', '十十', '一二十', '十百', '千〇', '九十九一', '山'])('refuses %j', (run) => {
    expect(kanjiNumeralToDigits(run)).toBeNull();
  });

  it('reads every number from 1 to 9999 written in kanji (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), (n) => {
        expect(kanjiNumeralToDigits(kanjiNumber(n))).toBe(String(n));
      }),
    );
  });
});

describe('foldAddress', () => {
  it.each([
    ['千代田一丁目1番1号', '千代田1-1-1'],
    ['千代田1-1-1', '千代田1-1-1'],
    ['千代田１丁目１－１', '千代田1-1-1'],
    ['千代田1丁目1番地の1', '千代田1-1-1'],
    ['千代田一丁目一番一号', '千代田1-1-1'],
    ['千代田 1丁目 1番 1号', '千代田1-1-1'],
    ['千代田1‐1‐1', '千代田1-1-1'], // U+2010
    ['千代田1−1−1', '千代田1-1-1'], // U+2212
    ['千代田1ー1ー1', '千代田1-1-1'], // long-vowel mark typed as a hyphen
    ['千代田1の1の1', '千代田1-1-1'],
    ['千代田一丁目', '千代田1'],
    ['千代田1丁目', '千代田1'],
    ['千代田１', '千代田1'],
    ['一番町', '一番町'], // 番町 is part of the town name
    ['一番町1番地', '一番町1'],
    ['四番町5-2', '四番町5-2'],
    ['六本木一丁目', '六本木1'], // 六 in the name stays
    ['九段北二十三丁目', '九段北23'],
    ['北一条西二丁目1番地', '北1条西2-1'], // Sapporo's 条
    ['北1条西2丁目1', '北1条西2-1'],
    ['第三地割', '第3地割'],
    ['大字上野123番地', '上野123'],
    ['上野123', '上野123'],
    ['百一番地の二', '101-2'],
    ['一二三番地', '123'],
    ['霞が関一丁目', '霞ケ関1'],
    ['霞ヶ関1丁目', '霞ケ関1'],
    ['霞ケ関１丁目', '霞ケ関1'],
    ['一ノ宮三丁目', '一の宮3'],
    ['一の宮3丁目', '一の宮3'],
    ['龍ケ崎', '竜ケ崎'],
    ['竜ヶ崎', '竜ケ崎'],
    ['ニュ―タウン', 'ニュータウン'],
    ['ﾆｭｰﾀｳﾝ', 'ニュータウン'],
    ['千代田01-002', '千代田1-2'],
    ['1-1-1A', '1-1-1A'],
    ['1-1-1a', '1-1-1A'],
    ['', ''],
    ['丁目', '丁目'],
  ])('folds %j to %j', (input, expected) => {
    expect(foldAddress(input)).toBe(expected);
  });

  it('keeps different blocks apart', () => {
    expect(foldAddress('千代田1-1-1')).not.toBe(foldAddress('千代田1-11'));
    expect(foldAddress('千代田1-1-1')).not.toBe(foldAddress('千代田11-1'));
    expect(foldAddress('千代田一丁目')).not.toBe(foldAddress('千代田二丁目'));
    expect(foldAddress('一番町')).not.toBe(foldAddress('1'));
  });

  const towns = fc.constantFrom('千代田', '霞が関', '一番町', '六本木', '大手町', '北一条西', 'ニュータウン');
  const n = fc.integer({ min: 1, max: 120 });

  it('folds the usual notations of one address to one key, and different addresses to different keys (property)', () => {
    fc.assert(
      fc.property(towns, n, n, n, (town, chome, ban, go) => {
        const key = foldAddress(`${town}${chome}-${ban}-${go}`);
        const forms = [
          `${town}${kanjiNumber(chome)}丁目${ban}番${go}号`,
          `${town}${kanjiNumber(chome)}丁目${kanjiNumber(ban)}番${kanjiNumber(go)}号`,
          `${town}${chome}丁目${ban}番地の${go}`,
          `${town}${chome}丁目${ban}番地${go}`,
          toFullWidthAscii(`${town}${chome}-${ban}-${go}`),
          `${town}${toFullWidthAscii(String(chome))}丁目${toFullWidthAscii(`${ban}-${go}`)}`,
          `${town} ${chome}丁目 ${ban}−${go}`,
          `${town}${chome}ー${ban}ー${go}`,
        ];
        for (const f of forms) expect(foldAddress(f), f).toBe(key);
        expect(foldAddress(`${town}${chome}-${ban}-${go + 1}`)).not.toBe(key);
        expect(foldAddress(`${town}${chome}-${ban + 1}-${go}`)).not.toBe(key);
        expect(foldAddress(`${town}${chome + 1}丁目`)).not.toBe(foldAddress(`${town}${chome}丁目`));
      }),
    );
  });

  const addressUnit = fc.constantFrom(
    ...'0123456789０１２３４５６７８９一二三四五六七八九十百千〇○',
    '丁目', '番地', '番', '号', 'の', 'ノ', '条', '線', '地割', '町', '丁', '大字', '字',
    '-', '－', 'ー', 'ｰ', '‐', '―', '−', '~', ' ', '\u3000',
    '千代田', '霞', 'が', 'ヶ', 'ケ', '関', '北', '西', '龍', '澤', 'ア', 'ニュ', 'A', 'b',
  );

  it('is idempotent (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: addressUnit, maxLength: 16 }), fc.string({ unit: 'grapheme' })), (s) => {
        const once = foldAddress(s);
        expect(foldAddress(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('does not depend on width or spaces (property)', () => {
    const asciiUnit = fc.constantFrom(...'0123456789-', '丁目', '番地', '番', '号', 'の', '千代田', '霞が関', '一番町', ' ');
    fc.assert(
      fc.property(fc.string({ unit: asciiUnit, maxLength: 16 }), (s) => {
        const r = foldAddress(s);
        expect(foldAddress(toFullWidthAscii(s))).toBe(r);
        expect(foldAddress(s.replace(/ /g, '\u3000'))).toBe(r);
        expect(foldAddress(s.replace(/ /g, ''))).toBe(r);
      }),
    );
  });
});
