import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTokenShaped, newToken, tokenHash } from './tokens.js';

describe('newToken', () => {
  it.each([
    ['session', 'mcs_'],
    ['api_token', 'mct_'],
  ] as const)('gives a %s token prefixed %s with 32 random bytes', (kind, prefix) => {
    const token = newToken(kind);
    expect(token.startsWith(prefix)).toBe(true);
    expect(token).toHaveLength(4 + 43);
    expect(Buffer.from(token.slice(4), 'base64url')).toHaveLength(32);
    expect(isTokenShaped(token)).toBe(true);
  });

  it('never repeats', () => {
    const tokens = new Set(Array.from({ length: 200 }, () => newToken('session')));
    expect(tokens.size).toBe(200);
  });
});

describe('isTokenShaped', () => {
  const body = 'A'.repeat(43);
  it.each([`mcs_${body}`, `mct_${body}`, `mcs_${'-_09azAZ'.repeat(5)}abc`])('accepts %s', (t) => {
    expect(isTokenShaped(t)).toBe(true);
  });

  it.each([
    ['', 'empty'],
    [body, 'no prefix'],
    [`mcx_${body}`, 'unknown prefix'],
    [`MCS_${body}`, 'upper-case prefix'],
    [`mcs-${body}`, 'wrong separator'],
    [`mcs_${'A'.repeat(42)}`, 'too short'],
    [`mcs_${'A'.repeat(44)}`, 'too long'],
    [`mcs_${'A'.repeat(42)}=`, 'padding'],
    [`mcs_${'A'.repeat(42)}+`, 'base64 +'],
    [`mcs_${'A'.repeat(42)}/`, 'base64 /'],
    [`mcs_${'A'.repeat(42)}.`, 'dot'],
    [` mcs_${body}`, 'leading space'],
    [`mcs_${body}\n`, 'trailing newline'],
    [`Bearer mcs_${body}`, 'with scheme'],
  ])('refuses %j (%s)', (t) => {
    expect(isTokenShaped(t)).toBe(false);
  });
});

describe('tokenHash', () => {
  it('is SHA-256 of the token', () => {
    expect(tokenHash('abc').toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(tokenHash('')).toHaveLength(32);
  });

  it('is deterministic and tells tokens apart (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(tokenHash(a).equals(tokenHash(a))).toBe(true);
        if (a !== b) expect(tokenHash(a).equals(tokenHash(b))).toBe(false);
      }),
    );
  });

  it('hashes session and API tokens to 32 bytes', () => {
    expect(tokenHash(newToken('session'))).toHaveLength(32);
    expect(tokenHash(newToken('api_token'))).toHaveLength(32);
  });
});
