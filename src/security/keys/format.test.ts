import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyError } from './errors.js';
import { associatedData, decodeSealed, encodeHeader, encodeSealed, FORMAT_AES256GCM_V1, lengthPrefixed, MIN_SEALED_LENGTH, sealedKeyVersion } from './format.js';

const field = { municipalityCode: '131016', table: 'cell.residents', recordId: 'a1', column: 'name' };

describe('sealed-field format', () => {
  it('round-trips its parts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0x7fffffff }), fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (keyVersion, nonce, ct, tag) => {
        const sealed = encodeSealed({ format: FORMAT_AES256GCM_V1, keyVersion, nonce: Buffer.from(nonce), ciphertext: Buffer.from(ct), tag: Buffer.from(tag) });
        expect(sealed.length).toBe(MIN_SEALED_LENGTH + ct.length);
        const parts = decodeSealed(sealed);
        expect(parts.keyVersion).toBe(keyVersion);
        expect(sealedKeyVersion(sealed)).toBe(keyVersion);
        expect([...parts.nonce]).toEqual([...nonce]);
        expect([...parts.ciphertext]).toEqual([...ct]);
        expect([...parts.tag]).toEqual([...tag]);
      }),
    );
  });

  it('lays the header out as documented: format byte, big-endian version, nonce', () => {
    const header = encodeHeader(1, 0x01020304, Buffer.alloc(12, 0xab));
    expect(header.toString('hex')).toBe('01' + '01020304' + 'ab'.repeat(12));
  });

  it.each([
    ['empty', Buffer.alloc(0), /truncated/],
    ['one byte short', Buffer.concat([Buffer.of(1, 0, 0, 0, 1), Buffer.alloc(27)]), /truncated/],
    ['unknown format byte', Buffer.concat([Buffer.of(2, 0, 0, 0, 1), Buffer.alloc(28)]), /format 0x02/],
    ['key version 0', Buffer.concat([Buffer.of(1, 0, 0, 0, 0), Buffer.alloc(28)]), /impossible key version/],
    ['key version above 2^31-1', Buffer.concat([Buffer.of(1, 0x80, 0, 0, 0), Buffer.alloc(28)]), /impossible key version/],
  ])('refuses %s as ciphertext_malformed', (_name, bytes, message) => {
    expect(() => decodeSealed(bytes)).toThrow(message);
    try {
      decodeSealed(bytes);
    } catch (err) {
      expect(err).toBeInstanceOf(KeyError);
      expect((err as KeyError).code).toBe('ciphertext_malformed');
    }
  });

  it('refuses non-bytes', () => {
    expect(() => decodeSealed('abc' as unknown as Uint8Array)).toThrow(KeyError);
  });
});

describe('associated data', () => {
  const part = fc.string({ maxLength: 12 });
  it('length-prefixing is injective: different tuples never encode alike', () => {
    fc.assert(
      fc.property(fc.array(part, { maxLength: 5 }), fc.array(part, { maxLength: 5 }), (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        expect(lengthPrefixed(a).equals(lengthPrefixed(b))).toBe(false);
      }),
    );
  });

  it('changes with each part of the field and with the header', () => {
    const header = encodeHeader(1, 3, Buffer.alloc(12));
    const base = associatedData(field, header);
    const variants = [
      associatedData({ ...field, municipalityCode: '011002' }, header),
      associatedData({ ...field, table: 'cell.resident' }, header),
      associatedData({ ...field, recordId: 'a2' }, header),
      associatedData({ ...field, column: 'kana' }, header),
      associatedData(field, encodeHeader(1, 4, Buffer.alloc(12))),
      // Moving characters between adjacent parts must not collide.
      associatedData({ ...field, table: 'cell.residentsa', recordId: '1' }, header),
    ];
    for (const v of variants) expect(v.equals(base)).toBe(false);
  });
});
