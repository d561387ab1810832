import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { ExportDatasetRegistry, freeTextIn, type ExportDataset } from './datasets.js';

const base: ExportDataset = {
  name: 'sample',
  ja: '見本',
  en: 'Sample',
  resource: 'samples',
  columns: [{ name: 'id', ja: 'ID' }],
  filterSchema: Type.Object({ town: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$' })), active: Type.Boolean({ default: true }) }, { additionalProperties: false }),
  async *rows() {},
};

describe('export dataset registry', () => {
  it('validates filters strictly, naming fields under body/filter, and applies defaults', () => {
    const registry = new ExportDatasetRegistry();
    const d = registry.register(base);
    const filter: Record<string, unknown> = {};
    expect(d.validateFilter(filter)).toEqual([]);
    expect(filter).toEqual({ active: true });
    expect(d.validateFilter({ town: 'x' }).map((e) => [e.field, e.rule])).toEqual([['body/filter/town', 'pattern']]);
    expect(d.validateFilter({ name: '山田' }).map((e) => [e.field, e.rule])).toEqual([['body/filter/name', 'unknown_field']]);
    expect(d.validateFilter({ active: 'yes' }).map((e) => [e.field, e.rule])).toEqual([['body/filter/active', 'type']]);
    expect(registry.get('sample')).toBe(d);
    expect(registry.register(base)).toBe(d);
    expect(() => registry.register({ ...base })).toThrow(/registered twice/);
  });

  it('refuses filters that could carry personal data (free text)', () => {
    expect(freeTextIn(base.filterSchema)).toBeNull();
    expect(freeTextIn(Type.Object({ name: Type.String() }, { additionalProperties: false }))).toMatch(/filter\/name/);
    expect(freeTextIn(Type.Object({ a: Type.Integer() }))).toMatch(/unknown fields/);
    expect(freeTextIn(Type.Object({ a: Type.Unknown() }, { additionalProperties: false }))).toMatch(/any type/);
    expect(freeTextIn(Type.Object({ a: Type.Array(Type.String()) }, { additionalProperties: false }))).toMatch(/items/);
    expect(freeTextIn(Type.Object({ a: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }))).toMatch(/anyOf/);
    expect(freeTextIn(Type.Object({ d: Type.String({ format: 'date' }), k: Type.Enum(['a', 'b']), n: Type.Union([Type.Literal('x'), Type.Null()]) }, { additionalProperties: false }))).toBeNull();
    const registry = new ExportDatasetRegistry();
    expect(() => registry.register({ ...base, filterSchema: Type.Object({ name: Type.String() }, { additionalProperties: false }) })).toThrow(/personal data/);
    expect(() => registry.register({ ...base, name: 'Bad-Name' })).toThrow(/snake_case/);
    expect(() => registry.register({ ...base, columns: [{ name: 'a', ja: 'a' }, { name: 'a', ja: 'b' }] })).toThrow(/unique/);
  });
});
