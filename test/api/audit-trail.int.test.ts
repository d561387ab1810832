/**
 * Security and administrative actions leave entries in the audit log, with ids
 * and reason codes but no names or secrets; and when the log cannot record,
 * the action fails instead of going unrecorded.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Problem } from '../../src/platform/errors.js';
import type { App, Platform } from '../../src/platform/http/server.js';
import { admitResidentViews } from '../../src/security/access/leak-guard.js';
import { ROUTE_MODULES } from '../../src/routes.js';
import { call, CHIYODA, logIn, newSession } from '../support/api.js';
import { createTestPlatform, type TestPlatform } from '../support/platform.js';

function probes(app: App, platform: Platform): void {
  app.get(
    '/v1/test/my-number',
    { config: { access: { roles: ['clerk'], tenant: true, myNumber: { operation: 'resident_registry' } } } },
    async () => ({ ok: true }),
  );
  app.post('/v1/test/residents/view', { config: { access: { roles: ['clerk'], tenant: true } } }, async (request) => {
    if (!request.tenant) throw new Problem('internal_error');
    await request.tenant.run((db) => admitResidentViews(platform, request, db, (request.body as { ids: string[] }).ids));
    return { ok: true };
  });
}

let tp: TestPlatform;
beforeAll(async () => {
  tp = await createTestPlatform({ modules: [...ROUTE_MODULES, probes] });
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
});
afterAll(async () => tp?.close());

interface Leaf {
  entry: { kind: string; actor: { account: string | null; organization: string | null }; municipality: string | null; outcome: { result: string; reason: string | null } };
}

async function leaves(): Promise<{ text: string; leaf: Leaf }[]> {
  const c = new pg.Client({ connectionString: tp.adminUrl('control') });
  await c.connect();
  try {
    const { rows } = await c.query<{ leaf: Buffer }>('SELECT leaf FROM control.audit_entries ORDER BY seq');
    return rows.map((r) => ({ text: r.leaf.toString('utf8'), leaf: JSON.parse(r.leaf.toString('utf8')) as Leaf }));
  } finally {
    await c.end();
  }
}

describe('the audit trail', () => {
  it('records logins, failed logins, tokens and refusals, without names or secrets', async () => {
    const clerk = await newSession(tp, CHIYODA, ['clerk']);
    await call(tp.app, 'POST', '/v1/auth/login', { body: { organizationCode: CHIYODA, loginName: clerk.loginName, password: 'wrong-secret-value' } });
    const token = await clerk.call('POST', '/v1/auth/tokens', { name: '連携バッチ' });
    const refused = await call(tp.app, 'GET', '/v1/test/my-number', { token: clerk.token, headers: { 'municloud-purpose': 'curiosity-about-a-neighbour' } });
    expect(refused.body.code).toBe('purpose_not_allowed');

    const all = await leaves();
    const kinds = all.map((l) => l.leaf.entry.kind);
    expect(kinds).toEqual(expect.arrayContaining(['login', 'login_failed', 'token_created', 'access_refused']));
    const failed = all.find((l) => l.leaf.entry.kind === 'login_failed')!.leaf.entry;
    expect(failed.outcome).toEqual({ result: 'refused', reason: 'invalid_credentials' });
    expect(failed.actor).toMatchObject({ account: null, organization: CHIYODA });
    const refusal = all.find((l) => l.leaf.entry.kind === 'access_refused')!.leaf.entry;
    expect(refusal).toMatchObject({ municipality: CHIYODA, outcome: { result: 'refused', reason: 'purpose_not_allowed' } });
    const text = all.map((l) => l.text).join('\n');
    for (const secret of [clerk.loginName, clerk.password, 'wrong-secret-value', clerk.token, token.body.token, '連携バッチ', 'curiosity-about-a-neighbour']) {
      expect(text).not.toContain(secret);
    }
  });

  it('records the leak guard tripping', async () => {
    const admin = await newSession(tp, CHIYODA, ['municipal_admin']);
    await admin.call('PUT', '/v1/leak-guard/limits', { perAccountPerHour: 2, perMunicipalityPerHour: 1000 });
    const clerk = await newSession(tp, CHIYODA, ['clerk']);
    const res = await clerk.call('POST', '/v1/test/residents/view', { ids: [randomUUID(), randomUUID(), randomUUID()] });
    expect(res.body.code).toBe('reads_blocked');
    const tripped = (await leaves()).filter((l) => l.leaf.entry.kind === 'leak_guard_tripped').map((l) => l.leaf.entry);
    expect(tripped).toContainEqual(expect.objectContaining({ municipality: CHIYODA, outcome: { result: 'refused', reason: 'account_limit' } }));
    const settings = (await leaves()).filter((l) => l.leaf.entry.kind === 'settings_changed');
    expect(settings.length).toBeGreaterThan(0);
  });

  it('fails closed: when the log cannot record, the login fails and no session is issued', async () => {
    const clerk = await newSession(tp, CHIYODA, ['clerk']);
    const admin = new pg.Client({ connectionString: tp.adminUrl('control') });
    await admin.connect();
    const sessions = async () => Number((await admin.query("SELECT count(*) AS n FROM control.credentials WHERE kind = 'session'")).rows[0].n);
    try {
      const before = await sessions();
      await admin.query('REVOKE INSERT ON control.audit_entries FROM municloud_app');
      const res = await logIn(tp.app, CHIYODA, clerk.loginName, clerk.password, clerk.totpSecret);
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('audit_unavailable');
      expect(res.body.token).toBeUndefined();
      expect(await sessions()).toBe(before);
    } finally {
      await admin.query('GRANT INSERT ON control.audit_entries TO municloud_app');
      await admin.end();
    }
    // The log recovers once it can write again.
    const again = await logIn(tp.app, CHIYODA, clerk.loginName, clerk.password, clerk.totpSecret);
    expect(again.status).toBe(200);
    expect(again.body.token).toMatch(/^mcs_/);
  });
});
