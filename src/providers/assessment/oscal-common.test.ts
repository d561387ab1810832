import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, earliestDay, isDateTime, isDay, startOfDayInJapan } from '../days.js';
import { derivedUuid, isOurProp, MUNICLOUD_NS, pointer } from './oscal-common.js';

describe('derivedUuid', () => {
  it('is the RFC 4122 v5 UUID of the JSON-encoded parts in municloud\u2019s namespace (checked with Python\u2019s uuid.uuid5)', () => {
    expect(derivedUuid('component', 'saas-lead')).toBe('adbff235-d9e8-513d-8d40-0fb630f2bc80');
  });

  it('tells apart parts that would join to the same text', () => {
    expect(derivedUuid('a,b')).not.toBe(derivedUuid('a', 'b'));
  });
});

describe('props and pointers', () => {
  it('a prop is ours in our namespace or without one', () => {
    expect(isOurProp({ name: 'inherited-from', ns: MUNICLOUD_NS }, 'inherited-from')).toBe(true);
    expect(isOurProp({ name: 'inherited-from' }, 'inherited-from')).toBe(true);
    expect(isOurProp({ name: 'inherited-from', ns: 'https://example.com' }, 'inherited-from')).toBe(false);
  });

  it('escapes JSON Pointer segments', () => {
    expect(pointer('a', 0, 'b/c', 'd~e')).toBe('/a/0/b~1c/d~0e');
  });
});

describe('days', () => {
  it('reads, adds and compares calendar days', () => {
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2028-02-29')).toBe(true);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(daysBetween('2026-04-01', '2026-12-31')).toBe(274);
    expect(earliestDay(['2026-05-01', null, '2026-04-30'])).toBe('2026-04-30');
    expect(earliestDay([null])).toBeNull();
    expect(startOfDayInJapan('2026-04-01')).toBe('2026-04-01T00:00:00+09:00');
    expect(isDateTime('2026-04-01T00:00:00+09:00')).toBe(true);
    expect(isDateTime('2026-04-01T00:00:00')).toBe(false);
  });
});
