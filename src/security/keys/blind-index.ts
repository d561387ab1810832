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
import { normalizeKanaReading, normalizeText } from '../../text/japanese.js';
import { KeyError } from './errors.js';
import { lengthPrefixed } from './format.js';

export const BLIND_INDEX_LENGTH = 16;
const LABEL = 'municloud/blind-index/v1';

export interface BlindIndexInputs {
  /** 個人番号: 12 digits, the last a check digit. Full-width digits, spaces and hyphens are accepted. */
  my_number: string;
  /** 住民票コード: 11 digits. */
  resident_code: string;
  /** A reading (kana, hiragana or katakana, spaces ignored) together with the date of birth (YYYY-MM-DD). */
  kana_name_dob: { readonly kana: string; readonly dateOfBirth: string };
}

export type BlindIndexKind = keyof BlindIndexInputs;
export const BLIND_INDEX_KINDS: readonly BlindIndexKind[] = ['my_number', 'resident_code', 'kana_name_dob'];

const invalid = (kind: BlindIndexKind, rule: string, what: string) =>
  new KeyError('blind_index_input_invalid', `${kind}: ${what}`, rule);

/** Digits only: NFKC folds full-width digits; spaces and hyphens (ASCII, full-width, long marks) are dropped. */
function digitsOf(value: string): string {
  return normalizeText(value).replace(/[\s\-‐‑‒–—―−ー]/g, '');
}

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
  const d = digitsOf(value);
  if (!/^[0-9]{12}$/.test(d)) throw invalid('my_number', 'digits', 'must be 12 digits');
  if (myNumberCheckDigit(d.slice(0, 11)) !== Number(d[11])) throw invalid('my_number', 'check_digit', 'check digit does not match');
  return d;
}

export function normalizeResidentCode(value: string): string {
  if (typeof value !== 'string') throw invalid('resident_code', 'type', 'must be a string');
  const d = digitsOf(value);
  if (!/^[0-9]{11}$/.test(d)) throw invalid('resident_code', 'digits', 'must be 11 digits');
  return d;
}

/** A calendar date as YYYY-MM-DD; also accepts YYYY/MM/DD and YYYYMMDD, in full-width digits too. */
export function normalizeDate(value: string): string {
  if (typeof value !== 'string') throw invalid('kana_name_dob', 'type', 'date of birth must be a string');
  const m = /^([0-9]{4})[-/]?([0-9]{2})[-/]?([0-9]{2})$/.exec(normalizeText(value));
  if (!m) throw invalid('kana_name_dob', 'date', 'date of birth must look like YYYY-MM-DD');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1800 || date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    throw invalid('kana_name_dob', 'date', 'date of birth is not a calendar date');
  }
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** Full-width katakana without spaces: "やまだ たろう", "ﾔﾏﾀﾞ ﾀﾛｳ" and "ヤマダ　タロウ" all give "ヤマダタロウ". */
export function normalizeKanaForIndex(value: string): string {
  if (typeof value !== 'string') throw invalid('kana_name_dob', 'type', 'reading must be a string');
  const kana = normalizeKanaReading(value);
  if (kana === null) throw invalid('kana_name_dob', 'kana', 'reading must be written in kana');
  const folded = kana.replace(/\u3000/g, '');
  if (folded.length === 0 || folded.length > 100) throw invalid('kana_name_dob', 'kana', 'reading must have 1 to 100 kana');
  return folded;
}

/** The canonical bytes that are MACed for a kind; throws blind_index_input_invalid with the broken rule. */
export function canonicalInput<K extends BlindIndexKind>(kind: K, value: BlindIndexInputs[K]): Buffer {
  switch (kind) {
    case 'my_number':
      return Buffer.from(normalizeMyNumber(value as string), 'ascii');
    case 'resident_code':
      return Buffer.from(normalizeResidentCode(value as string), 'ascii');
    case 'kana_name_dob': {
      const v = value as BlindIndexInputs['kana_name_dob'];
      if (typeof v !== 'object' || v === null) throw invalid('kana_name_dob', 'type', 'must be { kana, dateOfBirth }');
      return lengthPrefixed([normalizeKanaForIndex(v.kana), normalizeDate(v.dateOfBirth)]);
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
