import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, CanonicalJsonError, isCanonicalJson } from './canonical-json.js';

/** JSON values canonical JSON accepts: safe integers, well-formed strings, plain objects. */
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.string({ unit: 'grapheme' }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 8 }), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** The same object with its keys inserted in another order, at every depth. */
function shuffled(v: unknown, seed: number): unknown {
  if (Array.isArray(v)) return v.map((x, i) => shuffled(x, seed + i));
  if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    const order = keys.map((k, i) => ({ k, r: (i * 7919 + seed * 104729) % (keys.length + 3) })).sort((a, b) => a.r - b.r || (a.k < b.k ? 1 : -1));
    const out: Record<string, unknown> = {};
    for (const { k } of order) out[k] = shuffled((v as Record<string, unknown>)[k], seed + 1);
    return out;
  }
  return v;
}

describe('canonical JSON', () => {
  it('is JSON that parses back to the same value, and is a fixed point', () => {
    fc.assert(
      fc.property(json, (v) => {
        const text = canonicalJson(v);
        expect(JSON.parse(text)).toEqual(v);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        expect(isCanonicalJson(text)).toBe(true);
      }),
    );
  });

  it('does not depend on the order keys were inserted in', () => {
    fc.assert(
      fc.property(json, fc.nat(1000), (v, seed) => {
        expect(canonicalJson(shuffled(v, seed))).toBe(canonicalJson(v));
      }),
    );
  });

  it('sorts keys by UTF-16 code units and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], A: { z: 0, é: -3 }, '\u{1F600}': 2, '\uFFFF': 1 })).toBe(
      '{"A":{"z":0,"é":-3},"a":[true,null,"x"],"b":1,"\u{1F600}":2,"\uFFFF":1}',
    );
    expect(canonicalJson('改行\n"引用"')).toBe('"改行\\n\\"引用\\""');
  });

  it('refuses what could serialize in more than one way', () => {
    for (const bad of [1.5, NaN, Infinity, 2 ** 53, undefined, { a: undefined }, new Date(0), Buffer.from('x'), '\uD800', { '\uDC00': 1 }, 1n, () => 1]) {
      expect(() => canonicalJson(bad), String(bad)).toThrow(CanonicalJsonError);
    }
    // eslint-disable-next-line no-sparse-arrays
    expect(() => canonicalJson([1, , 2])).toThrow(CanonicalJsonError);
    expect(canonicalJson(-0)).toBe('0');
  });

  it('recognises non-canonical text', () => {
    for (const text of ['{"b":1,"a":2}', '{ "a":1}', '[1,2 ]', '1.0', '"\\u0041"', 'nope', '{"a":1}\n']) expect(isCanonicalJson(text), text).toBe(false);
  });
});
