/**
 * Blind indexes: equality search on encrypted values without decrypting. Pure.
 *
 *   index = first 16 bytes of HMAC-SHA-256(municipality's blind-index key,
 *             len‖"municloud/blind-index/v1" ‖ len‖kind ‖ len‖normalized value)
 *
 * - The key is per municipality, so the same My Number held by two
 *   municipalities gives unrelated indexes: a copy of one cell cannot be joined
 *   with another's, and without the key nobody can compute an index to test a
 *   guess (a plain hash of a 12-digit number would be brute-forced in minutes).
 * - The kind is inside the MAC, so a resident code can never match a My Number
 *   whose digits happen to look alike.
 * - Values are normalized first (full-width digits, hyphens, spaces, hiragana
 *   against katakana), so the same person typed on different terminals matches.
 *   Names, readings and addresses are folded further for search with
 *   src/text/search-folding.ts (small kana, ヴ, old kanji forms, 丁目 notations):
 *   the folding decides what matches, since an index matches exactly.
 * - Each kind's canonical input is unambiguous: one normalized value, or
 *   length-prefixed parts when a kind has several (reading and date).
 * - A kind's normalization is part of its definition: changing it changes
 *   every index of that kind, so it needs a new kind name (or label version)
 *   and a re-index of the stored terms.
 *
 * Truncation to 128 bits: collisions stay negligible at national scale (for
 * 10^8 indexed values the chance that any two collide is about 10^16 / 2^129,
 * below 10^-22), so a match is a match and a search needs no decrypt-to-confirm
 * step; and a 16-byte bytea halves the B-tree against the full 32 bytes. A
 * shorter, deliberately colliding index (as in CipherSweet) would not protect
 * these values: My Numbers have 10^11 possibilities, so whoever holds the key
 * can enumerate them whatever the length, and whoever lacks it learns nothing
 * from 128 bits either.
 */
import { createHmac, type KeyObject } from 'node:crypto';
import { digitsOnly, normalizeText } from '../../text/japanese.js';
import { foldAddress, foldKana, foldKanjiName } from '../../text/search-folding.js';
import { KeyError } from './errors.js';
import { lengthPrefixed } from './format.js';

export const BLIND_INDEX_LENGTH = 16;
const LABEL = 'municloud/blind-index/v1';

export interface BlindIndexInputs {
  /** 個人番号: 12 digits, the last a check digit. Full-width digits, spaces and hyphens are accepted. */
  my_number: string;
  /** 住民票コード: 11 digits. */
  resident_code: string;
  /** A reading (folded with foldKana) together with the date of birth (YYYY-MM-DD). */
  kana_name_dob: { readonly kana: string; readonly dateOfBirth: string };
  /** The full reading, family name then given name (spaces, width and script ignored), folded with foldKana. */
  kana_name: string;
  /** The reading of the family name, folded with foldKana. */
  kana_family_name: string;
  /** The full name as written, family name then given name, folded with foldKanjiName. */
  kanji_name: string;
  /** The family name as written, folded with foldKanjiName. */
  kanji_family_name: string;
  /** 生年月日 as YYYY-MM-DD (also YYYY/MM/DD, YYYYMMDD, full-width digits). */
  date_of_birth: string;
  /** Town level: 町名・丁目 (e.g. 千代田一丁目), folded with foldAddress. An `Address` record can be passed as it is. */
  address_town: { readonly town: string };
  /**
   * Block level: the town and 番地・号 (e.g. 千代田一丁目 + 1番1号). The index is of
   * foldAddress(town + "-" + block), so where 丁目 sits (town or block) does not
   * matter, and an address typed in one field can be passed as the block with
   * an empty town. The block must not fold to nothing.
   */
  address_block: { readonly town: string; readonly block: string };
}

export type BlindIndexKind = keyof BlindIndexInputs;
export const BLIND_INDEX_KINDS: readonly BlindIndexKind[] = [
  'my_number',
  'resident_code',
  'kana_name_dob',
  'kana_name',
  'kana_family_name',
  'kanji_name',
  'kanji_family_name',
  'date_of_birth',
  'address_town',
  'address_block',
];

/** Longest folded value accepted, in code points. */
export const MAX_KANA_LENGTH = 100;
export const MAX_NAME_LENGTH = 100;
export const MAX_ADDRESS_LENGTH = 200;

const invalid = (kind: BlindIndexKind, rule: string, what: string) =>
  new KeyError('blind_index_input_invalid', `${kind}: ${what}`, rule);

/** Digits only: NFKC folds full-width digits; spaces and hyphens (ASCII, full-width, long marks) are dropped. */
/**
 * The My Number check digit (番号法施行令 第8条): with P(n) the n-th of the first
 * eleven digits counted from the right and Q(n) = n+1 for n ≤ 6, n−5 for n ≥ 7,
 * r = Σ P(n)·Q(n) mod 11, and the check digit is 0 if r ≤ 1, else 11 − r.
 */
export function myNumberCheckDigit(first11: string): number {
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = Number(first11[11 - n]);
    sum += p * (n <= 6 ? n + 1 : n - 5);
  }
  const r = sum % 11;
  return r <= 1 ? 0 : 11 - r;
}

export function normalizeMyNumber(value: string): string {
  if (typeof value !== 'string') throw invalid('my_number', 'type', 'must be a string');
  const d = digitsOnly(value);
  if (!/^[0-9]{12}$/.test(d)) throw invalid('my_number', 'digits', 'must be 12 digits');
  if (myNumberCheckDigit(d.slice(0, 11)) !== Number(d[11])) throw invalid('my_number', 'check_digit', 'check digit does not match');
  return d;
}

export function normalizeResidentCode(value: string): string {
  if (typeof value !== 'string') throw invalid('resident_code', 'type', 'must be a string');
  const d = digitsOnly(value);
  if (!/^[0-9]{11}$/.test(d)) throw invalid('resident_code', 'digits', 'must be 11 digits');
  return d;
}

/** A calendar date as YYYY-MM-DD; also accepts YYYY/MM/DD and YYYYMMDD, in full-width digits too. */
export function normalizeDate(value: string, kind: BlindIndexKind = 'date_of_birth'): string {
  if (typeof value !== 'string') throw invalid(kind, 'type', 'date of birth must be a string');
  const m = /^([0-9]{4})[-/]?([0-9]{2})[-/]?([0-9]{2})$/.exec(normalizeText(value));
  if (!m) throw invalid(kind, 'date', 'date of birth must look like YYYY-MM-DD');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1800 || date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    throw invalid(kind, 'date', 'date of birth is not a calendar date');
  }
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/**
 * A reading folded with foldKana: "やまだ たろう", "ﾔﾏﾀﾞ ﾀﾛｳ" and "ヤマダ　タロウ" all
 * give "ヤマダタロウ"; small kana, ヴ, ヂヅ, ヰヱヲ and ー are folded too (see
 * src/text/search-folding.ts).
 */
export function normalizeKanaForIndex(value: string, kind: BlindIndexKind = 'kana_name'): string {
  if (typeof value !== 'string') throw invalid(kind, 'type', 'reading must be a string');
  const folded = foldKana(value);
  if (folded === null) throw invalid(kind, 'kana', 'reading must be written in kana');
  if ([...folded].length > MAX_KANA_LENGTH) throw invalid(kind, 'kana', `reading must have 1 to ${MAX_KANA_LENGTH} kana`);
  return folded;
}

/** A name as written folded with foldKanjiName (齋藤 = 斎藤, 渡邉 = 渡辺); letters only (kanji, kana, Latin, 外字). */
export function normalizeNameForIndex(value: string, kind: BlindIndexKind = 'kanji_name'): string {
  if (typeof value !== 'string') throw invalid(kind, 'type', 'name must be a string');
  const folded = foldKanjiName(value);
  if (!/^[\p{L}\p{M}\p{Co}]+$/u.test(folded)) throw invalid(kind, 'name', 'name must be letters (kanji, kana or Latin)');
  if ([...folded].length > MAX_NAME_LENGTH) throw invalid(kind, 'name', `name must have 1 to ${MAX_NAME_LENGTH} characters`);
  return folded;
}

/** An address folded with foldAddress (千代田一丁目1番1号 = 千代田1-1-1); not empty, no control characters. */
export function normalizeAddressForIndex(value: string, kind: BlindIndexKind = 'address_town'): string {
  if (typeof value !== 'string') throw invalid(kind, 'type', 'address must be a string');
  const folded = foldAddress(value);
  if (folded.length === 0 || /[\p{Cc}\p{Cs}]/u.test(folded)) throw invalid(kind, 'address', 'address must not be empty');
  if ([...folded].length > MAX_ADDRESS_LENGTH) throw invalid(kind, 'address', `address must have 1 to ${MAX_ADDRESS_LENGTH} characters`);
  return folded;
}

function objectOf(kind: BlindIndexKind, value: unknown, shape: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw invalid(kind, 'type', `must be ${shape}`);
  return value as Record<string, unknown>;
}

/** The canonical bytes that are MACed for a kind; throws blind_index_input_invalid with the broken rule. */
export function canonicalInput<K extends BlindIndexKind>(kind: K, value: BlindIndexInputs[K]): Buffer {
  const k: BlindIndexKind = kind;
  switch (k) {
    case 'my_number':
      return Buffer.from(normalizeMyNumber(value as string), 'ascii');
    case 'resident_code':
      return Buffer.from(normalizeResidentCode(value as string), 'ascii');
    case 'kana_name_dob': {
      const v = objectOf(k, value, '{ kana, dateOfBirth }');
      return lengthPrefixed([normalizeKanaForIndex(v.kana as string, k), normalizeDate(v.dateOfBirth as string, k)]);
    }
    case 'kana_name':
    case 'kana_family_name':
      return Buffer.from(normalizeKanaForIndex(value as string, k), 'utf8');
    case 'kanji_name':
    case 'kanji_family_name':
      return Buffer.from(normalizeNameForIndex(value as string, k), 'utf8');
    case 'date_of_birth':
      return Buffer.from(normalizeDate(value as string, k), 'ascii');
    case 'address_town': {
      const v = objectOf(k, value, '{ town }');
      return Buffer.from(normalizeAddressForIndex(v.town as string, k), 'utf8');
    }
    case 'address_block': {
      const v = objectOf(k, value, '{ town, block }');
      if (typeof v.town !== 'string' || typeof v.block !== 'string') throw invalid(k, 'type', 'town and block must be strings');
      if (foldAddress(v.block).length === 0) throw invalid(k, 'address', 'block must not be empty');
      return Buffer.from(normalizeAddressForIndex(`${v.town}-${v.block}`, k), 'utf8');
    }
    default:
      throw invalid(kind, 'kind', 'unknown blind index kind');
  }
}

export function computeBlindIndex<K extends BlindIndexKind>(key: KeyObject, kind: K, value: BlindIndexInputs[K]): Buffer {
  const input = canonicalInput(kind, value);
  const mac = createHmac('sha256', key).update(lengthPrefixed([LABEL, kind, input])).digest();
  input.fill(0);
  return mac.subarray(0, BLIND_INDEX_LENGTH);
}
