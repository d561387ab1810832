/**
 * Local public body codes (地方公共団体コード, JIS X 0401/0402): six digits
 * `PP CCC D`, PP the prefecture, CCC the body within it, D a check digit.
 * Pure functions; no catalogue lookups here.
 */

/** Check digit for the five leading digits: r = Σ digit × (6,5,4,3,2) mod 11; D = (11 − r) mod 10. */
export function checkDigitFor(fiveDigits: string): number {
  if (!/^[0-9]{5}$/.test(fiveDigits)) throw new RangeError('expected five digits');
  let sum = 0;
  for (let i = 0; i < 5; i++) sum += Number(fiveDigits[i]) * (6 - i);
  return (11 - (sum % 11)) % 10;
}

export type CodeProblem = 'format' | 'check_digit';

/** Why a string is not a well-formed local public body code, or null when it is. */
export function codeProblem(code: string): CodeProblem | null {
  if (!/^[0-9]{6}$/.test(code)) return 'format';
  return checkDigitFor(code.slice(0, 5)) === Number(code[5]) ? null : 'check_digit';
}

export function isWellFormedCode(code: string): boolean {
  return codeProblem(code) === null;
}

/** Appends the check digit to a five-digit code. */
export function withCheckDigit(fiveDigits: string): string {
  return fiveDigits + String(checkDigitFor(fiveDigits));
}

/** The prefecture's own code (PP000D) for any code of that prefecture. */
export function prefectureCodeOf(code: string): string {
  return withCheckDigit(`${code.slice(0, 2)}000`);
}
