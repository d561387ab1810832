/**
 * Search folding for Japanese names, readings and addresses. Pure.
 *
 * The register stores names, readings and addresses as entered (after
 * normalizeText); search works on blind indexes, which match exactly. These
 * functions decide what "the same" means: two inputs that fold to the same
 * string are found by each other. They fold more than the stored form does
 * (small kana, old kanji, 丁目 notations), so they are for search keys only,
 * never for what is printed on a certificate.
 *
 * foldKana — readings (氏名のフリガナ):
 *   1. NFKC (half-width ｶﾅ → full width; the stand-alone ゛゜ become combining
 *      marks), hiragana → katakana.
 *   2. Separators are dropped: every kind of space (ASCII, U+3000, NBSP),
 *      middle dots (・･·), the double hyphen ゠ and =, commas (, 、), and
 *      format characters (zero-width space and joiner, BOM).
 *   3. The long-vowel mark ー and the dashes typed in its place (‐‑‒–—―−─━-~〜)
 *      are dropped: ジョーンズ = ジョンズ, マリー = マリ. Expanding ー to a vowel
 *      cannot be done reliably (トーキョー is トウキョウ, not トオキョオ), and
 *      whether a foreign name is written with ー is exactly the variation clerks
 *      meet; a few more candidates are the price, as with small kana.
 *   4. The iteration marks ヽヾ are expanded (イスヾ = イスズ).
 *   5. The ヴ row folds to the バ row: ヴァ→バ, ヴィ→ビ, ヴェ→ベ, ヴォ→ボ, ヴュ→ビュ,
 *      ヴ→ブ, and ヷヸヹヺ → バビベボ. A name registered as ヴィクトリア is found
 *      when searched as ビクトリア and the other way round, which is the usual
 *      counter problem; no Japanese reading distinguishes ヴ from ブ by meaning.
 *   6. ヂ→ジ and ヅ→ズ (四つ仮名): the same sound today; 現代仮名遣い picks one by
 *      etymology, so people type the other (ツヅキ/ツズキ).
 *   7. ヰ→イ, ヱ→エ, ヲ→オ: historical kana, pronounced イ・エ・オ today and
 *      still found in registered names (カヲル, ヱミ); a searcher types what they
 *      hear.
 *   8. Small kana fold to their large forms: ァィゥェォッャュョヮヵヶ and the small
 *      Ainu katakana ㇰ–ㇿ, plus the small kana of the Small Kana Extension block.
 *   Anything that is not kana afterwards (kanji, Latin, digits, symbols, a
 *   lone voiced mark) makes the result null; so does an empty result.
 *   Voiced and semi-voiced marks are kept: ヤマサキ and ヤマザキ stay different.
 *
 * foldKanjiName — names as written (氏名):
 *   NFKC; variation selectors (U+FE00–FE0F) and ideographic variation
 *   sequences' selectors (U+E0100–E01EF) and format characters are stripped;
 *   spaces, middle dots, commas, periods, apostrophes and hyphens are dropped
 *   (foreign residents' names are in Latin letters: "SMITH, John" = "SMITH
 *   JOHN"); ASCII letters are upper-cased; 々 repeats the preceding character
 *   (佐々木 = 佐佐木); small ヶヵ become ケ; old and variant kanji fold to their
 *   modern form with the table in ./kanji-variants.ts (齋藤 = 斎藤, 髙橋 = 高橋,
 *   渡邉 = 渡辺). Kana are left as they are. Private-use characters (legacy
 *   外字) pass through unchanged: they match only themselves.
 *
 * foldAddress — addresses at the town and block level (町名・丁目, 番地・号):
 *   1. NFKC, format characters stripped, old kanji folded as for names
 *      (龍ケ崎 = 竜ヶ崎), all whitespace removed, ASCII letters upper-cased,
 *      大字 removed (大字上野 = 上野).
 *   2. Between two kanji, ヶ ヵ ケ が ガ become ケ (霞が関 = 霞ヶ関) and ノ becomes の
 *      (一ノ宮 = 一の宮).
 *   3. Dashes (‐‑‒–—―−─━~〜, and the full-width ones NFKC makes "-"): after
 *      katakana they are a long-vowel mark ー (ニュ―タウン = ニュータウン),
 *      elsewhere a hyphen "-"; ー between numbers is a hyphen too (1ー1 = 1-1).
 *   4. Kanji numerals (〇一二三四五六七八九十百千, ○ as zero) become ASCII digits
 *      when directly before 丁目, 番地, 番 (but not 番町・番丁, which are town
 *      names: 一番町), 号, 条, 線 or 地割, or when they follow a number and a
 *      separator (1番地の二): 一丁目 → 1丁目, 二十三番地 → 23番地, 一二三 → 123,
 *      北一条 → 北1条. Elsewhere they are part of a name and stay (六本木, 九段).
 *   5. After a number (or "-"), 丁目, 番地, 番 (not 番町・番丁) and 号 become "-";
 *      の or ノ between numbers becomes "-".
 *   6. Runs of "-" become one, a "-" that is not between two digits is dropped,
 *      and leading zeros are dropped (01-002 = 1-2).
 *   The rules are applied again until nothing changes (dropping a stray "-" can
 *   join parts another rule folds). So 千代田一丁目1番1号, 千代田1-1-1,
 *   千代田１丁目１－１ and 千代田1丁目1番地の1 all give 千代田1-1-1, and the town
 *   千代田一丁目 alone gives 千代田1. The 丁目 and 番地 words are gone, so the
 *   town-level and block-level keys must be kept apart by the caller (the blind
 *   index has a kind for each). Not handled: 丁 without 目, 之 for の, words such
 *   as 地先 or 無番地, 壱弐参 numerals, and a kanji numeral that ends a town name
 *   right before 丁目 (九十九一丁目 is read as one malformed number and left as
 *   it is); these fold consistently but do not meet their other spellings.
 *
 * Every function is idempotent: fold(fold(x)) = fold(x).
 */
import { KANJI_VARIANTS } from './kanji-variants.js';
import { toKatakana } from './japanese.js';

/** Variation selectors (FE00–FE0F, E0100–E01EF) and format characters (ZWSP, ZWJ, BOM, soft hyphen…). */
const INVISIBLE = /[\ufe00-\ufe0f\u{e0100}-\u{e01ef}\p{Cf}]/gu;

const KANA_SEPARATORS = /[\s\u00b7\u30fb\uff65\u30a0=,\u3001]/gu;
const LONG_VOWEL_AND_DASHES = /[\u30fc\u2010-\u2015\u2212\u2500\u2501\-~\u301c]/gu;

const VU: Record<string, string> = {
  ヴァ: 'バ', ヴィ: 'ビ', ヴェ: 'ベ', ヴォ: 'ボ', ヴュ: 'ビュ', ヴ: 'ブ',
  ヷ: 'バ', ヸ: 'ビ', ヹ: 'ベ', ヺ: 'ボ',
};

const KANA_FOLD: Record<string, string> = {
  ヂ: 'ジ', ヅ: 'ズ', ヰ: 'イ', ヱ: 'エ', ヲ: 'オ',
  ァ: 'ア', ィ: 'イ', ゥ: 'ウ', ェ: 'エ', ォ: 'オ', ッ: 'ツ', ャ: 'ヤ', ュ: 'ユ', ョ: 'ヨ', ヮ: 'ワ', ヵ: 'カ', ヶ: 'ケ',
  // Small Ainu katakana (Katakana Phonetic Extensions).
  ㇰ: 'ク', ㇱ: 'シ', ㇲ: 'ス', ㇳ: 'ト', ㇴ: 'ヌ', ㇵ: 'ハ', ㇶ: 'ヒ', ㇷ: 'フ', ㇸ: 'ヘ', ㇹ: 'ホ', ㇺ: 'ム', ㇻ: 'ラ', ㇼ: 'リ', ㇽ: 'ル', ㇾ: 'レ', ㇿ: 'ロ',
  // Small kana of Small Kana Extension: こ ゐ ゑ を (hiragana), コ ヰ ヱ ヲ ン (katakana).
  '\u{1b132}': 'コ', '\u{1b150}': 'イ', '\u{1b151}': 'エ', '\u{1b152}': 'オ',
  '\u{1b155}': 'コ', '\u{1b164}': 'イ', '\u{1b165}': 'エ', '\u{1b166}': 'オ', '\u{1b167}': 'ン',
};
const KANA_FOLD_RE = new RegExp(`[${Object.keys(KANA_FOLD).join('')}]`, 'gu');

/** Large full-width katakana that can remain after folding (no small kana, ヴ, ヂヅ, ヰヱヲ, ー). */
const FOLDED_KANA = /^[アイウエオカ-ヂツ-モヤユヨ-ロワン]+$/u;

/** Adds the voiced mark to a kana when it has a voiced form (ス → ズ), else returns it unchanged. */
function voiced(ch: string): string {
  const v = (ch + '\u3099').normalize('NFC');
  return [...v].length === 1 ? v : ch;
}

/** A reading folded for search (see the module comment); null when it is not kana. */
export function foldKana(text: string): string | null {
  let s = toKatakana(text.normalize('NFKC'))
    .replace(INVISIBLE, '')
    .replace(KANA_SEPARATORS, '')
    .replace(LONG_VOWEL_AND_DASHES, '')
    // Compose again: removing spaces joins a stand-alone ゛ (NFKC: space + U+3099) to its kana.
    .normalize('NFC');
  // Iteration marks repeat the preceding kana (ヾ voiced).
  let expanded = '';
  let prev: string | undefined;
  for (const ch of s) {
    if (ch === 'ヽ' || ch === 'ヾ') {
      if (prev === undefined) return null;
      const repeated = ch === 'ヽ' ? prev : voiced(prev);
      expanded += repeated;
      prev = repeated;
    } else {
      expanded += ch;
      prev = ch;
    }
  }
  // Folding a small kana to its large form can let a following voiced mark compose (ㇷ゚ → プ,
  // ッ゛ → ヅ, ゥ゛ → ヴ), and what it composes into may fold again (ヅ → ズ, ヴ → ブ): fold,
  // compose, fold once more. The second fold leaves no mark that could compose.
  s = foldLetters(foldLetters(expanded).normalize('NFC'));
  return FOLDED_KANA.test(s) ? s : null;
}

/** ヴ-sounds to バ-row kana, small kana to large ones, and the rest of KANA_FOLD. */
function foldLetters(s: string): string {
  return s.replace(/ヴ[ァィェォュ]?|[ヷヸヹヺ]/gu, (m) => VU[m] ?? m).replace(KANA_FOLD_RE, (ch) => KANA_FOLD[ch] ?? ch);
}

/** Replaces old and variant kanji by their modern form, code point by code point. */
export function foldKanjiVariants(text: string): string {
  let out = '';
  for (const ch of text) out += KANJI_VARIANTS.get(ch) ?? ch;
  return out;
}

const NAME_SEPARATORS = /[\s\u00b7\u30fb\uff65\u30a0=,.\u3001\u3002'\u2019\u2018\-\u2010\u2011]/gu;

/** A name as written, folded for search (see the module comment). Empty when nothing is left. */
export function foldKanjiName(text: string): string {
  const s = text
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(NAME_SEPARATORS, '')
    .replace(/[a-z]+/g, (w) => w.toUpperCase())
    .replace(/[ヶヵ]/gu, 'ケ')
    // Compose last: removing separators joins a stand-alone ゛ to its kana, and so does ヶ → ケ (ヶ゛ → ゲ).
    .normalize('NFC');
  let out = '';
  let prev: string | undefined;
  for (const ch of s) {
    const c = ch === '々' && prev !== undefined ? prev : ch;
    const folded = KANJI_VARIANTS.get(c) ?? c;
    out += folded;
    prev = folded;
  }
  // A voiced mark after 々 composes with the kana 々 stood for (ト々゙ → トド).
  return out.normalize('NFC');
}

const KANJI_DIGIT: Record<string, number> = { 〇: 0, '○': 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const KANJI_UNIT: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/**
 * A kanji numeral as ASCII digits: 二十三 → 23, 百一 → 101, 一二三 → 123 (digit by
 * digit when it has no 十百千); null when it is not a well-formed number.
 */
export function kanjiNumeralToDigits(run: string): string | null {
  if (run.length === 0) return null;
  const chars = [...run];
  if (chars.some((c) => !(c in KANJI_DIGIT) && !(c in KANJI_UNIT))) return null;
  if (!chars.some((c) => c in KANJI_UNIT)) return chars.map((c) => String(KANJI_DIGIT[c])).join('');
  let total = 0;
  let digit: number | null = null;
  let lastUnit = Infinity;
  for (const c of chars) {
    const d = KANJI_DIGIT[c];
    if (d !== undefined) {
      if (digit !== null || d === 0) return null;
      digit = d;
    } else {
      const unit = KANJI_UNIT[c]!;
      if (unit >= lastUnit) return null;
      total += (digit ?? 1) * unit;
      digit = null;
      lastUnit = unit;
    }
  }
  return String(total + (digit ?? 0));
}

const HAN = '\\p{Script=Han}';
const KANJI_NUMERAL_BEFORE_COUNTER = /[〇○一二三四五六七八九十百千]+(?=丁目|番地|番(?![町丁])|号|条|線|地割)/gu;
/** A kanji numeral that follows a number and a separator (1番地の二, 1-二), up to the end, a separator or a counter. */
const KANJI_NUMERAL_AFTER_NUMBER = /(?<=[0-9][-のノ])[〇○一二三四五六七八九十百千]+(?=$|[-のノ]|丁目|番地|番(?![町丁])|号)/gu;
/** Dashes typed for a hyphen or a long-vowel mark, other than "-" and ー themselves. */
const DASH_LOOKALIKES = '\\u2010-\\u2015\\u2212\\u2500\\u2501~\\u301c';

/** One pass of the address rules; foldAddress repeats it until nothing changes. */
function addressPass(text: string): string {
  let s = foldKanjiVariants(text.normalize('NFKC').replace(INVISIBLE, ''))
    .replace(/\s+/gu, '')
    .normalize('NFC')
    .replace(/[a-z]+/g, (w) => w.toUpperCase());
  while (s.includes('大字')) s = s.replaceAll('大字', '');
  return (
    s
      .replace(new RegExp(`(?<=${HAN})[ヶヵケがガ](?=${HAN})`, 'gu'), 'ケ')
      .replace(new RegExp(`(?<=${HAN})ノ(?=${HAN})`, 'gu'), 'の')
      // Dashes: a long-vowel mark after katakana, a hyphen elsewhere; ー between numbers is a hyphen.
      .replace(new RegExp(`(?<=[\\u30a1-\\u30fa])[${DASH_LOOKALIKES}]`, 'gu'), 'ー')
      .replace(new RegExp(`[${DASH_LOOKALIKES}]`, 'gu'), '-')
      .replace(/(?<=[0-9-])ー(?=[0-9-])/gu, '-')
      .replace(KANJI_NUMERAL_BEFORE_COUNTER, (run) => kanjiNumeralToDigits(run) ?? run)
      .replace(/(?<=[0-9-])(?:丁目|番地|番(?![町丁])|号)/gu, '-')
      .replace(KANJI_NUMERAL_AFTER_NUMBER, (run) => kanjiNumeralToDigits(run) ?? run)
      .replace(/(?<=[0-9-])[のノ](?=[0-9-])/gu, '-')
      .replace(/-+/g, '-')
      .replace(/(?<![0-9])-|-(?![0-9])/g, '')
      .replace(/(?<![0-9])0+(?=[0-9])/g, '')
  );
}

/** An address (town and block) folded for search (see the module comment). Empty when nothing is left. */
export function foldAddress(text: string): string {
  // Dropping a stray "-" can bring two parts together that an earlier rule folds
  // (霞-が関, 1-ー2), so the pass is repeated to its fixed point; every rule only
  // removes characters or replaces them by digits, "-", ー, ケ or の, so this ends
  // within a few passes.
  let s = text;
  for (let i = 0; i < 64; i++) {
    const next = addressPass(s);
    if (next === s) break;
    s = next;
  }
  return s;
}
