/**
 * The leak guard, through a test-only route that "shows" residents by id (the
 * resident register will call the same guard): limits per account and per
 * municipality, blocking, alerts, lifting the block.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App, Platform } from '../../src/platform/http/server.js';
import { Problem } from '../../src/platform/errors.js';
import { inTenantTransaction } from '../../src/platform/database.js';
import { admitResidentViews, crossedLimit } from '../../src/security/access/leak-guard.js';
import { ROUTE_MODULES } from '../../src/routes.js';
import { CHIYODA, newSession, SAPPORO, type Session } from '../support/api.js';
import { createTestPlatform, type TestPlatform } from '../support/platform.js';

function residentProbe(app: App, platform: Platform): void {
  app.post(
    '/v1/test/residents/view',
    { config: { access: { roles: ['clerk', 'auditor'], tenant: true } } },
    async (request) => {
      const ids = (request.body as { ids: string[] }).ids;
      if (!request.tenant) throw new Problem('internal_error');
      // A fixed hour, so a run that crosses an hour boundary counts the same.
      await request.tenant.run((db) => admitResidentViews(platform, request, db, ids, FIXED_HOUR));
      return { shown: ids.length };
    },
  );
}

const FIXED_HOUR = new Date('2026-11-21T10:30:00Z');
let tp: TestPlatform;
let admin: Session;
const ids = (n: number) => Array.from({ length: n }, () => randomUUID());

beforeAll(async () => {
  tp = await createTestPlatform({ modules: [...ROUTE_MODULES, residentProbe] });
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
  await tp.platform.cells.place(SAPPORO, 'cell-a', null);
  admin = await newSession(tp, CHIYODA, ['municipal_admin']);
  expect((await admin.call('PUT', '/v1/leak-guard/limits', { perAccountPerHour: 10, perMunicipalityPerHour: 25 })).status).toBe(200);
});
afterAll(async () => tp?.close());

describe('crossedLimit', () => {
  it('names the first limit exceeded', () => {
    const limits = { perAccountPerHour: 10, perMunicipalityPerHour: 25 };
    expect(crossedLimit({ account: 10, municipality: 25 }, limits)).toBeNull();
    expect(crossedLimit({ account: 11, municipality: 11 }, limits)).toBe('account');
    expect(crossedLimit({ account: 3, municipality: 26 }, limits)).toBe('municipality');
  });
});

describe('leak guard', () => {
  it('lets an account view up to its hourly limit, counting each resident once', async () => {
    const clerk = await newSession(tp, CHIYODA, ['clerk']);
    const some = ids(6);
    expect((await clerk.call('POST', '/v1/test/residents/view', { ids: some })).status).toBe(200);
    expect((await clerk.call('POST', '/v1/test/residents/view', { ids: some })).status).toBe(200);
    expect((await clerk.call('POST', '/v1/test/residents/view', { ids: ids(4) })).status).toBe(200);
  });

  it('blocks an account that crosses its limit, alerts admins and auditors, until an admin lifts it', async () => {
    const clerk = await newSession(tp, CHIYODA, ['clerk']);
    const account = (await clerk.call('GET', '/v1/auth/me')).body;
    expect((await clerk.call('POST', '/v1/test/residents/view', { ids: ids(10) })).status).toBe(200);
    const crossing = await clerk.call('POST', '/v1/test/residents/view', { ids: ids(1) });
    expect(crossing.status).toBe(403);
    expect(crossing.body.code).toBe('reads_blocked');
    // Blocked for any read now, even of residents seen before.
    expect((await clerk.call('POST', '/v1/test/residents/view', { ids: [] })).body.code).toBe('reads_blocked');

    const auditor = await newSession(tp, CHIYODA, ['auditor']);
    const alerts = await auditor.call('GET', '/v1/alerts?open=true');
    expect(alerts.body.items).toContainEqual(expect.objectContaining({ kind: 'leak_guard_account_limit', accountId: account.id }));
    // Another municipality sees none of it.
    const other = await newSession(tp, SAPPORO, ['municipal_admin']);
    expect((await other.call('GET', '/v1/alerts')).body.items).toEqual([]);
    expect((await other.call('POST', `/v1/accounts/${account.id}/unblock-reads`)).status).toBe(404);

    expect((await admin.call('POST', `/v1/accounts/${account.id}/unblock-reads`)).status).toBe(204);
    const alert = alerts.body.items.find((a: { accountId: string }) => a.accountId === account.id);
    expect((await admin.call('POST', `/v1/alerts/${alert.id}/acknowledge`)).status).toBe(204);
    expect((await clerk.call('POST', '/v1/test/residents/view', { ids: [] })).status).toBe(200);
  });

  it('blocks the account that pushes the whole municipality over its limit', async () => {
    const a = await newSession(tp, CHIYODA, ['clerk']);
    const b = await newSession(tp, CHIYODA, ['clerk']);
    // The earlier tests recorded 10 + 10 distinct residents this hour (a refused read records none); the limit is 25.
    expect((await a.call('POST', '/v1/test/residents/view', { ids: ids(3) })).status).toBe(200);
    const crossing = await b.call('POST', '/v1/test/residents/view', { ids: ids(3) });
    expect(crossing.status).toBe(403);
    expect((await a.call('POST', '/v1/test/residents/view', { ids: [] })).status).toBe(200);
    const alerts = (await admin.call('GET', '/v1/alerts?open=true')).body.items;
    expect(alerts.some((x: { kind: string }) => x.kind === 'leak_guard_municipality_limit')).toBe(true);
  });

  it('counts a resident once for the municipality, however many accounts view them, also at once', async () => {
    // 札幌市 has its own counts; its default limits are far away, so the counts are read back directly.
    const clerks = await Promise.all([0, 1, 2, 3].map(() => newSession(tp, SAPPORO, ['clerk'])));
    const shared = ids(40);
    // Four clerks read overlapping halves of the same residents concurrently, in different orders.
    const reads = clerks.flatMap((clerk, i) => [shared.slice(0, 30), shared.slice(10)].map((part) => (i % 2 ? [...part].reverse() : part)).map((part) => clerk.call('POST', '/v1/test/residents/view', { ids: part })));
    expect((await Promise.all(reads)).map((r) => r.status)).toEqual(Array(8).fill(200));
    const counts = await inTenantTransaction(await tp.platform.cells.poolFor(SAPPORO), SAPPORO, async (db) => {
      const { rows } = await db.query<{ municipality: number; views: number; rows: number }>(
        `SELECT (SELECT coalesce(sum(residents), 0) FROM cell.resident_view_counts WHERE hour = $1)::int AS municipality,
                (SELECT count(*) FROM cell.resident_views WHERE hour = $1)::int AS views,
                (SELECT count(*) FROM cell.resident_view_residents WHERE hour = $1)::int AS rows`,
        [new Date('2026-11-21T10:00:00Z')],
      );
      return rows[0]!;
    });
    expect(counts).toEqual({ municipality: 40, views: 160, rows: 40 });
  });

  it('validates the limits and lets only admins set them', async () => {
    expect((await admin.call('PUT', '/v1/leak-guard/limits', { perAccountPerHour: 0, perMunicipalityPerHour: 10 })).status).toBe(400);
    const auditor = await newSession(tp, CHIYODA, ['auditor']);
    expect((await auditor.call('PUT', '/v1/leak-guard/limits', { perAccountPerHour: 5, perMunicipalityPerHour: 10 })).status).toBe(403);
    expect((await auditor.call('GET', '/v1/leak-guard/limits')).body).toEqual({ perAccountPerHour: 10, perMunicipalityPerHour: 25 });
  });
});
