import { describe, expect, it } from 'vitest';
import { BoundedCache } from './key-cache.js';

describe('BoundedCache', () => {
  it('expires entries after their time', () => {
    let now = 0;
    const cache = new BoundedCache<string>(10, 100, () => now);
    cache.set('a', 'A');
    now = 99;
    expect(cache.get('a')).toBe('A');
    now = 100;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never holds more than its bound, dropping the least recently used', () => {
    const cache = new BoundedCache<number>(3, 1000);
    for (const k of ['a', 'b', 'c']) cache.set(k, 1);
    cache.get('a');
    cache.set('d', 1);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
  });

  it('drops a prefix (one municipality) at once', () => {
    const cache = new BoundedCache<number>(10, 1000);
    cache.set('131016:record:1', 1);
    cache.set('131016:blind_index:1', 1);
    cache.set('011002:record:1', 1);
    expect(cache.deletePrefix('131016:')).toBe(2);
    expect(cache.size).toBe(1);
  });

  it('refuses nonsense bounds', () => {
    expect(() => new BoundedCache(0, 1)).toThrow(RangeError);
    expect(() => new BoundedCache(1, 0)).toThrow(RangeError);
  });
});
