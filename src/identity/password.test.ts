import { beforeAll, describe, expect, it } from 'vitest';
import { decoyHash, hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem, verifyPassword } from './password.js';

const FAST = { N: 1024, r: 8, p: 1 };
const HASH_SHAPE = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]{22})\$([A-Za-z0-9_-]{43})$/;

// が composed (U+304C) and decomposed (か U+304B + combining voiced mark U+3099).
const composed = 'ぱすわーどが長いですよね';
const decomposed = composed.normalize('NFD');

describe('hashPassword / verifyPassword with the default parameters', () => {
  let stored: string;
  beforeAll(async () => {
    stored = await hashPassword(composed);
  });

  it('stores the algorithm, N = 2^15, r = 8, p = 1, a 16-byte salt and a 32-byte key', () => {
    const m = HASH_SHAPE.exec(stored);
    expect(m).not.toBeNull();
    expect(m!.slice(1, 4)).toEqual(['32768', '8', '1']);
    expect(Buffer.from(m![4]!, 'base64url')).toHaveLength(16);
    expect(Buffer.from(m![5]!, 'base64url')).toHaveLength(32);
    expect(stored).not.toContain(composed);
  });

  it('verifies the right password', async () => {
    expect(await verifyPassword(composed, stored)).toBe(true);
  });

  it('verifies the same password in decomposed form (NFC normalization)', async () => {
    expect(decomposed).not.toBe(composed);
    expect(await verifyPassword(decomposed, stored)).toBe(true);
  });

  it('refuses a wrong password', async () => {
    expect(await verifyPassword('ぱすわーどが長いですよね!', stored)).toBe(false);
  });
});

describe('hashPassword / verifyPassword with light parameters', () => {
  it('stores the parameters it was given and verifies with them', async () => {
    const stored = await hashPassword('correct horse battery staple', FAST);
    expect(stored).toMatch(HASH_SHAPE);
    expect(stored.split('$').slice(1, 4)).toEqual(['1024', '8', '1']);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    const [a, b] = await Promise.all([hashPassword('same password here', FAST), hashPassword('same password here', FAST)]);
    expect(a).not.toBe(b);
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
  });

  it('hashes decomposed input as its NFC form', async () => {
    const stored = await hashPassword(decomposed, FAST);
    expect(await verifyPassword(composed, stored)).toBe(true);
  });

  it('is case sensitive and does not fold full-width characters (NFC, not NFKC)', async () => {
    const stored = await hashPassword('Password12345', FAST);
    expect(await verifyPassword('password12345', stored)).toBe(false);
    expect(await verifyPassword('Ｐａｓｓｗｏｒｄ１２３４５', stored)).toBe(false);
  });

  it('refuses a hash whose key was tampered with', async () => {
    const stored = await hashPassword('correct horse battery staple', FAST);
    const parts = stored.split('$');
    const key = Buffer.from(parts[5]!, 'base64url');
    key[0] = key[0]! ^ 1;
    parts[5] = key.toString('base64url');
    expect(await verifyPassword('correct horse battery staple', parts.join('$'))).toBe(false);
  });

  it('refuses a hash whose salt was changed', async () => {
    const stored = await hashPassword('correct horse battery staple', FAST);
    const parts = stored.split('$');
    parts[4] = Buffer.alloc(16).toString('base64url');
    expect(await verifyPassword('correct horse battery staple', parts.join('$'))).toBe(false);
  });
});

describe('verifyPassword with malformed stored hashes', () => {
  it.each([
    '',
    'garbage',
    'scrypt',
    'scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA', // five parts
    'scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA$extra', // seven parts
    'bcrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    '$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234', // a bcrypt hash
    'SCRYPT$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    'scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', // well-formed, wrong key
  ])('returns false for %j', async (stored) => {
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(false);
  });

  // BUG (src/identity/password.ts verifyPassword): an empty key part gives a
  // zero-length expected key, scrypt derives zero bytes, and timingSafeEqual of
  // two empty buffers is true: any password verifies. Expected false.
  it.each(['scrypt$$$$$', 'scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA$'])('returns false for %j (empty key)', async (stored) => {
    expect(await verifyPassword('any password at all', stored)).toBe(false);
  });

  // BUG (src/identity/password.ts verifyPassword): parameters that scrypt refuses
  // make the promise reject (ERR_OUT_OF_RANGE / "Invalid scrypt params") instead
  // of resolving false, so a login against such a row becomes a 500, not a 401.
  it.each(['scrypt$abc$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA', 'scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA'])(
    'resolves false, rather than rejecting, for %j (bad N)',
    async (stored) => {
      await expect(verifyPassword('correct horse battery staple', stored)).resolves.toBe(false);
    },
  );
});

describe('decoyHash', () => {
  it('is a well-formed hash, computed once', async () => {
    const a = await decoyHash();
    const b = await decoyHash();
    expect(a).toMatch(HASH_SHAPE);
    expect(b).toBe(a);
  });
});

describe('passwordProblem', () => {
  it('has the documented limits', () => {
    expect(PASSWORD_MIN_LENGTH).toBe(12);
    expect(PASSWORD_MAX_LENGTH).toBe(256);
  });

  it.each([0, 1, 11])('refuses %i characters', (n) => {
    expect(passwordProblem('a'.repeat(n))).toBe('at least 12 characters');
  });

  it.each([12, 13, 100, 256])('accepts %i characters', (n) => {
    expect(passwordProblem('a'.repeat(n))).toBeNull();
  });

  it.each([257, 1000])('refuses %i characters', (n) => {
    expect(passwordProblem('a'.repeat(n))).toBe('at most 256 characters');
  });

  it('imposes no composition rules', () => {
    expect(passwordProblem('aaaaaaaaaaaa')).toBeNull();
    expect(passwordProblem('あいうえおかきくけこさし')).toBeNull();
    expect(passwordProblem('correct horse')).toBeNull();
  });

  it('never echoes the password', () => {
    expect(passwordProblem('short')).not.toContain('short');
    expect(passwordProblem('x'.repeat(300))).not.toContain('xxx');
  });
});
