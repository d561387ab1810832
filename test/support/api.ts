/** Talking to a test platform through its HTTP API, as a client would. */
import { randomBytes } from 'node:crypto';
import { createAccount } from '../../src/identity/accounts.js';
import { requiresMfa, type Role } from '../../src/identity/roles.js';
import { provisionActiveTotp } from '../../src/identity/mfa.js';
import { hotp, totpCounter } from '../../src/identity/totp.js';
import { inTransaction } from '../../src/platform/database.js';
import type { App } from '../../src/platform/http/server.js';
import { replaceZones } from '../../src/security/access/network-zones.js';
import type { TestPlatform } from './platform.js';

export interface Reply {
  status: number;
  body: any;
  headers: Record<string, unknown>;
}

export async function call(
  app: App,
  method: string,
  url: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; remoteAddress?: string } = {},
): Promise<Reply> {
  const res = await app.inject({
    method: method as 'GET',
    url,
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { payload: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
  });
  let body: unknown = res.body;
  try {
    body = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.statusCode, body, headers: res.headers };
}

export interface Session {
  readonly token: string;
  /** The account's authenticator secret, when it has one. */
  readonly totpSecret?: Buffer;
  readonly organizationCode: string;
  readonly roles: readonly Role[];
  readonly loginName: string;
  readonly password: string;
  call(method: string, url: string, body?: unknown, headers?: Readonly<Record<string, string>>): Promise<Reply>;
}

export function sessionFor(
  app: App,
  token: string,
  organizationCode: string,
  roles: readonly Role[],
  loginName = '',
  password = '',
  totpSecret?: Buffer,
): Session {
  return { token, organizationCode, roles, loginName, password, ...(totpSecret ? { totpSecret } : {}), call: (method, url, body, headers) => call(app, method, url, { token, body, ...(headers ? { headers: { ...headers } } : {}) }) };
}

const lastCounter = new Map<string, number>();

/**
 * A code the server has not seen yet for this secret: codes are single use, so
 * a second login within one 30-second step takes the next step's code (within
 * the accepted drift), and a third waits for the clock.
 */
export async function freshTotp(secret: Buffer): Promise<string> {
  const key = secret.toString('hex');
  for (;;) {
    const now = totpCounter(Date.now());
    const next = Math.max(now - 1, (lastCounter.get(key) ?? -Infinity) + 1);
    if (next <= now + 1) {
      lastCounter.set(key, next);
      return hotp(secret, next);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Logs in through the API with the password and, when asked for one, the second factor. */
export async function logIn(app: App, organizationCode: string, loginName: string, password: string, totpSecret?: Buffer): Promise<Reply> {
  const res = await call(app, 'POST', '/v1/auth/login', { body: { organizationCode, loginName, password } });
  if (res.status !== 200 || res.body.status !== 'mfa_required') return res;
  if (!totpSecret) throw new Error('the account asks for a second factor, and the test has none');
  return call(app, 'POST', '/v1/auth/login/mfa', { body: { challenge: res.body.challenge, code: await freshTotp(totpSecret) } });
}

/** Gives an account an active authenticator directly in the control database. */
export function enrolTotp(tp: TestPlatform, accountId: string): Promise<Buffer> {
  return provisionActiveTotp(tp.platform.control, accountId);
}

/**
 * Creates an account directly in the control database and logs in through the
 * API. Accounts whose roles require a second factor get an authenticator first.
 */
export async function newSession(tp: TestPlatform, organizationCode: string, roles: Role[]): Promise<Session> {
  const loginName = `u-${randomBytes(5).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  const account = await createAccount(tp.platform.control, { organizationCode, loginName, displayName: 'テスト職員', roles, password });
  const totpSecret = requiresMfa(roles) ? await enrolTotp(tp, account.id) : undefined;
  const res = await logIn(tp.app, organizationCode, loginName, password, totpSecret);
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return sessionFor(tp.app, res.body.token, organizationCode, roles, loginName, password, totpSecret);
}

/** Two real municipalities used across the suites. */
export const CHIYODA = '131016';
export const SAPPORO = '011002';
export const YOKOHAMA = '141003';

/** Puts the test client (inject's loopback address) inside the municipality's My Number zone. */
export async function placeInMyNumberZone(tp: TestPlatform, municipalityCode: string): Promise<void> {
  await inTransaction(tp.platform.control, (client) =>
    replaceZones(client, municipalityCode, [
      { zone: 'my_number', cidr: '127.0.0.0/8' },
      { zone: 'my_number', cidr: '::1/128' },
    ]),
  );
}
