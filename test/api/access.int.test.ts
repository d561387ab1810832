/** Every route declares who may call it, and authentication fails closed. */
import { MUNICIPAL_ROLES } from '../../src/identity/roles.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRoute } from '../../src/platform/http/access.js';
import { call, CHIYODA, logIn, newSession } from '../support/api.js';
import { createTestPlatform, type TestPlatform } from '../support/platform.js';

/** The only routes anyone may call without logging in. */
const PUBLIC = [/^GET \/healthz$/, /^GET \/readyz$/, /^GET \/metrics$/, /^GET \/openapi\.json$/, /^GET \/docs/, /^POST \/v1\/auth\/login$/, /^POST \/v1\/auth\/login\/mfa$/, /^POST \/v1\/certificate-verifications$/,
  // The event catalogue is documentation, like /openapi.json: schemas and entitlement rules, no data.
  /^GET \/v1\/linkage\/catalogue(\/:topic)?$/,
  // The requirements catalog providers are certified against: published, like the event catalogue.
  /^GET \/v1\/requirements(\/catalog|\/profiles\/:dataClass)?$/];

let tp: TestPlatform;
beforeAll(async () => {
  tp = await createTestPlatform();
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
});
afterAll(async () => tp?.close());

describe('route declarations', () => {
  it('every route declares the roles it admits', () => {
    const routes = tp.app.municloudRoutes;
    expect(routes.length).toBeGreaterThan(10);
    const undeclared = routes.filter((r) => !r.access || (r.access.roles !== 'public' && r.access.roles.length === 0));
    expect(undeclared.map(describeRoute)).toEqual([]);
  });

  it('only the known public routes are public', () => {
    const publicRoutes = tp.app.municloudRoutes.filter((r) => r.access?.roles === 'public').map(describeRoute);
    expect(publicRoutes.filter((r) => !PUBLIC.some((p) => p.test(r)))).toEqual([]);
  });

  it('a tenant route admits only municipal roles', () => {
    for (const r of tp.app.municloudRoutes.filter((r) => r.access?.tenant)) {
      expect(r.access!.roles, describeRoute(r)).not.toBe('public');
      for (const role of r.access!.roles as string[]) expect(MUNICIPAL_ROLES).toContain(role);
    }
  });
});

describe('authentication', () => {
  const protectedRoutes = () => tp.app.municloudRoutes.filter((r) => r.access && r.access.roles !== 'public');
  const urlOf = (u: string) => u.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');

  it('refuses every protected route without a token, with a forged one, and with a malformed header', async () => {
    const forged = `mcs_${'A'.repeat(43)}`;
    for (const r of protectedRoutes()) {
      for (const headers of [{} as Record<string, string>, { authorization: `Bearer ${forged}` }, { authorization: 'Basic abc' }, { authorization: `Bearer ${forged}x` }]) {
        const res = await call(tp.app, r.method, urlOf(r.url), { headers, ...(r.bodySchema ? { body: {} } : {}) });
        expect(res.status, `${describeRoute(r)} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.body.code).toBe('unauthenticated');
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    }
  });

  it('sessions expire, and logout and revocation end them', async () => {
    const clerk = await newSession(tp, CHIYODA, ['clerk']);
    expect((await clerk.call('GET', '/v1/auth/me')).status).toBe(200);
    await tp.platform.control.query(
      "UPDATE control.credentials SET expires_at = created_at + interval '1 second' WHERE token_hash = sha256($1::bytea)",
      [Buffer.from(clerk.token)],
    );
    // The row says it expired one second after creation; wait that out.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await clerk.call('GET', '/v1/auth/me')).status).toBe(401);

    const other = await newSession(tp, CHIYODA, ['clerk']);
    expect((await other.call('POST', '/v1/auth/logout')).status).toBe(204);
    expect((await other.call('GET', '/v1/auth/me')).status).toBe(401);
  });

  it('API tokens can be created, used, listed and revoked; a token is shown once', async () => {
    const admin = await newSession(tp, CHIYODA, ['municipal_admin']);
    const created = await admin.call('POST', '/v1/auth/tokens', { name: '住基連携バッチ', expiresInDays: 30 });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^mct_/);
    const viaToken = await call(tp.app, 'GET', '/v1/offices', { token: created.body.token });
    expect(viaToken.status).toBe(200);
    const listed = await admin.call('GET', '/v1/auth/tokens');
    expect(listed.body.items).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
    expect((await admin.call('DELETE', `/v1/auth/tokens/${created.body.id}`)).status).toBe(204);
    expect((await call(tp.app, 'GET', '/v1/offices', { token: created.body.token })).status).toBe(401);
    // Another account cannot revoke it (nor learn that it exists).
    const again = await admin.call('POST', '/v1/auth/tokens', { name: 'x' });
    const stranger = await newSession(tp, CHIYODA, ['municipal_admin']);
    expect((await stranger.call('DELETE', `/v1/auth/tokens/${again.body.id}`)).status).toBe(404);
  });

  it('login failures do not say which part was wrong', async () => {
    const clerk = await newSession(tp, CHIYODA, ['clerk']);
    const wrongPassword = await call(tp.app, 'POST', '/v1/auth/login', {
      body: { organizationCode: CHIYODA, loginName: clerk.loginName, password: 'not-the-password' },
    });
    const wrongName = await call(tp.app, 'POST', '/v1/auth/login', {
      body: { organizationCode: CHIYODA, loginName: 'nobody-here', password: 'not-the-password' },
    });
    expect(wrongPassword.status).toBe(401);
    expect({ ...wrongPassword.body, requestId: 0 }).toEqual({ ...wrongName.body, requestId: 0 });
  });

  it('changing the password ends other sessions', async () => {
    const clerk = await newSession(tp, CHIYODA, ['clerk']);
    const second = await logIn(tp.app, CHIYODA, clerk.loginName, clerk.password, clerk.totpSecret);
    expect(second.body.token).toMatch(/^mcs_/);
    const changed = await clerk.call('PUT', '/v1/auth/password', { currentPassword: clerk.password, newPassword: 'a-much-longer-passphrase' });
    expect(changed.status).toBe(204);
    expect((await call(tp.app, 'GET', '/v1/auth/me', { token: second.body.token })).status).toBe(401);
    const fresh = await logIn(tp.app, CHIYODA, clerk.loginName, 'a-much-longer-passphrase', clerk.totpSecret);
    expect(fresh.body.token).toMatch(/^mcs_/);
  });
});

describe('accounts', () => {
  it('the operator creates accounts for any organization, only with roles that fit it', async () => {
    const operator = await newSession(tp, '000001', ['platform_operator']);
    const body = {
      organizationCode: CHIYODA,
      loginName: 'chiyoda.admin',
      displayName: '千代田区 管理者',
      roles: ['municipal_admin'],
      password: 'correct horse battery',
    };
    const ok = await operator.call('POST', '/v1/accounts', body);
    expect(ok.status).toBe(201);
    const duplicate = await operator.call('POST', '/v1/accounts', body);
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.code).toBe('already_exists');
    const misfit = await operator.call('POST', '/v1/accounts', {
      organizationCode: '130001',
      loginName: 'tokyo.clerk',
      displayName: '東京都',
      roles: ['clerk'],
      password: 'correct horse battery',
    });
    expect(misfit.status).toBe(400);
    expect(misfit.body.errors[0]).toMatchObject({ field: 'body/roles', rule: 'fits_organization' });
    const badCode = await operator.call('POST', '/v1/accounts', {
      organizationCode: '131017',
      loginName: 'x.clerk',
      displayName: 'x',
      roles: ['clerk'],
      password: 'correct horse battery',
    });
    expect(badCode.status).toBe(400);
    expect(badCode.body.errors[0]).toMatchObject({ field: 'body/organizationCode', rule: 'format' });
    const abolished = await operator.call('POST', '/v1/accounts', {
      organizationCode: '221317',
      loginName: 'naka.clerk',
      displayName: 'x',
      roles: ['clerk'],
      password: 'correct horse battery',
    });
    expect(abolished.status).toBe(422);
    expect(abolished.body.code).toBe('abolished_organization');
  });

  it("a municipal admin manages only their own municipality's accounts", async () => {
    const admin = await newSession(tp, CHIYODA, ['municipal_admin']);
    const own = await admin.call('POST', '/v1/accounts', {
      organizationCode: CHIYODA,
      loginName: `clerk-${Date.now()}`,
      displayName: '窓口',
      roles: ['clerk'],
      password: 'correct horse battery',
    });
    expect(own.status).toBe(201);
    const foreign = await admin.call('POST', '/v1/accounts', {
      organizationCode: '011002',
      loginName: 'intruder',
      displayName: 'x',
      roles: ['clerk'],
      password: 'correct horse battery',
    });
    expect(foreign.status).toBe(403);
    const escalate = await admin.call('POST', '/v1/accounts', {
      organizationCode: CHIYODA,
      loginName: 'operator-wannabe',
      displayName: 'x',
      roles: ['platform_operator'],
      password: 'correct horse battery',
    });
    expect(escalate.status).toBe(403);
    const list = await admin.call('GET', '/v1/accounts');
    expect(list.body.items.every((a: { organizationCode: string }) => a.organizationCode === CHIYODA)).toBe(true);
    const sapporoAdmin = await newSession(tp, '011002', ['municipal_admin']);
    const hidden = await sapporoAdmin.call('GET', `/v1/accounts/${own.body.id}`);
    const missing = await sapporoAdmin.call('GET', '/v1/accounts/00000000-0000-4000-8000-000000000000');
    expect({ ...hidden.body, requestId: 0 }).toEqual({ ...missing.body, requestId: 0 });
    const disabled = await admin.call('POST', `/v1/accounts/${own.body.id}/disable`);
    expect(disabled.body.disabled).toBe(true);
  });

  it('a clerk manages no accounts', async () => {
    const clerk = await newSession(tp, CHIYODA, ['clerk']);
    expect((await clerk.call('GET', '/v1/accounts')).status).toBe(403);
  });
});

describe('organizations', () => {
  it('lists and searches the catalogue, with cursors', async () => {
    const clerk = await newSession(tp, CHIYODA, ['clerk']);
    const wards = await clerk.call('GET', '/v1/organizations?kind=special_ward&limit=10');
    expect(wards.body.total).toBe(23);
    const next = await clerk.call('GET', `/v1/organizations?kind=special_ward&limit=20&cursor=${wards.body.nextCursor}`);
    expect(next.body.items).toHaveLength(13);
    const hamamatsu = await clerk.call('GET', '/v1/organizations?parent=221309');
    expect(hamamatsu.body.items.map((o: { name: string }) => o.name)).toEqual(['中央区', '浜名区', '天竜区']);
    const kana = await clerk.call('GET', `/v1/organizations?q=${encodeURIComponent('サッポロ')}`);
    expect(kana.body.items[0].code).toBe('011002');
    const pref = await clerk.call('GET', '/v1/organizations?prefecture=130002');
    expect(pref.body.errors[0]).toMatchObject({ field: 'querystring/prefecture', rule: 'format' });
    const unknown = await clerk.call('GET', '/v1/organizations/990001');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('unknown_organization');
  });
});

describe('service routes', () => {
  it('serve OpenAPI 3.1, browsable docs, health, readiness and metrics without a login', async () => {
    const spec = await call(tp.app, 'GET', '/openapi.json');
    expect(spec.body.openapi).toBe('3.1.0');
    expect(Object.keys(spec.body.paths)).toEqual(expect.arrayContaining(['/v1/offices', '/v1/offices/{id}', '/v1/auth/login']));
    expect((await call(tp.app, 'GET', '/docs/')).status).toBe(200);
    expect((await call(tp.app, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await call(tp.app, 'GET', '/readyz')).body).toEqual({ status: 'ready' });
    const metrics = await call(tp.app, 'GET', '/metrics');
    expect(metrics.body).toContain('municloud_http_requests_total');
  });
});
