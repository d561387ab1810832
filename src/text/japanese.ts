/**
 * Japanese text normalization for names and readings. Pure.
 *
 * - NFKC folds half-width katakana (ｶﾅ) to full width and full-width Latin and
 *   digits (ＡＢ１２) to ASCII, so the same name typed on different terminals
 *   compares equal.
 * - Readings are stored in full-width katakana; hiragana input is accepted.
 */

export function normalizeText(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

export function toKatakana(text: string): string {
  return text.replace(/[\u3041-\u3096\u309d\u309e]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0x60));
}

/** A reading normalized to full-width katakana; null when it holds anything but kana, the long-vowel mark and spaces. */
export function normalizeKanaReading(text: string): string | null {
  const kana = toKatakana(normalizeText(text)).replace(/ /g, '\u3000');
  return /^[\u30a1-\u30fa\u30fc\u30fd\u30fe\u3000]+$/.test(kana) ? kana : null;
}

/**
 * The digits of a number as people type it: NFKC (full-width digits), without
 * spaces and the hyphens, dashes and long-vowel marks used between groups.
 */
export function digitsOnly(text: string): string {
  return normalizeText(text).replace(/[\s\-‐‑‒–—―−ー]/g, '');
}

/**
 * A postal code (郵便番号) as NNN-NNNN: full-width digits and any hyphen or
 * dash between the groups are accepted; a space is not (it more often splits
 * two values than two groups). Null when it is not seven digits.
 */
export function normalizePostalCode(text: string): string | null {
  const d = normalizeText(text).replace(/[-‐‑‒–—―−ー]/g, '');
  return /^[0-9]{7}$/.test(d) ? `${d.slice(0, 3)}-${d.slice(3)}` : null;
}
