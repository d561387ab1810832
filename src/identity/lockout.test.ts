import { expect, it } from 'vitest';
import { lockSecondsAfter, MAX_LOCK_SECONDS } from './lockout.js';

it('locks after five failures, doubling from a minute up to an hour', () => {
  expect([0, 1, 4].map(lockSecondsAfter)).toEqual([0, 0, 0]);
  expect([5, 6, 7, 8].map(lockSecondsAfter)).toEqual([60, 120, 240, 480]);
  expect(lockSecondsAfter(11)).toBe(MAX_LOCK_SECONDS);
  expect(lockSecondsAfter(1000)).toBe(MAX_LOCK_SECONDS);
});
