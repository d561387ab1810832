/** Talking to a test platform through its HTTP API, as a client would. */
import { randomBytes } from 'node:crypto';
import { createAccount } from '../../src/identity/accounts.js';
import type { Role } from '../../src/identity/roles.js';
import type { App } from '../../src/platform/http/server.js';
import type { TestPlatform } from './platform.js';

export interface Reply {
  status: number;
  body: any;
  headers: Record<string, unknown>;
}

export async function call(app: App, method: string, url: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  const res = await app.inject({
    method: method as 'GET',
    url,
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
  readonly organizationCode: string;
  readonly roles: readonly Role[];
  readonly loginName: string;
  readonly password: string;
  call(method: string, url: string, body?: unknown): Promise<Reply>;
}

export function sessionFor(app: App, token: string, organizationCode: string, roles: readonly Role[], loginName = '', password = ''): Session {
  return { token, organizationCode, roles, loginName, password, call: (method, url, body) => call(app, method, url, { token, body }) };
}

/** Creates an account directly in the control database and logs in through the API. */
export async function newSession(tp: TestPlatform, organizationCode: string, roles: Role[]): Promise<Session> {
  const loginName = `u-${randomBytes(5).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  await createAccount(tp.platform.control, { organizationCode, loginName, displayName: 'テスト職員', roles, password });
  const res = await call(tp.app, 'POST', '/v1/auth/login', { body: { organizationCode, loginName, password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return sessionFor(tp.app, res.body.token, organizationCode, roles, loginName, password);
}

/** Two real municipalities used across the suites. */
export const CHIYODA = '131016';
export const SAPPORO = '011002';
export const YOKOHAMA = '141003';
