/**
 * The identifier scheme of a 法人番号 where a document names one (an OSCAL
 * party's external id): the National Tax Agency's corporate number site.
 */
export const CORPORATE_NUMBER_SCHEME = 'https://www.houjin-bangou.nta.go.jp/';

/**
 * 法人番号 (corporate number, 国税庁): 13 digits, a check digit followed by a
 * 12-digit base. Check digit = 9 − (Σ Pn × Qn mod 9), where Pn is the base's
 * n-th digit counted from the right and Qn is 1 for odd n and 2 for even n
 * (法人番号の指定等に関する省令 第2条). Example: 7000012050002 (国税庁). Pure.
 */

export function corporateNumberCheckDigit(base: string): number {
  if (!/^[0-9]{12}$/.test(base)) throw new RangeError('the base of a corporate number is 12 digits');
  let sum = 0;
  for (let n = 1; n <= 12; n++) sum += Number(base[12 - n]) * (n % 2 === 1 ? 1 : 2);
  return 9 - (sum % 9);
}

/** The rule a text breaks as a corporate number, or null when it is one. */
export function corporateNumberProblem(text: string): 'format' | 'check_digit' | null {
  if (!/^[0-9]{13}$/.test(text)) return 'format';
  return corporateNumberCheckDigit(text.slice(1)) === Number(text[0]) ? null : 'check_digit';
}
