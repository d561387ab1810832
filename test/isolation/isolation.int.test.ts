/**
 * Tenant isolation, shown by property-based tests over every tenant-scoped
 * route and every tenant table.
 *
 * Municipalities A and B share one cell, so only row-level security stands
 * between them. For random data the suite shows that a principal of A never
 * reads, counts, infers or changes B's data: A's answers to every search,
 * filter, count and page are the same before and after B's records exist; each
 * request on one of B's ids is answered exactly as for an id that does not
 * exist; B's pagination cursors are refused like forged ones; and B's records
 * are unchanged afterwards.
 *
 * It discovers its inputs: tenant routes from the server's route registry,
 * tables from the cell's catalog, cases from `src/**\/*.isolation.ts`. A tenant
 * route that no case exercises, or a tenant table without forced row-level
 * security and a policy, fails it.
 */
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/identity/roles.js';
import { applicationUrl } from '../../src/platform/database.js';
import { describeRoute } from '../../src/platform/http/access.js';
import { call, CHIYODA, newSession, placeInMyNumberZone, SAPPORO, type Reply, type Session } from '../support/api.js';
import { createTestPlatform, type TestPlatform } from '../support/platform.js';
import type { CaseContext, IsolationCase, Probe } from './case.js';
import { TABLE_FIXTURES } from './table-fixtures.js';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

async function findCaseFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await findCaseFiles(full)));
    else if (entry.name.endsWith('.isolation.ts')) out.push(full);
  }
  return out;
}

async function loadCases(): Promise<IsolationCase<unknown>[]> {
  const cases: IsolationCase<unknown>[] = [];
  for (const file of await findCaseFiles(SRC)) {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      if (value && typeof value === 'object' && 'byId' in value && 'collection' in value) cases.push(value as IsolationCase<unknown>);
    }
  }
  return cases;
}

/** A response as a client can observe it, minus the per-request id. */
function observable(reply: Reply): unknown {
  const body = reply.body && typeof reply.body === 'object' ? { ...reply.body, requestId: undefined } : reply.body;
  return { status: reply.status, body, contentType: reply.headers['content-type'] };
}

function routeMatcher(url: string): RegExp {
  return new RegExp(`^${url.replace(/:[A-Za-z]+/g, '[^/?]+')}(\\?.*)?$`);
}

let tp: TestPlatform;
let cases: IsolationCase<unknown>[];
const exercised: { method: string; url: string }[] = [];
const sessions = new Map<string, Session>();

/** A session of the municipality with the role; requests through it are recorded for route coverage. */
function as(municipality: string, role: Role, c: { headers?: Readonly<Record<string, string>> } = {}): Session {
  const s = sessions.get(`${municipality}/${role}`);
  if (!s) throw new Error(`no session for ${municipality}/${role}`);
  return {
    ...s,
    call: (method, url, body, headers) => {
      exercised.push({ method, url });
      return s.call(method, url, body, { ...c.headers, ...headers });
    },
  };
}

/** What a case's create may use besides its session: the platform, and the municipality's other roles. */
function contextOf(municipality: string, c: IsolationCase<unknown>): CaseContext {
  return { platform: tp.platform, as: (role) => as(municipality, role, c) };
}

async function send(session: Session, probe: Probe): Promise<Reply> {
  return session.call(probe.method, probe.url, probe.body);
}

/** Pages through a listing with a small page size, returning every page as observed. */
async function walk(session: Session, collection: string): Promise<unknown[]> {
  const pages: unknown[] = [];
  let url = `${collection}${collection.includes('?') ? '&' : '?'}limit=2`;
  for (let i = 0; i < 100; i++) {
    const reply = await session.call('GET', url);
    pages.push(observable(reply));
    const next = reply.body?.nextCursor;
    if (reply.status !== 200 || !next) return pages;
    url = `${collection}${collection.includes('?') ? '&' : '?'}limit=2&cursor=${encodeURIComponent(next)}`;
  }
  throw new Error('listing did not end');
}

beforeAll(async () => {
  tp = await createTestPlatform({ cells: ['cell-a', 'cell-b'] });
  cases = await loadCases();
  // A and B share a cell: nothing but row-level security separates them.
  await tp.platform.cells.place(CHIYODA, 'cell-a', null);
  await tp.platform.cells.place(SAPPORO, 'cell-a', null);
  const roles: Role[] = ['clerk', 'municipal_admin', 'auditor', 'support_measure_officer', 'linkage_subscriber'];
  for (const m of [CHIYODA, SAPPORO]) for (const r of roles) sessions.set(`${m}/${r}`, await newSession(tp, m, [r]));
  // My Number routes answer only from the municipality's My Number zone: the tests' loopback address.
  for (const m of [CHIYODA, SAPPORO]) await placeInMyNumberZone(tp, m);
});

afterAll(async () => {
  await tp?.close();
});

describe('tenant isolation', () => {
  it('finds an isolation case for every module with tenant routes', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it('holds for random data in every case (property)', async () => {
    for (const c of cases) {
      await fc.assert(
        fc.asyncProperty(
          fc.array(c.record, { minLength: 1, maxLength: 3 }),
          fc.array(c.record, { minLength: 1, maxLength: 3 }),
          async (recordsOfA, recordsOfB) => {
            const aWriter = as(CHIYODA, c.writer, c);
            const bWriter = as(SAPPORO, c.writer, c);
            const aPrincipals = [aWriter, ...c.readers.map((r) => as(CHIYODA, r, c))];
            for (const r of recordsOfA) await c.create(aWriter, r, contextOf(CHIYODA, c));

            // What A can observe, before B's records exist.
            const observe = async () => {
              const seen: unknown[] = [];
              for (const p of aPrincipals) {
                seen.push(await walk(p, c.collection));
                for (const r of recordsOfB) for (const probe of c.searches(r)) seen.push(observable(await send(p, probe)));
              }
              return seen;
            };
            const before = await observe();
            const idsOfB: string[] = [];
            for (const r of recordsOfB) idsOfB.push(await c.create(bWriter, r, contextOf(SAPPORO, c)));
            const bViewBefore = await Promise.all(idsOfB.map((id, i) => send(bWriter, c.byId(id, recordsOfB[i])[0]!)));
            const after = await observe();
            // Searches, filters, counts, pages and cursors: B's records change nothing A sees.
            expect(after).toEqual(before);
            expect(JSON.stringify(after)).not.toMatch(new RegExp(idsOfB.join('|')));

            // Each of B's ids is answered exactly as an id that does not exist.
            for (const p of aPrincipals) {
              for (const [i, id] of idsOfB.entries()) {
                const record = recordsOfB[i];
                const foreign = c.byId(id, record);
                const missing = c.byId(randomUUID(), record);
                for (const [k, probe] of foreign.entries()) {
                  const a = await send(p, probe);
                  const m = await send(p, missing[k]!);
                  expect(a.status, `${p.roles.join()} ${probe.method} foreign`).toBeLessThan(500);
                  expect(observable(a), `${probe.method} ${c.name} of another municipality`).toEqual(observable(m));
                }
              }
            }

            // B's records are as B left them.
            const bViewAfter = await Promise.all(idsOfB.map((id, i) => send(bWriter, c.byId(id, recordsOfB[i])[0]!)));
            expect(bViewAfter.map(observable)).toEqual(bViewBefore.map(observable));

            // A may hold the very same contents as B: no uniqueness spans municipalities.
            await c.create(aWriter, recordsOfB[0], contextOf(CHIYODA, c));
          },
        ),
        { numRuns: c.numRuns ?? (process.env.CI ? 12 : 8) },
      );
    }
  }, 600_000);

  it("refuses another municipality's pagination cursor like a forged one", async () => {
    for (const c of cases) {
      const b = as(SAPPORO, c.writer, c);
      const a = as(CHIYODA, c.writer, c);
      await fc.assert(
        fc.asyncProperty(c.record, c.record, async (r1, r2) => {
          await c.create(b, r1, contextOf(SAPPORO, c));
          await c.create(b, r2, contextOf(SAPPORO, c));
          const page = await b.call('GET', `${c.collection}?limit=1`);
          const cursorOfB: string = page.body.nextCursor;
          expect(cursorOfB).toBeTruthy();
          const [payload, signature] = cursorOfB.split('.');
          const forged = `${payload}.${signature!.split('').reverse().join('')}`;
          const withB = await a.call('GET', `${c.collection}?limit=1&cursor=${encodeURIComponent(cursorOfB)}`);
          const withForged = await a.call('GET', `${c.collection}?limit=1&cursor=${encodeURIComponent(forged)}`);
          expect(withB.status).toBe(400);
          expect(observable(withB)).toEqual(observable(withForged));
        }),
        { numRuns: 3 },
      );
    }
  });

  it('admits no platform operator or prefecture admin to any tenant route', async () => {
    const operator = await newSession(tp, '000001', ['platform_operator']);
    const prefecture = await newSession(tp, '130001', ['prefecture_security_admin']);
    for (const route of tp.app.municloudRoutes.filter((r) => r.access?.tenant)) {
      const url = route.url.replace(/:[A-Za-z]+/g, randomUUID());
      for (const s of [operator, prefecture]) {
        const res = await call(tp.app, route.method, url, { token: s.token, ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: {} }) });
        expect(res.status, `${describeRoute(route)} as ${s.roles.join()}`).toBe(403);
      }
    }
  });

  it('exercises every tenant-scoped route through some case', () => {
    const tenantRoutes = tp.app.municloudRoutes.filter((r) => r.access?.tenant);
    expect(tenantRoutes.length).toBeGreaterThan(0);
    const missing = tenantRoutes.filter((r) => !exercised.some((e) => e.method === r.method && routeMatcher(r.url).test(e.url)));
    expect(missing.map(describeRoute), 'tenant routes without an isolation case').toEqual([]);
  });
});

describe('tenant tables', () => {
  async function tenantTables(adminUrl: string) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query<{
        table: string;
        rls: boolean;
        forced: boolean;
        first_key: string | null;
        policies: { cmd: string; qual: string | null; check: string | null; permissive: boolean }[];
      }>(`
        SELECT c.relname AS table, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
               (SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                 WHERE i.indrelid = c.oid AND i.indisprimary) AS first_key,
               coalesce((SELECT json_agg(json_build_object('cmd', p.polcmd, 'permissive', p.polpermissive,
                                 'qual', pg_get_expr(p.polqual, p.polrelid), 'check', pg_get_expr(p.polwithcheck, p.polrelid)))
                           FROM pg_policy p WHERE p.polrelid = c.oid), '[]') AS policies
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'cell' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations'
         ORDER BY c.relname`);
      return rows;
    } finally {
      await admin.end();
    }
  }

  it('every table in every cell leads its key with municipality_code and forces a tenant policy', async () => {
    for (const cell of tp.databases.cells) {
      const tables = await tenantTables(cell.adminUrl);
      expect(tables.length).toBeGreaterThan(0);
      for (const t of tables) {
        expect(t.first_key, `${cell.id} ${t.table}: primary key leads with municipality_code`).toBe('municipality_code');
        expect(t.rls && t.forced, `${cell.id} ${t.table}: row-level security enabled and forced`).toBe(true);
        const all = t.policies.filter((p) => p.cmd === '*' && p.permissive);
        expect(all.length, `${cell.id} ${t.table}: a policy for all commands`).toBeGreaterThan(0);
        // Permissive policies are OR-ed together: every one of them must be exactly the tenant rule.
        // Either the function itself, or wrapped in a sub-select so PostgreSQL evaluates it once per statement.
        const exact =
          /^\(municipality_code = (?:(?:cell\.)?current_municipality\(\)|\( SELECT (?:cell\.)?current_municipality\(\) AS current_municipality\))\)$/;
        for (const p of t.policies.filter((p) => p.permissive)) {
          expect(p.qual, `${t.table}: USING keyed on the municipality`).toMatch(exact);
          expect(p.check ?? p.qual, `${t.table}: WITH CHECK keyed on the municipality`).toMatch(exact);
        }
      }
    }
  });

  it('the application role sees no rows without a municipality and cannot move rows to another', async () => {
    const cell = tp.databases.cells.find((c) => c.id === 'cell-a')!;
    const tables = await tenantTables(cell.adminUrl);
    const admin = new pg.Client({ connectionString: cell.adminUrl });
    const app = new pg.Client({ connectionString: applicationUrl(cell.adminUrl, tp.databases.roles) });
    await admin.connect();
    await app.connect();
    try {
      for (const { table } of tables) {
        const q = `cell.${pg.escapeIdentifier(table)}`;
        const municipalities = Number((await admin.query(`SELECT count(DISTINCT municipality_code) AS n FROM ${q}`)).rows[0].n);
        if (municipalities < 2) {
          const fixture = TABLE_FIXTURES[table];
          expect(fixture, `tenant table ${table} needs a row fixture in test/isolation/table-fixtures.ts`).toBeDefined();
          for (const m of [CHIYODA, SAPPORO]) {
            const { sql, args } = fixture!(m);
            await admin.query(sql, args);
          }
        }
        const total = Number((await admin.query(`SELECT count(*) AS n FROM ${q}`)).rows[0].n);
        const ofA = Number((await admin.query(`SELECT count(*) AS n FROM ${q} WHERE municipality_code = $1`, [CHIYODA])).rows[0].n);
        expect(total, `${table} has rows of several municipalities`).toBeGreaterThan(ofA);
        // No setting: nothing.
        expect(Number((await app.query(`SELECT count(*) AS n FROM ${q}`)).rows[0].n)).toBe(0);
        await app.query('BEGIN');
        await app.query("SELECT set_config('municloud.municipality_code', $1, true)", [CHIYODA]);
        expect(Number((await app.query(`SELECT count(*) AS n FROM ${q}`)).rows[0].n)).toBe(ofA);
        // Refused by the policy, or by having no UPDATE grant at all.
        await expect(app.query(`UPDATE ${q} SET municipality_code = $1`, [SAPPORO])).rejects.toThrow(/row-level security|permission denied/);
        await app.query('ROLLBACK');
        // The setting is transaction-local: gone after the transaction.
        expect(Number((await app.query(`SELECT count(*) AS n FROM ${q}`)).rows[0].n)).toBe(0);
        // The application role cannot switch the policy off.
        await expect(app.query(`ALTER TABLE ${q} NO FORCE ROW LEVEL SECURITY`)).rejects.toThrow();
      }
    } finally {
      await app.end();
      await admin.end();
    }
  });
});
