/** Migrations, roles and cells against a real PostgreSQL server. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertLeastPrivilege, createPool, LeastPrivilegeViolation } from '../../src/platform/database.js';
import { loadMigrations, migrate, MigrationError, type Migration } from '../../src/platform/migrations.js';
import { CHIYODA, newSession, SAPPORO, YOKOHAMA } from '../support/api.js';
import { createDatabases, createTestPlatform, type TestPlatform } from '../support/platform.js';
import { inject } from 'vitest';

const roles = () => ({ ownerRole: 'municloud_owner', appRole: 'municloud_app', appPassword: inject('appPassword') });

async function query<T extends pg.QueryResultRow>(url: string, sql: string, args: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, args)).rows;
  } finally {
    await c.end();
  }
}

describe('migrations', () => {
  it('apply once, record themselves, and leave every object owned by the migration role', async () => {
    const { urls, drop } = await createDatabases(['m1']);
    try {
      const url = urls.get('m1')!;
      const first = await migrate(url, 'cell', roles());
      expect(first.applied.length).toBe((await loadMigrations('cell')).length);
      expect((await migrate(url, 'cell', roles())).applied).toEqual([]);
      const owners = await query<{ owner: string }>(
        url,
        `SELECT DISTINCT pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'cell'`,
      );
      expect(owners.map((o) => o.owner)).toEqual(['municloud_owner']);
    } finally {
      await drop();
    }
  });

  it('a failing migration leaves the schema as it was', async () => {
    const { urls, drop } = await createDatabases(['m2']);
    try {
      const url = urls.get('m2')!;
      const good = await loadMigrations('cell');
      const bad: Migration = {
        version: 9001,
        name: 'half_done',
        sql: 'CREATE TABLE half_done (x int); INSERT INTO half_done VALUES (1); SELECT 1/0;',
        checksum: 'x',
      };
      await expect(migrate(url, 'cell', roles(), { migrations: [...good, bad] })).rejects.toThrow(MigrationError);
      const tables = await query<{ relname: string }>(url, `SELECT relname FROM pg_class WHERE relname = 'half_done'`);
      expect(tables).toEqual([]);
      const applied = await query<{ version: number }>(url, 'SELECT version FROM cell.schema_migrations ORDER BY version');
      expect(applied.map((r) => r.version)).toEqual(good.map((m) => m.version));
    } finally {
      await drop();
    }
  });

  it('refuses a migration file changed after it was applied', async () => {
    const { urls, drop } = await createDatabases(['m3']);
    try {
      const url = urls.get('m3')!;
      const good = await loadMigrations('cell');
      await migrate(url, 'cell', roles(), { migrations: good });
      const edited = good.map((m, i) => (i === 0 ? { ...m, sql: `${m.sql}\n-- edited`, checksum: 'changed' } : m));
      await expect(migrate(url, 'cell', roles(), { migrations: edited })).rejects.toThrow(/changed after it was applied/);
    } finally {
      await drop();
    }
  });
});

describe('request roles', () => {
  let tp: TestPlatform;
  beforeAll(async () => {
    tp = await createTestPlatform({ cells: ['cell-a', 'cell-b'] });
  });
  afterAll(async () => tp?.close());

  it('the application role is no superuser, cannot bypass row-level security and owns nothing', async () => {
    const rows = await query<{ rolsuper: boolean; rolbypassrls: boolean; owned: string }>(
      tp.adminUrl('control'),
      `SELECT rolsuper, rolbypassrls, (SELECT count(*) FROM pg_class WHERE relowner = r.oid)::text AS owned FROM pg_roles r WHERE rolname = 'municloud_app'`,
    );
    expect(rows).toEqual([{ rolsuper: false, rolbypassrls: false, owned: '0' }]);
  });

  it('the platform refuses to serve through a pool that could bypass row-level security', async () => {
    const superPool = createPool(tp.adminUrl('control'), 1);
    try {
      await expect(assertLeastPrivilege(superPool)).rejects.toThrow(LeastPrivilegeViolation);
    } finally {
      await superPool.end();
    }
  });

  it('the application role cannot write the organization catalogue', async () => {
    await expect(tp.platform.control.query(`UPDATE control.organizations SET name = 'x' WHERE code = '131016'`)).rejects.toThrow(/permission denied/);
  });
});

describe('cells', () => {
  let tp: TestPlatform;
  beforeAll(async () => {
    tp = await createTestPlatform({ cells: ['cell-a', 'cell-b'] });
    await tp.platform.cells.place(CHIYODA, 'cell-a', null);
    await tp.platform.cells.place(SAPPORO, 'cell-b', null);
  });
  afterAll(async () => tp?.close());

  it("routes each municipality's requests to its own cell, and its rows land only there", async () => {
    for (const [code, name] of [
      [CHIYODA, '千代田区役所'],
      [SAPPORO, '札幌市役所'],
    ] as const) {
      const admin = await newSession(tp, code, ['municipal_admin']);
      const res = await admin.call('POST', '/v1/offices', { kind: 'main', name, nameKana: 'ヤクショ' });
      expect(res.status).toBe(201);
    }
    const inA = await query<{ municipality_code: string }>(tp.adminUrl('cell-a'), 'SELECT municipality_code FROM cell.offices');
    const inB = await query<{ municipality_code: string }>(tp.adminUrl('cell-b'), 'SELECT municipality_code FROM cell.offices');
    expect(inA.map((r) => r.municipality_code)).toEqual([CHIYODA]);
    expect(inB.map((r) => r.municipality_code)).toEqual([SAPPORO]);
    const clerk = await newSession(tp, SAPPORO, ['clerk']);
    const list = await clerk.call('GET', '/v1/offices');
    expect(list.body.items.map((o: { name: string }) => o.name)).toEqual(['札幌市役所']);
  });

  it('refuses tenant requests for a municipality not yet placed, and placement through the API', async () => {
    const clerk = await newSession(tp, YOKOHAMA, ['clerk']);
    const before = await clerk.call('GET', '/v1/offices');
    expect(before.status).toBe(409);
    expect(before.body.code).toBe('municipality_not_placed');
    const operator = await newSession(tp, '000001', ['platform_operator']);
    expect((await operator.call('PUT', `/v1/placements/${YOKOHAMA}`, { cellId: 'nowhere' })).body.code).toBe('validation_failed');
    expect((await operator.call('PUT', `/v1/placements/131017`, { cellId: 'cell-b' })).body.code).toBe('invalid_organization_code');
    expect((await operator.call('PUT', `/v1/placements/130001`, { cellId: 'cell-b' })).body.errors[0].rule).toBe('municipality');
    const placed = await operator.call('PUT', `/v1/placements/${YOKOHAMA}`, { cellId: 'cell-b' });
    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({ municipalityCode: YOKOHAMA, cellId: 'cell-b' });
    // Placing again on the same cell is idempotent; moving is refused.
    expect((await operator.call('PUT', `/v1/placements/${YOKOHAMA}`, { cellId: 'cell-b' })).status).toBe(200);
    const move = await operator.call('PUT', `/v1/placements/${YOKOHAMA}`, { cellId: 'cell-a' });
    expect(move.status).toBe(409);
    expect((await clerk.call('GET', '/v1/offices')).status).toBe(200);
    const all = await operator.call('GET', '/v1/placements');
    expect(all.body.items.map((p: { municipalityCode: string }) => p.municipalityCode)).toEqual(expect.arrayContaining([CHIYODA, SAPPORO, YOKOHAMA]));
  });
});
