/**
 * Countries (ISO 3166-1 alpha-2) and Japan's prefectures (JIS X 0401 codes),
 * for regions: where their data centres are and whose law governs. Pure.
 */

/** JIS X 0401 prefecture codes with their names, 01 北海道 … 47 沖縄県. */
export const PREFECTURES: readonly (readonly [string, string])[] = [
  ['01', '北海道'], ['02', '青森県'], ['03', '岩手県'], ['04', '宮城県'], ['05', '秋田県'], ['06', '山形県'], ['07', '福島県'],
  ['08', '茨城県'], ['09', '栃木県'], ['10', '群馬県'], ['11', '埼玉県'], ['12', '千葉県'], ['13', '東京都'], ['14', '神奈川県'],
  ['15', '新潟県'], ['16', '富山県'], ['17', '石川県'], ['18', '福井県'], ['19', '山梨県'], ['20', '長野県'], ['21', '岐阜県'],
  ['22', '静岡県'], ['23', '愛知県'], ['24', '三重県'], ['25', '滋賀県'], ['26', '京都府'], ['27', '大阪府'], ['28', '兵庫県'],
  ['29', '奈良県'], ['30', '和歌山県'], ['31', '鳥取県'], ['32', '島根県'], ['33', '岡山県'], ['34', '広島県'], ['35', '山口県'],
  ['36', '徳島県'], ['37', '香川県'], ['38', '愛媛県'], ['39', '高知県'], ['40', '福岡県'], ['41', '佐賀県'], ['42', '長崎県'],
  ['43', '熊本県'], ['44', '大分県'], ['45', '宮崎県'], ['46', '鹿児島県'], ['47', '沖縄県'],
];

const BY_CODE = new Map(PREFECTURES);
const BY_NAME = new Map(PREFECTURES.map(([code, name]) => [name, code]));

export const JAPAN = 'JP';

export function isPrefectureCode(text: string): boolean {
  return BY_CODE.has(text);
}

export function prefectureName(code: string): string | undefined {
  return BY_CODE.get(code);
}

/** A prefecture given by its code ('13') or its full name ('東京都'), as its code; undefined for neither. */
export function prefectureCode(text: string): string | undefined {
  const t = text.normalize('NFKC').trim();
  return BY_CODE.has(t) ? t : BY_NAME.get(t);
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** Whether the text is an assigned ISO 3166-1 alpha-2 country code (upper case). */
export function isCountryCode(text: string): boolean {
  if (!/^[A-Z]{2}$/.test(text) || text === 'ZZ') return false;
  try {
    return regionNames.of(text) !== text;
  } catch {
    return false;
  }
}
