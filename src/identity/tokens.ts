/**
 * Bearer tokens for sessions and API tokens: 32 random bytes, with a prefix
 * that says what they are (so a leaked one is easy to spot in a scan). Only
 * their SHA-256 is stored.
 */
import { createHash, randomBytes } from 'node:crypto';

export type CredentialKind = 'session' | 'api_token' | 'mfa_challenge';

const PREFIX: Record<CredentialKind, string> = { session: 'mcs_', api_token: 'mct_', mfa_challenge: 'mcc_' };
const SHAPE = /^mc[stc]_[A-Za-z0-9_-]{43}$/;

export function newToken(kind: CredentialKind): string {
  return PREFIX[kind] + randomBytes(32).toString('base64url');
}

export function isTokenShaped(token: string): boolean {
  return SHAPE.test(token);
}

export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
