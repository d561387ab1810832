/** Logs carry request ids and route templates, never URLs, search terms, passwords or tokens. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, CHIYODA, newSession } from '../support/api.js';
import { createTestPlatform, type TestPlatform } from '../support/platform.js';

const lines: string[] = [];
let tp: TestPlatform;
beforeAll(async () => {
  tp = await createTestPlatform({ logLines: lines });
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
});
afterAll(async () => tp?.close());

it('request logs name the route, not what was asked', async () => {
  const admin = await newSession(tp, CHIYODA, ['municipal_admin']);
  const created = await admin.call('POST', '/v1/offices', { kind: 'counter', name: '秘密の出張所', nameKana: 'ヒミツ' });
  await admin.call('GET', `/v1/offices?q=${encodeURIComponent('秘密の出張所')}`);
  await admin.call('GET', `/v1/offices/${created.body.id}`);
  await call(tp.app, 'POST', '/v1/auth/login', { body: { organizationCode: CHIYODA, loginName: admin.loginName, password: 'wrong-password-value' } });
  const log = lines.join('\n');
  expect(log).toContain('"route":"/v1/offices/:id"');
  expect(log).toMatch(/"reqId":"[0-9a-f-]{36}"/);
  for (const secret of ['秘密', encodeURIComponent('秘密'), created.body.id, admin.token, admin.password, 'wrong-password-value']) {
    expect(log).not.toContain(secret);
  }
});
