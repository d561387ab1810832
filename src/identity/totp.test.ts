import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, totpAt, totpCounter } from './totp.js';

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890"; codes are its 8-digit values' last 6 digits.
const RFC_SECRET = Buffer.from('12345678901234567890');
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(RFC_VECTORS)('matches the RFC 6238 test vector at T=%i', (seconds, eight) => {
    expect(totpAt(RFC_SECRET, seconds * 1000)).toBe(eight.slice(2));
  });

  it('matches the RFC 4226 HOTP test vectors', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expected.forEach((code, counter) => expect(hotp(RFC_SECRET, counter)).toBe(code));
  });

  it('accepts a code once, within one step of drift, and never an older one', () => {
    const now = 1_800_000_000_000;
    const c = totpCounter(now);
    const code = totpAt(RFC_SECRET, now);
    expect(matchTotp(RFC_SECRET, code, now, -1)).toBe(c);
    expect(matchTotp(RFC_SECRET, code, now, c)).toBeNull();
    expect(matchTotp(RFC_SECRET, totpAt(RFC_SECRET, now - 30_000), now, -1)).toBe(c - 1);
    expect(matchTotp(RFC_SECRET, totpAt(RFC_SECRET, now + 30_000), now, c)).toBe(c + 1);
    expect(matchTotp(RFC_SECRET, totpAt(RFC_SECRET, now - 60_000), now, -1)).toBeNull();
    expect(matchTotp(RFC_SECRET, totpAt(RFC_SECRET, now - 30_000), now, c)).toBeNull();
  });

  it('refuses malformed codes', () => {
    for (const code of ['', '12345', '1234567', 'abcdef', '12 456', '１２３４５６']) expect(matchTotp(RFC_SECRET, code, 0, -1)).toBeNull();
  });

  it('base32 round-trips any bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(base32Decode(base32Encode(Buffer.from(bytes)))).toEqual(Buffer.from(bytes));
      }),
    );
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
  });

  it('builds an otpauth URI authenticator apps read', () => {
    const uri = otpauthUri('municloud', '131016/clerk', RFC_SECRET);
    expect(uri).toMatch(/^otpauth:\/\/totp\/municloud%3A131016%2Fclerk\?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=municloud/);
  });
});
