/**
 * Option parsers the providers' commands share: a bad value is refused as a
 * problem naming the option, like the API names the field.
 */
import { fieldError, Problem } from '../platform/errors.js';
import { isDay } from './days.js';

/** A day (YYYY-MM-DD) given to `flag`. */
export function dayOption(flag: string) {
  return (text: string): string => {
    if (!isDay(text)) throw new Problem('validation_failed', [fieldError(flag, 'date', { ja: '日付（YYYY-MM-DD）で指定してください。', en: 'must be a date (YYYY-MM-DD)' })]);
    return text;
  };
}

/** How far ahead a lapse is announced (`--within-days`): 0 to 3660 days. */
export function withinDaysOption(text: string): number {
  if (!/^[0-9]{1,4}$/.test(text) || Number(text) > 3660) {
    throw new Problem('validation_failed', [fieldError('--within-days', 'days', { ja: '0〜3660 の日数で指定してください。', en: 'must be a number of days from 0 to 3660' })]);
  }
  return Number(text);
}
