import { createCipheriv, createSecretKey, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyError } from './errors.js';
import { MIN_SEALED_LENGTH, type BoundField } from './format.js';
import { openField, sealField, type VersionedKey } from './record-cipher.js';

const key = (version: number, bytes = randomBytes(32)): VersionedKey => ({ version, key: createSecretKey(bytes) });
const dek = key(3);

const fieldArb = fc.record({
  municipalityCode: fc.stringMatching(/^[0-9]{6}$/),
  table: fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}\.[a-z_][a-z0-9_]{0,10}$/),
  recordId: fc.string({ minLength: 1, maxLength: 40 }),
  column: fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/),
});

function rejects(fn: () => unknown): KeyError {
  let result: unknown;
  try {
    result = fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KeyError);
    return err as KeyError;
  }
  throw new Error(`expected a KeyError, got a result of ${String((result as Buffer)?.length)} bytes`);
}

describe('sealField / openField', () => {
  it('round-trips any plaintext at any field', () => {
    fc.assert(
      fc.property(fieldArb, fc.uint8Array({ maxLength: 2048 }), (field, plaintext) => {
        const sealed = sealField(dek, field, plaintext);
        expect(sealed.length).toBe(MIN_SEALED_LENGTH + plaintext.length);
        expect([...openField(dek, field, sealed)]).toEqual([...plaintext]);
      }),
    );
  });

  it('detects any single-bit change anywhere in the sealed value', () => {
    fc.assert(
      fc.property(fieldArb, fc.uint8Array({ maxLength: 256 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (field, plaintext, at, bit) => {
        const sealed = sealField(dek, field, plaintext);
        const i = at % sealed.length;
        sealed[i]! ^= 1 << bit;
        const err = rejects(() => openField(dek, field, sealed));
        // The format byte and the version are checked first; everything else fails authentication.
        expect(['ciphertext_malformed', 'key_version_unknown', 'ciphertext_rejected']).toContain(err.code);
      }),
    );
  });

  it('refuses a value copied to another municipality, table, record or column', () => {
    fc.assert(
      fc.property(fieldArb, fieldArb, fc.uint8Array({ maxLength: 64 }), (a, b, plaintext) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        const sealed = sealField(dek, a, plaintext);
        expect(rejects(() => openField(dek, b, sealed)).code).toBe('ciphertext_rejected');
      }),
    );
  });

  it('refuses truncated values at every length', () => {
    const field: BoundField = { municipalityCode: '131016', table: 'cell.residents', recordId: 'r1', column: 'name' };
    const sealed = sealField(dek, field, Buffer.from('山田太郎'));
    for (let n = 0; n < sealed.length; n++) {
      const err = rejects(() => openField(dek, field, sealed.subarray(0, n)));
      expect(['ciphertext_malformed', 'ciphertext_rejected']).toContain(err.code);
    }
  });

  it('refuses a value sealed under another key of the same version (a forgery), and names only ids', () => {
    const field: BoundField = { municipalityCode: '131016', table: 'cell.residents', recordId: 'r1', column: 'name' };
    const sealed = sealField(key(3), field, Buffer.from('山田太郎'));
    const err = rejects(() => openField(dek, field, sealed));
    expect(err.code).toBe('ciphertext_rejected');
    expect(err.message).toBe('cell.residents.name record r1 (municipality 131016): sealed value failed authentication (key version 3)');
  });

  it('refuses a key of another version before decrypting', () => {
    const field: BoundField = { municipalityCode: '131016', table: 'cell.residents', recordId: 'r1', column: 'name' };
    const sealed = sealField(key(2), field, Buffer.from('x'));
    expect(rejects(() => openField(dek, field, sealed)).code).toBe('key_version_unknown');
  });

  it('matches an independent computation of the documented format (fixed key and nonce)', () => {
    const bytes = Buffer.alloc(32, 7);
    const field: BoundField = { municipalityCode: '131016', table: 'cell.t', recordId: '1', column: 'c' };
    const sealed = sealField(key(1, bytes), field, Buffer.from('abc'), Buffer.alloc(12, 9));
    // Written out by hand from the format's description, without the module's helpers.
    const header = Buffer.from('01' + '00000001' + '09'.repeat(12), 'hex');
    const lp = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
    const aad = Buffer.concat(['municloud/sealed-field/v1', '131016', 'cell.t', '1', 'c'].map((s) => lp(Buffer.from(s))).concat(lp(header)));
    const cipher = createCipheriv('aes-256-gcm', bytes, Buffer.alloc(12, 9));
    cipher.setAAD(aad);
    const expected = Buffer.concat([header, cipher.update('abc'), cipher.final(), cipher.getAuthTag()]);
    expect(sealed.toString('hex')).toBe(expected.toString('hex'));
    expect(openField(key(1, bytes), field, sealed).toString()).toBe('abc');
  });

  it('refuses bad field references and non-AES-256 keys', () => {
    const good: BoundField = { municipalityCode: '131016', table: 'cell.t', recordId: '1', column: 'c' };
    expect(() => sealField(dek, { ...good, municipalityCode: '1310' }, Buffer.alloc(1))).toThrow(TypeError);
    expect(() => sealField(dek, { ...good, table: 'Cell.T' }, Buffer.alloc(1))).toThrow(TypeError);
    expect(() => sealField(dek, { ...good, column: 'a.b' }, Buffer.alloc(1))).toThrow(TypeError);
    expect(() => sealField(dek, { ...good, recordId: '' }, Buffer.alloc(1))).toThrow(TypeError);
    expect(() => sealField({ version: 1, key: createSecretKey(randomBytes(16)) }, good, Buffer.alloc(1))).toThrow(TypeError);
  });
});

describe('freshNonce', () => {
  it('hands out distinct 12-byte nonces across pool refills', async () => {
    const { freshNonce } = await import('./record-cipher.js');
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const n = freshNonce();
      expect(n.length).toBe(12);
      seen.add(n.toString('hex'));
    }
    expect(seen.size).toBe(3000);
  });
});
