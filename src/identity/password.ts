/**
 * Password hashing with scrypt, a memory-hard function built into Node: with
 * N = 2^15 and r = 8 each guess costs 32 MiB of memory, which makes GPU and
 * ASIC guessing expensive. The parameters are stored with each hash so they
 * can be raised later without invalidating existing passwords.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCallback(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );

const DEFAULT = { N: 1 << 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export async function hashPassword(password: string, params = DEFAULT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { ...params, maxmem: 256 * params.N * params.r });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Parameters this module would itself have written: anything else is a corrupt or forged row. */
function storedParams(stored: string): { N: number; r: number; p: number; salt: Buffer; key: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [, n, r, p, saltText, keyText] = parts as [string, string, string, string, string, string];
  if (![n, r, p].every((x) => /^[1-9][0-9]{0,7}$/.test(x))) return null;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  // N must be a power of two above 1; keep the memory cost within what hashPassword could have chosen.
  if (params.N < 2 || (params.N & (params.N - 1)) !== 0 || params.N > 1 << 20 || params.r > 32 || params.p > 16) return null;
  const salt = Buffer.from(saltText, 'base64url');
  const key = Buffer.from(keyText, 'base64url');
  if (salt.length < 16 || key.length !== KEY_LENGTH) return null;
  return { ...params, salt, key };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const params = storedParams(stored);
  if (!params) return false;
  const key = await scrypt(password.normalize('NFC'), params.salt, KEY_LENGTH, {
    N: params.N,
    r: params.r,
    p: params.p,
    maxmem: 256 * params.N * params.r,
  });
  return timingSafeEqual(key, params.key);
}

/** A hash of a random password: verified against when the login name is unknown, so timing does not reveal which names exist. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

/** Why a new password is refused, or null. Length over composition rules (NIST SP 800-63B). */
export function passwordProblem(password: string): string | null {
  // Characters as a person counts them: code points after composition (が is one, not two).
  const length = [...password.normalize('NFC')].length;
  if (length < PASSWORD_MIN_LENGTH) return `at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `at most ${PASSWORD_MAX_LENGTH} characters`;
  return null;
}
