import { describe, expect, it } from 'vitest';
import { LIMITS } from './entry.js';
import { recordGroups } from './record.js';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('recordGroups', () => {
  it('keeps what fits in one entry as it is', () => {
    const records = [{ resource: 'residents', ids: ['a', 'b'] }, { resource: 'households', ids: [] }];
    expect(recordGroups(records)).toEqual([records]);
    expect(recordGroups([])).toEqual([[]]);
  });

  it('splits many ids into entries of at most the limit, in order, naming the constant records in each', () => {
    const always = [{ resource: 'linkage_subscriptions', ids: ['s1'] }];
    const records = [
      { resource: 'resident_changes', ids: ids('c', 700) },
      { resource: 'residents', ids: ids('r', 1500) },
    ];
    const groups = recordGroups(records, always);
    expect(groups.length).toBe(3);
    for (const g of groups) {
      expect(g[0]).toEqual(always[0]);
      expect(g.reduce((n, r) => n + r.ids.length, 0)).toBeLessThanOrEqual(LIMITS.ids);
    }
    const flat = (resource: string) => groups.flatMap((g) => g.filter((r) => r.resource === resource).flatMap((r) => r.ids));
    expect(flat('resident_changes')).toEqual(ids('c', 700));
    expect(flat('residents')).toEqual(ids('r', 1500));
  });
});
