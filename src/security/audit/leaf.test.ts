import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { ENTRY_KIND_NAMES } from './catalogue.js';
import { normalizeEntry, validateEntry } from './entry.js';
import { decodeLeaf, encodeLeaf, entryJson, GENESIS_PREV, LeafError, readLeafTail } from './leaf.js';
import { sampleEntry } from './sample.js';

/** The same value with every object's keys in reverse order. */
const reversedKeys = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(reversedKeys) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversedKeys(x)])) : v;

describe('leaves', () => {
  it('are the canonical JSON of {entry, prev, seq}, and decode back', () => {
    fc.assert(
      fc.property(fc.nat(), fc.maxSafeNat(), fc.uint8Array({ minLength: 32, maxLength: 32 }), (n, seq, prevBytes) => {
        const entry = normalizeEntry(sampleEntry(n));
        const prev = Buffer.from(prevBytes);
        const leaf = encodeLeaf(entryJson(entry), prev, seq);
        expect(leaf.toString('latin1')).toBe(canonicalJson({ entry, prev: prev.toString('base64'), seq }));
        const decoded = decodeLeaf(leaf);
        expect(decoded.seq).toBe(seq);
        expect(decoded.prev.equals(prev)).toBe(true);
        expect(decoded.entry).toEqual(entry);
        const tail = readLeafTail(leaf)!;
        expect(tail.seq).toBe(seq);
        expect(leaf.toString('latin1', tail.prevStart, tail.prevStart + 44)).toBe(prev.toString('base64'));
        expect(JSON.parse(leaf.toString('latin1', tail.entryStart, tail.entryEnd))).toEqual(entry);
      }),
    );
  });

  it("writes the entry's canonical JSON the fast way, whatever order the entry's keys come in", () => {
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom(...ENTRY_KIND_NAMES), (n, kind) => {
        const entry = normalizeEntry(sampleEntry(n, { kind }));
        expect(entryJson(entry)).toBe(canonicalJson(entry));
        expect(entryJson(validateEntry(reversedKeys(entry)))).toBe(canonicalJson(entry));
      }),
    );
    // Strings the catalogue would never admit still come out as canonical JSON.
    const odd = { ...normalizeEntry(sampleEntry(1)), purpose: 'a"b\\c\u0001é\u{1F600}' };
    expect(entryJson(odd)).toBe(canonicalJson(odd));
  });

  it('reads the tail of a leaf embedded in a larger buffer', () => {
    const leaf = encodeLeaf(entryJson(normalizeEntry(sampleEntry(3))), GENESIS_PREV, 12);
    const buf = Buffer.concat([Buffer.from('xx\n'), leaf, Buffer.from('\nyy')]);
    expect(readLeafTail(buf, 3, 3 + leaf.length)?.seq).toBe(12);
  });

  it('never throws on arbitrary bytes, and finds no envelope in garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(readLeafTail(bytes)).toBeNull();
      }),
    );
  });

  it('refuses altered or non-canonical leaves with a rule', () => {
    const entry = normalizeEntry(sampleEntry(9));
    const good = encodeLeaf(entryJson(entry), randomBytes(32), 5).toString('latin1');
    const rules = (text: string) => {
      try {
        decodeLeaf(Buffer.from(text, 'latin1'));
        return 'accepted';
      } catch (err) {
        return (err as LeafError).rule;
      }
    };
    expect(rules(good)).toBe('accepted');
    expect(rules(good.replace('"seq":5}', '"seq":05}'))).toBe('envelope');
    expect(rules(good.replace('{"entry":{', '{"entry": {'))).toBe('canonical');
    expect(rules(good.replace('"kind":"', '"kind":"x'))).toBe('entry');
    expect(rules(good.replace('"v":1', '"v":1,"w":2'))).toBe('entry');
    expect(rules(good.slice(0, 40) + '\u00e9' + good.slice(41))).not.toBe('accepted');
    expect(rules('{"entry":{},"prev":"' + 'A'.repeat(43) + '=","seq":1}')).toBe('entry');
  });
});
