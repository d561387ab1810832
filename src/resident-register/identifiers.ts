/**
 * The register's identifiers: My Number (個人番号), resident code (住民票コード)
 * and residence card number (在留カード等の番号). Pure, except `cryptoRandom`,
 * which reads the operating system's random source.
 *
 * Validation is strict: `isValidMyNumber` and `isValidResidentCode` accept only
 * ASCII digits as stored (normalize input first, e.g. with
 * `normalizeMyNumber` in ../security/keys/blind-index.ts).
 */
import { randomBytes } from 'node:crypto';
import { myNumberCheckDigit } from '../security/keys/blind-index.js';

// ---------------------------------------------------------------------------
// My Number (個人番号): 11 digits and a check digit (番号法施行令 第8条).

/** True when `s` is exactly 12 ASCII digits whose last digit is the My Number check digit of the first 11. */
export function isValidMyNumber(s: string): boolean {
  return typeof s === 'string' && /^[0-9]{12}$/.test(s) && myNumberCheckDigit(s.slice(0, 11)) === Number(s[11]);
}

/** The My Number made of `first11` (11 ASCII digits) and its check digit. */
export function myNumberFrom(first11: string): string {
  if (typeof first11 !== 'string' || !/^[0-9]{11}$/.test(first11)) throw new RangeError('myNumberFrom: expected 11 ASCII digits');
  return first11 + String(myNumberCheckDigit(first11));
}

// ---------------------------------------------------------------------------
// Resident code (住民票コード): 10 random digits and a check digit.

/**
 * How the resident code's check digit is computed. The official algorithm (set
 * by the national system, 住基ネット) is not published in a form we could
 * confirm, so the scheme is pluggable: a municipality (or a later, confirmed
 * scheme) can be swapped in without touching the callers. Codes issued under
 * one scheme only validate under that scheme; `name` says which one a stored
 * code was checked with.
 */
export interface ResidentCodeScheme {
  readonly name: string;
  /** The check digit (0–9) for the first ten digits (10 ASCII digits). */
  checkDigit(first10: string): number;
}

/**
 * municloud's own scheme, NOT the official one (unconfirmed; see above):
 * modulus 11 with the My Number's weights. With P(n) the n-th of the ten
 * digits counted from the right and Q(n) = n+1 for n ≤ 6, n−5 for n ≥ 7
 * (so, left to right, 5 4 3 2 7 6 5 4 3 2), r = Σ P(n)·Q(n) mod 11 and the
 * check digit is 0 if r ≤ 1, else 11 − r. It catches a single wrong digit or
 * a swap of two adjacent digits unless the error only moves r between 0 and 1
 * (both give check digit 0), the same weakness as the My Number's.
 */
export const MUNICLOUD_MOD11_SCHEME: ResidentCodeScheme = {
  name: 'municloud-mod11-v1',
  checkDigit(first10: string): number {
    if (!/^[0-9]{10}$/.test(first10)) throw new RangeError('resident code check digit: expected 10 ASCII digits');
    let sum = 0;
    for (let n = 1; n <= 10; n++) sum += Number(first10[10 - n]) * (n <= 6 ? n + 1 : n - 5);
    const r = sum % 11;
    return r <= 1 ? 0 : 11 - r;
  },
};

export const DEFAULT_RESIDENT_CODE_SCHEME: ResidentCodeScheme = MUNICLOUD_MOD11_SCHEME;

/** True when `s` is exactly 11 ASCII digits whose last digit is the scheme's check digit of the first 10. */
export function isValidResidentCode(s: string, scheme: ResidentCodeScheme = DEFAULT_RESIDENT_CODE_SCHEME): boolean {
  return typeof s === 'string' && /^[0-9]{11}$/.test(s) && scheme.checkDigit(s.slice(0, 10)) === Number(s[10]);
}

/** The resident code made of `first10` (10 ASCII digits) and the scheme's check digit. */
export function residentCodeFrom(first10: string, scheme: ResidentCodeScheme = DEFAULT_RESIDENT_CODE_SCHEME): string {
  if (typeof first10 !== 'string' || !/^[0-9]{10}$/.test(first10)) throw new RangeError('residentCodeFrom: expected 10 ASCII digits');
  const d = scheme.checkDigit(first10);
  if (!Number.isInteger(d) || d < 0 || d > 9) throw new RangeError(`resident code scheme ${scheme.name} returned a check digit outside 0–9`);
  return first10 + String(d);
}

/** A source of uniform numbers in [0, 1): a seeded PRNG in tests and synthetic data, `cryptoRandom()` in production. */
export type RandomSource = () => number;

/**
 * A new resident code: ten digits drawn from `random` and the check digit.
 * Uniqueness is not checked here: the caller must reject a code that is
 * already issued and draw again (10^10 codes, so retries are rare).
 */
export function newResidentCode(random: RandomSource, scheme: ResidentCodeScheme = DEFAULT_RESIDENT_CODE_SCHEME): string {
  let digits = '';
  for (let i = 0; i < 10; i++) {
    const u = random();
    if (!(u >= 0 && u < 1)) throw new RangeError('newResidentCode: random() must return a number in [0, 1)');
    digits += String(Math.floor(u * 10));
  }
  return residentCodeFrom(digits, scheme);
}

const TWO_POW_48 = 2 ** 48;

/** Uniform numbers in [0, 1) with 48 random bits each, from node:crypto (the OS CSPRNG). */
export function cryptoRandom(): number {
  // randomInt's range must stay below 2^48, so read six random bytes instead.
  return randomBytes(6).readUIntBE(0, 6) / TWO_POW_48;
}

// ---------------------------------------------------------------------------
// Residence card number (在留カード番号; also 特別永住者証明書番号): two letters,
// eight digits, two letters. Its check rules, if any, are not public.

/** The number in canonical form (NFKC, trimmed, upper case), or null when it is not two letters, eight digits, two letters. */
export function normalizeResidenceCardNumber(s: string): string | null {
  if (typeof s !== 'string') return null;
  const v = s.normalize('NFKC').trim().toUpperCase();
  return /^[A-Z]{2}[0-9]{8}[A-Z]{2}$/.test(v) ? v : null;
}

/** True when `s`, after NFKC and upper-casing, is two letters, eight digits and two letters (e.g. AB12345678CD; ａｂ１２３４５６７８ｃｄ too). */
export function isValidResidenceCardNumber(s: string): boolean {
  return normalizeResidenceCardNumber(s) !== null;
}
