/**
 * Personal data the suite feeds the platform, which must never appear in a log
 * line: the global teardown (global-setup.ts) scans every log the suite wrote
 * for these names and readings and for anything shaped like a My Number.
 * Tests that enrol residents take their names from here.
 */
import { myNumberCheckDigit } from '../../src/security/keys/blind-index.js';

export const TEST_RESIDENT_NAMES = ['髙橋', '一郎', 'タカハシ', 'イチロウ', '花子', 'ハナコ', '次郎', 'ジロウ', '三郎', 'サブロウ'] as const;

/** Twelve digits standing alone (not the tail of a UUID, an id or a decimal fraction) whose last is a valid My Number check digit. */
export function myNumbersIn(text: string): string[] {
  return [...text.matchAll(/(?<![0-9A-Za-z.-])[0-9]{12}(?![0-9A-Za-z.-])/g)].map((m) => m[0]).filter((d) => myNumberCheckDigit(d.slice(0, 11)) === Number(d[11]));
}

/** What a log text leaks: test residents' names and readings, My Numbers. */
export function leaksIn(text: string): string[] {
  return [...TEST_RESIDENT_NAMES.filter((n) => text.includes(n)), ...myNumbersIn(text)];
}
