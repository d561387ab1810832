/**
 * Foreign residents of the synthetic population: nationality, residence status
 * and period, residence card number and names. Pure.
 *
 * Nationality weights: the seven largest groups among Japan's foreign residents
 * (出入国在留管理庁, 在留外国人統計, end of 2023, rounded to thousands: China 822,
 * Vietnam 565, Korea 410, Philippines 322, Brazil 212, Nepal 176, U.S. 63).
 * About 60% of Korean nationals are special permanent residents (特別永住者);
 * the generator makes about half of its Korean households such.
 *
 * Names: written in katakana (the register records a foreign resident's name
 * in the Latin alphabet as on the residence card, often with katakana or kanji
 * beside it; the synthetic data keeps to katakana so that readings are simply
 * the names). Small hand-made lists of common names per country.
 */
import type { PersonName, Sex } from '../record.js';
import { cumulativeWeights, type Prng } from './prng.js';

export const NATIONALITIES = ['CN', 'VN', 'KR', 'PH', 'BR', 'NP', 'US'] as const;
export type Nationality = (typeof NATIONALITIES)[number];

/** Foreign residents in thousands, by nationality (end of 2023, see above): the weights of the draw. */
const RESIDENTS_BY_NATIONALITY: Readonly<Record<Nationality, number>> = { CN: 822, VN: 565, KR: 410, PH: 322, BR: 212, NP: 176, US: 63 };
const NATIONALITY_TABLE = cumulativeWeights(NATIONALITIES.map((n) => RESIDENTS_BY_NATIONALITY[n]));

export function drawNationality(prng: Prng): Nationality {
  return NATIONALITIES[prng.weightedIndex(NATIONALITY_TABLE)] as Nationality;
}

export const RESIDENCE_STATUSES = ['永住者', '特別永住者', '技術・人文知識・国際業務', '留学', '家族滞在'] as const;
export type SyntheticResidenceStatus = (typeof RESIDENCE_STATUSES)[number];

/** Statuses without a period of stay. */
export function isPermanentStatus(status: string): boolean {
  return status === '永住者' || status === '特別永住者';
}

interface NameLists {
  readonly family: readonly string[];
  readonly male: readonly string[];
  readonly female: readonly string[];
}

const FOREIGN_NAMES: Readonly<Record<Nationality, NameLists>> = {
  CN: {
    family: ['ワン', 'リー', 'チャン', 'リウ', 'チェン', 'ヤン', 'ジャオ', 'ホアン', 'ジョウ', 'ウー', 'スン', 'マー'],
    male: ['ウェイ', 'ハオ', 'ジエ', 'タオ', 'ミン', 'ユー', 'レイ', 'チアン', 'ボー', 'ハオラン'],
    female: ['ファン', 'ナー', 'ジン', 'メイ', 'ティン', 'シン', 'リン', 'ヤン', 'シャオリー', 'ユーティン'],
  },
  VN: {
    family: ['グエン', 'チャン', 'レ', 'ファム', 'ホアン', 'フイン', 'ファン', 'ヴー', 'ダン', 'ブイ'],
    male: ['ナム', 'アン', 'トゥアン', 'ハイ', 'ズン', 'ミン', 'フン', 'クアン', 'ロン', 'ティエン'],
    female: ['フオン', 'リン', 'ラン', 'マイ', 'タオ', 'ハー', 'チャン', 'ホア', 'トゥイ', 'ゴック'],
  },
  KR: {
    family: ['キム', 'イ', 'パク', 'チェ', 'チョン', 'カン', 'チョ', 'ユン', 'チャン', 'イム'],
    male: ['ミンジュン', 'ジフ', 'ヒョンウ', 'ドユン', 'ジョンホ', 'ソンミン', 'ヨンス', 'サンウ', 'ジュンソ', 'テヤン'],
    female: ['ソヨン', 'ジウ', 'ユナ', 'ミンソ', 'ハウン', 'ヨンヒ', 'スジン', 'ジヨン', 'ウンジ', 'ソア'],
  },
  PH: {
    family: ['サントス', 'レイエス', 'クルス', 'バウティスタ', 'ガルシア', 'メンドーサ', 'ラモス', 'トーレス', 'フローレス', 'ヴィラヌエバ'],
    male: ['ジョセフ', 'ジョン', 'マーク', 'カルロ', 'ジェイ', 'ミゲル', 'アンジェロ', 'ポール', 'レイモンド', 'ジェローム'],
    female: ['マリア', 'アンジェリカ', 'クリスティン', 'ローズ', 'ミシェル', 'ジャスミン', 'カミーユ', 'ジョイ', 'グレース', 'シェリル'],
  },
  BR: {
    family: ['シルバ', 'サントス', 'オリベイラ', 'ソウザ', 'ロドリゲス', 'フェレイラ', 'アウベス', 'ペレイラ', 'リマ', 'ゴメス'],
    male: ['ジョアン', 'ペドロ', 'ルーカス', 'ガブリエル', 'ラファエル', 'マテウス', 'グスタボ', 'フェリペ', 'ブルーノ', 'チアゴ'],
    female: ['マリア', 'アナ', 'ジュリア', 'ベアトリス', 'ラリッサ', 'カミラ', 'フェルナンダ', 'レチシア', 'マリアナ', 'ブルナ'],
  },
  NP: {
    family: ['シュレスタ', 'グルン', 'タマン', 'ライ', 'マガル', 'アディカリ', 'ポウデル', 'カルキ', 'バスネット', 'タパ'],
    male: ['ラム', 'サンジャイ', 'ビカス', 'ディーパク', 'ラジュ', 'クリシュナ', 'スレシュ', 'ビノド', 'プラカシュ', 'アルジュン'],
    female: ['スニタ', 'プジャ', 'アニタ', 'サリタ', 'ギタ', 'ラクシュミ', 'サビトラ', 'マヤ', 'カマラ', 'ビニタ'],
  },
  US: {
    family: ['スミス', 'ジョンソン', 'ウィリアムズ', 'ブラウン', 'ジョーンズ', 'ミラー', 'デイヴィス', 'ウィルソン', 'アンダーソン', 'テイラー'],
    male: ['ジェームズ', 'マイケル', 'ロバート', 'ジョン', 'デイヴィッド', 'ウィリアム', 'ダニエル', 'マシュー', 'クリストファー', 'アンドリュー'],
    female: ['メアリー', 'ジェニファー', 'リンダ', 'エミリー', 'サラ', 'ジェシカ', 'エリザベス', 'アシュリー', 'ローレン', 'ハンナ'],
  },
};

export function foreignFamilyName(prng: Prng, nationality: Nationality): string {
  return prng.pick(FOREIGN_NAMES[nationality].family);
}

export function foreignGivenName(prng: Prng, nationality: Nationality, sex: Sex): string {
  return prng.pick(FOREIGN_NAMES[nationality][sex]);
}

/** A name written in katakana, which is its own reading. */
export function katakanaName(family: string, given: string): PersonName {
  return { family, given, familyKana: family, givenKana: given };
}

/** Every katakana name the generator may use (for tests). */
export function allForeignNames(): string[] {
  return Object.values(FOREIGN_NAMES).flatMap((l) => [...l.family, ...l.male, ...l.female]);
}

const LETTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];

/** A residence card number (在留カード番号): two letters, eight digits, two letters; random, not checked for uniqueness (26^4·10^8 values). */
export function residenceCardNumber(prng: Prng): string {
  let s = prng.pick(LETTERS) + prng.pick(LETTERS);
  for (let i = 0; i < 8; i++) s += String(prng.int(0, 9));
  return s + prng.pick(LETTERS) + prng.pick(LETTERS);
}
