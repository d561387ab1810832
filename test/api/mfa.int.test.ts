/** Multi-factor login: enrolment, login with TOTP or recovery codes, replay protection, lockout, admin reset. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/identity/accounts.js';
import { base32Decode, totpAt } from '../../src/identity/totp.js';
import { call, CHIYODA, freshTotp, logIn, newSession } from '../support/api.js';
import { createTestPlatform, type TestPlatform } from '../support/platform.js';

let tp: TestPlatform;
beforeAll(async () => {
  tp = await createTestPlatform();
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
});
afterAll(async () => tp?.close());

async function newAccount(roles: ('clerk' | 'municipal_admin')[] = ['clerk']) {
  const loginName = `m-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  const account = await createAccount(tp.platform.control, { organizationCode: CHIYODA, loginName, displayName: '職員', roles, password });
  return { ...account, password };
}
const login = (loginName: string, password: string) =>
  call(tp.app, 'POST', '/v1/auth/login', { body: { organizationCode: CHIYODA, loginName, password } });

describe('multi-factor login', () => {
  it('staff who can see My Number must enrol before doing anything else, then log in with a code', async () => {
    const a = await newAccount();
    const first = await login(a.loginName, a.password);
    expect(first.body).toMatchObject({ status: 'authenticated', mfaEnrolmentRequired: true });
    const token = first.body.token as string;
    const blocked = await call(tp.app, 'GET', '/v1/offices', { token });
    expect(blocked.status).toBe(403);
    expect(blocked.body.code).toBe('mfa_required');
    expect((await call(tp.app, 'GET', '/v1/auth/me', { token })).status).toBe(200);

    const enrol = await call(tp.app, 'POST', '/v1/auth/mfa/totp', { token });
    expect(enrol.status).toBe(201);
    expect(enrol.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/municloud%3A131016%2Fm-/);
    expect(enrol.body.qrCodeSvg).toMatch(/^<svg/);
    const secret = base32Decode(enrol.body.secret);
    const wrong = await call(tp.app, 'POST', '/v1/auth/mfa/totp/activate', { token, body: { code: totpAt(secret, Date.now() - 300_000) } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0]).toMatchObject({ field: 'body/code', rule: 'totp' });
    const activated = await call(tp.app, 'POST', '/v1/auth/mfa/totp/activate', { token, body: { code: await freshTotp(secret) } });
    expect(activated.body.recoveryCodes).toHaveLength(10);
    expect((await call(tp.app, 'POST', '/v1/auth/mfa/totp', { token })).status).toBe(409);

    const challenge = await login(a.loginName, a.password);
    expect(challenge.body).toMatchObject({ status: 'mfa_required' });
    expect(challenge.body.token).toBeUndefined();
    // The challenge is not a bearer token.
    expect((await call(tp.app, 'GET', '/v1/auth/me', { token: challenge.body.challenge })).status).toBe(401);
    const code = await freshTotp(secret);
    const session = await call(tp.app, 'POST', '/v1/auth/login/mfa', { body: { challenge: challenge.body.challenge, code } });
    expect(session.body).toMatchObject({ status: 'authenticated', mfaEnrolmentRequired: false });
    expect((await call(tp.app, 'GET', '/v1/offices', { token: session.body.token })).status).toBe(200);

    // A code is accepted once: replaying it with a new challenge fails, and so does reusing the challenge.
    const again = await login(a.loginName, a.password);
    const replay = await call(tp.app, 'POST', '/v1/auth/login/mfa', { body: { challenge: again.body.challenge, code } });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('invalid_credentials');
    const reuse = await call(tp.app, 'POST', '/v1/auth/login/mfa', { body: { challenge: challenge.body.challenge, code: await freshTotp(secret) } });
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('unauthenticated');

    // A recovery code works once.
    const recovery = activated.body.recoveryCodes[0] as string;
    const viaRecovery = await call(tp.app, 'POST', '/v1/auth/login/mfa', {
      body: { challenge: (await login(a.loginName, a.password)).body.challenge, recoveryCode: recovery },
    });
    expect(viaRecovery.body.status).toBe('authenticated');
    const recoveryAgain = await call(tp.app, 'POST', '/v1/auth/login/mfa', {
      body: { challenge: (await login(a.loginName, a.password)).body.challenge, recoveryCode: recovery },
    });
    expect(recoveryAgain.status).toBe(401);
  });

  it('refuses a code and a recovery code together, or neither', async () => {
    const s = await newSession(tp, CHIYODA, ['clerk']);
    const challenge = (await login(s.loginName, s.password)).body.challenge;
    for (const body of [{ challenge }, { challenge, code: '123456', recoveryCode: 'AAAA-BBBB-CCCC-DDDD' }]) {
      const res = await call(tp.app, 'POST', '/v1/auth/login/mfa', { body });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].rule).toBe('one_of');
    }
  });

  it('roles that never see My Number log in with a password alone', async () => {
    const operator = await newSession(tp, '000001', ['platform_operator']);
    expect((await operator.call('GET', '/v1/placements')).status).toBe(200);
  });

  it('API tokens carry the second factor of the session that made them', async () => {
    const admin = await newSession(tp, CHIYODA, ['municipal_admin']);
    const created = await admin.call('POST', '/v1/auth/tokens', { name: 'batch' });
    expect((await call(tp.app, 'GET', '/v1/offices', { token: created.body.token })).status).toBe(200);
  });

  it("an admin resets a lost authenticator: the account's sessions end and it must enrol again", async () => {
    const admin = await newSession(tp, CHIYODA, ['municipal_admin']);
    const clerk = await newSession(tp, CHIYODA, ['clerk']);
    const account = (await clerk.call('GET', '/v1/auth/me')).body;
    expect((await admin.call('POST', `/v1/accounts/${account.id}/mfa/reset`)).status).toBe(204);
    expect((await clerk.call('GET', '/v1/auth/me')).status).toBe(401);
    const next = await login(clerk.loginName, clerk.password);
    expect(next.body).toMatchObject({ status: 'authenticated', mfaEnrolmentRequired: true });
  });
});

describe('lockout', () => {
  it('locks an account after five wrong passwords, even against the right one, with Retry-After', async () => {
    const a = await newAccount();
    for (let i = 0; i < 5; i++) expect((await login(a.loginName, 'wrong-password!')).status).toBe(401);
    const locked = await login(a.loginName, a.password);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('too_many_attempts');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Once the lock expires, the right password works and clears the count.
    await tp.platform.control.query("UPDATE control.accounts SET locked_until = now() - interval '1 second' WHERE id = $1", [a.id]);
    expect((await login(a.loginName, a.password)).status).toBe(200);
    const { rows } = await tp.platform.control.query('SELECT failed_attempts FROM control.accounts WHERE id = $1', [a.id]);
    expect(rows[0].failed_attempts).toBe(0);
  });

  it('counts wrong authenticator codes too', async () => {
    const s = await newSession(tp, CHIYODA, ['clerk']);
    for (let i = 0; i < 5; i++) {
      const challenge = (await login(s.loginName, s.password)).body.challenge;
      expect((await call(tp.app, 'POST', '/v1/auth/login/mfa', { body: { challenge, code: '000000' } })).status).toBe(401);
    }
    expect((await login(s.loginName, s.password)).status).toBe(429);
    const res = await logIn(tp.app, CHIYODA, s.loginName, s.password, s.totpSecret);
    expect(res.status).toBe(429);
  });
});
