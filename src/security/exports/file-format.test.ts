import { createCipheriv, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decryptExport,
  encodeExportKey,
  encryptExport,
  ExportFileError,
  ExportFileReader,
  ExportFileWriter,
  ExportKeyError,
  generateExportKey,
  HEADER_LENGTH,
  parseExportKey,
  readHeader,
  TAG_LENGTH,
} from './file-format.js';

const ID = '3b230fe9-ee0e-448e-8000-0001d52dab67';
const KEY = Buffer.alloc(32, 7);
const failure = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ExportFileError) return err.reason;
    throw err;
  }
  return 'ok';
};

describe('MCX1 file format', () => {
  it('matches the format as documented, computed independently (known answer)', () => {
    const prefix = Buffer.from('0102030405060708', 'hex');
    const chunkSize = 1024;
    const plaintext = Buffer.from('a'.repeat(1500), 'latin1');
    const w = new ExportFileWriter(KEY, ID, { chunkSize, noncePrefix: prefix });
    const file = Buffer.concat([w.header, ...w.write(plaintext), w.end()]);

    const start = Buffer.concat([Buffer.from('MCX1'), Buffer.from([0, 0, 4, 0]), prefix, Buffer.from(ID.replace(/-/g, ''), 'hex')]);
    const check = createHmac('sha256', KEY).update('municloud/export/v1/key-check').update(start).digest().subarray(0, 16);
    const header = Buffer.concat([start, check]);
    const k = createHmac('sha256', KEY).update('municloud/export/v1/encryption').update(start).digest();
    const seal = (i: number, data: Buffer, last: boolean) => {
      const c = createCipheriv('aes-256-gcm', k, Buffer.concat([prefix, Buffer.from([0, 0, 0, i])]));
      c.setAAD(Buffer.concat([header, Buffer.from([last ? 1 : 0])]));
      return Buffer.concat([c.update(data), c.final(), c.getAuthTag()]);
    };
    const expected = Buffer.concat([header, seal(0, plaintext.subarray(0, 1024), false), seal(1, plaintext.subarray(1024), true)]);
    expect(file.equals(expected)).toBe(true);
    expect(file.length).toBe(HEADER_LENGTH + 1500 + 2 * TAG_LENGTH);
    expect(readHeader(file)).toEqual({ exportId: ID, chunkSize: 1024 });
  });

  it('round-trips any plaintext, fed in any pieces (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }), (bytes, cuts) => {
        const file = encryptExport(KEY, ID, bytes, { chunkSize: 1024 });
        const r = new ExportFileReader(KEY);
        const out: Buffer[] = [];
        let at = 0;
        for (let i = 0; at < file.length; i++) {
          const n = cuts[i % cuts.length]!;
          out.push(...r.push(file.subarray(at, at + n)));
          at += n;
        }
        out.push(...r.end());
        expect(Buffer.concat(out).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('writes exactly full chunks before the last, the last never empty unless the whole file is', () => {
    for (const size of [0, 1, 1023, 1024, 1025, 2048, 3000]) {
      const file = encryptExport(KEY, ID, Buffer.alloc(size, 1), { chunkSize: 1024 });
      const chunks = Math.max(1, Math.ceil(size / 1024));
      expect(file.length, `size ${size}`).toBe(HEADER_LENGTH + size + chunks * TAG_LENGTH);
      expect(decryptExport(KEY, file).plaintext.length).toBe(size);
    }
  });

  it('names a wrong key as such', () => {
    const file = encryptExport(KEY, ID, Buffer.from('resident data'));
    expect(failure(() => decryptExport(Buffer.alloc(32, 8), file))).toBe('wrong_key');
  });

  it('detects a file cut at a chunk boundary, inside a chunk, or after its header', () => {
    const file = encryptExport(KEY, ID, Buffer.alloc(3000, 2), { chunkSize: 1024 });
    const frame = 1024 + TAG_LENGTH;
    expect(failure(() => decryptExport(KEY, file.subarray(0, HEADER_LENGTH + 2 * frame)))).toBe('truncated');
    expect(failure(() => decryptExport(KEY, file.subarray(0, HEADER_LENGTH + frame)))).toBe('truncated');
    expect(failure(() => decryptExport(KEY, file.subarray(0, HEADER_LENGTH)))).toBe('truncated');
    expect(failure(() => decryptExport(KEY, file.subarray(0, file.length - 1)))).toBe('altered');
    expect(failure(() => decryptExport(KEY, file.subarray(0, HEADER_LENGTH + 100)))).toBe('altered');
    expect(failure(() => decryptExport(KEY, file.subarray(0, 20)))).toBe('malformed');
  });

  it('detects chunks appended, removed, swapped, or taken from another file', () => {
    const a = encryptExport(KEY, ID, Buffer.alloc(3000, 3), { chunkSize: 1024 });
    const b = encryptExport(KEY, ID, Buffer.alloc(3000, 3), { chunkSize: 1024 });
    const frame = 1024 + TAG_LENGTH;
    const chunk = (f: Buffer, i: number) => f.subarray(HEADER_LENGTH + i * frame, HEADER_LENGTH + (i + 1) * frame);
    const header = a.subarray(0, HEADER_LENGTH);
    const last = a.subarray(HEADER_LENGTH + 2 * frame);
    // Appended data after the real last chunk.
    expect(failure(() => decryptExport(KEY, Buffer.concat([a, chunk(a, 0)])))).toBe('altered');
    // A middle chunk removed.
    expect(failure(() => decryptExport(KEY, Buffer.concat([header, chunk(a, 0), last])))).toBe('altered');
    // Two chunks swapped.
    expect(failure(() => decryptExport(KEY, Buffer.concat([header, chunk(a, 1), chunk(a, 0), last])))).toBe('altered');
    // A chunk of another file under the same key (another nonce prefix, another header).
    expect(failure(() => decryptExport(KEY, Buffer.concat([header, chunk(b, 0), chunk(a, 1), last])))).toBe('altered');
  });

  it('detects every single-bit change (property)', () => {
    const file = encryptExport(KEY, ID, Buffer.from('氏名,住所\r\n山田太郎,千代田区\r\n'.repeat(80)), { chunkSize: 1024 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: file.length * 8 - 1 }), (bit) => {
        const altered = Buffer.from(file);
        altered[bit >> 3]! ^= 1 << (bit & 7);
        expect(failure(() => decryptExport(KEY, altered))).not.toBe('ok');
      }),
      { numRuns: 300 },
    );
  });

  it('uses a fresh nonce prefix per file', () => {
    const a = encryptExport(KEY, ID, Buffer.from('x'));
    const b = encryptExport(KEY, ID, Buffer.from('x'));
    expect(a.subarray(8, 16).equals(b.subarray(8, 16))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it('refuses unusable chunk sizes in a header', () => {
    const file = encryptExport(KEY, ID, Buffer.from('x'), { chunkSize: 1024 });
    const huge = Buffer.from(file);
    huge.writeUInt32BE(2 ** 31, 4);
    expect(failure(() => decryptExport(KEY, huge))).toBe('malformed');
    expect(() => new ExportFileWriter(KEY, ID, { chunkSize: 100 })).toThrow(RangeError);
  });
});

describe('export keys', () => {
  it('are 32 random bytes as 43 base64url characters, parsed strictly', () => {
    const key = generateExportKey();
    const text = encodeExportKey(key);
    expect(text).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(parseExportKey(` ${text}\n`).equals(key)).toBe(true);
    expect(() => parseExportKey(text.slice(1))).toThrow(ExportKeyError);
    expect(() => parseExportKey(`${text.slice(0, 42)}+`)).toThrow(ExportKeyError);
    // Non-canonical: the unused low bits of the last character set.
    const last = text.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twisted = alphabet[(alphabet.indexOf(last) & ~3) | ((alphabet.indexOf(last) + 1) & 3)]!;
    expect(() => parseExportKey(`${text.slice(0, 42)}${twisted}`)).toThrow(ExportKeyError);
    expect(generateExportKey().equals(generateExportKey())).toBe(false);
  });
});
