import { describe, expect, it } from 'vitest';
import { FEED_START, formatPosition, parsePosition } from './feed-position.js';

describe('feed positions', () => {
  it('round-trip as <txid>.<seq>', () => {
    for (const p of [FEED_START, { txid: '748', seq: '12' }, { txid: '9223372036854775807', seq: '9223372036854775807' }]) {
      expect(parsePosition(formatPosition(p))).toEqual(p);
    }
  });

  it('refuse anything else', () => {
    for (const bad of ['', '1', '1.', '.1', '1.2.3', '01.2', '-1.2', '1.2a', 'x.1', '9223372036854775808.1', '1.99999999999999999999', '1 .2']) {
      expect(parsePosition(bad), bad).toBeNull();
    }
  });
});
